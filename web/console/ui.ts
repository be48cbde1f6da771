/**
 * Small building blocks shared by the staff and admin consoles. Every text goes in as a text
 * node (`h` from the widget's dom.ts): the consoles never parse an HTML string.
 */
import { h, uid } from "../widget/dom.js";

export { h, uid };

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A labelled form field, with an optional hint the control is described by. */
export function field(label: string, control: Control, hint?: string): HTMLElement {
  if (!control.id) control.id = uid("field");
  const hintElement = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintElement);
}

/** A `<select>` of `[value, label]` options with `value` selected. */
export function select(
  name: string,
  options: readonly (readonly [string, string])[],
  value = "",
): HTMLSelectElement {
  const element = h("select", { name });
  for (const [optionValue, label] of options) {
    const option = h("option", { value: optionValue }, label);
    option.selected = optionValue === value;
    element.appendChild(option);
  }
  return element;
}

export type Tone = "info" | "success" | "error";

/** A line of feedback under a form or action, announced politely to screen readers. */
export interface MessageArea {
  element: HTMLElement;
  show(text: string, tone?: Tone): void;
  clear(): void;
}

export function messageArea(extraClass = ""): MessageArea {
  const element = h("p", {
    class: `message ${extraClass}`.trim(),
    role: "status",
    "aria-live": "polite",
    hidden: true,
  });
  return {
    element,
    show(text, tone = "info") {
      element.textContent = text;
      element.dataset.tone = tone;
      element.hidden = false;
    },
    clear() {
      element.textContent = "";
      element.hidden = true;
    },
  };
}

/** Marks a button busy (still focusable, so focus is not lost) or ready again. */
export function setBusy(button: HTMLButtonElement, busy: boolean, busyLabel?: string): void {
  if (busy) {
    button.dataset.label ??= button.textContent ?? "";
    if (busyLabel) button.textContent = busyLabel;
    button.setAttribute("aria-disabled", "true");
  } else {
    if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    delete button.dataset.label;
    button.removeAttribute("aria-disabled");
  }
}

export const isBusy = (button: HTMLButtonElement) =>
  button.getAttribute("aria-disabled") === "true";

export interface ConfirmOptions {
  title: string;
  message: string;
  /** The confirming button's label, e.g. "Delete document". */
  confirm: string;
  cancel?: string;
}

/**
 * Asks for confirmation in a modal `<dialog>` (focus stays inside; Escape cancels). Focus starts
 * on Cancel, so a stray Enter never confirms a deletion, and returns where it was afterwards.
 */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const titleId = uid("dialog-title");
  const messageId = uid("dialog-message");
  const cancel = h("button", { type: "button", class: "button" }, options.cancel ?? "Cancel");
  const confirm = h("button", { type: "button", class: "button danger" }, options.confirm);
  const dialog = h(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId, "aria-describedby": messageId },
    h("h2", { id: titleId }, options.title),
    h("p", { id: messageId }, options.message),
    h("div", { class: "actions" }, cancel, confirm),
  );
  const previous = document.activeElement as HTMLElement | null;
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    let answer = false;
    const finish = (value: boolean) => {
      answer = value;
      dialog.close();
    };
    cancel.addEventListener("click", () => finish(false));
    confirm.addEventListener("click", () => finish(true));
    dialog.addEventListener("close", () => {
      dialog.remove();
      previous?.focus();
      resolve(answer);
    });
    dialog.showModal();
    cancel.focus();
  });
}
