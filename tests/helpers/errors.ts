import { expect } from "vitest";
import { AppError } from "../../src/errors.js";

/** Runs `run`, expects it to throw AppError("invalid"), and returns the error's message. */
export function invalidReason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid");
    return (error as AppError).message;
  }
  throw new Error("expected an AppError");
}
