/**
 * The widget's interface: a launcher and a chat panel in a shadow root, driven by the chat
 * controller. All text goes in as text nodes (see dom.ts).
 */
import type { Handoff } from "../../src/answer/types.js";
import type { PublicClinicProfile } from "../../src/web/static-routes.js";
import { createApi, type WidgetApi } from "./api.js";
import {
  type BotEntry,
  type ConnectionState,
  createChatController,
  type Entry,
} from "./chat-controller.js";
import { citationHref, renderAnswer, renderSources, renderStreaming } from "./citations.js";
import type { WidgetConfig } from "./config.js";
import { h, icon, uid } from "./dom.js";
import { createRequestForm, privacyLink, requestBody, type RequestKind } from "./forms.js";
import { requestSentText, TEXT } from "./messages.js";
import { createSessionStore, type Rating, type StorageLike } from "./session.js";
import { connectSocket, type WidgetSocket } from "./socket.js";
import { STYLES } from "./styles.js";
import { createTheme } from "./theme.js";

export interface MountOptions {
  config: WidgetConfig;
  /** Opens the chat socket (default: Socket.IO to `config.server`). */
  connect?: () => WidgetSocket;
  api?: WidgetApi;
  /** Where the session id is kept (default: none, i.e. memory). */
  storage?: StorageLike;
  /** Where "the panel is open" is kept for this tab (default: none). */
  tabStorage?: StorageLike;
  /** Where the widget's host element goes (default: `document.body`). */
  parent?: HTMLElement;
}

export interface MountedWidget {
  host: HTMLElement;
  root: ShadowRoot;
  open(options?: { focus?: boolean }): void;
  close(options?: { returnFocus?: boolean }): void;
  destroy(): void;
}

/** The custom element name: host pages' `div`/`button` rules never match it. */
export const HOST_TAG = "clinic-chat-widget";

function adoptStyles(root: ShadowRoot): void {
  try {
    // A constructed stylesheet is not subject to the host page's CSP style-src.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.appendChild(h("style", {}, STYLES));
  }
}

export function mountWidget(options: MountOptions): MountedWidget {
  const { config } = options;
  const server = config.server;
  const api = options.api ?? createApi(server);
  const session = createSessionStore(options.storage, server);
  const openKey = `clinic-chat:open:${server}`;
  const theme = createTheme(config.color);

  const host = document.createElement(HOST_TAG);
  const shadow = host.attachShadow({ mode: "open" });
  adoptStyles(shadow);

  // --- static structure -------------------------------------------------------------------
  const panelId = uid("panel");
  const titleId = uid("title");
  const inputId = uid("input");
  const hintId = uid("hint");

  const launcherIcon = h("span", { class: "launcher-icon" }, icon("chat", 26));
  const launcher = h(
    "button",
    {
      type: "button",
      class: "launcher",
      "aria-label": TEXT.launcherOpen,
      "aria-expanded": "false",
      "aria-controls": panelId,
    },
    launcherIcon,
  );

  const subtitle = h("p", { class: "subtitle", hidden: true });
  const closeButton = h(
    "button",
    { type: "button", class: "icon-button", "aria-label": TEXT.launcherClose },
    icon("close", 20),
  );
  const notice = h("p", { class: "notice" }, TEXT.notice);
  const status = h("div", { class: "status", role: "status", "aria-live": "polite", hidden: true });
  const log = h("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Conversation",
    tabindex: 0,
  });
  const suggestions = h(
    "div",
    { class: "suggestions", role: "group", "aria-label": TEXT.suggestions },
    ...config.suggestions.map((question) => {
      const chip = h("button", { type: "button", class: "chip" }, question);
      chip.addEventListener("click", () => void submit(question));
      return chip;
    }),
  );
  log.append(h("p", { class: "bubble greeting" }, config.greeting), suggestions);

  const textarea = h("textarea", {
    id: inputId,
    name: "message",
    rows: 1,
    maxlength: 2000,
    placeholder: `${TEXT.inputLabel}…`,
    "aria-describedby": hintId,
    autocomplete: "off",
  });
  const sendButton = h(
    "button",
    { type: "submit", class: "send", "aria-label": TEXT.send },
    icon("send", 20),
  );
  const composer = h(
    "form",
    { class: "composer", novalidate: true },
    h("label", { for: inputId, class: "sr-only" }, TEXT.inputLabel),
    h("p", { id: hintId, class: "sr-only" }, TEXT.inputHint),
    textarea,
    sendButton,
  );

  const panel = h(
    "section",
    { id: panelId, class: "panel", role: "dialog", "aria-labelledby": titleId, hidden: true },
    h(
      "div",
      { class: "header" },
      h(
        "div",
        { class: "heading" },
        h("h2", { class: "title", id: titleId }, config.title),
        subtitle,
      ),
      closeButton,
    ),
    notice,
    status,
    log,
    composer,
  );

  // The launcher comes after the panel: Tab from the panel's last control reaches it (it closes
  // the chat), as the WAI-ARIA dialog pattern has it for a non-modal dialog.
  const root = h("div", { class: `root ${config.position}` }, panel, launcher);
  root.style.setProperty("--accent", theme.accent);
  root.style.setProperty("--on-accent", theme.onAccent);
  root.style.setProperty("--accent-text", theme.accentText);
  root.style.setProperty("--accent-soft", theme.accentSoft);
  shadow.appendChild(root);
  (options.parent ?? document.body).appendChild(host);

  // --- clinic profile ---------------------------------------------------------------------
  let clinic: PublicClinicProfile | undefined;
  let clinicLoad: Promise<void> | undefined;
  const clinicWaiters: ((clinic: PublicClinicProfile) => void)[] = [];
  const whenClinic = (fn: (clinic: PublicClinicProfile) => void) => {
    if (clinic) fn(clinic);
    else clinicWaiters.push(fn);
  };
  const loadClinic = () => {
    clinicLoad ??= api.clinic().then((result) => {
      if (!result.ok) {
        clinicLoad = undefined; // try again on the next open
        return;
      }
      clinic = result.value;
      for (const fn of clinicWaiters.splice(0)) fn(result.value);
    });
  };
  whenClinic((profile) => {
    subtitle.textContent = profile.name;
    subtitle.hidden = false;
    const privacy = profile.privacyNoticeUrl && citationHref(profile.privacyNoticeUrl, server);
    if (privacy) notice.append(" ", privacyLink(privacy));
  });

  // --- conversation -----------------------------------------------------------------------
  const nodes = new Map<string, HTMLElement>();
  let busy = false;
  let statusTimer: ReturnType<typeof setTimeout> | undefined;

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 96;
  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };

  const controller = createChatController({
    connect: options.connect ?? (() => connectSocket(server)),
    api,
    session,
    listener: {
      entry(entry, change) {
        const stick = nearBottom();
        const existing = nodes.get(entry.key);
        if (change === "remove") {
          existing?.remove();
          nodes.delete(entry.key);
          return;
        }
        if (entry.kind !== "notice") suggestions.remove();
        if (change === "add" || !existing) {
          const node = renderEntry(entry);
          nodes.set(entry.key, node);
          log.appendChild(node);
          scrollToEnd();
        } else if (entry.kind === "bot") {
          updateBot(existing, entry);
          // Follow a growing answer, but never past the question it answers: long answers are
          // read from the top.
          if (stick) {
            const question = existing.previousElementSibling as HTMLElement | null;
            const top = (question ?? existing).offsetTop - 12;
            const end = log.scrollHeight - log.clientHeight;
            log.scrollTop = Math.max(log.scrollTop, Math.min(end, top));
          }
        }
      },
      connection: showConnection,
      busy(value) {
        busy = value;
        if (value) sendButton.setAttribute("aria-disabled", "true");
        else sendButton.removeAttribute("aria-disabled");
      },
    },
  });

  function showConnection(state: ConnectionState): void {
    clearTimeout(statusTimer);
    const text =
      state === "reconnecting"
        ? TEXT.reconnecting
        : state === "unreachable"
          ? TEXT.cannotConnect
          : state === "reconnected"
            ? TEXT.reconnected
            : "";
    status.textContent = text;
    status.hidden = !text;
    status.classList.toggle("ok", state === "reconnected");
    if (state === "reconnected") {
      statusTimer = setTimeout(() => showConnection("online"), 4000);
    }
  }

  function renderEntry(entry: Entry): HTMLElement {
    switch (entry.kind) {
      case "visitor":
        return h(
          "p",
          { class: "bubble visitor" },
          h("span", { class: "sr-only" }, "You: "),
          entry.text,
        );
      case "notice":
        return h("p", { class: "note" }, entry.text);
      case "bot": {
        const node = h("div", { class: "turn bot" }, h("div", { class: "bubble" }));
        updateBot(node, entry);
        return node;
      }
    }
  }

  /** Fills a bot turn: typing dots, then the streamed text, then the finished answer and extras. */
  function updateBot(node: HTMLElement, entry: BotEntry): void {
    const bubble = node.firstElementChild as HTMLElement;
    const speaker = h("span", { class: "sr-only" }, "Assistant: ");
    node.classList.toggle("failed", entry.status === "failed");
    if (entry.status === "typing") {
      bubble.setAttribute("aria-busy", "true");
      bubble.replaceChildren(
        h("span", { class: "typing" }, h("i"), h("i"), h("i")),
        h("span", { class: "sr-only" }, TEXT.typing),
      );
      bubble.classList.add("is-typing");
      return;
    }
    bubble.classList.remove("is-typing");
    if (entry.status === "streaming") {
      // Announced once, when done: a live region re-reading every piece would be noise.
      bubble.setAttribute("aria-busy", "true");
      bubble.replaceChildren(speaker, renderStreaming(entry.text));
      return;
    }
    bubble.removeAttribute("aria-busy");
    bubble.replaceChildren(speaker, renderAnswer(entry.text, entry.citations, server));
    if (node.childElementCount > 1 || entry.status === "failed") return;
    if (entry.citations.length > 0) node.appendChild(renderSources(entry.citations, server));
    if (entry.handoff) node.appendChild(renderHandoff(entry, entry.handoff));
    if (entry.messageId) node.appendChild(renderFeedback(entry.messageId));
  }

  function renderFeedback(messageId: string): HTMLElement {
    const thanks = h("span", { class: "thanks", role: "status" });
    const buttons = new Map<Rating, HTMLButtonElement>();
    const show = (rating: Rating | undefined) => {
      for (const [value, button] of buttons) {
        button.setAttribute("aria-pressed", String(value === rating));
      }
    };
    const row = h("div", { class: "feedback" }, h("span", { class: "label" }, TEXT.helpfulPrompt));
    for (const [rating, label] of [
      ["up", TEXT.helpful],
      ["down", TEXT.notHelpful],
    ] as const) {
      const button = h(
        "button",
        { type: "button", "aria-label": label, title: label, "aria-pressed": "false" },
        icon(rating, 18),
      );
      button.addEventListener("click", () => {
        const sessionId = session.sessionId();
        if (!sessionId) return;
        const before = session.rating(messageId);
        show(rating);
        void api.feedback({ sessionId, messageId, rating }).then((result) => {
          if (result.ok) {
            session.setRating(messageId, rating);
            thanks.textContent = TEXT.feedbackThanks;
          } else {
            show(before);
            thanks.textContent = TEXT.feedbackFailed;
          }
        });
      });
      buttons.set(rating, button);
      row.appendChild(button);
    }
    row.appendChild(thanks);
    show(session.rating(messageId));
    return row;
  }

  /**
   * The last reply's handoff stays actionable after a reload; older ones show their text only,
   * and one whose request was sent shows that instead.
   */
  function isInteractive(entry: BotEntry): boolean {
    if (!entry.messageId || entry.request) return false;
    if (!entry.restored) return true;
    const bots = controller.entries().filter((e) => e.kind === "bot");
    return bots[bots.length - 1] === entry;
  }

  function requestForm(entry: BotEntry, kind: RequestKind): HTMLElement {
    return createRequestForm({
      kind,
      clinicName: clinic?.name,
      privacyUrl: clinic?.privacyNoticeUrl && citationHref(clinic.privacyNoticeUrl, server),
      submit: (values) =>
        api.booking(requestBody(kind, values, session.sessionId(), entry.messageId)),
      // The form shows its own confirmation; after a reload the service tells it was sent.
      onSent: () => {
        entry.request = { kind, sentAt: new Date().toISOString() };
      },
    });
  }

  /** A restored reply's request, in place of the form it was sent from. */
  function sentConfirmation(entry: BotEntry): HTMLElement | null {
    if (!entry.request) return null;
    return h(
      "p",
      { class: "confirmation sent" },
      requestSentText(entry.request.kind, entry.request.sentAt),
    );
  }

  function contactDetails(profile: PublicClinicProfile): HTMLElement {
    const tel = profile.phone.replace(/[^+\d]/g, "");
    return h(
      "div",
      {},
      h("p", { class: "contact-heading" }, TEXT.contactHeading),
      h(
        "ul",
        { class: "contact" },
        h("li", {}, icon("phone", 16), h("a", { href: `tel:${tel}` }, profile.phone)),
        h("li", {}, icon("mail", 16), h("a", { href: `mailto:${profile.email}` }, profile.email)),
        h("li", {}, icon("pin", 16), h("span", {}, profile.address)),
        h(
          "li",
          {},
          icon("clock", 16),
          h(
            "span",
            {},
            profile.openingHours.map((line) => `${line.days}: ${line.hours}`).join("\n"),
          ),
        ),
      ),
    );
  }

  function renderHandoff(entry: BotEntry, handoff: Handoff): HTMLElement {
    const card = h("div", { class: "handoff" }, h("p", {}, handoff.message));
    const interactive = isInteractive(entry);
    loadClinic(); // again, if the first attempt failed
    if (handoff.kind === "booking") {
      const online = handoff.bookingUrl && citationHref(handoff.bookingUrl, server);
      if (online) {
        card.appendChild(
          h(
            "div",
            { class: "actions" },
            h(
              "a",
              { class: "secondary", href: online, target: "_blank", rel: "noopener noreferrer" },
              TEXT.bookOnline,
            ),
          ),
        );
      }
      const sent = sentConfirmation(entry);
      if (sent) card.appendChild(sent);
      else if (interactive) {
        const place = h("div", {});
        card.appendChild(place);
        // The form names the clinic in its consent line, so it waits briefly for the profile.
        const show = () => place.replaceChildren(requestForm(entry, "consultation"));
        if (clinic) show();
        else {
          const timer = setTimeout(show, 1500);
          whenClinic(() => {
            clearTimeout(timer);
            if (!place.firstChild) show();
          });
        }
      }
      return card;
    }
    const contact = h("div", {});
    card.appendChild(contact);
    whenClinic((profile) => contact.replaceChildren(contactDetails(profile)));
    const sent = sentConfirmation(entry);
    if (sent) card.appendChild(sent);
    else if (interactive) {
      const formPlace = h("div", { id: uid("callback") });
      const toggle = h(
        "button",
        {
          type: "button",
          class: "secondary",
          "aria-expanded": "false",
          "aria-controls": formPlace.id,
        },
        TEXT.callMe,
      );
      toggle.addEventListener("click", () => {
        if (!formPlace.firstChild) formPlace.appendChild(requestForm(entry, "callback"));
        toggle.closest(".actions")?.remove();
        formPlace.querySelector("input")?.focus();
      });
      card.append(h("div", { class: "actions" }, toggle), formPlace);
    }
    return card;
  }

  // --- composer ---------------------------------------------------------------------------
  let sending = false;
  async function submit(text: string): Promise<void> {
    if (busy || sending || !text.trim()) return;
    sending = true;
    suggestions.remove();
    const fromBox = text === textarea.value;
    if (fromBox) {
      textarea.value = "";
      autosize();
    }
    try {
      const result = await controller.send(text);
      // A message the service did not take goes back into the box, unless something new is there.
      if (!result.ok && fromBox && !textarea.value) {
        textarea.value = text;
        autosize();
      }
    } finally {
      sending = false;
    }
  }

  function autosize(): void {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 132)}px`;
  }

  textarea.addEventListener("input", autosize);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit(textarea.value);
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(textarea.value);
  });

  // --- open and close ---------------------------------------------------------------------
  const isOpen = () => !panel.hidden;
  const wasOpen = () => {
    try {
      return options.tabStorage?.getItem(openKey) === "1";
    } catch {
      return false;
    }
  };
  const remember = (open: boolean) => {
    try {
      options.tabStorage?.setItem(openKey, open ? "1" : "0");
    } catch {
      // Not remembering is fine.
    }
  };

  function open({ focus = true } = {}): void {
    loadClinic();
    void controller.start();
    panel.hidden = false;
    root.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXT.launcherClose);
    launcherIcon.replaceChildren(icon("close", 24));
    remember(true);
    scrollToEnd();
    if (focus) textarea.focus({ preventScroll: true });
  }

  function close({ returnFocus = true } = {}): void {
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", TEXT.launcherOpen);
    launcherIcon.replaceChildren(icon("chat", 26));
    remember(false);
    if (returnFocus) launcher.focus();
  }

  launcher.addEventListener("click", () => (isOpen() ? close() : open()));
  closeButton.addEventListener("click", () => close());
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      event.stopPropagation();
      close();
    } else if (event.key === "Tab" && isOpen()) {
      wrapFocus(event);
    }
  });

  /**
   * On a phone the open panel covers the page and hides the launcher: Tab goes round the panel
   * instead of leaving for a page the visitor cannot see.
   */
  function wrapFocus(event: KeyboardEvent): void {
    if (launcher.getClientRects().length > 0) return;
    const focusable = [
      ...panel.querySelectorAll<HTMLElement>("a[href], button, input, textarea, [tabindex]"),
    ].filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const current = shadow.activeElement;
    if (!first || !last) return;
    if (!event.shiftKey && current === last) first.focus();
    else if (event.shiftKey && current === first) last.focus();
    else return;
    event.preventDefault();
  }

  // Reopened after a reload or on the next page, without taking the page's focus.
  if (wasOpen()) open({ focus: false });

  return {
    host,
    root: shadow,
    open,
    close,
    destroy() {
      clearTimeout(statusTimer);
      controller.close();
      host.remove();
    },
  };
}
