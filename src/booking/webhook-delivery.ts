import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { OutboxRepository } from "../store/outbox.js";

export const BOOKING_TOPIC = "booking.created";

export interface WebhookDeliveryDeps {
  outbox: OutboxRepository;
  url: string;
  /** With a secret, each request carries `X-Signature: sha256=<HMAC-SHA256 of the body>`. */
  secret?: string | undefined;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How often due entries are looked for, besides `wake()` after a new booking. */
  pollMs?: number;
  /** One attempt's time limit. */
  timeoutMs?: number;
}

export interface WebhookDelivery {
  /** Delivers everything due now; resolves to how many were delivered. */
  deliverDue(): Promise<number>;
  /** Starts polling; a new booking can `wake()` it early. */
  start(): void;
  wake(): void;
  /** Stops polling and waits for a delivery in progress. */
  stop(): Promise<void>;
}

/** 2 s, 4 s, 8 s … up to 10 minutes, with up to 20% jitter so retries do not bunch up. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(2000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
  return Math.round(base * (1 + 0.2 * random()));
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Delivers bookings from the outbox to the clinic's webhook: POST as JSON with an
 * `Idempotency-Key` (the booking id), retried with backoff until the endpoint answers 2xx.
 * The outbox row is written with the booking, so nothing is lost while the webhook is down
 * or the service restarts.
 */
export function createWebhookDelivery(deps: WebhookDeliveryDeps): WebhookDelivery {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? 5000;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;

  async function deliverOnce(): Promise<number> {
    let delivered = 0;
    for (const entry of deps.outbox.due(now(), 20)) {
      const body = JSON.stringify({ event: entry.topic, data: entry.payload });
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "Idempotency-Key": entry.key,
      };
      if (deps.secret) headers["X-Signature"] = signature(deps.secret, body);
      try {
        const response = await doFetch(deps.url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The body is not needed; release it so the connection goes back to the pool.
        await response.body?.cancel();
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
        deps.outbox.markDelivered(entry.id, now());
        delivered += 1;
      } catch (error) {
        const attempts = entry.attempts + 1;
        const next = new Date(now().getTime() + backoffMs(attempts));
        deps.outbox.markFailed(
          entry.id,
          error instanceof Error ? error.message : String(error),
          next,
        );
        deps.logger.warn(
          { outboxId: entry.id, attempts, retryAt: next.toISOString() },
          "booking webhook failed",
        );
      }
    }
    return delivered;
  }

  function deliverDue(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = deliverOnce()
      .catch((error: unknown) => {
        // The database was busy or failing: nothing was lost, the next poll tries again.
        deps.logger.error({ err: error }, "booking webhook delivery could not read the outbox");
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void deliverDue();
        }
      });
    return running;
  }

  return {
    deliverDue,
    start() {
      timer ??= setInterval(() => void deliverDue(), pollMs);
      timer.unref();
      void deliverDue();
    },
    wake() {
      void deliverDue();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
