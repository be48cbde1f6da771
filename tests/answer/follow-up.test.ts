import { describe, expect, it } from "vitest";
import { followUpContext, refersBack } from "../../src/answer/follow-up.js";

describe("refersBack", () => {
  it.each([
    // Name their own topic in a sentence of their own, however short.
    "how many sessions will I need?",
    "what are your opening hours",
    "do you do face peels?",
    "what should I bring to my consultation?",
    "where are you based?",
    "are you open on saturday",
    "any side effects",
    "how soon can i wear makeup",
    "whats the recovery like",
    "what if i have dark skin",
    "price?",
    "and how long does the redness last?",
    "what creams are better?",
  ])("reads %j on its own", (message) => {
    expect(refersBack(message)).toBe(false);
  });

  it.each([
    // Point back with a pronoun.
    "is it safe then?",
    "how long will that last?",
    "does it hurt?",
    "is that normal",
    "why would that work better than just using them at home?",
    "and should I wear makeup to it?",
    "how come they get big in the first place",
    // Name nothing, and lean on what came before.
    "which kinds respond best?",
    "which is better",
    "tell me more",
    "anything else?",
    // Fragments.
    "how often?",
    "for how long?",
    "what about my neck",
    "and stretch marks?",
  ])("reads %j with the message before it", (message) => {
    expect(refersBack(message)).toBe(true);
  });

  it("treats an empty or markup-only message as standing alone", () => {
    expect(refersBack("")).toBe(false);
    expect(refersBack("<b></b>")).toBe(false);
  });
});

describe("followUpContext", () => {
  const history = [
    { role: "visitor" as const, text: "I'm <b>pregnant</b>, can I still have it done?" },
    { role: "bot" as const, text: "That's a question for a clinician." },
  ];

  it("gives the last visitor message, without markup, to a message that refers back", () => {
    const context = followUpContext("is it safe then?", history);
    expect(context).toMatch(/^I'm pregnant ?, can I still have it done\?$/);
  });

  it("gives nothing to a message that stands alone, or to the first message", () => {
    expect(followUpContext("how many sessions will I need?", history)).toBeUndefined();
    expect(followUpContext("is it safe then?", [])).toBeUndefined();
  });
});
