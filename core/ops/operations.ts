/**
 * The operations of one server, built from its options: the metrics recorder, the admission
 * gate (per-address limits, drain), the per-socket event limiter. The server owns one and
 * wires it into its engine (`bindEngine`); the Socket.IO layer calls its named members.
 */
import { createError } from "../errors";
import type { EngineCounters, EngineGate } from "../engine/ports";
import { Drainer, type DrainOptions, type DrainResult, type DrainTarget } from "./drain";
import { EventRateLimiter, type EventRateLimitOptions } from "./event-limit";
import { AdmissionGate } from "./gate";
import { ConnectionsPerAddress, HandshakesPerSecond } from "./limits";
import { MetricsRecorder, takeSnapshot, type MetricsSnapshot, type MetricsSource } from "./metrics";

/** The server options of this layer (all off by default). */
export interface OperationsOptions {
  /** Count packets, bytes, handshakes, disconnects, ... for `io.metrics()` (false). */
  metrics?: boolean;
  /** Open connections one client address may hold; past it, 429 (off). */
  maxConnectionsPerAddress?: number;
  /** Handshakes per client address per second; past it, 429 (off). */
  maxHandshakesPerSecond?: number;
  /**
   * Addresses of the reverse proxies whose `X-Forwarded-For` is believed, for the per-address
   * limits (none: the TCP peer address is the client's).
   */
  trustedProxies?: string[];
  /** Inbound events per socket: a token bucket with a policy (off). */
  eventRateLimit?: EventRateLimitOptions;
  /** Drain before `io.close()` (and so in the integrations' shutdown): the drain options (off). */
  drainOnClose?: boolean | DrainOptions;
}

function fail(name: string, expected: string, value: unknown): never {
  let shown: string;
  try {
    shown = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    shown = String(value);
  }
  if (typeof value === "string") shown = JSON.stringify(value);
  throw createError("INVALID_OPTION", { name, expected, value: shown });
}

function checkPositive(name: string, value: unknown, integer: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== "number" ||
    !(value > 0) ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    fail(name, integer ? "a positive integer" : "a positive number", value);
  }
}

/** Checks this layer's options up front, with exact messages. */
export function validateOperationsOptions(opts: OperationsOptions): void {
  if (opts.metrics !== undefined && typeof opts.metrics !== "boolean") {
    fail("metrics", "a boolean", opts.metrics);
  }
  checkPositive("maxConnectionsPerAddress", opts.maxConnectionsPerAddress, true);
  checkPositive("maxHandshakesPerSecond", opts.maxHandshakesPerSecond, false);
  const proxies = opts.trustedProxies as unknown;
  if (
    proxies !== undefined &&
    (!Array.isArray(proxies) || proxies.some((p) => typeof p !== "string" || p === ""))
  ) {
    fail("trustedProxies", "an array of IP addresses", proxies);
  }
  const limit = opts.eventRateLimit as unknown;
  if (limit !== undefined) {
    if (typeof limit !== "object" || limit === null) {
      fail("eventRateLimit", "an object { rate, burst?, policy? }", limit);
    }
    const { rate, burst, policy } = limit as EventRateLimitOptions;
    if (rate === undefined) fail("eventRateLimit.rate", "a positive number", rate);
    checkPositive("eventRateLimit.rate", rate, false);
    if (burst !== undefined && (typeof burst !== "number" || !(burst >= 1))) {
      fail("eventRateLimit.burst", "a number >= 1", burst);
    }
    if (policy !== undefined && policy !== "drop" && policy !== "disconnect") {
      fail("eventRateLimit.policy", '"drop" or "disconnect"', policy);
    }
  }
  const drain = opts.drainOnClose as unknown;
  if (drain !== undefined && typeof drain !== "boolean") {
    if (typeof drain !== "object" || drain === null) {
      fail("drainOnClose", "a boolean or { timeout, retryAfter }", drain);
    }
    validateDrainOptions(drain as DrainOptions, "drainOnClose.");
  }
}

/** Checks the options of `io.drain()`. */
export function validateDrainOptions(opts: DrainOptions, prefix = ""): void {
  const { timeout, retryAfter } = opts;
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout >= 0))) {
    fail(prefix + "timeout", "a number >= 0", timeout);
  }
  checkPositive(prefix + "retryAfter", retryAfter, true);
}

/**
 * The operations side of one Socket.IO server: metrics, admission limits, the event limiter
 * and the drain, built from the server's options and bound to each engine it uses. Internal:
 * applications reach it through `io.metrics()`, `io.drain()` and the options.
 */
export class Operations {
  /** The counters; null until the `metrics` option or {@link enableMetrics} turns them on. */
  metrics: MetricsRecorder | null;
  /** The per-socket event limiter; null unless `eventRateLimit` is set. */
  readonly events: EventRateLimiter | null;
  readonly #gate: AdmissionGate;
  readonly #drainer = new Drainer();
  readonly #handshakeRate: HandshakesPerSecond | null = null;
  readonly #drainOnClose: DrainOptions | null;
  #gateUsed = false;
  #engines: { counters: EngineCounters | null; gate: EngineGate | null }[] = [];

  constructor(opts: OperationsOptions) {
    this.metrics = opts.metrics ? new MetricsRecorder() : null;
    const recorder = (): MetricsRecorder | null => this.metrics;
    this.#gate = new AdmissionGate(opts.trustedProxies, recorder);
    if (opts.maxConnectionsPerAddress !== undefined) {
      this.#gate.register(new ConnectionsPerAddress(opts.maxConnectionsPerAddress));
      this.#gateUsed = true;
    }
    if (opts.maxHandshakesPerSecond !== undefined) {
      this.#handshakeRate = new HandshakesPerSecond(opts.maxHandshakesPerSecond);
      this.#gate.register(this.#handshakeRate);
      this.#gateUsed = true;
    }
    this.events = opts.eventRateLimit ? new EventRateLimiter(opts.eventRateLimit, recorder) : null;
    this.#drainOnClose = opts.drainOnClose
      ? opts.drainOnClose === true
        ? {}
        : opts.drainOnClose
      : null;
  }

  /** Wires the counters and the gate into an engine (ours: other engines are left alone). */
  bindEngine(engine: object): void {
    if (!("gate" in engine) || !("counters" in engine)) return;
    const e = engine as { counters: EngineCounters | null; gate: EngineGate | null };
    e.counters = this.metrics;
    e.gate = this.#gateUsed ? this.#gate : null;
    this.#engines.push(e);
  }

  /**
   * Turns the counters on after construction (an exporter registered on a server created
   * without `metrics: true`): every bound engine counts from now on; counters start at zero.
   */
  enableMetrics(): void {
    if (this.metrics !== null) return;
    this.metrics = new MetricsRecorder();
    for (const engine of this.#engines) engine.counters = this.metrics;
  }

  /** The drain options of `io.close()`, or null. */
  get drainOnClose(): DrainOptions | null {
    return this.#drainOnClose;
  }

  get draining(): boolean {
    return this.#drainer.draining;
  }

  snapshot(source: MetricsSource): MetricsSnapshot {
    return takeSnapshot(source, this.metrics);
  }

  drain<S>(target: DrainTarget<S>, opts: DrainOptions = {}): Promise<DrainResult> {
    validateDrainOptions(opts);
    if (!this.#gateUsed) {
      // the drain is the first reason to refuse: the engines get the gate now
      this.#gateUsed = true;
      for (const engine of this.#engines) engine.gate = this.#gate;
    }
    if (!this.#drainer.draining) this.#gate.register(this.#drainer);
    return this.#drainer.drain(target, opts);
  }

  /** Stops the timers (the server closed). */
  stop(): void {
    this.#handshakeRate?.stop();
  }
}
