/**
 * The per-socket inbound event limit (`eventRateLimit`, off by default): a token bucket per
 * socket of `burst` events, refilled at `rate` events per second. An event past it is dropped
 * and reported to the socket's "error" listeners (policy "drop"), or the socket is
 * disconnected with the reason {@link EVENT_RATE_DISCONNECT_REASON} (policy "disconnect").
 */
import { createError } from "../errors";
import type { MetricsRecorder } from "./metrics";

export interface EventRateLimitOptions {
  /** Events per second a socket may send, on average. */
  rate: number;
  /** Events a socket may send at once, after a quiet period (`rate`, at least 1). */
  burst?: number;
  /** What happens to an event past the limit: "drop" (the default) or "disconnect". */
  policy?: "drop" | "disconnect";
}

/** The server-side disconnect reason of a socket closed by the "disconnect" policy. */
export const EVENT_RATE_DISCONNECT_REASON = "event rate limit exceeded";

/** A socket's bucket, created with its first event. */
export interface EventBucket {
  tokens: number;
  at: number;
}

/** What the limiter needs of a socket. */
export interface RateLimitedSocket {
  readonly connected: boolean;
  eventBucket: EventBucket | null;
  /** Reports an error to the socket's "error" listeners (none: nothing happens). */
  onerror(err: Error): void;
  /** Sends DISCONNECT to the client and leaves the namespace with `reason`. */
  disconnectWithReason(reason: typeof EVENT_RATE_DISCONNECT_REASON): void;
}

function reportDrop(socket: RateLimitedSocket, err: Error): void {
  socket.onerror(err);
}

/**
 * The `eventRateLimit` option at work: it admits or refuses each incoming event of a socket
 * against that socket's token bucket (kept on the socket, made with its first event). Created
 * by the server when the option is set; applications meet it only through its effect, an
 * "error" on the socket or a disconnection with its reason.
 */
export class EventRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #disconnect: boolean;
  readonly #metrics: () => MetricsRecorder | null;

  constructor(opts: EventRateLimitOptions, metrics: () => MetricsRecorder | null) {
    this.#rate = opts.rate;
    this.#burst = opts.burst ?? Math.max(1, opts.rate);
    this.#disconnect = opts.policy === "disconnect";
    this.#metrics = metrics;
  }

  /** Whether the socket may have this event (`[name, ...args]`); past the limit, applies the policy. */
  admit(socket: RateLimitedSocket, event: readonly unknown[]): boolean {
    // the rest of a batch that arrived with the event that disconnected the socket
    if (!socket.connected) return false;
    const now = performance.now();
    let bucket = socket.eventBucket;
    if (bucket === null) {
      bucket = socket.eventBucket = { tokens: this.#burst, at: now };
    } else {
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + ((now - bucket.at) * this.#rate) / 1000,
      );
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    const metrics = this.#metrics();
    if (metrics !== null) metrics.limits.eventRate++;
    if (this.#disconnect) {
      socket.disconnectWithReason(EVENT_RATE_DISCONNECT_REASON);
    } else {
      const err = createError("EVENT_RATE_LIMITED", { event: event[0], rate: this.#rate });
      // after the current packet, as the errors of socket middlewares are reported
      process.nextTick(reportDrop, socket, err);
    }
    return false;
  }
}
