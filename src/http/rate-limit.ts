import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface RateCheck {
  ok: boolean;
  /** Seconds until the next message is accepted, when not ok. */
  retryAfter: number;
}

export interface MessageRateLimiter {
  /** Counts one message against the client address and, separately, the session. */
  consume(address: string, sessionId?: string): Promise<RateCheck>;
}

/**
 * Visitor messages per minute, counted per client address and per session id
 * (rate-limiter-flexible, in memory). `perMinute` 0 turns limiting off (bench, load tests).
 */
export function createMessageRateLimiter(perMinute: number): MessageRateLimiter {
  if (perMinute === 0) return { consume: async () => ({ ok: true, retryAfter: 0 }) };
  const byAddress = new RateLimiterMemory({ keyPrefix: "addr", points: perMinute, duration: 60 });
  const bySession = new RateLimiterMemory({
    keyPrefix: "session",
    points: perMinute,
    duration: 60,
  });
  return {
    async consume(address, sessionId) {
      try {
        await byAddress.consume(address);
        if (sessionId) await bySession.consume(sessionId);
        return { ok: true, retryAfter: 0 };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          return { ok: false, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
        }
        throw error;
      }
    },
  };
}

/**
 * The client address behind `hops` trusted proxies, from the socket's own address and
 * X-Forwarded-For, as Express's "trust proxy" does for HTTP.
 */
export function clientAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  hops: number,
): string {
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const addresses = [remote ?? "unknown", ...chain];
  return addresses[Math.min(hops, addresses.length - 1)] as string;
}
