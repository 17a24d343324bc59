/**
 * The WebSocket transport (engine.io's `WebSocket`), over any ws-compatible connection.
 */
import { createDebug } from "../../util/debug";
import type { EngineRequest } from "../../types";
import { createError } from "../../errors";
import { encodePacket, encodePacketV3, type EnginePacket } from "../protocol";
import type { WebSocketLike } from "../ports";
import { EngineTransport } from "./transport";

const debug = createDebug("engine:ws");

const kTransport = Symbol("socketkit.transport");
type OwnedWebSocket = WebSocketLike & { [kTransport]?: EngineWebSocket | null };

// Listeners shared by every connection: `this` is the ws connection, which knows its transport.
function onWsMessage(
  this: OwnedWebSocket,
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): void {
  const transport = this[kTransport];
  if (!transport) return;
  let message: string | Buffer;
  if (isBinary) {
    message = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
  } else {
    message = data.toString();
  }
  transport.receive(message);
}

function onWsClose(this: OwnedWebSocket): void {
  this[kTransport]?.closed();
}

function onWsError(this: OwnedWebSocket, err: Error): void {
  const transport = this[kTransport];
  if (transport) transport.failed(err);
  else debug("websocket error before a transport took it: %s", err.message);
}

/**
 * Listens to a new ws connection with the listeners every transport shares (`this` is the
 * connection): its errors are handled from the start, even if no transport ever takes it (a
 * refused upgrade), and a transport taking it adds no listener of its own.
 */
export function watchWebSocket(ws: WebSocketLike): void {
  const owned = ws as OwnedWebSocket;
  if (owned[kTransport] !== undefined) return;
  owned[kTransport] = null;
  ws.on("message", onWsMessage);
  ws.on("close", onWsClose);
  ws.on("error", onWsError);
}

/** The part of the connection's stream used to batch frames and to learn when they left. */
interface TcpStream {
  cork(): void;
  uncork(): void;
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  readonly destroyed?: boolean;
}

const NOTHING = Buffer.alloc(0);

/**
 * Transports whose connection is corked for the current tick: on the next tick each one writes
 * what it still holds and uncorks, so everything a connection is sent in one tick (acks, emits,
 * broadcast frames) reaches the kernel in one write. One tick callback for all of them (a
 * broadcast corks every recipient).
 */
let corkedTransports: EngineWebSocket[] = [];

function endCorkedTicks(): void {
  const transports = corkedTransports;
  corkedTransports = [];
  let i = 0;
  try {
    for (; i < transports.length; i++) transports[i].endTick();
  } finally {
    // a listener that threw must not leave the other connections corked
    if (++i < transports.length) {
      if (corkedTransports.length === 0) process.nextTick(endCorkedTicks);
      corkedTransports.push(...transports.slice(i));
    }
  }
}

// ws copies its options, so these can be shared by every send
const TEXT = Object.freeze({ binary: false, compress: true });
const TEXT_UNCOMPRESSED = Object.freeze({ binary: false, compress: false });
const BINARY = Object.freeze({ binary: true, compress: true });
const BINARY_UNCOMPRESSED = Object.freeze({ binary: true, compress: false });

/** Writes a pre-built frame's buffers in one batch; `cb` reports the last one. */
function writeFrame(
  tcp: TcpStream,
  frame: readonly Uint8Array[],
  cb: ((err?: Error | null) => void) | undefined,
): void {
  const last = frame.length - 1;
  if (last > 0) tcp.cork();
  for (let i = 0; i < last; i++) tcp.write(frame[i]);
  tcp.write(frame[last], cb);
  if (last > 0) tcp.uncork();
}

/**
 * The WebSocket transport of one session, over a `ws` connection (or anything shaped like
 * one): each Engine.IO packet is one message. The engine creates it for an upgrade or a
 * WebSocket-only handshake; applications meet it as `socket.conn.transport` once the session
 * runs over WebSocket (its `name` is "websocket").
 */
export class EngineWebSocket extends EngineTransport {
  readonly name = "websocket" as const;
  perMessageDeflate: boolean | object | undefined = undefined;
  /** The ws connection. */
  readonly socket: WebSocketLike;
  readonly #stream: TcpStream | null;
  /** Write callback ending a flush; created only for flushes that must wait for one. */
  #onSent: ((err?: Error | null) => void) | null = null;
  /** Flushes written into the connection corked for this tick (0: not corked). */
  #tickFlushes = 0;
  /** Flushes whose end waits for the empty write queued behind them (back-pressure). */
  #waitingFlushes = 0;

  constructor(req: EngineRequest, ws: WebSocketLike) {
    super(req);
    this.socket = ws;
    // the upgraded TCP connection, corked around multi-frame flushes (net.Socket's public API)
    const stream = req.socket as unknown as Partial<TcpStream> | undefined;
    this.#stream =
      typeof stream?.cork === "function" &&
      typeof stream.uncork === "function" &&
      typeof stream.write === "function"
        ? (stream as TcpStream)
        : null;
    watchWebSocket(ws);
    (ws as OwnedWebSocket)[kTransport] = this;
    this.writable = true;
  }

  override get handlesUpgrades(): boolean {
    return true;
  }

  /** @internal a frame arrived */
  receive(message: string | Buffer): void {
    this.onData(message);
  }

  /** @internal the connection closed */
  closed(): void {
    this.onClose();
  }

  /** @internal the connection failed: the error's text becomes the message, as in engine.io */
  failed(err: Error): void {
    this.onError(createError("WEBSOCKET_ERROR", { error: err }));
  }

  /**
   * @internal `flushes` flushes were written: as engine.io, "drain" for each while still
   * unwritable (their send callbacks run then), then ready.
   */
  onFlushed(flushes = 1): void {
    for (let i = 0; i < flushes; i++) {
      this.sink?.onTransportDrain(this);
      this.emit("drain");
    }
    this.writable = true;
    this.sink?.onTransportReady(this);
  }

  #sentCallback(): (err?: Error | null) => void {
    return (this.#onSent ??= (err) => {
      const flushes = this.#waitingFlushes || 1;
      this.#waitingFlushes = 0;
      if (err) this.onError(createError("WRITE_ERROR"), err.stack);
      else this.onFlushed(flushes);
    });
  }

  /**
   * @internal the tick that corked the connection is over: what the session queued meanwhile is
   * written too (the layer above saw the transport busy, as in engine.io, and kept it), then the
   * connection is uncorked, one kernel write for all of it. The flushes end once the kernel has
   * every byte: at once, or when the empty write queued behind them calls back.
   */
  endTick(): void {
    const tcp = this.#stream as TcpStream;
    let flushes = 0;
    try {
      if (this.readyState === "open") {
        this.writable = true;
        this.sink?.onTransportReady(this); // flushes the session's buffer, still corked
        this.writable = false;
      }
    } finally {
      flushes = this.#tickFlushes;
      this.#tickFlushes = 0;
      tcp.uncork();
    }
    // closing, closed or about to be: nothing waits for these flushes
    if (this.readyState !== "open" || tcp.destroyed === true) return;
    if (this.socket.bufferedAmount === 0) this.onFlushed(flushes);
    else {
      this.#waitingFlushes = flushes;
      tcp.write(NOTHING, this.#sentCallback());
    }
  }

  send(packets: EnginePacket[]): void {
    this.writable = false;
    const ws = this.socket;
    const last = packets.length - 1;
    const tcp = this.#stream;
    // On an open plain TCP connection without compression and with nothing waiting, the first
    // flush of a tick corks the connection until the next tick (endTick), and so do the flushes
    // after it in that tick: the flush's end is known without a callback on its last frame.
    // Otherwise (closing, compressing, back-pressure, another ws engine) the last frame's
    // callback reports it, and a failed write fails the frames after it too.
    const corked =
      this.#tickFlushes > 0 ||
      (tcp !== null && ws.readyState === 1 && !this.perMessageDeflate && ws.bufferedAmount === 0);
    const lastCb = corked ? undefined : this.#sentCallback();
    if (corked && this.#tickFlushes++ === 0) {
      (tcp as TcpStream).cork();
      if (corkedTransports.push(this) === 1) process.nextTick(endCorkedTicks);
    }
    // several frames in one flush go out in one write to the kernel
    const stream = !corked && last > 0 ? tcp : null;
    stream?.cork();
    for (let i = 0; i <= last; i++) {
      const packet = packets[i];
      const cb = i === last ? lastCb : undefined;
      const options = packet.options;
      const compress = options?.compress !== false && packet.type === "message";
      const frame = options?.wsPreEncodedFrame;
      if (frame !== undefined && tcp !== null && ws.readyState === 1 && !this.perMessageDeflate) {
        // a broadcast framed once by its adapter: the same bytes to every recipient. Without
        // compression ws writes its own frames straight to this stream too, so order is kept.
        writeFrame(tcp, frame, cb);
        continue;
      }
      if (options?.wsPreEncoded !== undefined) {
        // a broadcast: the same UTF-8 bytes for every recipient, converted once
        const buf = (options.wsPreEncodedBuffer ??= Buffer.from(options.wsPreEncoded));
        ws.send(buf, compress ? TEXT : TEXT_UNCOMPRESSED, cb);
        continue;
      }
      const data =
        this.protocol === 4
          ? encodePacket(packet, this.supportsBinary)
          : encodePacketV3(packet, this.supportsBinary);
      if (typeof data === "string") ws.send(data, compress ? TEXT : TEXT_UNCOMPRESSED, cb);
      else ws.send(data, compress ? BINARY : BINARY_UNCOMPRESSED, cb);
    }
    stream?.uncork();
  }

  override get bufferedBytes(): number {
    // During a corked tick the connection holds only that tick's first flush (it was corked
    // with nothing waiting, and the session keeps the rest until endTick): counted as handed to
    // the kernel, as the same write uncorked would have been.
    return this.#tickFlushes > 0 ? 0 : (this.socket.bufferedAmount ?? 0);
  }

  override terminate(): void {
    if (this.readyState === "closed") return;
    this.readyState = "closing";
    this.socket.terminate();
  }

  protected doClose(fn: () => void): void {
    debug("closing");
    this.socket.close();
    fn();
  }
}
