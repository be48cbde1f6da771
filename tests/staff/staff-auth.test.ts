import { io as connect } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createStaffSessions } from "../../src/staff/session.js";
import { tempDir } from "../helpers/core-fixtures.js";
import {
  startTestService,
  TEST_SESSION_SECRET,
  TEST_STAFF_ACCOUNTS,
  type TestService,
} from "../helpers/service.js";
import { bearer, call, seedExchange, signIn } from "./staff-fixtures.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  service = await startTestService({ core: undefined, dataDir: temp.dir });
});
afterEach(async () => {
  await service.close();
  await cleanup();
});

/** A cookie signed with the service's secret at another time (for expired sessions). */
function cookieSignedAt(iso: string, name = "alex"): string {
  const sessions = createStaffSessions({
    secret: TEST_SESSION_SECRET,
    accounts: TEST_STAFF_ACCOUNTS,
    secure: false,
    now: () => new Date(iso),
  });
  return sessions.signIn(name).setCookie.split(";")[0] ?? "";
}

describe("POST /api/staff/session", () => {
  it("signs in with a staff token: 204 and an httpOnly, SameSite=Strict session cookie", async () => {
    const response = await call(`${service.url}/api/staff/session`, "POST", {
      body: { token: TEST_STAFF_ACCOUNTS[1].token },
    });
    expect(response.status).toBe(204);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^staff_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);

    const me = await call(`${service.url}/api/staff/me`, "GET", {
      headers: { cookie: cookie?.split(";")[0] ?? "" },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: "sam", via: "cookie" });
    expect(Date.parse(me.body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
  });

  it("refuses a wrong token with 401 and sets no cookie", async () => {
    const response = await call(`${service.url}/api/staff/session`, "POST", {
      body: { token: "not-a-staff-token" },
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("unauthorized");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a body without a token with 400, and a sign-in from another origin with 403", async () => {
    const empty = await call(`${service.url}/api/staff/session`, "POST", { body: {} });
    expect(empty.status).toBe(400);
    const crossSite = await call(`${service.url}/api/staff/session`, "POST", {
      body: { token: TEST_STAFF_ACCOUNTS[0].token },
      headers: { origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie()).toEqual([]);
  });

  it("rate-limits failed sign-ins per address: the sixth attempt in a minute gets 429, even with the right token", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await call(`${service.url}/api/staff/session`, "POST", {
        body: { token: `wrong-${i}` },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await call(`${service.url}/api/staff/session`, "POST", {
      body: { token: TEST_STAFF_ACCOUNTS[0].token },
    });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("does not count successful sign-ins", async () => {
    for (let i = 0; i < 8; i++) await signIn(service);
    expect(
      (await call(`${service.url}/api/staff/session`, "POST", { body: { token: "x" } })).status,
    ).toBe(401);
  });
});

describe("DELETE /api/staff/session", () => {
  it("signs out by clearing the cookie", async () => {
    const cookie = await signIn(service);
    const response = await call(`${service.url}/api/staff/session`, "DELETE", {
      headers: { cookie },
    });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()[0]).toMatch(/^staff_session=; .*Max-Age=0/);
  });

  it("means signed out: a copy of the cookie kept elsewhere stops working", async () => {
    const cookie = await signIn(service);
    expect((await call(`${service.url}/api/staff/me`, "GET", { headers: { cookie } })).status).toBe(
      200,
    );
    const out = await call(`${service.url}/api/staff/session`, "DELETE", { headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await call(`${service.url}/api/staff/me`, "GET", { headers: { cookie } })).status).toBe(
      401,
    );
  });
});

describe("staff authentication", () => {
  it("refuses a request without credentials, with a wrong token or a wrong cookie signature, with 401", async () => {
    const url = `${service.url}/api/staff/conversations`;
    expect((await call(url, "GET")).status).toBe(401);
    const wrongToken = await call(url, "GET", { headers: { authorization: "Bearer nope" } });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.body.error.code).toBe("unauthorized");
    const cookie = await signIn(service);
    const forged = `${cookie.slice(0, -3)}${cookie.endsWith("AAA") ? "BBB" : "AAA"}`;
    const wrongSignature = await call(url, "GET", { headers: { cookie: forged } });
    expect(wrongSignature.status).toBe(401);
    // The stale cookie is removed, so the console can show its sign-in form.
    expect(wrongSignature.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
  });

  it("refuses an expired session cookie with 401", async () => {
    const expired = cookieSignedAt(new Date(Date.now() - 13 * 3600_000).toISOString());
    const response = await call(`${service.url}/api/staff/me`, "GET", {
      headers: { cookie: expired },
    });
    expect(response.status).toBe(401);
    const fresh = cookieSignedAt(new Date(Date.now() - 11 * 3600_000).toISOString());
    expect(
      (await call(`${service.url}/api/staff/me`, "GET", { headers: { cookie: fresh } })).status,
    ).toBe(200);
  });

  it("keeps accepting the bearer token, and names the account", async () => {
    const me = await call(`${service.url}/api/staff/me`, "GET", { headers: bearer });
    expect(me.body).toEqual({ name: "alex", via: "token", expiresAt: null });
  });

  it("judges a bearer header alone: a wrong one is a 401 even beside a valid cookie", async () => {
    const cookie = await signIn(service);
    const response = await call(`${service.url}/api/staff/me`, "GET", {
      headers: { cookie, authorization: "Bearer wrong" },
    });
    expect(response.status).toBe(401);
  });

  it("refuses a cookie-authenticated change from another origin with 403, and takes it from its own", async () => {
    seedExchange(service, "conv-1", "How long does a peel take?");
    const cookie = await signIn(service);
    const url = `${service.url}/api/staff/conversations/conv-1`;
    const crossOrigin = await call(url, "PATCH", {
      body: { reviewed: true },
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body.error.code).toBe("forbidden");
    const crossSite = await call(url, "PATCH", {
      body: { reviewed: true },
      headers: { cookie, "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const nullOrigin = await call(url, "PATCH", {
      body: { reviewed: true },
      headers: { cookie, origin: "null" },
    });
    expect(nullOrigin.status).toBe(403);
    expect((await call(url, "GET", { headers: bearer })).body.reviewed).toBe(false);

    const sameOrigin = await call(url, "PATCH", {
      body: { reviewed: true },
      headers: { cookie, origin: service.url, "sec-fetch-site": "same-origin" },
    });
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.body).toMatchObject({ reviewed: true, reviewedBy: "alex" });
  });

  it("checks the origin of changes only: another origin cannot read a staff response without CORS", async () => {
    const cookie = await signIn(service);
    const response = await call(`${service.url}/api/staff/conversations`, "GET", {
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("marks every staff response as not to be cached", async () => {
    const response = await call(`${service.url}/api/staff/bookings`, "GET", { headers: bearer });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("guessing tokens", () => {
  let proxied: TestService;
  let done: () => Promise<void>;
  beforeEach(async () => {
    const temp = await tempDir();
    done = temp.cleanup;
    // Behind one trusted proxy: X-Forwarded-For names the client.
    proxied = await startTestService({ core: undefined, dataDir: temp.dir, trustProxy: 1 });
  });
  afterEach(async () => {
    await proxied.close();
    await done();
  });

  const from = (address: string, token: string) => ({
    headers: { "x-forwarded-for": address, authorization: `Bearer ${token}` },
  });
  type Refusal = { message: string; data?: { retryAfter?: number } };
  const refusal = (token: string, address: string) =>
    new Promise<Refusal>((resolve, reject) => {
      const socket = connect(`${proxied.url}/staff`, {
        transports: ["websocket"],
        forceNew: true,
        auth: { token },
        extraHeaders: { "x-forwarded-for": address },
      });
      socket.once("connect", () => {
        socket.close();
        reject(new Error("connected"));
      });
      socket.once("connect_error", (error) => {
        socket.close();
        resolve(error as unknown as Refusal);
      });
    });

  it("limits wrong bearer tokens per address: the sixth in a minute gets 429 with Retry-After, even the right token", async () => {
    const url = `${proxied.url}/api/staff/conversations`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(url, "GET", from("203.0.113.9", `guess-${i}`))).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await call(url, "GET", from("203.0.113.9", TEST_STAFF_ACCOUNTS[0].token));
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not locked out by the guesser.
    const other = await call(url, "GET", from("198.51.100.4", TEST_STAFF_ACCOUNTS[0].token));
    expect(other.status).toBe(200);
    // A request with no token is no guess, and is still told to sign in.
    const none = await call(url, "GET", { headers: { "x-forwarded-for": "198.51.100.4" } });
    expect(none.status).toBe(401);
  });

  it("counts wrong socket tokens, bearer tokens and sign-ins in one budget", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await refusal(`guess-${i}`, "203.0.113.7")).message).toBe("unauthorized");
    }
    const url = `${proxied.url}/api/staff/conversations`;
    expect((await call(url, "GET", from("203.0.113.7", "guess-bearer"))).status).toBe(401);
    const signIn = await call(`${proxied.url}/api/staff/session`, "POST", {
      body: { token: "guess-sign-in" },
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    expect(signIn.status).toBe(401);
    // Over the budget, whichever door: refused unread, the right token too.
    const blocked = await refusal(TEST_STAFF_ACCOUNTS[0].token, "203.0.113.7");
    expect(blocked.message).toBe("rate_limited");
    expect(blocked.data?.retryAfter).toBeGreaterThan(0);
    expect((await refusal("guess-other", "198.51.100.8")).message).toBe("unauthorized");
  });
});
