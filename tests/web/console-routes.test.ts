import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClinicProfile } from "../../src/content/clinic.js";
import type { Core } from "../../src/core.js";
import { buildConsoles, DIST_DIR } from "../../web/build.js";
import { SHIPPED_CORPUS, tempDir } from "../helpers/core-fixtures.js";
import { startTestService, type TestService } from "../helpers/service.js";

let service: TestService;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await buildConsoles();
  const temp = await tempDir();
  cleanup = temp.cleanup;
  const clinic = await loadClinicProfile(path.join(SHIPPED_CORPUS, "clinic.json"));
  service = await startTestService({ core: { clinic } as Core, dataDir: temp.dir });
});
afterAll(async () => {
  await service.close();
  await cleanup();
});

/** The `<script>` tags of a page: attributes and inline content. */
function scripts(page: string): { attributes: string; body: string }[] {
  return [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
    attributes: m[1] ?? "",
    body: m[2] ?? "",
  }));
}

describe("console pages", () => {
  it.each([
    ["/staff", "staff"],
    ["/staff/", "staff"],
    ["/staff/bookings", "staff"],
    ["/staff/bookings/0b7c5a1e-9d7f-4f2a-8c1e-2f9a7d3b6e10", "staff"],
    ["/staff/gaps", "staff"],
    ["/staff/erasure", "staff"],
    ["/staff/audit", "staff"],
    ["/staff/conversations/ltu4KTISk0ehY9u0j_YjtQ", "staff"],
    ["/admin", "admin"],
  ])(
    "%s is the %s console's shell: its script from the service, no inline script",
    async (route, name) => {
      const response = await fetch(`${service.url}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("x-robots-tag")).toBe("noindex, nofollow");
      expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toContain("script-src-attr 'none'");
      const page = await response.text();
      const found = scripts(page);
      expect(found).toHaveLength(1);
      expect(found[0]?.attributes).toContain(`src="/console/${name}.js"`);
      expect(found[0]?.body.trim()).toBe("");
      expect(page).not.toMatch(/\son[a-z]+=/i);
      expect(page).toContain('href="/console/console.css"');
    },
  );

  it("serves the scripts and the stylesheet with their types, revalidated each time", async () => {
    for (const name of ["staff", "admin"]) {
      const response = await fetch(`${service.url}/console/${name}.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(response.headers.get("etag")).toBeTruthy();
      expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      const code = await response.text();
      expect(code).toBe(await readFile(path.join(DIST_DIR, `${name}.js`), "utf8"));
      // Every text is set as text: the bundles never parse HTML.
      expect(code).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML|document\.write/);
    }
    const css = await fetch(`${service.url}/console/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 for pages the consoles do not have", async () => {
    for (const route of [
      "/staff/settings",
      "/staff/conversations/a/b",
      "/admin/x",
      "/console/x.js",
    ]) {
      const response = await fetch(`${service.url}${route}`);
      expect(response.status, route).toBe(404);
    }
  });
});
