import { AppError } from "../src/errors.js";

/** Runs a command-line entry point: a clear one-line error and exit code 1 on failure. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`error: ${error.message}`);
      if (process.env.DEBUG && error.cause) console.error(error.cause);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  }
}
