import { describe, expect, it } from "vitest";
import {
  conversationsApiPath,
  type ConversationFilters,
  describeFilters,
  exportHref,
  filterQuery,
  parseFilters,
  parseRoute,
  routeHref,
  type StaffRoute,
} from "../../web/staff/routes.js";

const ID = "ltu4KTISk0ehY9u0j_YjtQ";

/** A route through its URL and back. */
function roundTrip(route: StaffRoute): StaffRoute {
  const url = new URL(routeHref(route), "http://clinic.test");
  return parseRoute(url.pathname, url.search);
}

describe("staff console URLs", () => {
  it.each<[string, StaffRoute]>([
    ["no filters", { view: "conversations", filters: {} }],
    [
      "every conversation filter",
      {
        view: "conversations",
        filters: {
          q: "chemical peel & price?",
          handoff: "clinician",
          grounded: false,
          rating: "down",
          reviewed: false,
          from: "2026-03-01",
          to: "2026-03-31",
        },
      },
    ],
    ["true flags", { view: "conversations", filters: { grounded: true, reviewed: true } }],
    ["an open transcript", { view: "conversations", filters: { q: "acne" }, open: ID }],
    ["bookings", { view: "bookings", filters: { status: "contacted", type: "callback" } }],
    [
      "one booking",
      { view: "bookings", filters: {}, open: "0b7c5a1e-9d7f-4f2a-8c1e-2f9a7d3b6e10" },
    ],
    ["gaps", { view: "gaps", from: "2026-01-01", to: "2026-01-31" }],
    ["erasure", { view: "erasure", sessionId: ID }],
    ["the audit log", { view: "audit" }],
  ])("round-trips %s through the URL", (_name, route) => {
    expect(roundTrip(route)).toEqual(route);
  });

  it("writes the filters in a fixed order with the API's own names", () => {
    const filters: ConversationFilters = {
      to: "2026-03-31",
      q: "peel",
      reviewed: false,
      grounded: false,
    };
    expect(filterQuery(filters)).toBe("q=peel&grounded=false&reviewed=false&to=2026-03-31");
    expect(routeHref({ view: "conversations", filters })).toBe(
      "/staff?q=peel&grounded=false&reviewed=false&to=2026-03-31",
    );
    expect(routeHref({ view: "conversations", filters, open: ID })).toBe(
      `/staff/conversations/${ID}?q=peel&grounded=false&reviewed=false&to=2026-03-31`,
    );
  });

  it("drops unknown and malformed values instead of failing", () => {
    const params = new URLSearchParams(
      "q=%20%20&handoff=robot&grounded=maybe&rating=sideways&reviewed=1&from=2026-02-30&to=yesterday&extra=1",
    );
    expect(parseFilters(params)).toEqual({});
    expect(parseFilters(new URLSearchParams(`q=${"a".repeat(300)}`)).q).toHaveLength(200);
  });

  it("trims the search text and keeps real calendar days only", () => {
    expect(parseFilters(new URLSearchParams("q=%20acne%20scars%20&from=2024-02-29"))).toEqual({
      q: "acne scars",
      from: "2024-02-29",
    });
    expect(parseFilters(new URLSearchParams("from=2026-02-29"))).toEqual({});
  });

  it("knows its pages, with or without a trailing slash, and nothing else", () => {
    expect(parseRoute("/staff/", "")).toEqual({ view: "conversations", filters: {} });
    expect(parseRoute("/staff/conversations", "?q=x")).toEqual({
      view: "conversations",
      filters: { q: "x" },
    });
    expect(parseRoute("/staff/bookings/", "?status=lost")).toEqual({
      view: "bookings",
      filters: {},
    });
    expect(parseRoute("/staff/erasure", "?sessionId=not%20an%20id")).toEqual({ view: "erasure" });
    expect(parseRoute("/staff/conversations/<script>", "")).toEqual({ view: "not-found" });
    expect(parseRoute("/staff/bookings/<script>", "")).toEqual({ view: "not-found" });
    expect(parseRoute("/staff/settings", "")).toEqual({ view: "not-found" });
  });

  it("builds the export links and list pages for the same filters", () => {
    const filters: ConversationFilters = { q: "peel", grounded: false };
    expect(exportHref("csv", filters)).toBe("/api/staff/export.csv?q=peel&grounded=false");
    expect(exportHref("jsonl", {})).toBe("/api/staff/export.jsonl");
    expect(conversationsApiPath(filters, "abc")).toBe(
      "/api/staff/conversations?q=peel&grounded=false&limit=25&cursor=abc",
    );
  });

  it("describes the filters in words for the list's summary", () => {
    expect(describeFilters({})).toBe("");
    expect(
      describeFilters({
        grounded: false,
        rating: "down",
        handoff: "staff",
        reviewed: false,
        from: "2026-03-01",
        q: "peel",
      }),
    ).toBe(
      'unanswered · thumbs-down · handed to the team · not reviewed · since 2026-03-01 · matching "peel"',
    );
  });
});
