/**
 * Client: one Engine.IO connection seen from Socket.IO, multiplexing its namespaces (socket.io's
 * `Client`). It is the engine socket's handler: the engine calls it directly for each message.
 */
import { createDebug } from "../util/debug";
import { EngineSocket } from "../engine/socket";
import type { EngineHandler } from "../engine/ports";
import type { EngineData } from "../engine/protocol";
import {
  PacketType,
  type DisconnectReason,
  type EncodedPacket,
  type EngineCloseReason,
  type Packet,
  type PacketDecoder,
  type PacketEncoder,
  type WriteOptions,
} from "../types";
import { Decoder, type DecodedPacketSink } from "../parser/decoder";
import { reportError } from "../util/report";
import { createError } from "../errors";
import { DeadlineLink } from "../util/deadline-queue";
import { NO_AUTH, type Socket } from "./socket";
import type { Server } from "./server";
import type { EventsMap } from "./typed-events";
import type { ResumedSocket } from "../ops/resume";
import { compareOffsets, STREAM_OFFSET, trailingOffset, type StreamOrder } from "./stream-order";

const debug = createDebug("socket.io:client");

/**
 * Whether an exception thrown now comes from a decoder (the client's parse error) rather than
 * from the handling of a packet it completed. Decoding is synchronous: one flag for all clients.
 */
let decoding = false;

/** Hands a decoded packet to its socket on the next tick (as socket.io does). */
function deliverPacket(
  socket: Socket<EventsMap, EventsMap, EventsMap, unknown>,
  packet: Packet,
): void {
  socket.onpacket(packet);
}

/**
 * The offset a recovery-enabled event packet carries as its last argument, read from its
 * encoded text (`2/nsp,["event",...,"offset"]`); undefined for anything else.
 */
function eventOffset(encoded: EncodedPacket | undefined): string | undefined {
  if (typeof encoded !== "string" || (encoded[0] !== "2" && encoded[0] !== "5")) return undefined;
  const start = encoded.indexOf("[");
  if (start === -1) return undefined;
  try {
    const data: unknown = JSON.parse(encoded.substring(start));
    const last = Array.isArray(data) ? data[data.length - 1] : undefined;
    return typeof last === "string" ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a recovered packet's offset (its last argument) is older than `offset`. */
function offsetBefore(data: unknown[], offset: string): boolean {
  const own = data[data.length - 1];
  return typeof own === "string" && STREAM_OFFSET.test(own) && compareOffsets(own, offset) < 0;
}

/** How long after a catch-up live packets are checked against it, at most (ms). */
const REPLAY_WINDOW_MS = 5000;

/** The namespace of an encoded event packet ("2/chat,[...]", "51-/chat,[...]", "2[...]" is "/"). */
function eventNamespace(encoded: string): string {
  let i = 1;
  while (i < encoded.length && encoded[i] !== "/" && encoded[i] !== "[") i++;
  if (encoded[i] !== "/") return "/";
  const comma = encoded.indexOf(",", i);
  return comma === -1 ? encoded.substring(i) : encoded.substring(i, comma);
}

/** Splits a v3 namespace ("/nsp?token=abc") into its name and query (its auth). */
function parseV3Namespace(nsp: string): { name: string; auth: Record<string, unknown> } {
  const q = nsp.indexOf("?");
  if (q === -1) return { name: nsp, auth: NO_AUTH };
  const auth: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(nsp.substring(q + 1))) {
    if (key !== "__proto__") auth[key] = value;
  }
  return { name: nsp.substring(0, q), auth };
}

/**
 * @internal what the server's connect-timeout queue calls when a client joined no namespace in
 * time (Client has it)
 */
export interface ConnectTimeoutTarget {
  onConnectTimeout(): void;
}

/**
 * One Engine.IO connection as the Socket.IO layer sees it: it decodes the connection's packets,
 * joins namespaces on CONNECT and hands every other packet to the socket of its namespace, and
 * encodes and writes what those sockets send. The server creates one per engine connection;
 * applications meet it as `socket.client` (shared by the sockets of one connection).
 */
export class Client<
    ListenEvents extends EventsMap,
    EmitEvents extends EventsMap,
    ServerSideEvents extends EventsMap,
    SocketData,
  >
  // also a StreamOrder writer, checked where it registers: that method is @internal and is
  // stripped from the published declarations, so it cannot be named in `implements`
  implements EngineHandler, DecodedPacketSink
{
  /** The underlying Engine.IO connection. */
  readonly conn: EngineSocket;
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The decoder of this connection; null while the shared text decoder is enough. */
  #decoder: PacketDecoder | null = null;
  /**
   * The sockets of this connection, by namespace name: `#only` while there is at most one (most
   * connections join one namespace), then all of them in `#many`.
   */
  #only: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | null = null;
  #many: Map<string, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> | null = null;
  /** Writes held while a resume catches up (core/ops/resume.ts); null: written at once. */
  #held: [EncodedPacket[] | EncodedPacket, WriteOptions][] | null = null;
  /**
   * For a while after a resume's catch-up: the last stream offset the resume sent. The adapter's
   * live reader may lag behind the resume's reads and deliver entries up to it again; those are
   * dropped (the reads covered every entry of the socket's rooms up to it).
   */
  #replayed: { nsp: string; last: string; until: number } | null = null;
  /**
   * Writes held for the log order of their namespace (./stream-order.ts): a node's own broadcast
   * the adapter's reader has not reached yet. Null: none.
   */
  #ordered: [EncodedPacket[] | EncodedPacket, WriteOptions, string, StreamOrder][] | null = null;
  /** The client's place in the server's connect-timeout queue until a namespace is joined. */
  #connectDeadline: DeadlineLink<ConnectTimeoutTarget> | null;
  /**
   * Listeners, only with a parser or an engine that is not ours: the "decoded" listener of
   * another parser's decoder; the engine socket's events (bind() with another engine).
   */
  #listeners: {
    decoded?: (packet: Packet) => void;
    data?: (d: EngineData) => void;
    close?: (r: EngineCloseReason, d?: unknown) => void;
    error?: (e: Error) => void;
  } | null = null;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    conn: EngineSocket,
  ) {
    this.server = server;
    this.conn = conn;
    // another parser's decoder is created now, as socket.io does; the default one on demand
    if (server.parser.Decoder !== Decoder) this.#decoder = this.#newDecoder();
    if (conn instanceof EngineSocket) {
      conn.handler = this;
    } else {
      // an engine.io-compatible connection from another engine: listen to its events
      const foreign = conn as unknown as EngineSocket;
      const listeners = (this.#listeners ??= {});
      listeners.data = (d) => this.onEngineMessage(d);
      listeners.close = (r, d) => this.onEngineClose(r, d);
      listeners.error = (e) => this.#onerror(e);
      foreign.on("data", listeners.data);
      foreign.on("close", listeners.close);
      foreign.on("error", listeners.error);
    }
    // closed unless a namespace is joined in time (a shared queue, not a timer per client)
    this.#connectDeadline = new DeadlineLink<ConnectTimeoutTarget>(this);
    server.connectQueue().schedule(this.#connectDeadline);
  }

  /** The id of the underlying Engine.IO connection. */
  get id(): string {
    return this.conn.id;
  }

  /** @internal the acknowledgements the server waits for on this connection */
  get pendingAcks(): number {
    if (this.#only !== null) return this.#only.pendingAcks;
    let n = 0;
    if (this.#many !== null) for (const socket of this.#many.values()) n += socket.pendingAcks;
    return n;
  }

  /** The server's packet encoder. */
  get encoder(): PacketEncoder {
    return this.server.encoder;
  }

  /** The request that opened the connection. */
  get request(): EngineSocket["request"] {
    return this.conn.request;
  }

  /** The sockets of this client, by socket id. */
  get sockets(): ReadonlyMap<
    string,
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  > {
    const byId = new Map<string, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
    for (const socket of this.#sockets()) byId.set(socket.id, socket);
    return byId;
  }

  #socketOf(
    name: string,
  ): Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined {
    const only = this.#only;
    if (only !== null) return only.nsp.name === name ? only : undefined;
    return this.#many?.get(name);
  }

  #addSocket(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    const name = socket.nsp.name;
    const only = this.#only;
    if (this.#many !== null) {
      this.#many.set(name, socket);
    } else if (only === null || only.nsp.name === name) {
      this.#only = socket;
    } else {
      this.#many = new Map([
        [only.nsp.name, only],
        [name, socket],
      ]);
      this.#only = null;
    }
  }

  /** A snapshot of the sockets (safe to iterate while they leave). */
  #sockets(): Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] {
    if (this.#only !== null) return [this.#only];
    return this.#many === null ? [] : [...this.#many.values()];
  }

  #clearSockets(): void {
    this.#only = null;
    this.#many = null;
  }

  // -- EngineHandler ---------------------------------------------------------------------------

  #newDecoder(): PacketDecoder {
    const Parser = this.server.parser.Decoder;
    const decoder = Parser === Decoder ? new Decoder(this.server.decoderOptions) : new Parser();
    if (decoder instanceof Decoder) {
      decoder.sink = this;
    } else {
      const ondecoded = (packet: Packet): void => this.onDecoded(packet);
      (this.#listeners ??= {}).decoded = ondecoded;
      decoder.on("decoded", ondecoded);
    }
    return decoder;
  }

  /** The EngineHandler port: called by the layer below, not by applications. */
  onEngineMessage(data: EngineData): void {
    let decoder = this.#decoder;
    if (decoder === null && typeof data === "string") {
      let packet: Packet | null;
      try {
        packet = this.server.textDecoder.decodeText(data);
      } catch (e) {
        this.#onParseError(e);
        return;
      }
      // an error of the application is not the client's parse error
      if (packet !== null) {
        try {
          this.#handleDecoded(packet);
        } catch (e) {
          reportError(e, "the handling of a packet");
        }
        return;
      }
    }
    try {
      decoder = this.#decoder ??= this.#newDecoder();
      // a packet completed by this chunk reaches onDecoded() from inside add()
      decoding = true;
      decoder.add(data);
    } catch (e) {
      if (decoding) this.#onParseError(e);
      else reportError(e, "the handling of a packet");
    } finally {
      decoding = false;
    }
  }

  #onParseError(e: unknown): void {
    debug("invalid packet format: %s", (e as Error)?.message);
    this.#onerror(e as Error, "parse error");
  }

  /** The DecodedPacketSink port: called by the layer below, not by applications. */
  onDecoded(packet: Packet): void {
    decoding = false;
    this.#handleDecoded(packet);
  }

  /** The EngineHandler port: called by the layer below, not by applications. */
  onEngineClose(reason: EngineCloseReason, description?: unknown): void {
    debug("client close with reason %s", reason);
    this.#onclose(reason, description);
  }

  // -- namespaces ------------------------------------------------------------------------------

  #connect(name: string, auth: Record<string, unknown>): void {
    if (this.server._nsps.has(name)) {
      debug("connecting to namespace %s", name);
      this.#doConnect(name, auth);
      return;
    }
    // the namespace functions may keep or change the auth: a real object for them
    this.server.checkNamespace(name, auth === NO_AUTH ? {} : auth, (dynamicNsp) => {
      if (dynamicNsp) {
        this.#doConnect(name, auth);
      } else {
        debug("creation of namespace %s was denied", name);
        this.packet({
          type: PacketType.CONNECT_ERROR,
          nsp: name,
          data: { message: "Invalid namespace" },
        });
      }
    });
  }

  #doConnect(name: string, auth: Record<string, unknown>): void {
    const nsp = this.server.of(name);
    void nsp.add(this, auth);
  }

  /** @internal a socket of this client connected to its namespace */
  onNamespaceJoined(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.#addSocket(socket);
    this.#cancelConnectTimeout();
  }

  /** @internal no namespace joined within `connectTimeout` (called by the server's queue) */
  onConnectTimeout(): void {
    if (this.#only === null && this.#many === null) {
      debug("no namespace joined yet, close the client");
      this.close();
    }
  }

  /** @internal connects a v3 client to the main namespace at once (v2 clients expect it) */
  connectMain(): void {
    this.#connect("/", NO_AUTH);
  }

  /** @internal disconnects every socket and closes the connection */
  disconnectAll(): void {
    for (const socket of this.#sockets()) socket.disconnect();
    this.#clearSockets();
    this.close();
  }

  /** @internal a socket left */
  remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (this.#only === socket) {
      this.#only = null;
    } else if (this.#many?.get(socket.nsp.name) === socket) {
      this.#many.delete(socket.nsp.name);
    } else {
      debug("ignoring remove for %s", socket.id);
    }
  }

  /** Closes the underlying connection. */
  close(): void {
    if (this.conn.readyState === "open") {
      debug("forcing transport close");
      this.conn.close();
      this.#onclose("forced server close");
    }
  }

  // -- writing ---------------------------------------------------------------------------------

  /** @internal encodes and writes a packet */
  packet(packet: Packet, opts: WriteOptions = {}): void {
    if (this.conn.readyState !== "open") {
      debug("ignoring packet write %j", packet);
      return;
    }
    const encoded = opts.preEncoded
      ? (packet as unknown as EncodedPacket[])
      : this.encoder.encode(packet);
    this.writeToEngine(encoded, opts);
  }

  /** Writes encoded packets to the engine (compatibility surface: adapters call it). */
  writeToEngine(encodedPackets: EncodedPacket[] | EncodedPacket, opts: WriteOptions): void {
    if (opts.preEncoded) this.server.ops.metrics?.delivered(encodedPackets);
    if (this.#replayed !== null && this.#replayedAgain(encodedPackets)) return;
    if (this.#held !== null) {
      this.#held.push([encodedPackets, opts]);
      return;
    }
    this.#deliver(encodedPackets, opts);
  }

  /** Writes now, or holds a packet that must wait for its namespace's log order. */
  #deliver(encodedPackets: EncodedPacket[] | EncodedPacket, opts: WriteOptions): void {
    const order = opts.preEncoded ? this.#orderOf(encodedPackets) : null;
    if (order !== null) {
      const offset = trailingOffset(
        Array.isArray(encodedPackets) ? encodedPackets[0] : encodedPackets,
      );
      if (offset !== undefined && order.mustWait(offset)) {
        (this.#ordered ??= []).push([encodedPackets, opts, offset, order]);
        order.hold(this);
        return;
      }
    }
    this.#write(encodedPackets, opts);
  }

  /** The log order of the namespace an encoded packet is for, if it has one. */
  #orderOf(encodedPackets: EncodedPacket[] | EncodedPacket): StreamOrder | null {
    const only = this.#only;
    if (only !== null) return only.nsp.streamOrder;
    if (this.#many === null) return null;
    const text = Array.isArray(encodedPackets) ? encodedPackets[0] : encodedPackets;
    if (typeof text !== "string") return null;
    return this.#many.get(eventNamespace(text))?.nsp.streamOrder ?? null;
  }

  /** @internal writes the packets held for `order` up to `through` (all when null) */
  releaseOrdered(order: StreamOrder, through: string | null): void {
    const list = this.#ordered;
    let waiting = false;
    if (list !== null) {
      let kept = 0;
      for (const entry of list) {
        if (entry[3] === order && (through === null || compareOffsets(entry[2], through) <= 0)) {
          this.#write(entry[0], entry[1]);
        } else {
          list[kept++] = entry;
          if (entry[3] === order) waiting = true;
        }
      }
      list.length = kept;
      if (kept === 0) this.#ordered = null;
    }
    if (!waiting) order.drop(this);
  }

  #write(encodedPackets: EncodedPacket[] | EncodedPacket, opts: WriteOptions): void {
    if (opts.volatile && !this.conn.transport.writable) {
      debug("volatile packet is discarded since the transport is not currently writable");
      return;
    }
    if (Array.isArray(encodedPackets)) {
      if (encodedPackets.length > 1 && this.conn instanceof EngineSocket) {
        // a packet with attachments: all its parts in one flush
        this.conn.writeAll(encodedPackets as EngineData[], opts);
        return;
      }
      for (let i = 0; i < encodedPackets.length; i++) {
        this.conn.write(encodedPackets[i] as EngineData, opts);
      }
    } else {
      this.conn.write(encodedPackets as EngineData, opts);
    }
  }

  // -- resume catch-up (core/ops/resume.ts) ------------------------------------------------------

  /** @internal queues every write until {@link Client.releaseWrites} */
  holdWrites(): void {
    this.#held ??= [];
  }

  /** @internal the offsets (last argument) of the held event packets */
  heldOffsets(): Set<string> {
    const offsets = new Set<string>();
    for (const [encoded] of this.#held ?? []) {
      const offset = eventOffset(Array.isArray(encoded) ? encoded[0] : encoded);
      if (offset !== undefined) offsets.add(offset);
    }
    return offsets;
  }

  /** Whether a live packet is one the resume sent already (then it is dropped). */
  #replayedAgain(encodedPackets: EncodedPacket[] | EncodedPacket): boolean {
    const replayed = this.#replayed!;
    if (Date.now() > replayed.until) {
      this.#replayed = null;
      return false;
    }
    const encoded = Array.isArray(encodedPackets) ? encodedPackets[0] : encodedPackets;
    const offset = eventOffset(encoded);
    return (
      offset !== undefined &&
      STREAM_OFFSET.test(offset) &&
      compareOffsets(offset, replayed.last) <= 0 &&
      eventNamespace(encoded as string) === replayed.nsp
    );
  }

  /** @internal writes `first` (event payloads for `socket`), then the held writes */
  releaseWrites(socket: ResumedSocket, first: unknown[][], through: string): void {
    const held = this.#held;
    this.#held = null;
    let last = STREAM_OFFSET.test(through) ? through : undefined;
    for (const data of first) {
      const offset = data[data.length - 1];
      if (typeof offset !== "string" || !STREAM_OFFSET.test(offset)) continue;
      if (last === undefined || compareOffsets(offset, last) > 0) last = offset;
    }
    const target = socket as Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
    const nsp = target.nsp.name;
    const from = STREAM_OFFSET.test(through) ? through : undefined;
    // the second read's packets and the held ones merged in log order; a held packet the first
    // read already sent (up to `through`) is dropped
    let next = 0;
    for (const [encoded, opts] of held ?? []) {
      const text = Array.isArray(encoded) ? encoded[0] : encoded;
      const offset = trailingOffset(text);
      if (offset !== undefined && eventNamespace(text as string) === nsp) {
        if (from !== undefined && compareOffsets(offset, from) <= 0) continue;
        while (next < first.length && offsetBefore(first[next]!, offset)) {
          target.packet({ type: PacketType.EVENT, nsp, data: first[next++] });
        }
      }
      this.#deliver(encoded, opts);
    }
    while (next < first.length) target.packet({ type: PacketType.EVENT, nsp, data: first[next++] });
    // from now on, live packets the catch-up wrote are dropped
    this.#replayed =
      last === undefined
        ? null
        : { nsp: target.nsp.name, last, until: Date.now() + REPLAY_WINDOW_MS };
  }

  // -- reading ---------------------------------------------------------------------------------

  #handleDecoded(packet: Packet): void {
    const type = packet.type;
    if (
      packet.data === undefined &&
      (type === PacketType.EVENT ||
        type === PacketType.ACK ||
        type === PacketType.BINARY_EVENT ||
        type === PacketType.BINARY_ACK)
    ) {
      // an event or ack always carries an array: "42" or "421" is malformed
      this.#onParseError(createError("INVALID_PAYLOAD"));
      return;
    }
    let namespace: string;
    let auth: Record<string, unknown>;
    if (this.conn.protocol === 3) {
      const parsed = parseV3Namespace(packet.nsp);
      namespace = parsed.name;
      auth = parsed.auth;
    } else {
      namespace = packet.nsp;
      auth = packet.data ?? NO_AUTH;
    }
    const socket = this.#socketOf(namespace);
    if (!socket && packet.type === PacketType.CONNECT) {
      this.#connect(namespace, typeof auth === "object" && auth !== null ? auth : NO_AUTH);
    } else if (
      socket &&
      packet.type !== PacketType.CONNECT &&
      packet.type !== PacketType.CONNECT_ERROR
    ) {
      process.nextTick(deliverPacket, socket, packet);
    } else {
      debug("invalid state (packet type: %s)", packet.type);
      this.close();
    }
  }

  #onerror(err: Error, reason?: DisconnectReason): void {
    for (const socket of this.#sockets()) socket.onerror(err);
    if (reason !== undefined && this.conn.readyState === "open") {
      const metrics = this.server.ops.metrics;
      if (metrics !== null) metrics.parseErrors++;
      // a malformed packet: only this connection goes, its sockets with reason "parse error"
      // (closed first: the engine close that follows must not report its own reason)
      this.#onclose(reason, err);
      this.conn.close();
      return;
    }
    this.conn.close();
  }

  #onclose(reason: DisconnectReason, description?: unknown): void {
    this.#destroy();
    for (const socket of this.#sockets()) socket.onclose(reason, description);
    this.#clearSockets();
    this.#decoder?.destroy();
  }

  #destroy(): void {
    const ordered = this.#ordered;
    this.#ordered = null;
    if (ordered !== null) for (const entry of ordered) entry[3].drop(this);
    if (this.conn.handler === this) this.conn.handler = null;
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners?.data) {
      this.conn.removeListener("data", listeners.data);
      this.conn.removeListener("close", listeners.close as (...a: unknown[]) => void);
      this.conn.removeListener("error", listeners.error as (e: Error) => void);
    }
    const decoder = this.#decoder;
    if (decoder instanceof Decoder) decoder.sink = null;
    else if (decoder !== null && listeners?.decoded) decoder.removeAllListeners("decoded");
    this.#cancelConnectTimeout();
  }

  #cancelConnectTimeout(): void {
    // dropped once done: a connected client holds no link
    this.#connectDeadline?.cancel();
    this.#connectDeadline = null;
  }
}
