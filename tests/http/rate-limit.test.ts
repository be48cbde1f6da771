import { describe, expect, it } from "vitest";
import {
  ADDRESS_CEILING_FACTOR,
  addressKey,
  BOOKINGS_PER_MIN,
  clientAddress,
  createVisitorRateLimiter,
} from "../../src/http/rate-limit.js";

describe("rate limits", () => {
  it("counts an IPv6 client by its /64 and IPv4 by its address", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("::ffff:203.0.113.7");
  });

  it("limits addresses of one /64 together", async () => {
    const limiter = createVisitorRateLimiter(1);
    for (let i = 0; i < ADDRESS_CEILING_FACTOR; i++) {
      expect((await limiter.message(`2001:db8:1:2::${i + 1}`)).ok).toBe(true);
    }
    expect((await limiter.message("2001:db8:1:2::ff")).ok).toBe(false);
    expect((await limiter.message("2001:db8:1:3::1")).ok).toBe(true);
  });

  it("limits messages per session first, under a much higher ceiling for a shared address", async () => {
    const limiter = createVisitorRateLimiter(2);
    const office = "203.0.113.20";
    // One visitor's session runs out after its own budget...
    expect((await limiter.message(office, "session-a")).ok).toBe(true);
    expect((await limiter.message(office, "session-a")).ok).toBe(true);
    const over = await limiter.message(office, "session-a");
    expect(over.ok).toBe(false);
    expect(over.retryAfter).toBeGreaterThan(0);
    // ...while colleagues behind the same address go on chatting, up to the address's ceiling.
    let accepted = 3;
    for (let i = 0; accepted < 2 * ADDRESS_CEILING_FACTOR; i++) {
      expect((await limiter.message(office, `colleague-${i}`)).ok).toBe(true);
      accepted++;
    }
    expect((await limiter.message(office, "one-more")).ok).toBe(false);
  });

  it("gives bookings and feedback budgets of their own: a long chat never blocks the form", async () => {
    const limiter = createVisitorRateLimiter(2);
    const visitor = "198.51.100.30";
    while ((await limiter.message(visitor, "chatty")).ok);
    expect((await limiter.booking(visitor)).ok).toBe(true);
    expect((await limiter.feedback(visitor)).ok).toBe(true);
    for (let i = 1; i < BOOKINGS_PER_MIN; i++)
      expect((await limiter.booking(visitor)).ok).toBe(true);
    expect((await limiter.booking(visitor)).ok).toBe(false);
    expect((await limiter.message(visitor, "another-session")).ok).toBe(true);
  });

  it("takes the client address behind the trusted proxies only", () => {
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 0)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 1)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 5)).toBe("198.51.100.1");
  });
});
