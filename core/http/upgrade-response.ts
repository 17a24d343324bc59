/**
 * What both hosts share about an upgrade request: the response object `engine.use()`
 * middlewares see on it (headers they set join the 101 answer; ending it refuses the upgrade)
 * and the status, text and Retry-After of a refused upgrade, as engine.io answers them.
 */
import { EventEmitter } from "node:events";
import { STATUS_CODES } from "node:http";
import { EngineErrorCode, engineErrorMessages, engineErrorStatus } from "../errors";
import type { EngineRequest } from "../types";

const kResponseHeaders = Symbol("socketkit.responseHeaders");

/** An upgrade request, with the headers its middlewares set for the 101 answer. */
export type UpgradeRequest = EngineRequest & { [kResponseHeaders]?: Record<string, string> };

/** Takes the headers middlewares set for the 101 answer of `req` (undefined: none). */
export function takeUpgradeHeaders(req: UpgradeRequest): Record<string, string> | undefined {
  const headers = req[kResponseHeaders];
  req[kResponseHeaders] = undefined;
  return headers;
}

/**
 * The response object middlewares see on an upgrade request: headers they set are added to the
 * 101 answer; ending it refuses the upgrade (`refuse`, the host's way to drop the connection).
 */
export class UpgradeResponse extends EventEmitter {
  readonly #req: UpgradeRequest;
  readonly #refuse: () => void;
  headersSent = false;
  writableEnded = false;

  constructor(req: UpgradeRequest, refuse: () => void) {
    super();
    this.#req = req;
    this.#refuse = refuse;
    req[kResponseHeaders] = {};
  }
  setHeader(name: string, value: string): this {
    (this.#req[kResponseHeaders] ??= {})[name] = value;
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.#req[kResponseHeaders]?.[name];
  }
  removeHeader(name: string): void {
    delete this.#req[kResponseHeaders]?.[name];
  }
  write(): boolean {
    return true;
  }
  writeHead(): this {
    return this;
  }
  end(): this {
    this.writableEnded = true;
    this.emit("finish");
    this.#refuse();
    return this;
  }
}

/** The answer to a refused upgrade. */
export interface UpgradeRefusal {
  status: number;
  /** The status line's text ("Bad Request" for a status node:http does not name). */
  reason: string;
  message: string;
  retryAfter: number | undefined;
}

/**
 * How a refused upgrade is answered, as engine.io: the code's upgrade status (400) with its
 * message as text; a refusal of the admission seam (core/ops) keeps its status and says when to
 * come back.
 */
export function upgradeRefusal(
  code: EngineErrorCode,
  context: Record<string, unknown> = {},
): UpgradeRefusal {
  const status =
    typeof context.status === "number" ? context.status : engineErrorStatus(code).upgrade;
  return {
    status,
    reason: STATUS_CODES[status] ?? "Bad Request",
    message:
      typeof context.message === "string" && context.message
        ? context.message
        : engineErrorMessages[code],
    retryAfter: typeof context.retryAfter === "number" ? context.retryAfter : undefined,
  };
}
