/**
 * HTTP long-polling (engine.io's `Polling`): one pending GET receives the buffered packets,
 * POST bodies carry the client's packets.
 */
import { createDeflate, createGzip, type ZlibOptions } from "node:zlib";
import { createDebug } from "../../util/debug";
import { createError, errorRegistry } from "../../errors";
import { negotiateEncoding } from "../../util/negotiate-encoding";
import type { EngineRequest, EngineResponse } from "../../types";
import {
  decodePayload,
  decodePayloadV3,
  encodePayload,
  encodePayloadV3,
  type EngineData,
  type EnginePacket,
} from "../protocol";
import { EngineTransport, type HeadersHook } from "./transport";

const debug = createDebug("engine:polling");

export interface HttpCompressionOptions extends ZlibOptions {
  /** Bytes under which a response is not compressed (1024 by default; none: compress all). */
  threshold?: number;
}

/** What polling responses may be compressed with, in engine.io's order of preference. */
const ENCODINGS = ["gzip", "deflate"] as const;

const kBody = Symbol("socketkit.body");

/** A data request's body as it arrives. */
interface BodyState {
  transport: EnginePolling;
  res: EngineResponse;
  isBinary: boolean;
  buffers: Buffer[];
  text: string;
  length: number;
}

type BodyRequest = EngineRequest & { [kBody]?: BodyState };

// listeners shared by every data request: `this` is the request, which holds its body state
function onBodyData(this: BodyRequest, chunk: string | Buffer): void {
  const body = this[kBody];
  if (body === undefined) return;
  body.length += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
  if (body.length > body.transport.maxHttpBufferSize) {
    body.transport.onBodyTooLarge(this, body);
    return;
  }
  if (typeof chunk === "string") body.text += chunk;
  else body.buffers.push(chunk);
}

function onBodyEnd(this: BodyRequest): void {
  const body = this[kBody];
  if (body !== undefined) body.transport.onBody(this, body);
}

function onBodyClose(this: BodyRequest): void {
  const body = this[kBody];
  if (body !== undefined) body.transport.onBody(this, null);
}

function detachBody(req: BodyRequest): void {
  req.removeListener("data", onBodyData);
  req.removeListener("end", onBodyEnd);
  req.removeListener("close", onBodyClose);
  req[kBody] = undefined;
}

/**
 * The HTTP long-polling transport of one session: it holds the client's pending GET until
 * there are packets to write, and decodes the packets of each POST. The engine creates it for
 * a handshake or request over polling; applications meet it as `socket.conn.transport` while
 * the session polls (its `name` is "polling").
 */
export class EnginePolling extends EngineTransport {
  readonly name = "polling" as const;
  /** How long a close waits for the client's next poll before giving up (30 s). */
  closeTimeout = 30 * 1000;
  maxHttpBufferSize = 1e6;
  httpCompression: HttpCompressionOptions | false = false;

  #req: EngineRequest | null = null;
  #res: EngineResponse | null = null;
  #onPollClose: (() => void) | null = null;
  /** The POST being read and handled (undefined before the first one, as engine.io's). */
  #dataReq: EngineRequest | null | undefined = undefined;
  #shouldClose: (() => void) | null = null;
  readonly #headersHook: HeadersHook;

  constructor(req: EngineRequest, headersHook: HeadersHook) {
    super(req);
    this.#headersHook = headersHook;
  }

  /**
   * The data request (POST) in flight, as engine.io's `transport.dataReq`: set while its body is
   * read and its packets are handled (so `message` listeners can read its `headers`), null once
   * it is answered.
   */
  get dataReq(): EngineRequest | null | undefined {
    return this.#dataReq;
  }

  /** Handles one HTTP request of this session (the poll GET or a data POST). */
  onRequest(req: EngineRequest, res: EngineResponse): void {
    if (req.method === "GET") this.#onPollRequest(req, res);
    else if (req.method === "POST") this.#onDataRequest(req, res);
    else {
      res.writeHead(500);
      res.end();
    }
  }

  #onPollRequest(req: EngineRequest, res: EngineResponse): void {
    if (this.#req) {
      debug("request overlap");
      this.onError(createError("POLL_OVERLAP"));
      res.writeHead(errorRegistry.POLL_OVERLAP.status.http);
      res.end();
      return;
    }
    this.#req = req;
    this.#res = res;
    const onClose = (): void => this.onError(createError("POLL_CLOSED"));
    this.#onPollClose = onClose;
    req.on("close", onClose);
    this.writable = true;
    this.sink?.onTransportReady(this);
    if (this.writable && this.#shouldClose) {
      debug("triggering empty send to append close packet");
      this.send([{ type: "noop" }]);
    }
  }

  #releasePoll(): void {
    if (this.#req && this.#onPollClose) this.#req.removeListener("close", this.#onPollClose);
    this.#req = this.#res = null;
    this.#onPollClose = null;
  }

  #onDataRequest(req: EngineRequest, res: EngineResponse): void {
    if (this.#dataReq) {
      this.onError(createError("DATA_OVERLAP"));
      res.writeHead(errorRegistry.DATA_OVERLAP.status.http);
      res.end();
      return;
    }
    const isBinary = req.headers["content-type"] === "application/octet-stream";
    if (isBinary && this.protocol === 4) {
      this.onError(createError("INVALID_CONTENT"));
      res.writeHead(errorRegistry.INVALID_CONTENT.status.http);
      res.end();
      return;
    }
    this.#dataReq = req;
    // one state object and listeners shared by all requests, instead of closures per request
    (req as BodyRequest)[kBody] = {
      transport: this,
      res,
      isBinary,
      buffers: [],
      text: "",
      length: 0,
    };
    req.on("close", onBodyClose);
    if (!isBinary) req.setEncoding("utf8");
    req.on("data", onBodyData);
    req.on("end", onBodyEnd);
  }

  /** @internal the body of the data request arrived (or failed: null) */
  onBody(req: EngineRequest, body: BodyState | null): void {
    detachBody(req);
    if (body === null) {
      this.#dataReq = null;
      this.onError(createError("DATA_CLOSED"));
      return;
    }
    // as engine.io: the request stays the pending data request while its packets are handled
    const res = body.res;
    this.onData(body.isBinary ? Buffer.concat(body.buffers, body.length) : body.text);
    res.writeHead(200, this.headers(req, { "Content-Type": "text/html", "Content-Length": "2" }));
    res.end("ok");
    this.#dataReq = null;
  }

  /** @internal the body of the data request is too large: 413, and the rest is dropped */
  onBodyTooLarge(req: EngineRequest, body: BodyState): void {
    body.res.writeHead(errorRegistry.BODY_TOO_LARGE.status.http);
    body.res.end();
    detachBody(req);
    this.#dataReq = null;
    // stop reading the rest of the body without leaving the socket paused
    req.resume();
  }

  protected override onData(data: EngineData): void {
    const packets = this.protocol === 4 ? decodePayload(data as string) : decodePayloadV3(data);
    for (const packet of packets) {
      if (packet.type === "close") {
        debug("got xhr close packet");
        this.onClose();
        return;
      }
      this.onPacket(packet);
      if (this.readyState === "closed") return;
    }
  }

  protected override onClose(): void {
    if (this.writable) {
      // close the pending GET request
      this.send([{ type: "noop" }]);
    }
    super.onClose();
  }

  send(packets: EnginePacket[]): void {
    this.writable = false;
    if (this.#shouldClose) {
      debug("appending close packet to payload");
      packets.push({ type: "close" });
      this.#shouldClose();
      this.#shouldClose = null;
    }
    let compress = false;
    for (const p of packets) {
      if (p.options?.compress) {
        compress = true;
        break;
      }
    }
    const data =
      this.protocol === 4 ? encodePayload(packets) : encodePayloadV3(packets, this.supportsBinary);
    this.#write(data, compress);
  }

  #write(data: EngineData, compress: boolean): void {
    const req = this.#req;
    const res = this.#res;
    if (!req || !res) return;
    const headers: Record<string, string> = {
      "Content-Type":
        typeof data === "string" ? "text/plain; charset=UTF-8" : "application/octet-stream",
    };
    const length = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    const compression = this.httpCompression;
    const encoding =
      compression &&
      compress &&
      (compression.threshold === undefined || length >= compression.threshold)
        ? negotiateEncoding(req.headers["accept-encoding"] as string | undefined, ENCODINGS)
        : undefined;
    if (!encoding || !compression) {
      headers["Content-Length"] = String(length);
      res.writeHead(200, this.headers(req, headers));
      res.end(data);
      this.#written();
      return;
    }
    headers["Content-Encoding"] = encoding;
    res.writeHead(200, this.headers(req, headers));
    const stream = encoding === "gzip" ? createGzip(compression) : createDeflate(compression);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.#written();
    };
    stream.on("error", () => {
      res.end();
      finish();
    });
    res.once("finish", finish);
    res.once("close", finish);
    stream.pipe(res);
    stream.end(data);
  }

  /** The poll was answered: release it and report the drain. */
  #written(): void {
    this.#releasePoll();
    this.sink?.onTransportDrain(this);
    this.emit("drain");
  }

  protected doClose(fn: () => void): void {
    debug("closing");
    let timer: NodeJS.Timeout | undefined;
    if (this.#dataReq) {
      debug("aborting ongoing data request");
      this.#dataReq.destroy();
    }
    const onClose = (): void => {
      clearTimeout(timer);
      fn();
      this.onClose();
    };
    if (this.writable) {
      debug("transport writable - closing right away");
      this.send([{ type: "close" }]);
      onClose();
    } else if (this.discarded) {
      debug("transport discarded - closing right away");
      onClose();
    } else {
      debug("transport not writable - buffering orderly close");
      this.#shouldClose = onClose;
      timer = setTimeout(onClose, this.closeTimeout);
      // waiting for a poll that may never come must not keep the process alive
      timer.unref();
    }
  }

  /** The headers of an HTTP answer, after the server and the application had their say. */
  headers(
    req: EngineRequest,
    headers: Record<string, string | string[]>,
  ): Record<string, string | string[]> {
    const ua = req.headers["user-agent"];
    if (ua && (ua.includes(";MSIE") || ua.includes("Trident/"))) headers["X-XSS-Protection"] = "0";
    headers["cache-control"] = "no-store";
    // as engine.io's polling transport: the transport tells its own listeners too
    if (this.listenerCount("headers") > 0) this.emit("headers", headers, req);
    this.#headersHook(headers, req);
    return headers;
  }
}
