/** What every staff console view is given, and what it gives back. */
import type { BookingNotice, HandoffNotice } from "../../src/staff/events.js";
import type { Me, StaffApi } from "./api.js";
import type { Notices } from "./notices.js";
import type { StaffRoute } from "./routes.js";

export interface StaffContext {
  api: StaffApi;
  me: Me;
  notices: Notices;
  /** Goes to another view (a route or a console URL) without reloading the page. */
  navigate(to: StaffRoute | string, options?: { replace?: boolean }): void;
  /** Says something to screen-reader users (a polite live region). */
  announce(text: string): void;
}

/** An event of the `/staff` namespace, as the console passes it on to the view shown. */
export type LiveEvent =
  { name: "booking:new"; payload: BookingNotice } | { name: "handoff:new"; payload: HandoffNotice };

export interface View {
  element: HTMLElement;
  /** Where focus goes after navigating here (a heading with tabindex -1). */
  heading: HTMLElement;
  /** Takes a new route in place (e.g. another transcript beside the same list); false rebuilds. */
  update?(route: StaffRoute): boolean;
  /** Hears each live event while the view is shown (e.g. the bookings list adds a request). */
  live?(event: LiveEvent): void;
  destroy?(): void;
}
