/**
 * One Engine.IO session (engine.io's `Socket`): its transport, the write buffer, the heartbeat,
 * the upgrade from polling to WebSocket and the close reasons.
 */
import { createError, type SocketkitError } from "../errors";
import { LazyEventEmitter } from "../util/event-emitter";
import { createDebug } from "../util/debug";
import { webSocketRemoteAddress } from "../util/private-fields";
import type { EngineCloseReason, EngineRequest } from "../types";
import type { EngineCounters, EngineHandler } from "./ports";
import type { EngineData, EnginePacket, EnginePacketOptions, EnginePacketType } from "./protocol";
import type { EngineTransport, TransportSink } from "./transports/transport";
import { DeadlineLink, type DeadlineQueue } from "../util/deadline-queue";
import { UpgradeProbe } from "./upgrade-probe";

const debug = createDebug("engine:socket");

export type EngineSocketState = "opening" | "open" | "closing" | "closed";

/** What the socket needs of its server. */
export interface EngineSocketHost {
  readonly opts: {
    pingInterval: number;
    pingTimeout: number;
    upgradeTimeout: number;
    maxHttpBufferSize: number;
    initialPacket?: unknown;
    maxBufferedPackets?: number;
    maxBufferedBytes?: number;
  };
  upgradesFor(transport: string): string[];
  /** The shared queue of sockets waiting `delay` ms to be pinged. */
  pingQueue(delay: number): DeadlineQueue<EngineSocket>;
  /** The shared queue of sockets whose heartbeat expires after `delay` ms. */
  timeoutQueue(delay: number): DeadlineQueue<EngineSocket>;
  /** The shared queue of upgrade probes that fail after `delay` ms. */
  upgradeQueue(delay: number): DeadlineQueue<UpgradeProbe>;
  /** The operations counters (core/ops/metrics.ts); null: nothing counted. */
  readonly counters?: EngineCounters | null;
  /** Called once when a socket closes, before its "close" listeners. */
  onSocketClose(socket: EngineSocket): void;
  emit(event: "flush" | "drain", ...args: unknown[]): boolean;
}

export interface SendOptions {
  compress?: boolean;
  /** A complete WebSocket frame of the packet, written as it is (see EnginePacketOptions). */
  wsPreEncodedFrame?: readonly Uint8Array[];
}

type SendCallback = (transport: EngineTransport) => void;

/** The size of a packet's data: bytes of binary, UTF-16 code units of text (no encoding pass). */
function sizeOf(data: EngineData): number {
  if (typeof data === "string") return data.length;
  return (data as ArrayBufferLike | ArrayBufferView).byteLength ?? 0;
}

/** After a close, as engine.io: a plain empty array (code that pushes into it keeps working). */
function releaseWriteBuffer(socket: EngineSocket): void {
  socket.writeBuffer = [];
}

/** The handshake fields after the sid, as JSON, for the last options seen (per upgrade list). */
interface OpenTail {
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  tail: string;
}
let openTails: OpenTail[] = [];

/**
 * The open packet's data: exactly `JSON.stringify({ sid, upgrades, pingInterval, pingTimeout,
 * maxPayload })`, with everything after the sid serialized once rather than per connection.
 */
function openPacketData(
  sid: string,
  upgrades: string[],
  pingInterval: number,
  pingTimeout: number,
  maxPayload: number,
): string {
  let entry = openTails.find(
    (e) =>
      e.upgrades === upgrades &&
      e.pingInterval === pingInterval &&
      e.pingTimeout === pingTimeout &&
      e.maxPayload === maxPayload,
  );
  if (entry === undefined) {
    // `{"upgrades":...}` without its "{"
    const tail = JSON.stringify({ upgrades, pingInterval, pingTimeout, maxPayload }).slice(1);
    entry = { upgrades, pingInterval, pingTimeout, maxPayload, tail };
    openTails = [entry, ...openTails.slice(0, 3)];
  }
  return (
    (isPlainId(sid) ? '{"sid":"' + sid + '",' : '{"sid":' + JSON.stringify(sid) + ",") + entry.tail
  );
}

/** The size of a message, as counted by the metrics: UTF-8 bytes of text, bytes of binary. */
function byteSize(data: EngineData | undefined): number {
  if (data === undefined) return 0;
  return typeof data === "string" ? Buffer.byteLength(data) : data.length;
}

function countIn(counters: EngineCounters, data: EngineData): void {
  counters.packetsIn++;
  counters.bytesIn += byteSize(data);
}

/** Counts the messages of a flush (the control packets, pings and noops, are not counted). */
function countOut(counters: EngineCounters, packets: readonly EnginePacket[]): void {
  for (let i = 0; i < packets.length; i++) {
    const packet = packets[i];
    if (packet.type !== "message") continue;
    counters.packetsOut++;
    counters.bytesOut += byteSize(packet.data);
  }
}

/** Whether `id` needs no JSON escaping (our ids: URL-safe base64). */
function isPlainId(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (
      !(
        (c >= 48 && c <= 57) ||
        (c >= 65 && c <= 90) ||
        (c >= 97 && c <= 122) ||
        c === 45 ||
        c === 95
      )
    ) {
      return false;
    }
  }
  return true;
}

/** The events of an Engine.IO socket, for typed `on`/`once` (any other name still works). */
export interface EngineSocketEvents {
  open: () => void;
  message: (data: EngineData) => void;
  data: (data: EngineData) => void;
  close: (reason: EngineCloseReason, description?: unknown) => void;
  packet: (packet: EnginePacket) => void;
  packetCreate: (packet: EnginePacket) => void;
  heartbeat: () => void;
  upgrading: (transport: EngineTransport) => void;
  upgrade: (transport: EngineTransport) => void;
  flush: (buffer: EnginePacket[]) => void;
  drain: () => void;
}

export interface EngineSocket {
  on<E extends keyof EngineSocketEvents>(event: E, listener: EngineSocketEvents[E]): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
  once<E extends keyof EngineSocketEvents>(event: E, listener: EngineSocketEvents[E]): this;
  once(event: string | symbol, listener: (...args: never[]) => void): this;
}

/**
 * An Engine.IO connection.
 *
 * @example
 * engine.on("connection", (socket) => {
 *   socket.on("message", (data) => socket.send(data));
 *   socket.on("close", (reason) => console.log(reason));
 * });
 */
export class EngineSocket extends LazyEventEmitter implements TransportSink {
  readonly id: string;
  readonly server: EngineSocketHost;
  /** The request that opened the session. */
  readonly request: EngineRequest;
  readonly protocol: 3 | 4;
  readonly remoteAddress: string;
  readyState: EngineSocketState = "opening";
  transport: EngineTransport;
  upgrading = false;
  upgraded = false;
  /**
   * The packets waiting for the transport; null while none is queued and nobody read the buffer
   * (most idle sockets), so that no array is kept for them: `writeBuffer` builds it on first read.
   */
  #writeBuffer: EnginePacket[] | null = null;

  /**
   * The packets waiting for the transport, as engine.io's `socket.writeBuffer`: an ordinary
   * array at every moment (packets pushed into it leave with the next flush; a `close()` waits for
   * them), still holding the unsent packets in `close` listeners, emptied right after.
   */
  get writeBuffer(): EnginePacket[] {
    return (this.#writeBuffer ??= []);
  }

  set writeBuffer(packets: EnginePacket[]) {
    this.#writeBuffer = packets;
  }

  /** @internal the layer above, called directly for each message and at close */
  handler: EngineHandler | null = null;

  /** Bytes of the packets in the write buffer (text counted in UTF-16 code units). */
  #bufferedBytes = 0;
  /** Send callbacks of the packets in the write buffer (null: none). */
  #packetsFn: SendCallback[] | null = null;
  /**
   * Send callbacks per flush still in flight, run in order as the transport drains. Created with
   * the first callback: until then `#inflight` counts the flushes (most sockets never need it).
   */
  #sentCallbackFn: (SendCallback[] | null)[] | null = null;
  #inflight = 0;
  /** @internal the socket's place in the server's ping or heartbeat-timeout queue */
  readonly heartbeat: DeadlineLink<EngineSocket> = new DeadlineLink<EngineSocket>(this);
  /** Whether the socket waits for a pong (v4) or a ping (v3), rather than to send a ping. */
  #awaitingHeartbeat = false;
  #hasRefreshedPingTimeout = false;
  #probe: UpgradeProbe | null = null;

  constructor(
    id: string,
    server: EngineSocketHost,
    transport: EngineTransport,
    req: EngineRequest,
    protocol: 3 | 4,
  ) {
    super();
    this.id = id;
    this.server = server;
    this.request = req;
    this.protocol = protocol;
    const ws = (req as { websocket?: unknown }).websocket;
    this.remoteAddress = webSocketRemoteAddress(ws) ?? req.socket?.remoteAddress ?? "";
    this.transport = transport;
    this.#attach(transport);
    this.#onOpen();
  }

  #attach(transport: EngineTransport): void {
    this.transport = transport;
    transport.sink = this;
  }

  #onOpen(): void {
    this.readyState = "open";
    this.transport.sid = this.id;
    const opts = this.server.opts;
    this.sendPacket(
      "open",
      openPacketData(
        this.id,
        this.server.upgradesFor(this.transport.name),
        opts.pingInterval,
        opts.pingTimeout,
        opts.maxHttpBufferSize,
      ),
    );
    if (opts.initialPacket) this.sendPacket("message", opts.initialPacket as EngineData);
    this.emit("open");
    if (this.protocol === 3) this.#resetPingTimeout();
    else this.#schedulePing();
  }

  // -- TransportSink (the current transport) ---------------------------------------------------

  /** The TransportSink port: called by the layer below, not by applications. */
  onTransportPacket(packet: EnginePacket, transport: EngineTransport): void {
    if (transport !== this.transport) {
      this.#probe?.onPacket(packet);
      return;
    }
    if (this.readyState !== "open") {
      debug("packet received with closed socket");
      return;
    }
    debug(`received packet ${packet.type}`);
    this.emit("packet", packet);
    if (
      this.protocol !== 3 &&
      this.#awaitingHeartbeat &&
      !this.#hasRefreshedPingTimeout &&
      packet.type !== "pong"
    ) {
      // any packet proves the client alive: push the ping timeout once per heartbeat
      this.#resetPingTimeout();
      this.#hasRefreshedPingTimeout = true;
    }
    switch (packet.type) {
      case "ping":
        if (this.protocol !== 3) {
          this.#onError(createError("INVALID_HEARTBEAT"));
          return;
        }
        // (engine.io loses the v3 timeout after an upgrade; a client ping always re-arms it here)
        this.#resetPingTimeout();
        this.sendPacket("pong");
        this.emit("heartbeat");
        break;
      case "pong":
        if (this.protocol === 3) {
          this.#onError(createError("INVALID_HEARTBEAT"));
          return;
        }
        this.#schedulePing();
        this.emit("heartbeat");
        break;
      case "error":
        this.onClose("parse error");
        break;
      case "message": {
        const data = packet.data as EngineData;
        const counters = this.server.counters;
        if (counters != null) countIn(counters, data);
        this.handler?.onEngineMessage(data);
        this.emit("data", data);
        this.emit("message", data);
        break;
      }
      default:
        break;
    }
  }

  /** The TransportSink port: called by the layer below, not by applications. */
  onTransportReady(transport: EngineTransport): void {
    if (transport === this.transport) this.flush();
  }

  /** The TransportSink port: called by the layer below, not by applications. */
  onTransportDrain(transport: EngineTransport): void {
    if (transport !== this.transport) return;
    const queue = this.#sentCallbackFn;
    if (queue === null) {
      if (this.#inflight > 0) this.#inflight--;
      return;
    }
    const fns = queue.shift();
    if (queue.length === 0) this.#sentCallbackFn = null;
    if (fns) for (const fn of fns) fn(this.transport);
  }

  /** The TransportSink port: called by the layer below, not by applications. */
  onTransportClose(transport: EngineTransport): void {
    if (transport === this.transport) this.onClose("transport close");
    else this.#probe?.fail();
  }

  /** The TransportSink port: called by the layer below, not by applications. */
  onTransportError(transport: EngineTransport, err: SocketkitError, description?: unknown): void {
    if (transport !== this.transport) {
      this.#probe?.fail();
      return;
    }
    this.#onError(Object.assign(err, { type: "TransportError", description }));
  }

  #onError(err: Error): void {
    debug("transport error");
    this.onClose("transport error", err);
  }

  // -- heartbeat -------------------------------------------------------------------------------

  #schedulePing(): void {
    this.#awaitingHeartbeat = false;
    this.server.pingQueue(this.server.opts.pingInterval).schedule(this.heartbeat);
  }

  /** @internal the ping is due (called by the shared ping queue) */
  onPingDue(): void {
    debug("writing ping packet - expecting pong within %sms", this.server.opts.pingTimeout);
    this.#hasRefreshedPingTimeout = false;
    this.sendPacket("ping");
    this.#resetPingTimeout();
  }

  #resetPingTimeout(): void {
    const opts = this.server.opts;
    this.#awaitingHeartbeat = true;
    this.server
      .timeoutQueue(this.protocol === 3 ? opts.pingInterval + opts.pingTimeout : opts.pingTimeout)
      .schedule(this.heartbeat);
  }

  /** @internal no heartbeat in time (called by the shared timeout queue) */
  onHeartbeatTimeout(): void {
    if (this.readyState === "closed") return;
    this.onClose("ping timeout");
  }

  #cancelHeartbeat(): void {
    this.heartbeat.cancel();
    this.#awaitingHeartbeat = false;
  }

  // -- upgrade ---------------------------------------------------------------------------------

  /** @internal a WebSocket asks to take over this session */
  maybeUpgrade(transport: EngineTransport): void {
    debug('might upgrade socket transport from "%s" to "%s"', this.transport.name, transport.name);
    this.upgrading = true;
    this.#probe = new UpgradeProbe(this, transport);
    transport.sink = this;
  }

  /** @internal the probe succeeded: switch transports */
  completeUpgrade(transport: EngineTransport): void {
    this.#probe = null;
    const previous = this.transport;
    previous.discard();
    this.upgraded = true;
    const counters = this.server.counters;
    if (counters != null) counters.upgrades++;
    this.#detach(previous);
    this.#attach(transport);
    this.emit("upgrade", transport);
    this.flush();
    if (this.readyState === "closing") {
      transport.close(() => this.onClose("forced close"));
    }
  }

  /** @internal the probe ended without an upgrade */
  endProbe(): void {
    this.#probe = null;
    this.upgrading = false;
  }

  #detach(transport: EngineTransport): void {
    transport.sink = null;
    transport.close();
    // as engine.io: a pending ping timeout ends with the transport (the pong re-arms pings)
    if (this.#awaitingHeartbeat) this.#cancelHeartbeat();
  }

  // -- writing ---------------------------------------------------------------------------------

  /** Sends a message. The callback runs once the message is written to the transport. */
  send(data: EngineData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    this.sendPacket("message", data, options, callback);
    return this;
  }

  /** Alias of {@link EngineSocket.send}. */
  write(data: EngineData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    this.sendPacket("message", data, options, callback);
    return this;
  }

  /** @internal queues a packet and flushes when the transport is writable */
  sendPacket(
    type: EnginePacketType,
    data?: EngineData,
    options?: (SendOptions & EnginePacketOptions) | SendCallback,
    callback?: SendCallback,
  ): void {
    if (typeof options === "function") {
      callback = options;
      options = undefined;
    }
    if (!this.#enqueue(type, data, options ?? { compress: true })) return;
    if (callback) (this.#packetsFn ??= []).push(callback);
    this.flush();
  }

  /**
   * @internal writes several messages and flushes once: the parts of one Socket.IO packet with
   * binary attachments leave together instead of waiting for each other's write.
   */
  writeAll(parts: readonly EngineData[], options: SendOptions & EnginePacketOptions): void {
    for (let i = 0; i < parts.length; i++) {
      if (!this.#enqueue("message", parts[i], options)) return;
    }
    this.flush();
  }

  /** Queues a packet; false when the socket is closing or closed (or just closed: buffer full). */
  #enqueue(
    type: EnginePacketType,
    data: EngineData | undefined,
    opts: EnginePacketOptions,
  ): boolean {
    if (this.readyState === "closing" || this.readyState === "closed") return false;
    // as engine.io: anything but false compresses (the shared default already says so)
    if (opts.compress !== true && opts.compress !== false) opts.compress = true;
    const packet: EnginePacket = { type, options: opts };
    // as engine.io: empty data is left out of the packet
    if (data) packet.data = data;
    if (this.listenerCount("packetCreate") > 0) this.emit("packetCreate", packet);
    let wbuf = this.#writeBuffer;
    if (wbuf === null) this.#writeBuffer = wbuf = [packet];
    else wbuf.push(packet);
    const limits = this.server.opts;
    if (data) this.#bufferedBytes += sizeOf(data);
    if (
      wbuf.length > (limits.maxBufferedPackets ?? Infinity) ||
      this.#bufferedBytes + this.transport.bufferedBytes > (limits.maxBufferedBytes ?? Infinity)
    ) {
      // the client stopped reading: end the session rather than buffer without bound
      this.#overflow(wbuf.length);
      return false;
    }
    return true;
  }

  /** Bytes waiting for this client: the write buffer plus what the transport still holds. */
  get bufferedAmount(): number {
    return this.#bufferedBytes + this.transport.bufferedBytes;
  }

  #overflow(packets: number): void {
    const bytes = this.bufferedAmount;
    debug("write buffer full (%d packets, %d bytes), closing", packets, bytes);
    const err = createError("BUFFER_FULL", { packets, bytes });
    // what the transport holds goes at once (a client that does not read would not take a close)
    this.transport.terminate();
    this.onClose("transport error", err);
  }

  /** @internal writes the buffer when the transport can take it */
  flush(): void {
    const wbuf = this.#writeBuffer;
    if (this.readyState === "closed" || !this.transport.writable || !wbuf || wbuf.length === 0) {
      return;
    }
    debug("flushing buffer to transport");
    this.emit("flush", wbuf);
    this.server.emit("flush", this, wbuf);
    this.#writeBuffer = null;
    this.#bufferedBytes = 0;
    const counters = this.server.counters;
    if (counters != null) countOut(counters, wbuf);
    const fns = this.#packetsFn;
    if (fns !== null) {
      this.#packetsFn = null;
      if (this.#sentCallbackFn === null) {
        // the flushes already in flight have no callbacks
        this.#sentCallbackFn = new Array<SendCallback[] | null>(this.#inflight).fill(null);
        this.#inflight = 0;
      }
      this.#sentCallbackFn.push(fns);
    } else if (this.#sentCallbackFn !== null) {
      this.#sentCallbackFn.push(null);
    } else {
      this.#inflight++;
    }
    this.transport.send(wbuf);
    this.emit("drain");
    this.server.emit("drain", this);
  }

  // -- closing ---------------------------------------------------------------------------------

  /**
   * Closes the session: after the buffered packets are written, or at once with `discard`.
   */
  close(discard?: boolean): void {
    if (discard && (this.readyState === "open" || this.readyState === "closing")) {
      this.#closeTransport(true);
      return;
    }
    if (this.readyState !== "open") return;
    this.readyState = "closing";
    const wbuf = this.#writeBuffer;
    if (wbuf !== null && wbuf.length > 0) {
      debug(
        "there are %d remaining packets in the buffer, waiting for the 'drain' event",
        wbuf.length,
      );
      this.once("drain", () => this.#closeTransport(discard));
      return;
    }
    this.#closeTransport(discard);
  }

  #closeTransport(discard?: boolean): void {
    if (discard && this.transport.readyState === "closing") {
      // a polling close already waits for the client's next poll: a discard ends it now
      // (engine.io leaves the session and its heartbeat running until that poll or 30 s)
      this.onClose("forced close");
      return;
    }
    if (discard) this.transport.discard();
    this.transport.close(() => this.onClose("forced close"));
  }

  /** @internal ends the session once, with its reason */
  onClose(reason: EngineCloseReason, description?: unknown): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    if (reason === "parse error" && this.server.counters != null) {
      this.server.counters.parseErrors++;
    }
    this.#cancelHeartbeat();
    // the buffer stays readable during the close handlers (socket.io reads it), then goes
    process.nextTick(releaseWriteBuffer, this);
    this.#bufferedBytes = 0;
    this.#packetsFn = null;
    this.#sentCallbackFn = null;
    this.#inflight = 0;
    this.#probe?.fail();
    this.#detach(this.transport);
    this.server.onSocketClose(this);
    this.handler?.onEngineClose(reason, description);
    this.emit("close", reason, description);
  }
}
