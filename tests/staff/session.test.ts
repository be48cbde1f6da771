import { describe, expect, it } from "vitest";
import { createStaffSessions, parseCookies } from "../../src/staff/session.js";

const SECRET = "a-session-secret-of-at-least-32-characters";
const accounts = [
  { name: "alex", token: "alex-token-0123456789" },
  { name: "sam", token: "sam-token-0123456789" },
];
const at = (iso: string) => () => new Date(iso);

function cookieValue(setCookie: string): string {
  return (setCookie.split(";")[0] ?? "").split("=").slice(1).join("=");
}

describe("createStaffSessions", () => {
  const sessions = createStaffSessions({
    secret: SECRET,
    accounts,
    secure: false,
    now: at("2026-03-01T09:00:00.000Z"),
  });

  it("signs an account in with an httpOnly, SameSite=Strict cookie that lasts 12 hours", () => {
    const { setCookie, expiresAt } = sessions.signIn("alex");
    expect(setCookie).toMatch(
      /^staff_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    expect(expiresAt.toISOString()).toBe("2026-03-01T21:00:00.000Z");
    expect(sessions.verify(cookieValue(setCookie))).toEqual({
      name: "alex",
      expiresAt,
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(sessions.fromCookieHeader(`other=1; ${setCookie.split(";")[0]}`)?.name).toBe("alex");
  });

  it("makes Secure cookies with the __Host- prefix in production", () => {
    const secure = createStaffSessions({ secret: SECRET, accounts, secure: true });
    const { setCookie } = secure.signIn("sam");
    expect(setCookie).toMatch(/^__Host-staff_session=.*; Secure; Max-Age=43200$/);
    expect(secure.fromCookieHeader(setCookie.split(";")[0])?.name).toBe("sam");
    expect(secure.signOut()).toMatch(/^__Host-staff_session=; .*Max-Age=0$/);
  });

  it("refuses a changed name, expiry or signature, and garbage", () => {
    const value = cookieValue(sessions.signIn("alex").setCookie);
    const [name, expiry, id, mac] = value.split(".") as [string, string, string, string];
    expect(sessions.verify(value)).not.toBeNull();
    const sam = Buffer.from("sam").toString("base64url");
    expect(sessions.verify(`${sam}.${expiry}.${id}.${mac}`)).toBeNull();
    expect(sessions.verify(`${name}.${Number(expiry) - 1000}.${id}.${mac}`)).toBeNull();
    expect(sessions.verify(`${name}.${expiry}.${"x".repeat(22)}.${mac}`)).toBeNull();
    // The second-to-last character (the last one holds padding bits), always changed.
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.slice(-1)}`;
    expect(sessions.verify(`${name}.${expiry}.${id}.${flipped}`)).toBeNull();
    expect(sessions.verify(`${name}.${expiry}.${id}.${mac.slice(0, 10)}`)).toBeNull();
    for (const junk of [
      "",
      "x",
      "a.b",
      "a.b.c",
      `${name}.${expiry}.${mac}`,
      `${name}.soon.${id}.${mac}`,
    ]) {
      expect(sessions.verify(junk)).toBeNull();
    }
  });

  it("refuses an expiry further away than one session, even signed with the secret", () => {
    // Signed by the service's own secret a year ahead: its expiry is a year and 12 hours away.
    const ahead = createStaffSessions({
      secret: SECRET,
      accounts,
      secure: false,
      now: at("2027-03-01T09:00:00.000Z"),
    });
    expect(sessions.verify(cookieValue(ahead.signIn("alex").setCookie))).toBeNull();
    const soon = createStaffSessions({
      secret: SECRET,
      accounts,
      secure: false,
      now: at("2026-03-01T08:59:00.000Z"),
    });
    expect(sessions.verify(cookieValue(soon.signIn("alex").setCookie))?.name).toBe("alex");
  });

  it("revokes the session signed out, and only that one", () => {
    const first = sessions.signIn("alex").setCookie.split(";")[0] ?? "";
    const second = sessions.signIn("alex").setCookie.split(";")[0] ?? "";
    expect(sessions.signOut(`other=1; ${first}`)).toMatch(/Max-Age=0$/);
    expect(sessions.fromCookieHeader(first)).toBeNull();
    expect(sessions.fromCookieHeader(second)?.name).toBe("alex");
  });

  it("refuses a cookie signed with another secret", () => {
    const other = createStaffSessions({
      secret: "another-secret-of-at-least-32-characters",
      accounts,
      secure: false,
      now: at("2026-03-01T09:00:00.000Z"),
    });
    expect(sessions.verify(cookieValue(other.signIn("alex").setCookie))).toBeNull();
  });

  it("ends a session when it expires, when the account's token changes or the account goes", () => {
    const value = cookieValue(sessions.signIn("alex").setCookie);
    const later = (iso: string, list = accounts) =>
      createStaffSessions({ secret: SECRET, accounts: list, secure: false, now: at(iso) });
    expect(later("2026-03-01T20:59:59.999Z").verify(value)?.name).toBe("alex");
    expect(later("2026-03-01T21:00:00.000Z").verify(value)).toBeNull();
    const rotated = [{ name: "alex", token: "a-brand-new-token-0123456789" }];
    expect(later("2026-03-01T10:00:00.000Z", rotated).verify(value)).toBeNull();
    expect(later("2026-03-01T10:00:00.000Z", accounts.slice(1)).verify(value)).toBeNull();
  });

  it("refuses a secret under 32 characters", () => {
    expect(() => createStaffSessions({ secret: "short", accounts, secure: false })).toThrow(
      /at least 32/,
    );
  });
});

describe("parseCookies", () => {
  it("reads name=value pairs, keeping the first of a repeated name", () => {
    expect([...parseCookies("a=1; b = 2;c=x=y; a=9; junk")]).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["c", "x=y"],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });
});
