import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { AppError } from "../src/errors.js";

describe("loadConfig", () => {
  it("runs offline with no settings at all", () => {
    const config = loadConfig({}, "/srv/app");
    expect(config).toMatchObject({
      dataDir: "/srv/app/data",
      corpusDir: "/srv/app/corpus",
      clinicProfilePath: "/srv/app/corpus/clinic.json",
      indexDir: "/srv/app/data/index",
      embeddings: { provider: "local" },
      answerMode: "extractive",
      hnswEf: 100,
    });
    expect(path.isAbsolute(config.vectorsCacheDir)).toBe(true);
    expect(config.vectorsCacheDir.startsWith(config.dataDir)).toBe(false);
  });

  it.each([
    "http://127.0.0.1:9000/hook",
    "http://localhost/hook",
    "http://[::1]:9000/hook",
    "http://webhook:8080/x",
    "http://10.0.0.5/x",
    "https://hooks.clinic.example/booking",
  ])("accepts an operator's internal or public receiver: %s", (url) => {
    const config = loadConfig({ BOOKING_WEBHOOK_URL: url, BOOKING_URL: url });
    expect(config.bookingWebhook?.url).toBe(url);
    expect(config.bookingUrl).toBe(url);
  });

  it.each(["ftp://files.example/x", "javascript:alert(1)", "not a url"])(
    "refuses a booking URL that is not http(s): %s",
    (url) => {
      expect(() => loadConfig({ BOOKING_WEBHOOK_URL: url })).toThrow(/BOOKING_WEBHOOK_URL/);
    },
  );

  it("treats empty values as unset", () => {
    expect(loadConfig({ DATA_DIR: "", EMBEDDINGS: " " }, "/x").dataDir).toBe("/x/data");
  });

  it("configures OpenAI-compatible embeddings, with no key needed for a local server", () => {
    const config = loadConfig({
      EMBEDDINGS: "openai",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      EMBEDDING_MODEL: "nomic-embed-text",
    });
    expect(config.embeddings).toEqual({
      provider: "openai",
      model: "nomic-embed-text",
      apiKey: undefined,
      baseUrl: "http://127.0.0.1:11434/v1",
    });
  });

  it("names every bad variable in one error", () => {
    let error: unknown;
    try {
      loadConfig({ EMBEDDINGS: "magic", HNSW_EF: "3", OPENAI_BASE_URL: "not a url" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("config");
    expect((error as AppError).message).toMatch(/EMBEDDINGS/);
    expect((error as AppError).message).toMatch(/HNSW_EF/);
    expect((error as AppError).message).toMatch(/OPENAI_BASE_URL/);
  });

  it("asks for a key when OpenAI embeddings have neither key nor server", () => {
    expect(() => loadConfig({ EMBEDDINGS: "openai" })).toThrow(/OPENAI_API_KEY/);
  });

  it("says what the generative mode is missing", () => {
    expect(() => loadConfig({ ANSWER_MODE: "llm" })).toThrow(/CHAT_MODEL[\s\S]*OPENAI_API_KEY/);
    const config = loadConfig({
      ANSWER_MODE: "llm",
      CHAT_MODEL: "llama3.1",
      OPENAI_BASE_URL: "http://127.0.0.1:8080/v1",
      LLM_TIMEOUT_MS: "5000",
    });
    expect(config.llm).toEqual({
      model: "llama3.1",
      apiKey: undefined,
      baseUrl: "http://127.0.0.1:8080/v1",
      timeoutMs: 5000,
      maxTokens: 400,
    });
    expect(loadConfig({}).llm).toBeUndefined();
  });

  it("refuses production without strong staff and admin tokens", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/STAFF_TOKENS[\s\S]*ADMIN_TOKEN/);
    expect(() =>
      loadConfig({
        NODE_ENV: "production",
        STAFF_TOKENS: "alex:short",
        ADMIN_TOKEN: "a".repeat(16),
      }),
    ).toThrow(/at least 16/);
    const config = loadConfig({
      NODE_ENV: "production",
      STAFF_TOKENS: `alex:${"x".repeat(20)},sam:${"y".repeat(20)}`,
      ADMIN_TOKEN: "z".repeat(20),
      SESSION_SECRET: "s".repeat(32),
    });
    expect(config.staffAccounts.map((a) => a.name)).toEqual(["alex", "sam"]);
  });

  it("checks that allowed origins are origins", () => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: "https://clinic.example/path" })).toThrow(
      /ALLOWED_ORIGINS/,
    );
    expect(
      loadConfig({ ALLOWED_ORIGINS: "https://a.example, http://localhost:8080" }).allowedOrigins,
    ).toEqual(["https://a.example", "http://localhost:8080"]);
  });

  it("refuses an admin token that is also a staff token, and two staff accounts named staff", () => {
    const token = "t".repeat(20);
    expect(() => loadConfig({ STAFF_TOKEN: token, ADMIN_TOKEN: token })).toThrow(
      /ADMIN_TOKEN must differ/,
    );
    expect(() =>
      loadConfig({ STAFF_TOKENS: `staff:${"a".repeat(20)}`, STAFF_TOKEN: "b".repeat(20) }),
    ).toThrow(/already has/);
  });
});
