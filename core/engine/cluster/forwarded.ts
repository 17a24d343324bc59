/**
 * The request and response objects a node builds for a request another node forwarded to it:
 * just enough of node's IncomingMessage and ServerResponse for the engine's polling transport
 * (body stream, close on abort, writeHead/setHeader/end, a pipe target for compression), and a
 * WebSocket-like connection whose frames travel over the broker.
 */
import { Readable, Writable } from "node:stream";
import { EventEmitter } from "node:events";
import { createError } from "../../errors";
import type { WebSocketLike, WebSocketSendOptions } from "../ports";

/** Marks a request that another node forwarded: it is served here, never forwarded again. */
export const kForwarded = Symbol("socketkit.forwarded");

/** The head of a forwarded HTTP request, as it travels. */
export interface ForwardedHead {
  /** The forwarder's id for this exchange (for an abort). */
  f: string;
  m: string;
  u: string;
  h: Record<string, string | string[] | undefined>;
}

/** A forwarded request: its body (if any) was read by the forwarder and arrives whole. */
export class ForwardedRequest extends Readable {
  readonly [kForwarded] = true;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  declare _query: Record<string, string>;
  res: unknown = null;

  constructor(head: { m: string; u: string; h: ForwardedHead["h"] }, body: Buffer | null) {
    super({ read() {} });
    this.method = head.m;
    this.url = head.u;
    this.headers = head.h;
    if (body !== null) {
      this.push(body);
      this.push(null);
    }
  }
}

/** What the owner answered to a forwarded request. */
export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** A response collected in memory, handed to `onDone` once ended. */
export class ForwardedResponse extends Writable {
  statusCode = 200;
  headersSent = false;
  readonly #headers: Record<string, string | string[]> = {};
  readonly #chunks: Buffer[] = [];

  constructor(onDone: (answer: ForwardedAnswer) => void) {
    super();
    this.once("finish", () =>
      onDone({
        status: this.statusCode,
        headers: this.#headers,
        body: Buffer.concat(this.#chunks),
      }),
    );
  }

  setHeader(name: string, value: string | string[]): this {
    this.#headers[name] = value;
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.#headers[name];
  }

  removeHeader(name: string): void {
    delete this.#headers[name];
  }

  writeHead(status: number, headers?: Record<string, string | string[]>): this {
    this.statusCode = status;
    if (headers) Object.assign(this.#headers, headers);
    this.headersSent = true;
    return this;
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    cb: (err?: Error | null) => void,
  ): void {
    this.headersSent = true;
    this.#chunks.push(chunk);
    cb();
  }
}

/** Sends a relayed connection's frames and its close to the node that holds the real one. */
export interface RelaySink {
  sendFrame(stream: string, relay: string, data: string | Buffer, binary: boolean): Promise<void>;
  sendClose(stream: string, relay: string): void;
  forget(stream: string): void;
}

/** The owner's side of a WebSocket that another node accepted and relays over the broker. */
export class RelayedWebSocket extends EventEmitter implements WebSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  readonly #sink: RelaySink;
  readonly #stream: string;
  readonly #relay: string;
  /** Frames that arrived before the engine took the connection (verify may answer later). */
  #early: { data: Buffer; binary: boolean }[] | null = [];
  #earlyBytes = 0;
  readonly #maxEarlyBytes: number;

  constructor(sink: RelaySink, stream: string, relay: string, maxEarlyBytes: number) {
    super();
    this.#maxEarlyBytes = maxEarlyBytes;
    this.#sink = sink;
    this.#stream = stream;
    this.#relay = relay;
  }

  send(data: string | Buffer, options: WebSocketSendOptions, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1) {
      cb?.(createError("RELAY_NOT_OPEN"));
      return;
    }
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    this.bufferedAmount += size;
    this.#sink.sendFrame(this.#stream, this.#relay, data, options.binary === true).then(
      () => {
        this.bufferedAmount -= size;
        cb?.();
      },
      (err: Error) => {
        this.bufferedAmount -= size;
        cb?.(err);
      },
    );
  }

  close(): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.#sink.sendClose(this.#stream, this.#relay);
    process.nextTick(() => this.remoteClosed());
  }

  terminate(): void {
    this.close();
  }

  override removeListener(event: string, listener: (...args: never[]) => void): this {
    return super.removeListener(event, listener as (...args: unknown[]) => void);
  }

  /** @internal a frame arrived from the client */
  receive(data: Buffer, binary: boolean): void {
    if (this.readyState !== 1) return;
    const early = this.#early;
    if (early === null) {
      this.emit("message", data, binary);
      return;
    }
    // bounded as the connection's messages are: no more than one message's worth waits
    this.#earlyBytes += data.length;
    if (this.#earlyBytes > this.#maxEarlyBytes) this.close();
    else early.push({ data, binary });
  }

  /** @internal the engine took the connection (or refused it): deliver the frames kept so far */
  start(): void {
    const early = this.#early;
    this.#early = null;
    if (early !== null) for (const f of early) this.receive(f.data, f.binary);
  }

  /** @internal the client's connection closed (or the relay asked to close) */
  remoteClosed(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#sink.forget(this.#stream);
    this.emit("close", 1006, Buffer.alloc(0));
  }
}
