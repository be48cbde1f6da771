import { describe, expect, it } from "vitest";
import { formatBytes, formatMs, formatSeconds, isoDay, plural } from "../../web/console/format.js";
import { createHttp, type Fetch, NETWORK_MESSAGE } from "../../web/console/http.js";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (call: Call) => Response | Promise<Response>): {
  fetch: Fetch;
  calls: Call[];
} {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      const call = { url, init };
      calls.push(call);
      return respond(call);
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

describe("the consoles' HTTP client", () => {
  it("sends JSON with the extra headers and reads the JSON answer", async () => {
    const fake = fakeFetch(() => json(200, { ok: 1 }));
    const http = createHttp({ fetch: fake.fetch, headers: () => ({ authorization: "Bearer t" }) });
    expect(await http.request("PATCH", "/api/x", { json: { reviewed: true } })).toEqual({
      ok: true,
      value: { ok: 1 },
    });
    const init = fake.calls[0]?.init;
    expect(init?.method).toBe("PATCH");
    expect(init?.body).toBe('{"reviewed":true}');
    expect(init?.credentials).toBe("same-origin");
    expect(init?.headers).toMatchObject({
      authorization: "Bearer t",
      "content-type": "application/json",
    });
  });

  it("sends a file as is, with its content type; a 204 is null", async () => {
    const fake = fakeFetch(() => new Response(null, { status: 204 }));
    const http = createHttp({ fetch: fake.fetch });
    expect(
      await http.request("PUT", "/api/admin/documents/a", {
        body: "# A",
        contentType: "text/markdown",
      }),
    ).toEqual({ ok: true, value: null });
    expect(fake.calls[0]?.init?.headers).toMatchObject({ "content-type": "text/markdown" });
  });

  it("keeps the service's message, with the field messages (also by field), and the Retry-After", async () => {
    const http = createHttp({
      fetch: fakeFetch(() =>
        json(
          400,
          {
            error: {
              code: "invalid",
              message: "The request is not valid",
              fields: {
                note: "A note is at most 2000 characters",
                body: "Give reviewed, note or both",
              },
            },
          },
          { "retry-after": "30" },
        ),
      ).fetch,
    });
    expect(await http.request("PATCH", "/x")).toEqual({
      ok: false,
      status: 400,
      code: "invalid",
      message:
        "The request is not valid. note: A note is at most 2000 characters; Give reviewed, note or both.",
      retryAfter: 30,
      fields: { note: "A note is at most 2000 characters", body: "Give reviewed, note or both" },
    });
  });

  it("sends a request's own headers beside the client's", async () => {
    const fake = fakeFetch(() => json(200, { ok: 1 }));
    const http = createHttp({ fetch: fake.fetch, headers: () => ({ authorization: "Bearer t" }) });
    await http.request("PUT", "/x", { json: {}, headers: { "if-match": '"v1"' } });
    expect(fake.calls[0]?.init?.headers).toMatchObject({
      authorization: "Bearer t",
      "if-match": '"v1"',
      "content-type": "application/json",
    });
  });

  it("tells of a 401, and says something useful for a 5xx without a body or no network", async () => {
    const heard: number[] = [];
    let status = 401;
    const http = createHttp({
      fetch: fakeFetch(() =>
        status === 0
          ? Promise.reject(new TypeError("Failed to fetch"))
          : new Response("", { status }),
      ).fetch,
      onUnauthorized: (failure) => heard.push(failure.status),
    });
    expect(await http.request("GET", "/x")).toMatchObject({ ok: false, status: 401 });
    expect(heard).toEqual([401]);
    status = 502;
    expect(await http.request("GET", "/x")).toMatchObject({
      ok: false,
      code: "internal",
      message: "Something went wrong on the service. Please try again.",
    });
    status = 0;
    expect(await http.request("GET", "/x")).toEqual({
      ok: false,
      status: 0,
      code: "network",
      message: NETWORK_MESSAGE,
    });
    expect(heard).toEqual([401]);
  });
});

describe("console formatting", () => {
  it("shows sizes, durations and counts briefly", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(6294)).toBe("6.1 KB");
    expect(formatBytes(2 * 1024 * 1024)).toBe("2.0 MB");
    expect(formatSeconds(0.042)).toBe("0.04 s");
    expect(formatSeconds(12.34)).toBe("12.3 s");
    expect(formatSeconds(125)).toBe("2 min 5 s");
    expect(formatMs(12.4)).toBe("12 ms");
    expect(formatMs(1530)).toBe("1.5 s");
    expect(plural(1, "booking")).toBe("1 booking");
    expect(plural(0, "conversation")).toBe("0 conversations");
  });

  it("counts days in local time", () => {
    expect(isoDay(new Date(2026, 0, 31, 23, 30))).toBe("2026-01-31");
    expect(isoDay(new Date(2026, 0, 31), 1)).toBe("2026-02-01");
    expect(isoDay(new Date(2026, 2, 1), -30)).toBe("2026-01-30");
  });
});
