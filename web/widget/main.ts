/// <reference lib="dom" />
/**
 * The widget's entry point, loaded by one tag on the clinic's site:
 * `<script src="https://clinic.example/widget.js" data-title="…" defer></script>`.
 */
import { readConfig, type ScriptLike } from "./config.js";
import { browserStorage } from "./session.js";
import { mountWidget } from "./view.js";

const FLAG = "__clinicChatWidget";

function ownScript(): ScriptLike | null {
  // Set while this classic script runs (also with defer/async); the fallback covers loaders.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
}

function boot(): void {
  const global = window as unknown as Record<string, unknown>;
  if (global[FLAG]) {
    console.warn("[clinic chat] the widget is on this page twice; ignoring the second copy.");
    return;
  }
  global[FLAG] = true;
  const config = readConfig(ownScript(), location.href);
  const mount = () =>
    mountWidget({
      config,
      storage: browserStorage("localStorage"),
      tabStorage: browserStorage("sessionStorage"),
    });
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
}

boot();
