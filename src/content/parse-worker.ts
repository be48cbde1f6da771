/**
 * The worker thread that parses corpus files for parse-off-thread.ts: a message
 * `{ id, file, bytes }` is answered `{ id, doc }` or `{ id, error: { code, message } }`.
 */
import { parentPort } from "node:worker_threads";
import { AppError } from "../errors.js";
import { parseDocument } from "./load-corpus.js";
import type { ParseReply, ParseRequest } from "./parse-off-thread.js";

const port = parentPort;
if (port === null) throw new Error("parse-worker.ts runs as a worker thread only");

port.on("message", (request: ParseRequest) => {
  const bytes =
    typeof request.bytes === "string"
      ? request.bytes
      : Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  let reply: ParseReply;
  try {
    reply = { id: request.id, doc: parseDocument(request.file, bytes) };
  } catch (error) {
    reply = {
      id: request.id,
      error:
        error instanceof AppError
          ? { code: error.code, message: error.message }
          : {
              code: "invalid",
              message: `the file could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
            },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ParseReply);
