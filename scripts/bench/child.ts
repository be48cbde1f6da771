import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Runs a TypeScript script of the bench in its own Node process with one JSON argument and
 * parses the JSON it prints. Killed after `timeoutMs`; rejects (with its exit code) if the
 * script fails, which makes the bench fail: a broken measurement is not a figure.
 */
export function runJsonScript<T>(
  script: string,
  args: unknown,
  options: { timeoutMs: number; nodeFlags?: string[] },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), "--import", "tsx", script, JSON.stringify(args)],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code ?? signal}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as T);
      } catch (cause) {
        reject(new Error(`${script} printed no JSON result`, { cause }));
      }
    });
  });
}
