import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";

const production = {
  NODE_ENV: "production",
  STAFF_TOKENS: `alex:${"x".repeat(20)}`,
  ADMIN_TOKEN: "z".repeat(20),
};

describe("staff console configuration", () => {
  it("requires a SESSION_SECRET of 32+ characters in production", () => {
    expect(() => loadConfig(production)).toThrow(/SESSION_SECRET: with NODE_ENV=production/);
    expect(() => loadConfig({ ...production, SESSION_SECRET: "too-short" })).toThrow(
      /SESSION_SECRET: must be at least 32/,
    );
    const config = loadConfig({ ...production, SESSION_SECRET: "s".repeat(32) });
    expect(config.sessionSecret).toBe("s".repeat(32));
  });

  it("leaves SESSION_SECRET unset in development, for main.ts to generate, but checks one given", () => {
    expect(loadConfig({}).sessionSecret).toBeUndefined();
    expect(() => loadConfig({ SESSION_SECRET: "short" })).toThrow(/SESSION_SECRET/);
  });

  it("keeps transcripts 180 days by default; 0 keeps them forever; negative or fractional is refused", () => {
    expect(loadConfig({}).transcriptRetentionDays).toBe(180);
    expect(loadConfig({ TRANSCRIPT_RETENTION_DAYS: "0" }).transcriptRetentionDays).toBe(0);
    expect(loadConfig({ TRANSCRIPT_RETENTION_DAYS: "30" }).transcriptRetentionDays).toBe(30);
    for (const bad of ["-1", "1.5", "forever"]) {
      expect(() => loadConfig({ TRANSCRIPT_RETENTION_DAYS: bad })).toThrow(
        /TRANSCRIPT_RETENTION_DAYS/,
      );
    }
  });

  it("reads phone numbers without a country code as GB's by default; PHONE_REGION is a country code", () => {
    expect(loadConfig({}).phoneRegion).toBe("GB");
    expect(loadConfig({ PHONE_REGION: "" }).phoneRegion).toBe("GB");
    expect(loadConfig({ PHONE_REGION: "FR" }).phoneRegion).toBe("FR");
    expect(loadConfig({ PHONE_REGION: " ie " }).phoneRegion).toBe("IE");
    for (const bad of ["UK", "GBR", "44", "XX"]) {
      expect(() => loadConfig({ PHONE_REGION: bad }), bad).toThrow(
        /PHONE_REGION: must be a country code/,
      );
    }
  });
});
