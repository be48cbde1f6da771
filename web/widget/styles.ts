/**
 * The widget's stylesheet, scoped by its shadow root. Sizes are in px (not rem), so the host
 * page's root font size cannot scale the widget, and `:host` resets everything the host element
 * could inherit from the page.
 */
export const STYLES = `
:host { all: initial !important; }
[hidden] { display: none !important; }
.root {
  --ink: #1b1f1e; --muted: #56605d; --line: #e1e6e4; --field: #8c9793; --bubble: #f1f4f3;
  --danger: #b42318; --shadow: 16, 24, 22;
  font: 400 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); letter-spacing: normal; word-spacing: normal; text-align: left;
  text-transform: none; text-indent: 0; font-style: normal; font-variant: normal;
  -webkit-font-smoothing: antialiased; -moz-osx-font-smoothing: grayscale;
}
.root *, .root *::before, .root *::after { box-sizing: border-box; }
.root :focus { outline: none; }
.root :focus-visible { outline: 2px solid var(--accent-text); outline-offset: 2px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, input, textarea { font: inherit; color: inherit; letter-spacing: inherit; margin: 0; }
/* Below 16px, iOS Safari zooms the page in when a field takes focus. */
.root input, .root textarea, .root select { font-size: 16px; }
button { cursor: pointer; }
a { color: var(--accent-text); }
p { margin: 0; }

.launcher {
  position: fixed; bottom: 20px; right: 20px; z-index: 2147483000;
  width: 56px; height: 56px; padding: 0; border: 0; border-radius: 50%;
  display: grid; place-items: center;
  background: var(--accent); color: var(--on-accent);
  box-shadow: 0 6px 20px rgba(var(--shadow), .24), 0 2px 6px rgba(var(--shadow), .12);
  transition: transform .15s ease, box-shadow .15s ease;
}
.launcher:hover { transform: translateY(-2px); box-shadow: 0 10px 24px rgba(var(--shadow), .26); }
.launcher:focus-visible { outline-offset: 3px; }
.left .launcher { right: auto; left: 20px; }

.panel {
  position: fixed; bottom: 88px; right: 20px; z-index: 2147483000;
  width: 384px; height: 640px; max-height: calc(100vh - 108px);
  display: flex; flex-direction: column; overflow: hidden;
  background: #fff; border: 1px solid rgba(var(--shadow), .08); border-radius: 16px;
  box-shadow: 0 16px 48px rgba(var(--shadow), .18), 0 2px 8px rgba(var(--shadow), .08);
  animation: cc-rise .2s ease-out;
}
.left .panel { right: auto; left: 20px; }
@keyframes cc-rise { from { opacity: 0; transform: translateY(12px) scale(.98); } }

.header {
  display: flex; align-items: center; gap: 8px; padding: 10px 8px 10px 18px;
  background: var(--accent); color: var(--on-accent);
}
.header :focus-visible { outline-color: var(--on-accent); }
.heading { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 650; line-height: 1.3; }
.subtitle { font-size: 13px; opacity: .88; }
.icon-button {
  flex: none; display: grid; place-items: center; width: 44px; height: 44px; padding: 0;
  border: 0; border-radius: 50%; background: transparent; color: inherit;
}
.icon-button:hover { background: rgba(255, 255, 255, .16); }

.notice {
  padding: 9px 18px; font-size: 12.5px; line-height: 1.45; color: var(--muted);
  background: #f8faf9; border-bottom: 1px solid var(--line);
}
.status {
  padding: 6px 18px; font-size: 13px; text-align: center;
  background: #fff6dc; color: #5c4400; border-bottom: 1px solid #f0e0a8;
}
.status.ok { background: #e9f6ee; color: #1d5a37; border-color: #c4e6d1; }

.log {
  position: relative; flex: 1; min-height: 0; overflow-y: auto; overscroll-behavior: contain;
  display: flex; flex-direction: column; gap: 12px; padding: 18px 16px 12px;
}
/* The panel clips its children: an outset ring would lose its sides. */
.root .log:focus-visible { outline-offset: -3px; }
.bubble {
  max-width: 86%; padding: 10px 14px; border-radius: 16px;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
.bot .bubble, .greeting { align-self: flex-start; background: var(--bubble); border-bottom-left-radius: 6px; }
.visitor {
  align-self: flex-end; background: var(--accent); color: var(--on-accent);
  border-bottom-right-radius: 6px;
}
.turn { align-self: flex-start; max-width: 92%; display: flex; flex-direction: column; gap: 8px; }
.turn .bubble { max-width: 100%; }
.note {
  align-self: center; max-width: 92%; padding: 6px 12px; border-radius: 10px;
  font-size: 13px; color: #6b2d12; background: #fdf0e8; text-align: center;
}
.failed .bubble { color: #6b2d12; background: #fdf0e8; }

.suggestions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: -2px; }
.chip {
  padding: 7px 12px; border: 1px solid var(--line); border-radius: 999px;
  background: #fff; color: var(--accent-text); font-size: 13.5px; line-height: 1.35; text-align: left;
  transition: background .15s ease, border-color .15s ease;
}
.chip:hover { background: var(--accent-soft); border-color: var(--accent-soft); }

.typing { display: inline-flex; gap: 5px; align-items: center; padding: 14px 16px; }
.typing i {
  width: 7px; height: 7px; border-radius: 50%; background: #84908c;
  animation: cc-blink 1.2s infinite ease-in-out;
}
.typing i:nth-child(2) { animation-delay: .15s; }
.typing i:nth-child(3) { animation-delay: .3s; }
@keyframes cc-blink { 0%, 80%, 100% { opacity: .3; transform: translateY(0); } 40% { opacity: 1; transform: translateY(-3px); } }

/* A 24px target around an 18px badge: the transparent border is hit area, not ink. */
.cite {
  display: inline-block; min-width: 24px; padding: 0 5px; margin: 0 1px;
  border: 3px solid transparent; background-clip: padding-box;
  border-radius: 12px; font-size: 11.5px; font-weight: 650; line-height: 18px; text-align: center;
  vertical-align: -2px; text-decoration: none; background-color: var(--accent-soft);
  color: var(--accent-text);
}
a.cite:hover { text-decoration: underline; }

.sources { font-size: 13px; padding: 0 4px; }
.sources-heading {
  font-size: 11.5px; font-weight: 650; letter-spacing: .05em; text-transform: uppercase;
  color: var(--muted); margin-bottom: 4px;
}
.sources-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.source {
  display: inline-flex; gap: 8px; align-items: baseline; min-height: 24px; padding: 2px 0;
  text-decoration: none;
  color: var(--accent-text);
}
.source:hover .source-section, .source:hover .source-text:only-child { text-decoration: underline; }
.source-text { display: block; }
.source-section { font-weight: 600; }
.source-doc { display: block; font-size: 12px; color: var(--muted); }
.source-n {
  flex: none; min-width: 18px; border-radius: 9px; font-size: 11px; font-weight: 650;
  line-height: 18px; text-align: center; background: var(--accent-soft);
}
.snippet {
  display: none; margin: 4px 0 6px 26px; padding: 8px 10px; font-size: 12.5px; line-height: 1.45;
  color: var(--muted); background: #fff; border: 1px solid var(--line); border-radius: 8px;
  box-shadow: 0 4px 12px rgba(var(--shadow), .08);
}
.sources li:hover .snippet, .sources li:focus-within .snippet { display: block; }

.feedback { display: flex; align-items: center; gap: 2px; padding: 0 2px; font-size: 12.5px; color: var(--muted); }
.feedback .label { margin-right: 4px; }
.feedback button {
  display: grid; place-items: center; width: 44px; height: 44px; padding: 0;
  border: 0; border-radius: 10px; background: transparent; color: var(--muted);
}
.feedback button:hover { background: var(--bubble); }
.feedback button[aria-pressed="true"] { background: var(--accent-soft); color: var(--accent-text); }
.feedback .thanks { margin-left: 6px; }

.handoff {
  display: flex; flex-direction: column; gap: 12px; padding: 14px;
  font-size: 14px; background: #fff; border: 1px solid var(--line); border-radius: 14px;
}
.contact { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.contact li { display: flex; gap: 8px; align-items: flex-start; }
.contact svg { flex: none; margin-top: 4px; color: var(--accent-text); }
.contact a { display: inline-block; min-height: 24px; padding: 2px 0; }
.contact-heading { font-weight: 650; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; }
.primary, .secondary {
  display: inline-flex; align-items: center; justify-content: center; gap: 6px;
  min-height: 44px; padding: 8px 16px; border-radius: 10px; font-size: 14px; font-weight: 600;
  text-decoration: none; line-height: 1.2;
}
.primary { border: 0; background: var(--accent); color: var(--on-accent); }
.primary:hover { filter: brightness(1.06); }
.primary[aria-disabled="true"] { opacity: .7; cursor: progress; }
.secondary { border: 1px solid var(--accent-text); background: #fff; color: var(--accent-text); }
.secondary:hover { background: var(--accent-soft); }

.request-form { display: flex; flex-direction: column; gap: 10px; }
.form-title { font-weight: 650; }
.field label { display: block; margin-bottom: 4px; font-size: 13px; font-weight: 600; }
.field input[type="text"], .field input[type="email"], .field input[type="tel"] {
  display: block; width: 100%; padding: 10px; line-height: 1.4;
  border: 1px solid var(--field); border-radius: 8px; background: #fff;
}
.field input::placeholder, textarea::placeholder { color: #6b7572; opacity: 1; }
.field input[aria-invalid="true"] { border-color: var(--danger); box-shadow: 0 0 0 1px var(--danger); }
.field.consent { display: grid; grid-template-columns: auto 1fr; gap: 4px 10px; align-items: start; }
.field.consent input { width: 24px; height: 24px; margin: 0; accent-color: var(--accent); }
.field.consent label { display: inline; margin: 0; font-weight: 400; font-size: 13.5px; }
.field.consent > div { padding-top: 2px; }
/* Inline in small print: padding makes the hit area 24px tall, the negative margin keeps the line. */
a.privacy { display: inline-block; padding: 3px 0; margin: -3px 0; }
.field.consent .field-error { grid-column: 1 / -1; }
.hint { font-size: 12.5px; color: var(--muted); margin-top: -4px; }
.field-error, .form-error { margin-top: 4px; font-size: 12.5px; color: var(--danger); }
.form-error { margin: 0; }
.confirmation { padding: 10px 12px; border-radius: 10px; background: #e9f6ee; color: #1d4d31; }

.composer {
  display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px 12px;
  border-top: 1px solid var(--line); background: #fff;
}
textarea {
  flex: 1; min-width: 0; height: 44px; min-height: 44px; max-height: 132px; resize: none;
  padding: 10px 14px; line-height: 1.4;
  border: 1px solid var(--field); border-radius: 12px; background: #fff;
}
.root textarea:focus-visible { outline: none; border-color: var(--accent-text); box-shadow: 0 0 0 1px var(--accent-text); }
.send {
  flex: none; display: grid; place-items: center; width: 44px; height: 44px; padding: 0;
  border: 0; border-radius: 12px; background: var(--accent); color: var(--on-accent);
}
.send[aria-disabled="true"] { opacity: .55; cursor: default; }

@media (max-width: 480px) {
  .panel {
    inset: 0; width: 100%; height: 100%; max-height: none;
    border: 0; border-radius: 0; box-shadow: none;
  }
  .open .launcher { display: none; }
  .bubble { max-width: 90%; }
}
@media (prefers-reduced-motion: reduce) {
  .root *, .root *::before, .root *::after {
    animation: none !important; transition: none !important; scroll-behavior: auto !important;
  }
}
@media print { .root { display: none; } }
`;
