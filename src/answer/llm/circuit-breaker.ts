export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before one trial call is let through. */
  openMs?: number;
  now?: () => number;
  /** Told once when the circuit opens, and once when it closes again: log there. */
  onOpen?: (failures: number) => void;
  onClose?: () => void;
}

export interface CircuitBreaker {
  /** Whether a call may be made now. While open, false until `openMs` has passed. */
  allow(): boolean;
  success(): void;
  failure(): void;
  readonly state: "closed" | "open" | "half-open";
}

/**
 * Stops calling a model that keeps failing: after `failureThreshold` failures in a row the
 * circuit opens and every call falls back at once; after `openMs` one trial call goes
 * through (half-open), and its outcome closes or re-opens the circuit.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 3;
  const openMs = options.openMs ?? 30_000;
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt = 0;
  let state: CircuitBreaker["state"] = "closed";
  let trialInFlight = false;
  return {
    get state() {
      return state;
    },
    allow() {
      if (state === "closed") return true;
      if (state === "open" && now() - openedAt >= openMs) {
        state = "half-open";
        trialInFlight = false;
      }
      if (state === "half-open" && !trialInFlight) {
        trialInFlight = true;
        return true;
      }
      return false;
    },
    success() {
      const wasOpen = state !== "closed";
      failures = 0;
      state = "closed";
      trialInFlight = false;
      if (wasOpen) options.onClose?.();
    },
    failure() {
      failures += 1;
      if (state === "half-open" || (state === "closed" && failures >= threshold)) {
        const wasClosed = state === "closed";
        state = "open";
        openedAt = now();
        trialInFlight = false;
        if (wasClosed) options.onOpen?.(failures);
      }
    },
  };
}
