import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface RateCheck {
  ok: boolean;
  /** Seconds until the next message is accepted, when not ok. */
  retryAfter: number;
}

/**
 * The per-address ceiling of visitor messages, as a multiple of the per-session budget: the
 * people of one clinic, office or mobile network share an address, and must not run out
 * together after a few conversations.
 */
export const ADDRESS_CEILING_FACTOR = 10;
/** Booking and call-back requests per address per minute, a budget of their own. */
export const BOOKINGS_PER_MIN = 10;
/** Feedback (a rating, a comment) per address per minute, a budget of its own. */
export const FEEDBACK_PER_MIN = 60;

export interface VisitorRateLimiter {
  /** A chat message: against its session's budget, and its address's much higher ceiling. */
  message(address: string, sessionId?: string): Promise<RateCheck>;
  /**
   * A booking or call-back request: never against the chat's budget, so the form the bot just
   * offered can be sent after a long conversation.
   */
  booking(address: string): Promise<RateCheck>;
  feedback(address: string): Promise<RateCheck>;
}

/**
 * Visitor requests per minute (rate-limiter-flexible, in memory): `perMinute` messages per
 * session, `ADDRESS_CEILING_FACTOR` times as many per client address, and bookings and
 * feedback on budgets of their own. `perMinute` 0 turns limiting off (bench, load tests).
 */
export function createVisitorRateLimiter(perMinute: number): VisitorRateLimiter {
  const open = async (): Promise<RateCheck> => ({ ok: true, retryAfter: 0 });
  if (perMinute === 0) return { message: open, booking: open, feedback: open };
  const budget = (keyPrefix: string, points: number) =>
    new RateLimiterMemory({ keyPrefix, points, duration: 60 });
  const bySession = budget("session", perMinute);
  const byAddress = budget("addr", perMinute * ADDRESS_CEILING_FACTOR);
  const bookings = budget("bookings", BOOKINGS_PER_MIN);
  const feedback = budget("feedback", FEEDBACK_PER_MIN);
  const check = async (...steps: [RateLimiterMemory, string][]): Promise<RateCheck> => {
    try {
      for (const [limiter, key] of steps) await limiter.consume(key);
      return { ok: true, retryAfter: 0 };
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        return { ok: false, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      }
      throw error;
    }
  };
  return {
    message: (address, sessionId) =>
      check(
        [byAddress, addressKey(address)],
        ...(sessionId ? [[bySession, sessionId] as [RateLimiterMemory, string]] : []),
      ),
    booking: (address) => check([bookings, addressKey(address)]),
    feedback: (address) => check([feedback, addressKey(address)]),
  };
}

/**
 * Wrong credentials allowed per client address per minute, over every door together: the
 * staff sign-in, bearer tokens on /api/staff and /api/admin, and tokens on the /staff and
 * /admin socket namespaces. Counted per address, so one guesser locks out only its own
 * address (behind a proxy, TRUST_PROXY must name the hops, or every visitor is the proxy).
 */
export const AUTH_FAILURES_PER_MIN = 5;

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
