// The parse worker's entry point (see parse-off-thread.ts). A worker thread does not inherit
// the parent's tsx loader on Node 20, so it registers tsx itself before loading the TypeScript.
import { register } from "tsx/esm/api";

register();
await import("./parse-worker.ts");
