import path from "node:path";
import { z } from "zod";
import { AppError } from "./errors.js";

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
    EMBEDDINGS: z.preprocess(emptyToUndefined, z.enum(["local", "openai"]).default("local")),
    EMBEDDING_MODEL: z.preprocess(emptyToUndefined, z.string().default("text-embedding-3-small")),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    ANSWER_MODE: z.preprocess(emptyToUndefined, z.enum(["extractive"]).default("extractive")),
    HNSW_EF: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(2000).default(100)),
  })
  .superRefine((env, ctx) => {
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
  embeddings:
    | { provider: "local" }
    | {
        provider: "openai";
        model: string;
        apiKey: string | undefined;
        baseUrl: string | undefined;
      };
  answerMode: "extractive";
  hnswEf: number;
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
    hnswEf: e.HNSW_EF,
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
