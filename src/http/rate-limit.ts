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
        await byAddress.consume(addressKey(address));
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

/** Counts failures (wrong sign-ins) per key; success does not count. */
export interface FailureLimiter {
  /** Seconds until the key may try again, or 0 when it may now. */
  blockedFor(key: string): Promise<number>;
  /** Counts one failure; resolves to 0, or to the seconds to wait when over the limit. */
  fail(key: string): Promise<number>;
  /** Forgets the key's failures (after a success). */
  reset(key: string): Promise<void>;
}

/**
 * At most `perMinute` failures per key in a minute (rate-limiter-flexible, in memory); the
 * next attempt within that minute is refused whatever it carries, so guessing stays slow.
 */
export function createFailureLimiter(perMinute: number, keyPrefix = "failures"): FailureLimiter {
  const limiter = new RateLimiterMemory({ keyPrefix, points: perMinute, duration: 60 });
  const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return {
    async blockedFor(key) {
      const res = await limiter.get(addressKey(key));
      return res && res.consumedPoints >= perMinute ? seconds(res) : 0;
    },
    async fail(key) {
      try {
        await limiter.consume(addressKey(key));
        return 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return seconds(error);
        throw error;
      }
    },
    async reset(key) {
      await limiter.delete(addressKey(key));
    },
  };
}

/**
 * What an address is counted as: an IPv6 client usually holds a whole /64, so its addresses
 * are counted together by that prefix; IPv4 (also IPv4-mapped IPv6) as it is.
 */
export function addressKey(address: string): string {
  if (!address.includes(":") || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase() || "0")
    .join(":")}::/64`;
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

/** The client address of an HTTP request (Express applies TRUST_PROXY to `req.ip`). */
export function requestAddress(req: {
  ip?: string | undefined;
  socket: { remoteAddress?: string | undefined };
}): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}
