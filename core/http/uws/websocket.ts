/**
 * A µWebSockets.js WebSocket as the engine's `WebSocketLike` (the shape of a `ws` connection).
 *
 * Sends of one tick are written together: the first send of a tick queues the connection, and
 * on the next tick every queued connection writes all it holds inside one `cork()` (one kernel
 * write per connection per tick). A send's callback runs once its bytes left uWS's buffer: at
 * once when `getBufferedAmount()` is 0 after the write, else at the `drain` that empties it.
 * A message uWS drops (its `maxBackpressure` exceeded) fails the connection: never a silent
 * loss. Nothing is called on the uWS socket after its `close` handler ran.
 */
import { EventEmitter } from "node:events";
import type { WebSocketSendOptions } from "../../engine/ports";
import { createError } from "../../errors";
import type { UwsData, UwsWebSocket } from "./types";

/** What the host keeps in each uWS socket's user data. */
export interface UwsSocketData {
  /** The adapter of the connection, set at `open`. */
  socket: UwsSocketAdapter | null;
  /** What the upgrade carried to `open` (the engine request, whether to relay it). */
  opening: unknown;
}

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** uWS `send()` results. */
const DROPPED = 2;

type SendCallback = (err?: Error) => void;

let queued: UwsSocketAdapter[] = [];

function failCallbacks(callbacks: SendCallback[]): void {
  const err = createError("WEBSOCKET_NOT_OPEN");
  for (const cb of callbacks) cb(err);
}

function emitClose(socket: UwsSocketAdapter, code: number, reason: Buffer): void {
  socket.emit("close", code, reason);
}

function writeQueued(): void {
  const sockets = queued;
  queued = [];
  for (let i = 0; i < sockets.length; i++) sockets[i].writeQueue();
}

/** A uWS WebSocket as the engine's `WebSocketLike`: one cork per tick, nothing after close. */
export class UwsSocketAdapter extends EventEmitter {
  readyState = OPEN;
  readonly #ws: UwsWebSocket<UwsSocketData>;
  /** Messages of this tick: data, binary, compress, repeated. */
  #queue: (UwsData | boolean)[] = [];
  /** Callbacks waiting for the buffer to empty. */
  #waiting: SendCallback[] = [];
  #queueCallbacks: SendCallback[] = [];
  /** Messages from this many bytes on are compressed (false: none). */
  readonly #compressFrom: number | false;
  /** The remote address (copied at the upgrade). */
  readonly remoteAddress: string;

  constructor(
    ws: UwsWebSocket<UwsSocketData>,
    remoteAddress: string,
    compressFrom: number | false,
  ) {
    super();
    this.#ws = ws;
    this.remoteAddress = remoteAddress;
    this.#compressFrom = compressFrom;
  }

  /**
   * Bytes uWS holds for the client. This tick's queue is not counted: it is written to the
   * kernel before the next tick, as the Node host counts a connection corked for the tick.
   */
  get bufferedAmount(): number {
    return this.readyState === OPEN ? this.#ws.getBufferedAmount() : 0;
  }

  send(data: string | Buffer, options: WebSocketSendOptions, cb?: SendCallback): void {
    if (this.readyState !== OPEN) {
      if (cb) process.nextTick(cb, createError("WEBSOCKET_NOT_OPEN"));
      return;
    }
    if (this.#queue.length === 0 && queued.push(this) === 1) process.nextTick(writeQueued);
    const bytes = typeof data === "string" ? data.length : data.byteLength;
    const from = this.#compressFrom;
    this.#queue.push(
      data,
      options.binary === true,
      from !== false && options.compress !== false && bytes >= from,
    );
    if (cb) this.#queueCallbacks.push(cb);
  }

  /** @internal writes this tick's messages in one corked call */
  writeQueue(): void {
    // (empty: what it held was written by an earlier cork of this turn)
    if (this.readyState === CLOSED || this.#queue.length === 0) return;
    const ws = this.#ws;
    let dropped = false;
    ws.cork(() => {
      // a callback run in here may send again: written in the same cork
      while (this.#queue.length > 0 && !dropped) {
        const queue = this.#queue;
        const callbacks = this.#queueCallbacks;
        this.#queue = [];
        this.#queueCallbacks = [];
        for (let i = 0; i < queue.length; i += 3) {
          const status = ws.send(
            queue[i] as UwsData,
            queue[i + 1] as boolean,
            queue[i + 2] as boolean,
          );
          if (status === DROPPED) {
            dropped = true;
            break;
          }
        }
        if (dropped) break;
        if (ws.getBufferedAmount() === 0) {
          for (let i = 0; i < callbacks.length; i++) callbacks[i]();
        } else {
          for (let i = 0; i < callbacks.length; i++) this.#waiting.push(callbacks[i]);
        }
      }
    });
    if (dropped) this.#fail(createError("WEBSOCKET_BACKPRESSURE"));
  }

  /** @internal uWS's buffer shrank */
  drained(): void {
    if (this.readyState !== OPEN || this.#waiting.length === 0) return;
    if (this.#ws.getBufferedAmount() > 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (let i = 0; i < waiting.length; i++) waiting[i]();
  }

  /** @internal a message arrived: `message` is only valid during this call */
  received(message: ArrayBuffer, isBinary: boolean): void {
    // binary: copied; text: decoded into a string now, both before uWS neuters the buffer
    this.emit(
      "message",
      isBinary ? Buffer.copyBytesFrom(new Uint8Array(message)) : Buffer.from(message).toString(),
      isBinary,
    );
  }

  /**
   * @internal uWS closed the connection: the uWS socket may not be used any more. The `close`
   * event follows on the next tick, as ws's does (uWS runs this handler inside `end()`); a
   * message over `maxPayloadLength` is an error first, with ws's text.
   */
  closed(code: number, reason: ArrayBuffer): void {
    const text = Buffer.from(reason).toString();
    this.readyState = CLOSED;
    if (code === 1006 && text === "Received too big message") {
      // named as ws names it, so the engine's text is the same on both hosts
      const error = createError("WEBSOCKET_TOO_BIG");
      error.name = "RangeError";
      this.emit("error", error);
    }
    const pending = [...this.#queueCallbacks, ...this.#waiting];
    this.#queue = [];
    this.#queueCallbacks = [];
    this.#waiting = [];
    // as ws: the callbacks of unsent messages fail after the close, not inside terminate()
    if (pending.length > 0) process.nextTick(failCallbacks, pending);
    process.nextTick(emitClose, this, code, Buffer.from(text));
  }

  #fail(err: Error): void {
    this.emit("error", err);
    this.terminate();
  }

  close(code?: number, reason?: string): void {
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    // what is queued goes before the close frame
    if (this.#queue.length > 0) this.writeQueue();
    if (this.readyState === CLOSED) return;
    // no code: a close frame without a status (the client sees 1005), as ws sends it
    if (code === undefined) this.#ws.end();
    else this.#ws.end(code, reason ?? "");
  }

  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.#ws.close();
  }
}
