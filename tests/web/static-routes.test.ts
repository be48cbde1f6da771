import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClinicProfile } from "../../src/content/clinic.js";
import type { Core } from "../../src/core.js";
import { buildWidget } from "../../web/build.js";
import { SHIPPED_CORPUS, tempDir } from "../helpers/core-fixtures.js";
import { getJson, startTestService, type TestService } from "../helpers/service.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await buildWidget();
  const temp = await tempDir();
  cleanup = temp.cleanup;
  // These routes only read the clinic profile; the rest of the core is not needed.
  const clinic = await loadClinicProfile(path.join(SHIPPED_CORPUS, "clinic.json"));
  service = await startTestService({ core: { clinic } as Core, dataDir: temp.dir });
});
afterAll(async () => {
  await service.close();
  await cleanup();
});

describe("GET /widget.js", () => {
  it("serves the built widget as JavaScript, cacheable and loadable from any site", async () => {
    const response = await fetch(`${service.url}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    expect(response.headers.get("etag")).toBeTruthy();
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const code = await response.text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);
  });
});

describe("GET /api/clinic", () => {
  it("exposes only the public contact fields, to any origin", async () => {
    const { status, body, headers } = await getJson(`${service.url}/api/clinic`, {
      origin: "https://somewhere.example",
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      "address",
      "email",
      "name",
      "openingHours",
      "phone",
      "privacyNoticeUrl",
    ]);
    expect(body.name).toBe("Lumen Skin Clinic");
    expect(headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers 503 while the service is starting", async () => {
    const temp = await tempDir();
    const starting = await startTestService({ core: undefined, dataDir: temp.dir });
    const { status, body } = await getJson(`${starting.url}/api/clinic`);
    expect(status).toBe(503);
    expect(body.error.code).toBe("unavailable");
    await starting.close();
    await temp.cleanup();
  });
});

describe("GET /", () => {
  it("is the demo page, embedding the widget with one script tag and no inline script", async () => {
    const response = await fetch(`${service.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const page = await response.text();
    expect(page).toContain("<title>Lumen Skin Clinic");
    expect(page).not.toContain("%CLINIC_NAME%");
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const [, attributes, body] = scripts[0] as RegExpMatchArray;
    expect(attributes).toMatch(/src="\/widget\.js"/);
    expect(attributes).toMatch(/data-title="[^"]+"/);
    expect(attributes).toMatch(/\bdefer\b/);
    expect(body?.trim()).toBe("");
    expect(page).not.toMatch(/\son[a-z]+=/i);
  });
});
