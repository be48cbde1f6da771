import { describe, expect, it } from "vitest";
import { erasureSummary } from "../../web/staff/erasure.js";

describe("the erasure confirmation", () => {
  it("names what goes, and the bookings' conversations only when bookings are looked up by contact", () => {
    expect(erasureSummary({ sessionId: "s-1" })).toBe(
      "This permanently deletes the conversation s-1 with any request sent from it. It cannot be undone.",
    );
    expect(erasureSummary({ email: "a@b.example" })).toBe(
      "This permanently deletes every booking with the email address a@b.example, with the conversations those bookings came from. It cannot be undone.",
    );
    expect(erasureSummary({ sessionId: "s-1", email: "a@b.example", phone: "07700 900123" })).toBe(
      "This permanently deletes the conversation s-1 with any request sent from it, every booking with the email address a@b.example and every booking with the phone number 07700 900123, with the conversations those bookings came from. It cannot be undone.",
    );
  });
});
