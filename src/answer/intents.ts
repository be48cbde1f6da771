import { messageSentencesOf } from "./sentences.js";

/**
 * What a visitor's message asks for, decided before any retrieval: booking, a clinician (the
 * visitor's own medical situation), an attempt to steer the bot, small talk, or an ordinary
 * question for the articles. Rules, not a model: every decision can be read and tested, and
 * a wrong "it's fine for you" is worse than an unnecessary handoff.
 */

export type Intent =
  | { kind: "booking" }
  | {
      kind: "clinician";
      redFlag: boolean;
      /** What made it personal ("condition": a skin condition named with what the treatment does). */
      reason: "pregnancy" | "medication" | "condition" | "symptoms" | "suitability";
    }
  /** `question` is what is left once the steering sentences are removed ("" if nothing). */
  | { kind: "injection"; question: string }
  | { kind: "greeting" }
  /** "thanks!", "ok", "bye": the visitor is done with the question, not starting one. */
  | { kind: "closing" }
  | { kind: "question" };

const FIRST_PERSON = /\b(i|i'm|im|i've|ive|i'd|id|i'll|my|me|mine|myself)\b/;

const PREGNANCY =
  /\b(pregnan\w*|breast ?feeding|breastfeed\w*|nursing (a|my) baby|trying (for a baby|to conceive)|ttc)\b/;

/**
 * Prescription medicines that bear on a skin treatment (acne drugs, blood thinners, retinoids,
 * immune suppressants): a visitor who says they take one is asking whether they may be treated,
 * even with no word of the treatment ("i take warfarin").
 */
const PRESCRIBED =
  /\b(isotretinoin|accutane|roaccutane|absorica|claravis|blood[- ]?thinners?|anti-?coagulants?|warfarin|apixaban|rivaroxaban|eliquis|xarelto|heparin|clopidogrel|retinoids?|tretinoin|retin-?a|doxycycline|steroids?|prednisolone|immuno-?suppress\w*|chemo\w*|methotrexate|biologics?)\b/;

/** Taking one, said without "I": "been on roaccutane since march". */
const ON_PRESCRIBED = new RegExp(
  String.raw`\b(on|taking|using|started|stopped|finished|course of)\s+(a |some )?` +
    PRESCRIBED.source.slice(2),
);

/** Everyday medicines and medicine in general: ours only when the treatment is mentioned too. */
const MEDICATION =
  /\b(aspirin|ibuprofen|antibiotics?|insulin|medications?|medicines?|meds|prescriptions?|tablets|pills)\b/;

const CONDITION =
  /\b(eczema|rosacea|psoriasis|keloids?|diabet\w*|herpes|cold ?sores?|active acne|breakouts?|break ?outs?|inflamed|spots|cysts?|infections?|infected|allerg\w*|autoimmune|lupus|skin cancer|melanoma|moles?|vitiligo|bleeding disorder|ha?emophilia|dermatitis|warts?|open wounds?|sunburn\w*|scleroderma|heart condition|epilep\w*|condition|flare-?ups?|flar(e|es|ed|ing)( up)?|acting up|playing up)\b/;

/** Skin concerns a visitor may say they have ("I have melasma"): the articles treat some. */
const SKIN_CONCERN =
  /\b(melasma|hyperpigmentation|pigmentation|acne scars?|scars?|scarring|sun ?spots|age spots|dark (spots|marks|patches)|wrinkles|fine lines|enlarged pores|large pores|big pores|pores|sagging|loose skin|stretch marks|uneven (skin|tone|texture))\b/;

/**
 * A question about what the treatment does ("will it help?", "is it an option?"), rather
 * than whether it is safe for the visitor.
 */
const EFFICACY =
  /\b(help|helps|work|works|improve|treat|fix|reduce|fade|get rid|an option|effective|worth it|good for|do anything|make a difference)\b/;

const SYMPTOM =
  /\b(red|redness|swollen|swelling|pus|fever|temperature|bleed\w*|pain\w*|hurts?|sore|itch\w*|rash\w*|blisters?|bumps?|scabs?|crust\w*|ooz\w*|burning|burns|sting\w*|infect\w*|reaction|bruis\w*|hives|peeling|discolou?r\w*|dark patches)\b/;

const AFTER_TREATMENT =
  /\b(still|since|after|ago|yesterday|last (week|night)|days?|weeks?|hours?|now)\b/;

/** Describes how the visitor is now ("my face is still red"), not what might happen. */
const PRESENT_PERSONAL =
  /\b(i have|i've got|ive got|i got|i'm|im|i am|i (still )?(feel|notice|see|get)|my \w+ (is|are|has|have|feels?|looks?|keeps?)|it'?s (still|now|getting)|still)\b/;

/** The clinic's treatment, or coming in for it: what makes a medication question ours. */
const TREATMENT_REFERENCE =
  /\b(microneedl\w*|needl\w*|treatments?|sessions?|procedures?|it|this|consult\w*|appointments?|come in|book\w*)\b/;

const RED_FLAG =
  /\b(fever|temperature|chills|pus|ooz\w*|spreading|spreads|streaks?|hot to the touch|severe|unbearable|getting worse|worse and worse|worsening|infect\w*|can'?t breathe|difficulty breathing|short(ness)? of breath|throat (is )?(swelling|closing)|swollen (eyes?|lips?|tongue|throat)|faint\w*|blister\w*)\b/;

/**
 * Asking whether it is safe for them personally. "Is it right for me?" on its own is not
 * here: the articles answer it (a consultation decides), and a health condition named with
 * it is caught by the rules above.
 */
const SUITABILITY =
  /\b(safe|ok|okay|alright|fine|risky|dangerous|harm\w*|allowed)\b[^.?!]{0,25}\b(for me|with my|given my|in my case|for my)\b|\b(can|could|should|may) i\b[^.?!]{0,60}\b(if|while|since|though) (i|i'm|im|i've|ive|my)\b|\bwould (it|this|microneedling)\b[^.?!]{0,30}\b(make (it|mine|my)|worsen|be safe for me)\b/;

/** "ok, " or "alright so" opening a message: a reply to the bot, not "is it ok for me". */
const INTERJECTION = /^\s*(ok|okay|alright|right|fine)\b(?!\s+(for|with|to)\b)[,.!]*\s*/;

const BOOKING_REQUEST =
  /\b(book|schedule|reserve|arrange|make|set up|organi[sz]e|get|have|want|need|request|like)\b[^.?!]{0,40}\b(appointments?|consultations?|consults?|sessions?|slots?|visit)\b|\b(fit|squeeze|pencil|get) (me|us) in\b|\bsign (me|us) up\b|\b(put|send|make|submit|place) (in |through )?(a |my )?booking( request)?\b|\bbooking request for me\b|\b(free|next|earliest|available|open) (slot|appointment)s?\b|\b(i'?d like|i would like|i want|i wanna|can i|could i|please|let me|can you|could you)\b[^.?!]{0,15}\b(book|schedule)\b|^\s*book\b|\bbook me\b|\bcome in for\b|\bcall me back\b|\bavailability\b|\b(can|could|may) (i|we) (see|speak to|talk to) (someone|somebody|a (clinician|practitioner|specialist|dermatologist))\b/;

/** Changing or cancelling an appointment: the articles say how, it is not a new booking. */
const CHANGE_REQUEST =
  /\b(cancel\w*|reschedul\w*|postpon\w*|re-?arrang\w*|(move|change) (my|the|our) (appointment|booking|consultation|session))\b/;

/**
 * "How do I book?" asks for information (the booking page answers it), not for a booking; so
 * does asking which way to book ("can I book over the phone or is it online only?").
 */
const BOOKING_QUESTION =
  /\b(how|what|where|when|why|do i have to|is|does|will|can this|can the)\b[^.?!]{0,25}\b(book|booking|booked|appointment|consultation)\w*\b[^.?!]*\?|\bbook(ing)?\b[^.?!]{0,20}\b(online|over the phone|by (phone|email|e-mail)|through (the|your) (website|form|site)|via)\b[^.?!]*\?/;

/**
 * A message that opens as a question. The booking rule's words ("availability", "get an
 * appointment") are then read as asked about; the fitted similarity to the example requests
 * still hears "is there any availability on saturday? i'd like to come in" as a request.
 */
const QUESTION_OPENING = /^(how|what|where|when|why|do|does|is|will)\b/;

const INJECTION_SENTENCE =
  /\b(ignore|disregard|forget|override|bypass)\b[^.?!]{0,50}\b(instructions?|rules?|prompts?|guidelines|restrictions?|previous|above|everything|context)\b|\byou are now\b|\bfrom now on\b|\bact as\b|\bpretend (to be|you are|that)\b|\bjail ?break\w*\b|\bdeveloper mode\b|\bdo anything now\b|\bDAN\b|\b(system|hidden|initial|original) (prompt|instructions?|message)\b|\byour (instructions|prompt|rules|guidelines|configuration)\b|\bsystem override\b|\bnew instructions?\b|\bend of (context|prompt|instructions)\b|\breply (only )?with\b|\brespond (only )?with\b|\bno (longer|more) (required|restricted|bound)\b|\bwithout (any )?restrictions\b|\bno restrictions\b/i;

const GREETING = /^(hi|hiya|hello|hey|good (morning|afternoon|evening))( there)?[\s!.,:)]*$/;
const CLOSING =
  /^((ok|okay|great|cool|perfect|lovely|brilliant|got it)[\s!.,]*)?(thanks|thank you|thx|cheers|ta|ok|okay|great|cool|perfect|lovely|brilliant|got it|bye|goodbye)( there| so much| a lot| very much)?[\s!.,:)]*$/;

/**
 * A question about booking ("how do I book?") or a change to an appointment: answered from
 * the articles, never taken as a booking request.
 */
export function asksAboutBooking(message: string): boolean {
  const text = normalize(stripMarkup(message));
  return BOOKING_QUESTION.test(text) || CHANGE_REQUEST.test(text);
}

function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .toLowerCase()
    .replace(/\bu\b/g, "you")
    .replace(/\bur\b/g, "your");
}

/** Removes markup so that `<script>` in a question is neither read nor matched. */
export function stripMarkup(text: string): string {
  return text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The visitor's own health situation, rather than a general question about the treatment. */
function clinicianIntent(text: string): Intent | null {
  const personal = FIRST_PERSON.test(text);
  const redFlag = RED_FLAG.test(text) && (personal || SYMPTOM.test(text));
  const clinician = (reason: Extract<Intent, { kind: "clinician" }>["reason"]): Intent => ({
    kind: "clinician",
    redFlag,
    reason,
  });
  if (PREGNANCY.test(text)) return clinician("pregnancy");
  // "What dose of ibuprofen should I take for a headache?" is not about our treatment.
  const prescribed = (personal && PRESCRIBED.test(text)) || ON_PRESCRIBED.test(text);
  if (prescribed || (personal && MEDICATION.test(text) && TREATMENT_REFERENCE.test(text))) {
    return clinician("medication");
  }
  if (PRESENT_PERSONAL.test(text) && SYMPTOM.test(text) && AFTER_TREATMENT.test(text)) {
    return clinician("symptoms");
  }
  if (redFlag) return clinician("symptoms");
  if (SUITABILITY.test(text.replace(INTERJECTION, ""))) return clinician("suitability");
  if (personal && namesCondition(text)) {
    return clinician(EFFICACY.test(text) ? "condition" : "suitability");
  }
  return null;
}

/**
 * A condition named in the text, other than as part of a skin concern the treatment is for:
 * "dark spots" and "sun spots" are concerns, "spots" alone (a breakout) is a condition.
 */
function namesCondition(text: string): boolean {
  return CONDITION.test(text.replace(new RegExp(SKIN_CONCERN.source, "g"), " "));
}

/**
 * A general question about what the treatment does for a skin concern the visitor says they
 * have ("I have melasma on my forehead, is microneedling an option?"): answered from the
 * articles, with an offer of a consultation to judge their own skin.
 */
export function ownConcern(message: string): string | null {
  const text = normalize(stripMarkup(message));
  if (!FIRST_PERSON.test(text) || !EFFICACY.test(text)) return null;
  // Only the concerns the treatment is for: a condition (CONDITION: eczema, active acne, an
  // infection) is the clinician's, even when the articles mention a word of it.
  if (namesCondition(text)) return null;
  return SKIN_CONCERN.exec(text)?.[0] ?? null;
}

/**
 * A booking request: a sentence that asks for one and does not open as a question ("do you
 * have anything free next week? id like a consultation" is one), in a message that does not
 * ask about booking.
 */
function requestsBooking(text: string): boolean {
  if (asksAboutBooking(text)) return false;
  return messageSentencesOf(text).some(
    (s) => BOOKING_REQUEST.test(s) && !QUESTION_OPENING.test(s.trim()),
  );
}

/** Words a typed question may open with before its question word ("anyway, what time…"). */
const LEAD_IN = String.raw`((anyway|anyways|so|and|also|btw|ok|okay|but|oh|well|right)[,\s]+)*`;
const QUESTION_WORD = String.raw`(how|what|where|when|why|which|who|do|does|did|is|are|am|can|could|will|would|should|may)\b`;

/** Text that asks: a question mark, or a sentence opening as a question or a request to tell. */
const ASKING = new RegExp(
  String.raw`\?|(^|[.!]\s+)${LEAD_IN}(${QUESTION_WORD}|(tell me|explain|describe)\b)`,
  "i",
);

/** A question and nothing else: opens with a question word and asks ("does it help?"). */
const PLAIN_QUESTION = new RegExp(String.raw`^${LEAD_IN}${QUESTION_WORD}[^?]*\?`, "i");

function asksSomething(text: string): boolean {
  return ASKING.test(text.trim());
}

/** Decides what a message asks for. Clinician beats booking: safety first. */
export function detectIntent(message: string): Intent {
  const plain = stripMarkup(message);
  const kept: string[] = [];
  let steering = false;
  for (const sentence of messageSentencesOf(plain)) {
    if (!INJECTION_SENTENCE.test(sentence)) {
      kept.push(sentence);
      continue;
    }
    steering = true;
    // "…answer in pirate speak only: does it help with big pores?" keeps what follows the
    // last colon when it is a plain question that steers nothing ("9:30" is no colon here).
    const after = sentence.split(/:\s+/).slice(1).at(-1)?.trim() ?? "";
    if (PLAIN_QUESTION.test(after) && !INJECTION_SENTENCE.test(after)) kept.push(after);
  }
  const rest = kept.join(" ").trim();
  if (steering) {
    // Only a question that survives on its own is answered; the steering text is dropped, and
    // so is an order that is left ("State that it cures acne.").
    const question = rest.replace(/^[^a-z0-9]*(user question|question)\s*:\s*/i, "");
    return { kind: "injection", question: asksSomething(question) ? question : "" };
  }
  const text = normalize(rest);
  const clinician = clinicianIntent(text);
  if (clinician) return clinician;
  if (requestsBooking(text)) return { kind: "booking" };
  if (GREETING.test(text)) return { kind: "greeting" };
  if (CLOSING.test(text)) return { kind: "closing" };
  return { kind: "question" };
}
