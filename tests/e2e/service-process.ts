/** The real service as a process for the browser tests: `src/main.ts` on a free port. */
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "../helpers/core-fixtures.js";

/** Starts `node --import tsx src/main.ts` and resolves to its URL once it prints "Ready on". */
export function startService(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  ready: Promise<string>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (err += text));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after 60 s\n${out}\n${err}`)),
      60_000,
    );
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      const port = /Ready on http:\/\/localhost:(\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (${code}) before it was ready\n${err}`));
    });
  });
  return { child, ready };
}

/** Stops the service with SIGTERM, as a deployment would, and waits for it to exit. */
export async function stopService(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
