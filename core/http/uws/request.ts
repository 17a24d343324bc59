/**
 * A request received by µWebSockets.js, as the engine and `engine.use()` middlewares read a
 * request: method, url, headers, `socket.remoteAddress`, and the body as a readable stream.
 *
 * uWS's HttpRequest is only valid during the handler call and its body chunks are neutered
 * when the data handler returns, so everything is copied out here, at once: the headers while
 * the handler runs, each body chunk inside its data callback. The body is kept up to `limit`
 * bytes plus one chunk (the engine answers 413 past its `maxHttpBufferSize`); the rest is
 * dropped unread, so a hostile body never grows memory beyond that.
 */
import { Readable } from "node:stream";
import type { IncomingHttpHeaders } from "node:http";
import type { UwsHttpRequest, UwsHttpResponse } from "./types";
import { UwsResponse } from "./response";

/** What `req.socket` / `req.connection` holds on this host. */
export interface UwsPeer {
  remoteAddress: string;
  /** Whether the connection is TLS (an `SSLApp`): what socket.io's `handshake.secure` reads. */
  encrypted: boolean;
}

/** The text of a uWS ArrayBuffer (copied into a JS string). */
export function uwsText(buffer: ArrayBuffer): string {
  return Buffer.from(buffer).toString();
}

function onBodyChunk(this: UwsRequest, chunk: ArrayBuffer, isLast: boolean): void {
  this.receive(chunk, isLast);
}

/** A uWS request as the engine reads it (copied at once; the body as a bounded stream). */
export class UwsRequest extends Readable {
  readonly method: string;
  url: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion = "1.1";
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly socket: UwsPeer;
  readonly connection: UwsPeer;
  complete = false;
  /** Bytes of body kept so far. */
  #kept = 0;
  readonly #limit: number;
  #ended = false;
  /** The answer to this request (set by the host). */
  response: { destroy(): unknown } | null = null;

  constructor(req: UwsHttpRequest, res: UwsHttpResponse, limit: number, withBody: boolean) {
    super();
    this.#limit = limit;
    this.method = req.getMethod().toUpperCase();
    const query = req.getQuery();
    this.url = query ? `${req.getUrl()}?${query}` : req.getUrl();
    const headers: IncomingHttpHeaders = {};
    req.forEach((key, value) => {
      // a repeated header: joined as node:http joins most of them
      const known = headers[key];
      headers[key] = known === undefined ? value : `${String(known)}, ${value}`;
    });
    this.headers = headers;
    // uWS does not tell whether the app is TLS: never encrypted, as in socket.io's uWS path
    const peer = { remoteAddress: uwsText(res.getRemoteAddressAsText()), encrypted: false };
    this.socket = this.connection = peer;
    if (withBody) res.onData(onBodyChunk.bind(this));
    else this.#finish();
  }

  /** @internal a body chunk arrived: copied now, uWS neuters it when this returns */
  receive(chunk: ArrayBuffer, isLast: boolean): void {
    if (this.#ended) return;
    if (this.#kept <= this.#limit && chunk.byteLength > 0) {
      this.#kept += chunk.byteLength;
      this.push(Buffer.copyBytesFrom(new Uint8Array(chunk)));
    }
    if (isLast) this.#finish();
  }

  #finish(): void {
    this.#ended = true;
    this.complete = true;
    this.push(null);
  }

  /** @internal the connection went before the answer: the request is aborted */
  aborted(): void {
    if (this.destroyed) return;
    this.#ended = true;
    this.destroy();
  }

  override _read(): void {}

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // a request destroyed before its answer (a closing poll's pending data request) ends its
    // connection, as on node:http
    // (only one whose body did not fully arrive: the answer to a read body still goes out)
    if (!this.readableEnded || !this.complete) this.response?.destroy();
    this.#ended = true;
    callback(error);
  }
}

/** The request and response objects of one uWS request (the response registers the abort handler). */
export function uwsExchange(
  req: UwsHttpRequest,
  res: UwsHttpResponse,
  limit: number,
  withBody: boolean,
): [UwsRequest, UwsResponse] {
  const request = new UwsRequest(req, res, limit, withBody);
  const response = new UwsResponse(res);
  response.onAbort = () => request.aborted();
  request.response = response;
  return [request, response];
}
