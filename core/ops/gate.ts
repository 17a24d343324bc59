/**
 * The admission seam: the engine asks the gate before opening a session (`engine.gate`), and
 * reports the sessions that open and close. Each concern that may refuse a new session (a
 * per-address limit, the drain) is one {@link Admission} registered here, checked in order.
 */
import type { EngineGate, EngineRefusal, EngineSessionInfo } from "../engine/ports";
import type { IncomingMessage } from "../types";
import { clientAddress } from "./address";
import type { LimitName, MetricsRecorder } from "./metrics";

/** One reason to refuse new sessions. */
export interface Admission {
  /** The counter `io.metrics().limits` increments on a refusal. */
  readonly limit: LimitName;
  /** A refusal for a handshake from `address`, or undefined. */
  admit(address: string, req: IncomingMessage): EngineRefusal | undefined;
  /** A session from `address` opened (only admissions that count sessions implement it). */
  opened?(address: string): void;
  /** A session from `address` closed. */
  closed?(address: string): void;
}

/**
 * The gate the engine asks before each new session (`engine.gate`): it finds the client's
 * address (behind `trustedProxies`), asks each registered {@link Admission} in turn and counts
 * the refusals. The server's operations build it; applications meet it through the options
 * whose limits it enforces and through its refusals (HTTP 429 or 503, with `Retry-After`).
 */
export class AdmissionGate implements EngineGate {
  readonly #admissions: Admission[] = [];
  /** The admissions that count sessions (most do not). */
  readonly #counting: Admission[] = [];
  readonly #trusted: ReadonlySet<string> | null;
  readonly #metrics: () => MetricsRecorder | null;

  constructor(
    trustedProxies: readonly string[] | undefined,
    metrics: () => MetricsRecorder | null,
  ) {
    this.#trusted = trustedProxies && trustedProxies.length > 0 ? new Set(trustedProxies) : null;
    this.#metrics = metrics;
  }

  /** Adds a reason to refuse (one registration per concern). */
  register(admission: Admission): void {
    this.#admissions.push(admission);
    if (admission.opened !== undefined || admission.closed !== undefined) {
      this.#counting.push(admission);
    }
  }

  /** The address the limits count for `req`. */
  addressOf(req: IncomingMessage): string {
    return clientAddress(req, this.#trusted);
  }

  admit(req: IncomingMessage): EngineRefusal | undefined {
    const admissions = this.#admissions;
    if (admissions.length === 0) return undefined;
    const address = this.addressOf(req);
    for (let i = 0; i < admissions.length; i++) {
      const refusal = admissions[i].admit(address, req);
      if (refusal !== undefined) {
        const metrics = this.#metrics();
        if (metrics !== null) metrics.limits[admissions[i].limit]++;
        return refusal;
      }
    }
    return undefined;
  }

  opened(session: EngineSessionInfo): void {
    const counting = this.#counting;
    if (counting.length === 0) return;
    const address = this.addressOf(session.request);
    for (let i = 0; i < counting.length; i++) counting[i].opened?.(address);
  }

  closed(session: EngineSessionInfo): void {
    const counting = this.#counting;
    if (counting.length === 0) return;
    const address = this.addressOf(session.request);
    for (let i = 0; i < counting.length; i++) counting[i].closed?.(address);
  }
}
