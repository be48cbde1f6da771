import { describe, expect, it } from "vitest";
import {
  bookingNotice,
  createNotices,
  handoffNotice,
  MAX_NOTICES,
  noticeLabel,
} from "../../web/staff/notices.js";
import { memoryStorage } from "./fakes.js";

const AT = "2026-03-01T10:00:00.000Z";

function clinician(conversationId: string, messageId: string) {
  const notice = handoffNotice({ conversationId, messageId, kind: "clinician", at: AT });
  if (!notice) throw new Error("a clinician handoff is a notice");
  return notice;
}

describe("live notices and the unread count", () => {
  it("counts new bookings, call-backs and clinician handoffs, once each, newest first", () => {
    const notices = createNotices();
    let changes = 0;
    notices.onChange(() => (changes += 1));
    expect(notices.add(bookingNotice({ id: "b1", type: "consultation", createdAt: AT }))).toBe(
      true,
    );
    expect(notices.add(bookingNotice({ id: "b1", type: "consultation", createdAt: AT }))).toBe(
      false,
    );
    const handoff = clinician("c1", "m1");
    notices.add(handoff);
    notices.add(bookingNotice({ id: "b2", type: "callback", createdAt: AT }));
    expect(notices.unread()).toBe(3);
    expect(notices.items().map(noticeLabel)).toEqual([
      "New call-back request",
      "Question handed to a clinician",
      "New booking request",
    ]);
    expect(handoff.href).toBe("/staff/conversations/c1");
    expect(changes).toBe(3);
  });

  it("leaves unanswered-question handoffs to the content gaps", () => {
    expect(
      handoffNotice({ conversationId: "c", messageId: "m", kind: "staff", at: AT }),
    ).toBeNull();
  });

  it("marks what a view shows as read: the bookings, or one conversation", () => {
    const notices = createNotices();
    notices.add(bookingNotice({ id: "b1", type: "consultation", createdAt: AT }));
    notices.add(clinician("c1", "m1"));
    notices.add(clinician("c2", "m2"));
    notices.seen({ bookings: true });
    expect(notices.unread()).toBe(2);
    notices.seen({ conversationId: "c1" });
    expect(notices.items().map((n) => n.key)).toEqual(["m2"]);
    notices.clear();
    expect(notices.unread()).toBe(0);
  });

  it("survives a reload through storage, keeps the newest few and ignores bad entries", () => {
    const storage = memoryStorage();
    const first = createNotices(storage);
    for (let i = 0; i < MAX_NOTICES + 5; i++)
      first.add(bookingNotice({ id: `b${i}`, type: "callback", createdAt: AT }));
    const again = createNotices(storage);
    expect(again.unread()).toBe(MAX_NOTICES);
    expect(again.items()[0]?.key).toBe(`b${MAX_NOTICES + 4}`);
    again.clear();
    expect(storage.data.size).toBe(0);

    storage.setItem("staff-console:notices:v1", '[{"key":1},"x",null]');
    expect(createNotices(storage).unread()).toBe(0);
    storage.setItem("staff-console:notices:v1", "{not json");
    expect(createNotices(storage).unread()).toBe(0);
  });
});
