/**
 * The answer to a request received by µWebSockets.js, as the engine and `engine.use()`
 * middlewares write one (`statusCode`, `setHeader`, `writeHead`, `write`, `end`, the `finish`
 * and `close` events).
 *
 * uWS's rules are kept here, in one place: the whole answer goes out in one corked call at
 * `end()` (status, headers and the body written so far: one kernel write), and nothing touches
 * the uWS response once it was aborted (the client went) or ended.
 */
import { EventEmitter } from "node:events";
import { STATUS_CODES, type OutgoingHttpHeaders } from "node:http";
import type { UwsHttpResponse } from "./types";

type HeaderValue = number | string | readonly string[];

/** Headers uWS writes itself (from the body it is given); a copy would be a second header. */
function writtenByUws(lowerName: string): boolean {
  return lowerName === "content-length" || lowerName === "transfer-encoding";
}

function onResponseAborted(this: UwsResponse): void {
  this.abort();
}

/** The answer to a uWS request, written in one corked call at `end()`. */
export class UwsResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = "";
  /** The headers set so far, by lower-cased name: [name as given, value]. */
  readonly #headers = new Map<string, [string, HeaderValue]>();
  readonly #res: UwsHttpResponse;
  #body: (string | Buffer)[] | null = null;
  #ended = false;
  #aborted = false;
  #headersSent = false;
  /** Called when the client went before the answer (the request's own abort). */
  onAbort: (() => void) | null = null;

  constructor(res: UwsHttpResponse) {
    super();
    this.#res = res;
    res.onAborted(onResponseAborted.bind(this));
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get writableEnded(): boolean {
    return this.#ended;
  }

  get finished(): boolean {
    return this.#ended;
  }

  get destroyed(): boolean {
    return this.#aborted;
  }

  get writable(): boolean {
    return !this.#ended && !this.#aborted;
  }

  /** Whether the client went before the answer. */
  get aborted(): boolean {
    return this.#aborted;
  }

  setHeader(name: string, value: HeaderValue): this {
    this.#headers.set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.#headers.get(name.toLowerCase())?.[1];
  }

  getHeaders(): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    for (const [key, [, value]] of this.#headers) headers[key] = value as string | string[];
    return headers;
  }

  getHeaderNames(): string[] {
    return [...this.#headers.keys()];
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  writeHead(
    status: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders,
    maybeHeaders?: OutgoingHttpHeaders,
  ): this {
    this.statusCode = status;
    let headers = maybeHeaders;
    if (typeof reasonOrHeaders === "string") this.statusMessage = reasonOrHeaders;
    else headers = reasonOrHeaders;
    if (headers) {
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (value !== undefined) this.setHeader(name, value);
      }
    }
    return this;
  }

  /** Keeps a part of the body; everything goes out at `end()`. */
  write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean {
    if (!this.writable) return false;
    (this.#body ??= []).push(typeof chunk === "string" ? chunk : Buffer.from(chunk));
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: unknown, cb?: () => void): this {
    if (typeof chunk === "function") {
      cb = chunk;
      chunk = undefined;
    } else if (typeof encoding === "function") {
      cb = encoding as () => void;
    }
    if (this.#ended || this.#aborted) return this;
    if (chunk !== undefined && chunk !== null) this.write(chunk);
    this.#ended = true;
    this.#headersSent = true;
    const body = this.#body;
    this.#body = null;
    const res = this.#res;
    res.cork(() => {
      const reason = this.statusMessage || STATUS_CODES[this.statusCode] || "Unknown";
      res.writeStatus(`${this.statusCode} ${reason}`);
      for (const [lower, [name, value]] of this.#headers) {
        if (writtenByUws(lower)) continue;
        if (Array.isArray(value)) for (const v of value as string[]) res.writeHeader(name, v);
        else res.writeHeader(name, String(value));
      }
      if (body === null) res.end();
      else if (body.length === 1) res.end(body[0]);
      else res.end(Buffer.concat(body.map((b) => (typeof b === "string" ? Buffer.from(b) : b))));
    });
    this.emit("finish");
    if (cb) process.nextTick(cb);
    process.nextTick(emitClose, this);
    return this;
  }

  /** Ends the connection without an answer (a request destroyed before it was answered). */
  destroy(): this {
    if (this.#ended || this.#aborted) return this;
    this.#aborted = true;
    this.#res.close();
    return this;
  }

  /** @internal the client went: nothing may be written any more */
  abort(): void {
    if (this.#aborted || this.#ended) return;
    this.#aborted = true;
    this.onAbort?.();
    this.emit("close");
  }

  /**
   * Node's ServerResponse method for a body written before `writeHead()`: express-session's
   * `res.end` calls it (through on-headers, so that its Set-Cookie hook runs first).
   */
  _implicitHeader(): void {
    this.writeHead(this.statusCode);
  }

  // what express-session and on-headers probe on a response
  flushHeaders(): void {}
  cork(): void {}
  uncork(): void {}
}

function emitClose(res: UwsResponse): void {
  res.emit("close");
}
