import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadClinicProfile } from "../../src/content/clinic.js";
import { AppError } from "../../src/errors.js";

const shippedProfile = fileURLToPath(new URL("../../corpus/clinic.json", import.meta.url));

const validProfile = {
  name: "Test Clinic",
  phone: "+44 20 7946 0001",
  email: "team@clinic.example",
  address: "2 Example Street, London",
  openingHours: [{ days: "Monday to Friday", hours: "9:00 to 17:00" }],
  urgentCare: "Call the clinic urgently, or 999 in an emergency.",
};

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clinic-profile-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeProfile(content: string): Promise<string> {
  const file = join(dir, "clinic.json");
  await writeFile(file, content, "utf8");
  return file;
}

async function loadError(file: string): Promise<AppError> {
  const error: unknown = await loadClinicProfile(file).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe("config");
  expect(appError.message).toContain(file);
  return appError;
}

describe("loadClinicProfile", () => {
  it("accepts the clinic profile shipped in corpus/", async () => {
    const profile = await loadClinicProfile(shippedProfile);
    expect(profile.name).toBe("Lumen Skin Clinic");
    expect(profile.openingHours.length).toBeGreaterThan(0);
    expect(profile.urgentCare).not.toBe("");
    expect(profile.sample).toBe(true);
  });

  it("defaults sample to false and leaves optional links out when not given", async () => {
    const profile = await loadClinicProfile(await writeProfile(JSON.stringify(validProfile)));
    expect(profile.sample).toBe(false);
    expect(profile.bookingUrl).toBeUndefined();
    expect(profile.privacyNoticeUrl).toBeUndefined();
  });

  it("rejects a profile with a malformed email, naming the email field", async () => {
    const file = await writeProfile(JSON.stringify({ ...validProfile, email: "not-an-email" }));
    const error = await loadError(file);
    expect(error.message).toMatch(/email: /);
  });

  it("rejects a profile without a phone number, naming the phone field", async () => {
    const withoutPhone: Partial<typeof validProfile> = { ...validProfile };
    delete withoutPhone.phone;
    const file = await writeProfile(JSON.stringify(withoutPhone));
    const error = await loadError(file);
    expect(error.message).toContain("phone: required");
  });

  it("rejects a profile with an unknown key, naming the key", async () => {
    const file = await writeProfile(JSON.stringify({ ...validProfile, openinghours: [] }));
    const error = await loadError(file);
    expect(error.message).toContain("openinghours");
  });

  it("reports every bad field at once, including nested opening hours", async () => {
    const file = await writeProfile(
      JSON.stringify({ ...validProfile, email: "x", openingHours: [{ days: "Monday" }] }),
    );
    const error = await loadError(file);
    expect(error.message).toMatch(/email: /);
    expect(error.message).toMatch(/openingHours\.0\.hours: /);
  });

  it("rejects a booking link that is not an http(s) URL", async () => {
    const file = await writeProfile(
      JSON.stringify({ ...validProfile, bookingUrl: "javascript:alert(1)" }),
    );
    const error = await loadError(file);
    expect(error.message).toMatch(/bookingUrl: /);
  });

  it("accepts the clinic's own internal links: any http(s) URL", async () => {
    const file = await writeProfile(
      JSON.stringify({
        ...validProfile,
        bookingUrl: "http://intranet:8080/book",
        privacyNoticeUrl: "http://127.0.0.1/privacy",
      }),
    );
    const profile = await loadClinicProfile(file);
    expect(profile.bookingUrl).toBe("http://intranet:8080/book");
    expect(profile.privacyNoticeUrl).toBe("http://127.0.0.1/privacy");
  });

  it("rejects a file that is not valid JSON and keeps the parse error as the cause", async () => {
    const file = await writeProfile('{ "name": "Test Clinic", ');
    const error = await loadError(file);
    expect(error.message).toMatch(/invalid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("rejects a missing file, saying it was not found", async () => {
    const file = join(dir, "does-not-exist.json");
    const error = await loadError(file);
    expect(error.message).toMatch(/not found/);
    expect(error.cause).toBeDefined();
  });
});
