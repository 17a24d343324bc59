/**
 * Per-address abuse limits (off by default): open connections per client address, and
 * handshakes per address per second. Each is an {@link Admission} on the gate; a refused
 * handshake gets HTTP 429 with `Retry-After` (polling) or a refused upgrade (WebSocket).
 */
import { errorMessage, errorRegistry } from "../errors";
import type { EngineRefusal } from "../engine/ports";
import type { Admission } from "./gate";

/** `maxConnectionsPerAddress`: sessions one address may hold open at a time. */
export class ConnectionsPerAddress implements Admission {
  readonly limit = "connectionsPerAddress" as const;
  readonly #max: number;
  readonly #open = new Map<string, number>();
  readonly #refusal: EngineRefusal;

  constructor(max: number) {
    this.#max = max;
    this.#refusal = Object.freeze({
      status: errorRegistry.TOO_MANY_CONNECTIONS.status.http,
      retryAfter: 1,
      reason: "TOO_MANY_CONNECTIONS",
      message: errorMessage("TOO_MANY_CONNECTIONS", { max }),
    });
  }

  admit(address: string): EngineRefusal | undefined {
    return (this.#open.get(address) ?? 0) >= this.#max ? this.#refusal : undefined;
  }

  opened(address: string): void {
    this.#open.set(address, (this.#open.get(address) ?? 0) + 1);
  }

  closed(address: string): void {
    const n = (this.#open.get(address) ?? 0) - 1;
    if (n > 0) this.#open.set(address, n);
    else this.#open.delete(address);
  }

  /** Open sessions of `address` (tests, diagnostics). */
  count(address: string): number {
    return this.#open.get(address) ?? 0;
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/** How often idle buckets (full again) are forgotten, so the table stays bounded. */
const SWEEP_INTERVAL = 10_000;

/**
 * `maxHandshakesPerSecond`: a token bucket per address holding one second's worth of
 * handshakes (at least one), refilled continuously.
 */
export class HandshakesPerSecond implements Admission {
  readonly limit = "handshakeRate" as const;
  readonly #rate: number;
  /** The bucket's size: a second's worth, at least one handshake. */
  readonly #capacity: number;
  readonly #buckets = new Map<string, Bucket>();
  #sweeper: NodeJS.Timeout | null = null;

  constructor(rate: number) {
    this.#rate = rate;
    this.#capacity = Math.max(1, rate);
  }

  admit(address: string): EngineRefusal | undefined {
    const now = performance.now();
    const rate = this.#rate;
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      bucket = { tokens: this.#capacity, at: now };
      this.#buckets.set(address, bucket);
      this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL).unref();
    } else {
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) * rate) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return {
      status: errorRegistry.HANDSHAKE_RATE.status.http,
      retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)),
      reason: "HANDSHAKE_RATE",
      message: errorMessage("HANDSHAKE_RATE", { rate }),
    };
  }

  #sweep(): void {
    const now = performance.now();
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.#rate) / 1000 >= this.#capacity) {
        this.#buckets.delete(address);
      }
    }
    if (this.#buckets.size === 0 && this.#sweeper !== null) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  /** Stops the sweeper (the server closed). */
  stop(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#buckets.clear();
  }
}
