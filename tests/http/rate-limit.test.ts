import { describe, expect, it } from "vitest";
import { addressKey, clientAddress, createMessageRateLimiter } from "../../src/http/rate-limit.js";

describe("rate limits", () => {
  it("counts an IPv6 client by its /64 and IPv4 by its address", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("::ffff:203.0.113.7");
  });

  it("limits addresses of one /64 together", async () => {
    const limiter = createMessageRateLimiter(2);
    expect((await limiter.consume("2001:db8:1:2::1")).ok).toBe(true);
    expect((await limiter.consume("2001:db8:1:2::2")).ok).toBe(true);
    expect((await limiter.consume("2001:db8:1:2::3")).ok).toBe(false);
    expect((await limiter.consume("2001:db8:1:3::1")).ok).toBe(true);
  });

  it("takes the client address behind the trusted proxies only", () => {
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 0)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 1)).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.1", "198.51.100.1, 203.0.113.9", 5)).toBe("198.51.100.1");
  });
});
