import path from "node:path";
import { z } from "zod";
import { operatorUrl } from "./content/clinic.js";
import { AppError } from "./errors.js";
import { DEFAULT_PHONE_REGION, isPhoneRegion, type PhoneRegion } from "./store/phone.js";

const emptyToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());

const envSchema = z
  .object({
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
    CORPUS_DIR: z.preprocess(emptyToUndefined, z.string().default("./corpus")),
    CLINIC_PROFILE: optionalString,
    VECTORS_CACHE_DIR: optionalString,
    EMBEDDING_CACHE_DIR: optionalString,
    EMBEDDINGS: z.preprocess(emptyToUndefined, z.enum(["local", "openai"]).default("local")),
    EMBEDDING_MODEL: z.preprocess(emptyToUndefined, z.string().default("text-embedding-3-small")),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    ANSWER_MODE: z.preprocess(
      emptyToUndefined,
      z.enum(["extractive", "llm"]).default("extractive"),
    ),
    CHAT_MODEL: optionalString,
    LLM_TIMEOUT_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1000).max(300_000).default(20_000),
    ),
    LLM_MAX_TOKENS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(16).max(8192).default(400),
    ),
    HNSW_EF: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(2000).default(100)),
    NODE_ENV: z.preprocess(emptyToUndefined, z.string().default("development")),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default("0.0.0.0")),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ),
    STAFF_TOKENS: optionalString,
    STAFF_TOKEN: optionalString,
    ADMIN_TOKEN: optionalString,
    ALLOWED_ORIGINS: optionalString,
    TRUST_PROXY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(10).default(0)),
    RATE_LIMIT_PER_MIN: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(100_000).default(20),
    ),
    BOOKING_URL: z.preprocess(emptyToUndefined, operatorUrl().optional()),
    BOOKING_WEBHOOK_URL: z.preprocess(emptyToUndefined, operatorUrl().optional()),
    BOOKING_WEBHOOK_SECRET: optionalString,
    SESSION_SECRET: optionalString,
    TRANSCRIPT_RETENTION_DAYS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(0).max(36_500).default(180),
    ),
    PHONE_REGION: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .toUpperCase()
        .refine(
          isPhoneRegion,
          'must be a country code like "GB", "IE" or "FR" (ISO 3166-1 alpha-2)',
        )
        .default(DEFAULT_PHONE_REGION),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.ANSWER_MODE === "llm") {
      if (!env.CHAT_MODEL) {
        ctx.addIssue({
          code: "custom",
          path: ["CHAT_MODEL"],
          message:
            "ANSWER_MODE=llm needs CHAT_MODEL (the model name the server knows, e.g. gpt-4o-mini)",
        });
      }
      if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
        ctx.addIssue({
          code: "custom",
          path: ["OPENAI_API_KEY"],
          message: "ANSWER_MODE=llm needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server",
        });
      }
    }
    const production = env.NODE_ENV === "production";
    const staff = parseStaffAccounts(env.STAFF_TOKENS, env.STAFF_TOKEN);
    if (typeof staff === "string") {
      ctx.addIssue({ code: "custom", path: ["STAFF_TOKENS"], message: staff });
    } else if (production) {
      if (staff.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["STAFF_TOKENS"],
          message: "with NODE_ENV=production, STAFF_TOKENS or STAFF_TOKEN must be set",
        });
      }
      for (const account of staff) {
        if (account.token.length < MIN_TOKEN_LENGTH) {
          ctx.addIssue({
            code: "custom",
            path: ["STAFF_TOKENS"],
            message: `the token of staff account "${account.name}" must be at least ${MIN_TOKEN_LENGTH} characters`,
          });
        }
      }
      if (!env.ADMIN_TOKEN || env.ADMIN_TOKEN.length < MIN_TOKEN_LENGTH) {
        ctx.addIssue({
          code: "custom",
          path: ["ADMIN_TOKEN"],
          message: `with NODE_ENV=production, ADMIN_TOKEN must be set, at least ${MIN_TOKEN_LENGTH} characters`,
        });
      }
    }
    if (env.SESSION_SECRET !== undefined && env.SESSION_SECRET.length < MIN_SESSION_SECRET_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: `must be at least ${MIN_SESSION_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`,
      });
    } else if (production && env.SESSION_SECRET === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: `with NODE_ENV=production, SESSION_SECRET must be set, at least ${MIN_SESSION_SECRET_LENGTH} characters`,
      });
    }
    if (
      env.ADMIN_TOKEN &&
      typeof staff !== "string" &&
      staff.some((account) => account.token === env.ADMIN_TOKEN)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["ADMIN_TOKEN"],
        message: "ADMIN_TOKEN must differ from every staff token",
      });
    }
    for (const origin of splitList(env.ALLOWED_ORIGINS)) {
      if (!isOrigin(origin)) {
        ctx.addIssue({
          code: "custom",
          path: ["ALLOWED_ORIGINS"],
          message: `"${origin}" is not an origin like https://clinic.example`,
        });
      }
    }
    if (env.EMBEDDINGS === "openai" && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["OPENAI_API_KEY"],
        message: "EMBEDDINGS=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)",
      });
    }
  });

/** Validated settings. Paths are absolute. */
export interface Config {
  dataDir: string;
  corpusDir: string;
  clinicProfilePath: string;
  indexDir: string;
  vectorsCacheDir: string;
  /** Embeddings computed so far, by model and text hash, so a re-index embeds only what changed. */
  embeddingCacheDir: string;
  embeddings:
    | { provider: "local" }
    | {
        provider: "openai";
        model: string;
        apiKey: string | undefined;
        baseUrl: string | undefined;
      };
  answerMode: "extractive" | "llm";
  /** With answerMode "llm": the OpenAI-compatible chat model. */
  llm:
    | {
        model: string;
        apiKey: string | undefined;
        baseUrl: string | undefined;
        timeoutMs: number;
        maxTokens: number;
      }
    | undefined;
  hnswEf: number;
  production: boolean;
  port: number;
  host: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Staff accounts; empty in development means "generate one at start". */
  staffAccounts: StaffAccount[];
  /** Undefined in development means "generate one at start". */
  adminToken: string | undefined;
  /** Origins (besides the service's own) allowed to use the chat API and sockets. */
  allowedOrigins: string[];
  /** Proxy hops in front of the service, for the client address. */
  trustProxy: number;
  /** Visitor messages per minute per client address and per session; 0 turns it off. */
  rateLimitPerMin: number;
  /** An external scheduler, offered with booking handoffs. */
  bookingUrl: string | undefined;
  bookingWebhook: { url: string; secret: string | undefined } | undefined;
  /** Signs staff console sessions; undefined in development means "generate one at start". */
  sessionSecret: string | undefined;
  /** Conversations idle longer than this many days are deleted; 0 keeps them forever. */
  transcriptRetentionDays: number;
  /** Where phone numbers without a country code are from, for erasure, search and redaction. */
  phoneRegion: PhoneRegion;
}

export interface StaffAccount {
  name: string;
  token: string;
}

const MIN_TOKEN_LENGTH = 16;
/** The shortest SESSION_SECRET accepted: 256 bits of base64 or hex take 32+ characters. */
export const MIN_SESSION_SECRET_LENGTH = 32;

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}

/** `name:token,name:token` (or one STAFF_TOKEN for "staff"); a string is an error message. */
function parseStaffAccounts(
  list: string | undefined,
  single: string | undefined,
): StaffAccount[] | string {
  const accounts: StaffAccount[] = [];
  for (const entry of splitList(list)) {
    const colon = entry.indexOf(":");
    const name = entry.slice(0, colon).trim();
    const token = entry.slice(colon + 1).trim();
    if (colon <= 0 || !token || !/^[\w.@-]{1,64}$/.test(name)) {
      return `"${entry.slice(0, Math.max(colon, 0)) || "?"}:…" is not name:token`;
    }
    if (accounts.some((a) => a.name === name)) return `staff account "${name}" is listed twice`;
    accounts.push({ name, token });
  }
  if (single) {
    if (accounts.some((a) => a.name === "staff")) {
      return 'STAFF_TOKEN names an account "staff", which STAFF_TOKENS already has';
    }
    accounts.push({ name: "staff", token: single });
  }
  if (new Set(accounts.map((a) => a.token)).size !== accounts.length) {
    return "two staff accounts share a token: actions could not be told apart";
  }
  return accounts;
}

/**
 * Reads settings from an environment (normally `process.env`); the only place that does.
 * Throws `AppError("config")` naming every bad variable.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new AppError("config", `Invalid configuration: ${problems.join("; ")}`, {
      cause: parsed.error,
    });
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const corpusDir = path.resolve(cwd, e.CORPUS_DIR);
  return {
    dataDir,
    corpusDir,
    clinicProfilePath: path.resolve(cwd, e.CLINIC_PROFILE ?? path.join(corpusDir, "clinic.json")),
    indexDir: path.join(dataDir, "index"),
    embeddingCacheDir: e.EMBEDDING_CACHE_DIR
      ? path.resolve(cwd, e.EMBEDDING_CACHE_DIR)
      : path.join(dataDir, "cache", "embeddings"),
    vectorsCacheDir: e.VECTORS_CACHE_DIR
      ? path.resolve(cwd, e.VECTORS_CACHE_DIR)
      : defaultVectorsCacheDir(),
    embeddings:
      e.EMBEDDINGS === "local"
        ? { provider: "local" }
        : {
            provider: "openai",
            model: e.EMBEDDING_MODEL,
            apiKey: e.OPENAI_API_KEY,
            baseUrl: e.OPENAI_BASE_URL,
          },
    answerMode: e.ANSWER_MODE,
    llm:
      e.ANSWER_MODE === "llm" && e.CHAT_MODEL
        ? {
            model: e.CHAT_MODEL,
            apiKey: e.OPENAI_API_KEY,
            baseUrl: e.OPENAI_BASE_URL,
            timeoutMs: e.LLM_TIMEOUT_MS,
            maxTokens: e.LLM_MAX_TOKENS,
          }
        : undefined,
    hnswEf: e.HNSW_EF,
    production: e.NODE_ENV === "production",
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    staffAccounts: parseStaffAccounts(e.STAFF_TOKENS, e.STAFF_TOKEN) as StaffAccount[],
    adminToken: e.ADMIN_TOKEN,
    allowedOrigins: splitList(e.ALLOWED_ORIGINS),
    trustProxy: e.TRUST_PROXY,
    rateLimitPerMin: e.RATE_LIMIT_PER_MIN,
    bookingUrl: e.BOOKING_URL,
    bookingWebhook: e.BOOKING_WEBHOOK_URL
      ? { url: e.BOOKING_WEBHOOK_URL, secret: e.BOOKING_WEBHOOK_SECRET }
      : undefined,
    sessionSecret: e.SESSION_SECRET,
    transcriptRetentionDays: e.TRANSCRIPT_RETENTION_DAYS,
    phoneRegion: e.PHONE_REGION as PhoneRegion,
  };
}

/**
 * The shared word-vector cache lives beside the installed packages (the usual
 * `node_modules/.cache` convention), outside any one deployment's DATA_DIR, so every
 * test's temporary data folder reuses one conversion.
 */
export function defaultVectorsCacheDir(): string {
  const projectRoot = path.resolve(import.meta.dirname, "..");
  return path.join(projectRoot, "node_modules", ".cache", "skin-faq", "vectors");
}

/** Loads `.env` from the working directory into the process environment, when there is one. */
export function loadDotEnv(file = ".env"): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
