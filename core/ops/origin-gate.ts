/**
 * The origin gate: the `allowedOrigins` option, checked on every request the engine verifies —
 * the handshake, each long-polling request and each WebSocket upgrade. CORS only tells a browser
 * whether a page may read a response, and does not apply to WebSocket upgrades at all: a refused
 * origin here gets Engine.IO's Forbidden answer (HTTP 403 over polling, a refused upgrade over
 * WebSocket), so a page from another site cannot open a session with the user's cookies.
 *
 * Requests without an Origin header (non-browser clients) pass unless `allowMissingOrigin` is
 * false. Without `allowedOrigins`, no gate is created and requests pay nothing for it.
 */
import { createError } from "../errors";
import type { EngineOriginGate } from "../engine/ports";
import type { AllowedOrigins, EngineRequest, OriginCheck } from "../types";

export interface OriginGateOptions {
  /** The origins allowed to open and use sessions: exact strings ("*": any), RegExps, or a function. */
  allowedOrigins?: AllowedOrigins;
  /** Whether a request without an Origin header passes the gate (true). */
  allowMissingOrigin?: boolean;
}

function invalid(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", {
    name,
    expected,
    value: typeof value === "string" ? JSON.stringify(value) : value,
  });
}

/** Checks the gate's options up front (exact messages, `SIO_ERR_INVALID_OPTION`). */
export function validateOriginGateOptions(opts: OriginGateOptions): void {
  const allowed = opts.allowedOrigins as unknown;
  if (allowed !== undefined && typeof allowed !== "function") {
    const list = Array.isArray(allowed) ? allowed : [allowed];
    for (const entry of list) {
      if (typeof entry !== "string" && !(entry instanceof RegExp)) {
        invalid(
          "allowedOrigins",
          "a string, a RegExp, an array of them, or a function (origin, callback)",
          entry,
        );
      }
    }
  }
  const missing = opts.allowMissingOrigin as unknown;
  if (missing !== undefined && typeof missing !== "boolean") {
    invalid("allowMissingOrigin", "a boolean", missing);
  }
}

function refusal(origin: string | undefined, message?: string): Record<string, unknown> {
  return message
    ? { name: "ORIGIN_NOT_ALLOWED", origin, message }
    : { name: "ORIGIN_NOT_ALLOWED", origin };
}

/** The gate of a list of exact origins and RegExps (synchronous). */
class ListOriginGate implements EngineOriginGate {
  readonly #any: boolean;
  readonly #exact: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #allowMissing: boolean;

  constructor(list: readonly (string | RegExp)[], allowMissing: boolean) {
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const entry of list) {
      if (typeof entry === "string") exact.add(entry);
      else patterns.push(entry);
    }
    this.#any = exact.has("*");
    this.#exact = exact;
    this.#patterns = patterns;
    this.#allowMissing = allowMissing;
  }

  check(req: EngineRequest, done: (refusal?: Record<string, unknown>) => void): void {
    const origin = req.headers.origin;
    if (origin === undefined) {
      done(this.#allowMissing ? undefined : refusal(undefined));
      return;
    }
    if (this.#any || this.#exact.has(origin)) {
      done();
      return;
    }
    for (const pattern of this.#patterns) {
      pattern.lastIndex = 0; // a global or sticky RegExp keeps state between tests
      if (pattern.test(origin)) {
        done();
        return;
      }
    }
    done(refusal(origin));
  }
}

/** The gate of a function `(origin, callback, req)`, as socket.io 2.x's `origins(fn)`. */
class FunctionOriginGate implements EngineOriginGate {
  readonly #check: OriginCheck;
  readonly #allowMissing: boolean;

  constructor(check: OriginCheck, allowMissing: boolean) {
    this.#check = check;
    this.#allowMissing = allowMissing;
  }

  check(req: EngineRequest, done: (refusal?: Record<string, unknown>) => void): void {
    const origin = req.headers.origin;
    if (origin === undefined && this.#allowMissing) {
      done();
      return;
    }
    let answered = false;
    const answer = (err: string | Error | null | undefined, allow?: boolean): void => {
      if (answered) return;
      answered = true;
      if (err) done(refusal(origin, err instanceof Error ? err.message : String(err)));
      else done(allow === true ? undefined : refusal(origin));
    };
    try {
      this.#check(origin, answer, req);
    } catch (e) {
      answer(e instanceof Error ? e : String(e));
    }
  }
}

/** The gate for these options, or null when `allowedOrigins` is not set (no gate, no cost). */
export function createOriginGate(opts: OriginGateOptions): EngineOriginGate | null {
  validateOriginGateOptions(opts);
  const allowed = opts.allowedOrigins;
  if (allowed === undefined) return null;
  const allowMissing = opts.allowMissingOrigin !== false;
  if (typeof allowed === "function") return new FunctionOriginGate(allowed, allowMissing);
  const list: readonly (string | RegExp)[] = Array.isArray(allowed)
    ? allowed
    : [allowed as string | RegExp];
  return new ListOriginGate(list, allowMissing);
}
