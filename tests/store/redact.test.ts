import { UK_FORMATS } from "./phone-formats.js";
import { describe, expect, it } from "vitest";
import { redactContactDetails } from "../../src/store/redact.js";

describe("redactContactDetails", () => {
  it.each([
    ["jane.doe+spam@example.co.uk", "[email]"],
    ["Mail JANE@EXAMPLE.COM please", "Mail [email] please"],
    ["<j_o'brien@clinic-mail.org>", "<[email]>"],
    ["jane(at)example.com", "[email]"],
    ["jane [at] example.com", "[email]"],
    ["josé@exämple.es", "[email]"],
    ["email me: jane1980123@mail.com.", "email me: [email]."],
  ])("replaces the email address in %j", (text, expected) => {
    expect(redactContactDetails(text)).toBe(expected);
  });

  it.each([
    // UK
    ["07700 900123", "[phone]"],
    ["call 07700900123.", "call [phone]."],
    ["+44 7700 900123", "[phone]"],
    ["+447700900123", "[phone]"],
    ["+44 (0)20 7946 0958", "[phone]"],
    ["(+44) 20 7946 0958", "[phone]"],
    ["020 7946 0958", "[phone]"],
    ["(020) 7946 0958", "[phone]"],
    ["0044 20 7946 0958", "[phone]"],
    ["0161-496-0000", "[phone]"],
    ["tel:07700900123", "tel:[phone]"],
    // US
    ["555-123-4567", "[phone]"],
    ["(555) 123-4567", "[phone]"],
    ["+1 555.123.4567", "[phone]"],
    ["1-800-555-0199", "[phone]"],
    ["555 1234", "[phone]"],
    // elsewhere
    ["+33 1 23 45 67 89", "[phone]"],
    ["01 23 45 67 89", "[phone]"],
    ["+49 30 12345678", "[phone]"],
    ["+61 2 9876 5432", "[phone]"],
  ])("replaces the phone number %j", (text, expected) => {
    expect(redactContactDetails(text)).toBe(expected);
  });

  it.each([
    "It lasts 24 hours",
    "Wait 3 days between sessions",
    "Prices for 2026",
    "About 1000 units",
    "Most people need 2-3 sessions, 4-6 weeks apart, 10-12 units each",
    "Can I come at 10:30?",
    "Open 10:30-11:45 and 9.30-17.30",
    "Free between 0900-1730",
    "On 2026-11-24, 24/11/2026, 24.11.2026, 24-11-2026 or 24 11 2026",
    "Sent 2026-11-24T10:30:00.000Z",
    "We went in 2025-2026 and 2024 2025",
    "It cost £1,500, or £500-1000, or $12345.67",
    "A budget of 500-1000",
    "1,000,000 or 1.000.000 people",
    "between 10 and 12, 3 x 20 units, SPF 30, version 1.2.3",
    "steps 1 2 3 4 5 6 7",
    "order ABC1234567",
    "1 in 3 people",
    // Slashes join phone number groups ("030/1234567"), yet dates and ranges with them stay.
    "Can I come on 24/11/2026 10:30, or 11/24/2026, or 2026/11/24?",
    "From 24/11/2026-30/11/2026 and 24.11.2026 10:30",
    "1000/2000 units, 2024/2025, 1/2/3/4/5/6/7",
  ])("keeps the ordinary numbers in %j", (text) => {
    expect(redactContactDetails(text)).toBe(text);
  });

  it("redacts contact details inside a longer message and keeps the rest", () => {
    expect(
      redactContactDetails(
        "Hi, I'm Jane. Call me on 07700 900123 after 10:30 or email jane@example.com about 2-3 sessions.",
      ),
    ).toBe("Hi, I'm Jane. Call me on [phone] after 10:30 or email [email] about 2-3 sessions.");
  });

  it("finds a phone number glued to small numbers before it", () => {
    expect(redactContactDetails("sessions 1 2 07700 900123")).toBe("sessions 1 [phone]");
  });

  it("keeps numbers on separate lines apart", () => {
    expect(redactContactDetails("1234\n5678")).toBe("1234\n5678");
  });

  it("leaves text without contact details untouched", () => {
    const text = "What is the downtime after microneedling? Is it safe with rosacea?";
    expect(redactContactDetails(text)).toBe(text);
    expect(redactContactDetails("")).toBe("");
  });

  // Every way of writing one number that erasure and the staff booking search match
  // (tests/store/bookings.test.ts) is redacted in full, not only some of them.
  it.each([
    ...UK_FORMATS,
    "07700\u2014900\u2014777",
    "07700 \u2212 900777",
    "[07700] 900777",
    "07700~900~777",
    "07700\u00ad900777",
    "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff17\uff17\uff17",
    "\uff0b44 7700 900777",
    "\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0667\u0667\u0667",
    "+33 6 12 34 56 78",
    "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "+33612345678",
    "030/1234567",
    "+49 30/1234567",
  ])("redacts every format of a number that erasure matches: %j", (phone) => {
    expect(redactContactDetails(`Call me on ${phone} please`)).toBe("Call me on [phone] please");
  });

  it("keeps a date written next to a phone number", () => {
    expect(redactContactDetails("07700 900777 24/11/2026")).toBe("[phone] 24/11/2026");
    expect(redactContactDetails("24.11.2026 07700-900-777")).toBe("24.11.2026 [phone]");
  });

  it("recognises a number of PHONE_REGION typed digit by digit, and only one that is assigned", () => {
    expect(redactContactDetails("on 0 2 0 7 9 4 6 0 9 5 8")).toBe("on [phone]");
    expect(redactContactDetails("on 0 6 1 2 3 4 5 6 7 8", "FR")).toBe("on [phone]");
    expect(redactContactDetails("on 0 6 1 2 3 4 5 6 7 8", "GB")).toBe("on 0 6 1 2 3 4 5 6 7 8");
    expect(redactContactDetails("steps 1 2 3 4 5 6 7", "FR")).toBe("steps 1 2 3 4 5 6 7");
  });
});
