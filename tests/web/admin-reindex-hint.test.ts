// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { messageArea } from "../../web/console/ui.js";
import {
  announceReindexed,
  onReindexed,
  showSavedUntilReindex,
} from "../../web/admin/reindex-hint.js";

describe("a saved change that waits for a re-index", () => {
  it("asks for a re-index until one finishes, then says the change is in use", () => {
    const area = messageArea();
    showSavedUntilReindex(area, "Saved 3 terms.");
    expect(area.element.textContent).toBe("Saved 3 terms. Re-index to use them in answers.");
    announceReindexed();
    expect(area.element.textContent).toBe("Saved 3 terms. In use in answers since the re-index.");
    expect(area.element.dataset.tone).toBe("success");
  });

  it("leaves a message alone that was cleared or replaced before the re-index", () => {
    const cleared = messageArea();
    showSavedUntilReindex(cleared, "Added a.md.", "it");
    cleared.clear();
    const replaced = messageArea();
    showSavedUntilReindex(replaced, "Added b.md.", "it");
    replaced.show("Could not save: the file is too large.", "error");
    announceReindexed();
    expect(cleared.element.hidden).toBe(true);
    expect(replaced.element.textContent).toBe("Could not save: the file is too large.");
  });

  it("tells every listener about every re-index", () => {
    let heard = 0;
    onReindexed(() => (heard += 1));
    announceReindexed();
    announceReindexed();
    expect(heard).toBe(2);
  });
});
