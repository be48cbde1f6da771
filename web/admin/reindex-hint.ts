/**
 * "Saved … Re-index to use them in answers." stays true only until a re-index: when one
 * finishes, every such message still showing says instead that the change is in use, and a
 * card can refresh what it shows (the glossary's "the answers use N terms").
 */
import type { MessageArea } from "../console/ui.js";

const REINDEXED = "admin:reindexed";

/** Shows `pending` until a re-index has finished, then `done` (if still shown). */
export function showUntilReindex(area: MessageArea, pending: string, done: string): void {
  area.show(pending, "success");
  const replace = () => {
    // Only while the message is still the one shown (not cleared or replaced since).
    if (!area.element.hidden && area.element.textContent === pending) area.show(done, "success");
  };
  document.addEventListener(REINDEXED, replace, { once: true });
}

/** Shows a saved change that takes effect at the next re-index, until one has finished. */
export function showSavedUntilReindex(area: MessageArea, saved: string, what = "them"): void {
  showUntilReindex(
    area,
    `${saved} Re-index to use ${what} in answers.`,
    `${saved} In use in answers since the re-index.`,
  );
}

/** Runs `then` after every re-index that finished with the new index in service. */
export function onReindexed(then: () => void): void {
  document.addEventListener(REINDEXED, then);
}

/** Tells the page a re-index finished with the new index in service. */
export function announceReindexed(): void {
  document.dispatchEvent(new Event(REINDEXED));
}
