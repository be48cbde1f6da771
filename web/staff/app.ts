/**
 * The staff console: sign-in, then a header (sections, live notifications, sign-out) over the
 * view the URL names. Navigation uses the History API, so every view and filter has a URL
 * that can be reloaded, bookmarked or shared.
 */
import { formatDateTime } from "../console/format.js";
import { createHttp } from "../console/http.js";
import { showSignInCard } from "../console/sign-in.js";
import { h, isBusy, setBusy, uid } from "../console/ui.js";
import type { StorageLike } from "../widget/session.js";
import { createStaffApi, type Me, type StaffApi } from "./api.js";
import { auditView } from "./audit.js";
import { bookingsView } from "./bookings.js";
import type { StaffContext, View } from "./context.js";
import { conversationsView } from "./conversations.js";
import { erasureView } from "./erasure.js";
import { gapsView } from "./gaps.js";
import { connectLive, type Live, type LiveHandlers, type LiveState } from "./live.js";
import { bookingNotice, createNotices, handoffNotice, noticeLabel } from "./notices.js";
import { BASE, parseRoute, routeHref, type StaffRoute } from "./routes.js";

export interface StaffConsoleOptions {
  root: HTMLElement;
  /** A stand-in for the staff API (tests); by default the real one, over the session cookie. */
  api?: StaffApi;
  /** Where unread notices survive a reload (sessionStorage). */
  storage?: StorageLike;
  /**
   * Where the session's expiry is remembered across tabs (localStorage). The cookie itself is
   * httpOnly; knowing only when it ends lets the console show the sign-in form at once instead
   * of asking the API and getting a 401.
   */
  persistent?: StorageLike;
  /** Opens the live connection (default: Socket.IO `/staff`). */
  connect?: (handlers: LiveHandlers) => Live;
}

const SECTIONS = [
  { view: "conversations", label: "Conversations", href: BASE },
  { view: "bookings", label: "Bookings", href: `${BASE}/bookings` },
  { view: "gaps", label: "Content gaps", href: `${BASE}/gaps` },
  { view: "erasure", label: "Delete on request", href: `${BASE}/erasure` },
  { view: "audit", label: "Audit log", href: `${BASE}/audit` },
] as const;

const TITLE = "Staff console";
const SIGNED_IN_KEY = "staff-console:session-until";

export function startStaffConsole(options: StaffConsoleOptions): void {
  const { root } = options;
  let signedIn: { close(): void } | undefined;

  const sessionHint = {
    /** True when this browser signed in and the session has not expired since. */
    live(): boolean {
      try {
        const until = Date.parse(options.persistent?.getItem(SIGNED_IN_KEY) ?? "");
        return Number.isFinite(until) && until > Date.now();
      } catch {
        return true; // Unknown: ask the API.
      }
    },
    set(expiresAt: string | null): void {
      try {
        if (expiresAt) options.persistent?.setItem(SIGNED_IN_KEY, expiresAt);
        else options.persistent?.removeItem(SIGNED_IN_KEY);
      } catch {
        // Blocked storage: the console asks the API at each start instead.
      }
    },
  };

  const http = createHttp({
    onUnauthorized: () => {
      if (!signedIn) return;
      signedIn.close();
      signedIn = undefined;
      sessionHint.set(null);
      showSignIn("Your session has ended. Please sign in again.");
    },
  });
  const api = options.api ?? createStaffApi(http);
  const connect = options.connect ?? connectLive;

  function showLoading(text: string): void {
    root.replaceChildren(h("main", { class: "center" }, h("p", { class: "muted" }, text)));
  }

  async function boot(): Promise<void> {
    if (options.persistent && !sessionHint.live()) return showSignIn();
    showLoading("Checking your sign-in…");
    const me = await api.me();
    if (me.ok) return showConsole(me.value);
    if (me.status === 401) return showSignIn();
    root.replaceChildren(
      h(
        "main",
        { class: "center" },
        h("p", { class: "message", "data-tone": "error" }, me.message),
        retryButton(),
      ),
    );
  }

  function retryButton(): HTMLButtonElement {
    const button = h("button", { type: "button", class: "button" }, "Try again");
    button.addEventListener("click", () => void boot());
    return button;
  }

  function showSignIn(reason?: string): void {
    showSignInCard(root, {
      title: TITLE,
      explanation:
        "Sign in with your staff token to review conversations and follow up on requests.",
      label: "Staff token",
      missing: "Enter your staff token.",
      reason,
      submit: async (token) => {
        const result = await api.signIn(token);
        if (!result.ok) {
          return result.status === 429
            ? `Too many failed sign-ins. Please wait ${result.retryAfter ?? 60} seconds and try again.`
            : result.status === 401
              ? "That is not a staff token. Check it and try again."
              : result.message;
        }
        const me = await api.me();
        if (!me.ok) return { message: me.message, select: false };
        showConsole(me.value);
        return null;
      },
    });
  }

  function showConsole(me: Me): void {
    signedIn?.close();
    sessionHint.set(me.expiresAt);
    const notices = createNotices(options.storage);
    const announcer = h("div", { class: "sr-only", "aria-live": "polite" });
    const announce = (text: string) => {
      // A fresh text node, so repeating the same words is announced again.
      announcer.replaceChildren(text);
    };

    // --- header -----------------------------------------------------------------------
    const nav = h("nav", { class: "sections", "aria-label": "Sections" });
    const navLinks = SECTIONS.map((section) => {
      const link = h("a", { href: section.href }, section.label);
      nav.appendChild(link);
      return { view: section.view as string, link };
    });

    const panelId = uid("notices");
    const count = h("span", { class: "count", hidden: true });
    const unreadText = h("span", { class: "sr-only", hidden: true }, " unread");
    const bell = h(
      "button",
      {
        type: "button",
        class: "button subtle notices-button",
        "aria-expanded": "false",
        "aria-controls": panelId,
      },
      "Notifications ",
      count,
      unreadText,
    );
    const noticeList = h("ul", { class: "notice-list" });
    const markAll = h("button", { type: "button", class: "button subtle" }, "Mark all as read");
    const panel = h(
      "div",
      { class: "notice-panel", id: panelId, hidden: true },
      h("p", { class: "notice-heading" }, "New since you opened the console"),
      noticeList,
      h("div", { class: "actions" }, markAll),
    );
    const liveState = h("span", { class: "live-state", "data-state": "connecting" }, "Connecting…");
    const signOut = h("button", { type: "button", class: "button subtle" }, "Sign out");

    const header = h(
      "header",
      { class: "topbar" },
      h("a", { class: "skip-link", href: "#main" }, "Skip to content"),
      h(
        "div",
        { class: "brand" },
        h("span", { class: "brand-name" }, TITLE),
        h("span", { class: "brand-clinic" }),
      ),
      nav,
      h(
        "div",
        { class: "account" },
        liveState,
        h("div", { class: "notices" }, bell, panel),
        h("span", { class: "who" }, "Signed in as ", h("strong", {}, me.name)),
        signOut,
      ),
    );
    const main = h("main", { id: "main", tabindex: -1 });
    root.replaceChildren(header, main, announcer);

    void fetch("/api/clinic")
      .then((r) => (r.ok ? (r.json() as Promise<{ name?: unknown }>) : null))
      .then((clinic) => {
        const name = typeof clinic?.name === "string" ? clinic.name : "";
        const element = header.querySelector(".brand-clinic");
        if (element && name) element.textContent = name;
      })
      .catch(() => undefined);

    function renderNotices(): void {
      const unread = notices.unread();
      count.textContent = String(unread);
      count.hidden = unread === 0;
      unreadText.hidden = unread === 0;

      document.title = unread > 0 ? `(${unread}) ${TITLE}` : TITLE;
      noticeList.replaceChildren(
        ...(unread === 0
          ? [h("li", { class: "muted" }, "Nothing new.")]
          : notices.items().map((notice) => {
              const link = h("a", { href: notice.href }, noticeLabel(notice));
              link.addEventListener("click", () => {
                notices.seen({ key: notice.key });
                closePanel(false);
              });
              return h(
                "li",
                {},
                link,
                h("span", { class: "muted small" }, ` · ${formatDateTime(notice.at)}`),
              );
            })),
      );
    }
    notices.onChange(renderNotices);
    renderNotices();

    function closePanel(returnFocus: boolean): void {
      panel.hidden = true;
      bell.setAttribute("aria-expanded", "false");
      if (returnFocus) bell.focus();
    }
    bell.addEventListener("click", () => {
      const opening = panel.hidden;
      panel.hidden = !opening;
      bell.setAttribute("aria-expanded", String(opening));
    });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closePanel(true);
    });
    bell.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !panel.hidden) closePanel(true);
    });
    markAll.addEventListener("click", () => {
      notices.clear();
      closePanel(true);
    });

    // --- live updates -----------------------------------------------------------------
    /** The view shown: it hears the live events too. */
    let view: View | undefined;
    const STATE_TEXT: Record<LiveState, string> = {
      connecting: "Connecting…",
      live: "Live",
      reconnecting: "Reconnecting…",
      refused: "Live updates off",
    };
    const live = connect({
      state(state) {
        liveState.textContent = STATE_TEXT[state];
        liveState.dataset.state = state;
        // Refused: most likely the session ended; a request finds out and shows the sign-in.
        if (state === "refused") void api.me();
      },
      "booking:new"(event) {
        const notice = bookingNotice(event);
        if (notices.add(notice)) announce(noticeLabel(notice));
        view?.live?.({ name: "booking:new", payload: event });
      },
      "handoff:new"(event) {
        const notice = handoffNotice(event);
        if (notice && notices.add(notice)) announce(noticeLabel(notice));
        view?.live?.({ name: "handoff:new", payload: event });
      },
    });

    // --- navigation -------------------------------------------------------------------
    const ctx: StaffContext = {
      api,
      me,
      notices,
      announce,
      navigate(to, navigation = {}) {
        const href = typeof to === "string" ? to : routeHref(to);
        if (navigation.replace || href === currentHref()) history.replaceState(null, "", href);
        else history.pushState(null, "", href);
        show(true);
      },
    };

    function build(route: StaffRoute): View {
      switch (route.view) {
        case "conversations":
          return conversationsView(ctx, route);
        case "bookings":
          return bookingsView(ctx, route);
        case "gaps":
          return gapsView(ctx, route);
        case "erasure":
          return erasureView(ctx, route);
        case "audit":
          return auditView(ctx);
        case "not-found": {
          const heading = h("h1", { tabindex: -1 }, "Not found");
          return {
            heading,
            element: h(
              "section",
              { class: "page" },
              heading,
              h(
                "p",
                {},
                "There is no such page in the staff console. ",
                h("a", { href: BASE }, "Go to the conversations"),
                ".",
              ),
            ),
          };
        }
      }
    }

    const currentHref = () => `${location.pathname}${location.search}`;
    let shown = "";

    function show(moveFocus: boolean): void {
      shown = currentHref();
      const route = parseRoute(location.pathname, location.search);
      for (const { view: name, link } of navLinks) {
        if (name === route.view) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      if (!view?.update?.(route)) {
        view?.destroy?.();
        view = build(route);
        main.replaceChildren(view.element);
      }
      if (moveFocus) view.heading.focus();
    }

    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Element | null)?.closest?.("a");
      if (!link || link.target || link.hasAttribute("download")) return;
      // In-page links (the skip link) keep their default behaviour.
      if (link.getAttribute("href")?.startsWith("#")) return;
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      if (url.pathname !== BASE && !url.pathname.startsWith(`${BASE}/`)) return;
      event.preventDefault();
      ctx.navigate(`${url.pathname}${url.search}`);
    };
    // Back and Forward; a change of the fragment alone (the skip link) is not a new view.
    const onPopState = () => {
      if (currentHref() !== shown) show(true);
    };
    document.addEventListener("click", onClick);
    window.addEventListener("popstate", onPopState);

    signOut.addEventListener("click", async () => {
      if (isBusy(signOut)) return;
      setBusy(signOut, true, "Signing out…");
      await api.signOut();
      sessionHint.set(null);
      close();
      notices.clear();
      showSignIn("You are signed out.");
    });

    function close(): void {
      live.close();
      view?.destroy?.();
      document.removeEventListener("click", onClick);
      window.removeEventListener("popstate", onPopState);
      signedIn = undefined;
    }
    signedIn = { close };
    show(false);
  }

  void boot();
}
