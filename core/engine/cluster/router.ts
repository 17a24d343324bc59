/**
 * Engine-level session routing for deployments without sticky sessions. Every node accepts
 * handshakes and prefixes the session id with its own random tag (a random value drawn at start,
 * never an address); a request for a session of another node is forwarded over the driver to the
 * channel of that tag and answered from there, so the client sees one server.
 *
 * - Polling: the forwarder reads the body (bounded by `maxHttpBufferSize`), sends method, URL,
 *   headers and body as one request, and writes the owner's answer (status, headers, body).
 *   The owner serves it with its own transport, as if it had arrived there. A client that goes
 *   away aborts the owner's side too; an owner that does not answer in time (dead, or gone)
 *   gets the client a 400 "Session ID unknown", the error after which it reconnects.
 * - WebSocket upgrade: forwarded, not moved. The node the upgrade reached accepts it and relays
 *   its frames to the owner, which upgrades the session as usual over a relayed connection.
 *   Moving would mean moving the Socket.IO sockets with the application's handlers, rooms and
 *   pending acks, which live in the owner's memory.
 */
import { createDebug } from "../../util/debug";
import { generateId } from "../../util/id";
import { EngineErrorCode, createError, errorRegistry } from "../../errors";
import type { EngineRequest, EngineResponse } from "../../types";
import type { ClusterRouterHost, WebSocketLike } from "../ports";
import type { ClusterDriver, ClusterReply, EngineClusterOptions } from "./driver";
import {
  ForwardedRequest,
  ForwardedResponse,
  RelayedWebSocket,
  kForwarded,
  type ForwardedAnswer,
  type ForwardedHead,
  type RelaySink,
} from "./forwarded";

const debug = createDebug("engine:cluster");

/** Characters of the owner tag at the start of every session id. */
export const TAG_LENGTH = 8;

const HTTP = 1;
const ABORT = 2;
const WS_OPEN = 3;
const WS_IN_TEXT = 4;
const WS_IN_BINARY = 5;
const WS_OUT_TEXT = 6;
const WS_OUT_BINARY = 7;
const WS_CLOSE_IN = 8;
const WS_CLOSE_OUT = 9;

/** One message: an op, a short head (an id or JSON), a body. */
function frame(op: number, head: string, body?: string | Buffer): Buffer {
  const headBytes = Buffer.from(head);
  const prefix = Buffer.allocUnsafe(3);
  prefix[0] = op;
  prefix.writeUInt16BE(headBytes.length, 1);
  if (body === undefined) return Buffer.concat([prefix, headBytes]);
  return Buffer.concat([prefix, headBytes, typeof body === "string" ? Buffer.from(body) : body]);
}

function unframe(data: Buffer): { op: number; head: string; body: Buffer } | null {
  if (data.length < 3) return null;
  const end = 3 + data.readUInt16BE(1);
  if (end > data.length) return null;
  return { op: data[0], head: data.toString("utf8", 3, end), body: data.subarray(end) };
}

/** Key prefix of the bytes held as the owner (the others are held as the forwarder). */
const OWNED = "owned:";

/** The `sid` query parameter of a forwarded URL (only for accounting; the engine parses it). */
function parseSid(url: string): string {
  const at = url.indexOf("sid=");
  if (at === -1) return "";
  const end = url.indexOf("&", at);
  return url.substring(at + 4, end === -1 ? url.length : end);
}

function invalid(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", {
    name,
    expected,
    value: typeof value === "string" ? JSON.stringify(value) : value,
  });
}

/** Checks the `cluster` option up front, with the messages of the other options. */
function checkOptions(options: EngineClusterOptions): void {
  if (typeof options !== "object" || options === null) {
    invalid("cluster", "an object with a driver", options);
  }
  const driver = options.driver as Partial<ClusterDriver> | undefined;
  const methods = ["publish", "subscribe", "unsubscribe", "request", "close"] as const;
  if (
    typeof driver !== "object" ||
    driver === null ||
    methods.some((m) => typeof driver[m] !== "function")
  ) {
    invalid(
      "cluster.driver",
      "a ClusterDriver (publish, subscribe, unsubscribe, request, close)",
      driver,
    );
  }
  const { requestTimeout, channelPrefix } = options;
  if (
    requestTimeout !== undefined &&
    (typeof requestTimeout !== "number" || !(requestTimeout > 0))
  ) {
    invalid("cluster.requestTimeout", "a number > 0", requestTimeout);
  }
  if (channelPrefix !== undefined && (typeof channelPrefix !== "string" || channelPrefix === "")) {
    invalid("cluster.channelPrefix", "a non-empty string", channelPrefix);
  }
}

/** Counters of one node's routing, for tests and metrics. */
export interface EngineClusterStats {
  /** Requests and upgrades this node forwarded to an owner. */
  forwarded: number;
  /** Forwarded requests and upgrades this node served as the owner. */
  served: number;
  /** Forwarded requests that failed (owner gone or silent): answered "Session ID unknown". */
  failed: number;
  /** Forwarded POST bodies refused for their size (413), here or at the owner. */
  tooLarge: number;
  /** WebSocket upgrades this node accepted and relays to their owner. */
  relayed: number;
}

/**
 * One node's router of the sticky-free engine cluster: it tags the ids of the sessions this
 * node opens, forwards the requests and upgrades for another node's sessions to their owner,
 * and serves the ones forwarded here. The engine creates it when the `cluster` option is set;
 * applications meet it as `io.engine.cluster` (its `tag`, its `stats`, `ready`).
 */
export class EngineClusterRouter {
  /** This node's tag: the first {@link TAG_LENGTH} characters of the ids of its sessions. */
  readonly tag: string;
  readonly stats: EngineClusterStats = {
    forwarded: 0,
    served: 0,
    failed: 0,
    tooLarge: 0,
    relayed: 0,
  };
  /** Resolves once this node receives forwarded requests (its channel is subscribed). */
  readonly ready: Promise<void>;
  readonly #engine: ClusterRouterHost;
  readonly #driver: ClusterDriver;
  readonly #prefix: string;
  readonly #timeout: number | undefined;
  /** Forwarded requests this node serves, by the forwarder's exchange id (for aborts). */
  readonly #served = new Map<string, ForwardedRequest>();
  /** WebSockets this node accepted and relays to an owner, by stream id. */
  readonly #relays = new Map<string, WebSocketLike>();
  /** Relayed WebSockets this node owns, by stream id. */
  readonly #streams = new Map<string, RelayedWebSocket>();
  /** Bytes of forwarded POST bodies in flight from this node, by session id. */
  readonly #inFlight = new Map<string, number>();
  #next = 0;
  #closed = false;
  /** How the owner's relayed WebSockets reach the nodes that relay them. */
  readonly #sink: RelaySink = {
    sendFrame: (stream, relay, data, binary) =>
      this.#driver.publish(
        this.#prefix + relay,
        frame(binary ? WS_OUT_BINARY : WS_OUT_TEXT, stream, data),
      ),
    sendClose: (stream, relay) => {
      this.#driver
        .publish(this.#prefix + relay, frame(WS_CLOSE_OUT, stream))
        .catch(() => undefined);
    },
    forget: (stream) => {
      this.#streams.delete(stream);
    },
  };

  constructor(engine: ClusterRouterHost, options: EngineClusterOptions) {
    checkOptions(options);
    this.#engine = engine;
    this.#driver = options.driver;
    this.#prefix = (options.channelPrefix ?? "socketkit-engine") + "#";
    this.#timeout = options.requestTimeout;
    this.tag = generateId().substring(0, TAG_LENGTH);
    this.ready = this.#driver
      .subscribe(this.#prefix + this.tag, (message, reply) => this.#onMessage(message, reply))
      .catch((error: unknown) => {
        debug("subscription failed: %s", error);
        throw error;
      });
    // nobody may be awaiting `ready`: its failure is reported by the first forwarded request
    this.ready.catch(() => undefined);
  }

  /** The id of a new session of this node: its tag, then the generated id. */
  sessionId(id: string): string {
    return this.tag + id;
  }

  /** Whether a request for an unknown session belongs to another node (and may be forwarded). */
  routable(req: EngineRequest): boolean {
    if ((req as { [kForwarded]?: true })[kForwarded] === true || this.#closed) return false;
    const sid = req._query.sid;
    return typeof sid === "string" && sid.length > TAG_LENGTH && !sid.startsWith(this.tag);
  }

  /**
   * Forwards an HTTP request for a session of another node; false when it is not for another
   * node (then the caller answers "Session ID unknown" itself).
   */
  forward(req: EngineRequest, res: EngineResponse): boolean {
    if (!this.routable(req)) return false;
    this.stats.forwarded++;
    const sid = req._query.sid;
    if (req.method !== "POST") {
      void this.#send(req, res, sid, null);
      return true;
    }
    // bytes are reserved as they arrive: the bodies of all the forwarded POSTs of one session
    // that this node holds at a time stay within maxHttpBufferSize together
    const limit = this.#engine.opts.maxHttpBufferSize;
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const release = (): void => {
      done = true;
      req.removeListener("data", onData);
      this.#release(sid, length);
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      length += chunk.length;
      if (this.#reserve(sid, chunk.length) <= limit) {
        chunks.push(chunk);
        return;
      }
      release();
      this.stats.tooLarge++;
      res.writeHead(errorRegistry.BODY_TOO_LARGE.status.http);
      res.end();
      req.resume();
    };
    req.on("data", onData);
    req.on("end", () => {
      if (done) return;
      done = true;
      void this.#send(req, res, sid, Buffer.concat(chunks, length)).finally(() =>
        this.#release(sid, length),
      );
    });
    req.on("close", () => {
      if (!done) release();
    });
    return true;
  }

  /** @internal bytes of forwarded POST bodies this node holds for `sid`, as forwarder */
  heldBytes(sid: string): number {
    return this.#inFlight.get(sid) ?? 0;
  }

  /** Adds `bytes` to the forwarded bytes held for `sid`; returns the new total. */
  #reserve(sid: string, bytes: number): number {
    const total = (this.#inFlight.get(sid) ?? 0) + bytes;
    this.#inFlight.set(sid, total);
    return total;
  }

  #release(sid: string, bytes: number): void {
    const left = (this.#inFlight.get(sid) ?? 0) - bytes;
    if (left > 0) this.#inFlight.set(sid, left);
    else this.#inFlight.delete(sid);
  }

  async #send(
    req: EngineRequest,
    res: EngineResponse,
    sid: string,
    body: Buffer | null,
  ): Promise<void> {
    const exchange = this.tag + (this.#next++).toString(36);
    const owner = this.#prefix + sid.substring(0, TAG_LENGTH);
    const head: ForwardedHead = {
      f: exchange,
      m: req.method ?? "GET",
      u: req.url ?? "",
      h: req.headers,
    };
    const opts = this.#engine.opts;
    const timeout =
      this.#timeout ?? (body === null ? opts.pingInterval + opts.pingTimeout : opts.pingTimeout);
    const onClientGone = (): void => {
      if (!res.writableEnded) {
        this.#driver.publish(owner, frame(ABORT, exchange)).catch(() => undefined);
      }
    };
    res.once("close", onClientGone);
    let answer: ForwardedAnswer | null = null;
    try {
      const data = await this.#driver.request(
        owner,
        frame(HTTP, JSON.stringify(head), body ?? undefined),
        timeout,
      );
      const parsed = unframe(data);
      if (parsed !== null) {
        const meta = JSON.parse(parsed.head) as { s: number; h: Record<string, string | string[]> };
        answer = { status: meta.s, headers: meta.h, body: parsed.body };
      }
    } catch (error) {
      debug("forwarded request for %s failed: %s", sid, error);
    }
    res.removeListener("close", onClientGone);
    if (res.writableEnded || res.destroyed) return;
    if (answer === null) {
      this.stats.failed++;
      const context = { sid, name: "CLUSTER_OWNER_UNREACHABLE" };
      this.#engine.refuseRequest(req, res, EngineErrorCode.UNKNOWN_SID, context);
      return;
    }
    if (answer.status === 413) this.stats.tooLarge++;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /**
   * Relays an accepted WebSocket (an upgrade for a session of another node) to the owner; the
   * caller checked {@link routable} before accepting it.
   */
  relay(req: EngineRequest, ws: WebSocketLike): void {
    this.stats.forwarded++;
    this.stats.relayed++;
    const stream = this.tag + (this.#next++).toString(36);
    const owner = this.#prefix + req._query.sid.substring(0, TAG_LENGTH);
    const head = { i: stream, r: this.tag, u: req.url ?? "", h: req.headers };
    this.#relays.set(stream, ws);
    const publish = (data: Buffer): void => {
      this.#driver.publish(owner, data).catch(() => ws.terminate());
    };
    publish(frame(WS_OPEN, JSON.stringify(head)));
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      publish(frame(isBinary ? WS_IN_BINARY : WS_IN_TEXT, stream, bytes));
    });
    ws.on("close", () => {
      if (this.#relays.delete(stream)) publish(frame(WS_CLOSE_IN, stream));
    });
    ws.on("error", (err: Error) => debug("relayed websocket error: %s", err.message));
  }

  #onMessage(message: Buffer, reply: ClusterReply | undefined): void {
    const parsed = unframe(message);
    if (parsed === null || this.#closed) return;
    const { op, head, body } = parsed;
    switch (op) {
      case HTTP:
        if (reply !== undefined) this.#serve(head, body, reply);
        return;
      case ABORT:
        this.#served.get(head)?.destroy();
        return;
      case WS_OPEN:
        this.#openStream(head);
        return;
      case WS_IN_TEXT:
      case WS_IN_BINARY:
        this.#streams.get(head)?.receive(body, op === WS_IN_BINARY);
        return;
      case WS_CLOSE_IN:
        this.#streams.get(head)?.remoteClosed();
        return;
      case WS_OUT_TEXT:
      case WS_OUT_BINARY: {
        const ws = this.#relays.get(head);
        if (ws === undefined || ws.readyState !== 1) return;
        if (op === WS_OUT_TEXT) ws.send(body.toString(), { binary: false });
        else ws.send(Buffer.from(body), { binary: true });
        // a client that stops reading cannot make the relaying node buffer without a bound
        if ((ws.bufferedAmount ?? 0) > this.#engine.opts.maxBufferedBytes) ws.terminate();
        return;
      }
      case WS_CLOSE_OUT: {
        const ws = this.#relays.get(head);
        if (ws !== undefined) {
          this.#relays.delete(head);
          ws.close();
        }
        return;
      }
      default:
        debug("unknown cluster message %d", op);
    }
  }

  /** Serves a request another node forwarded, with this node's own session and transport. */
  #serve(headJson: string, body: Buffer, reply: ClusterReply): void {
    this.stats.served++;
    const head = JSON.parse(headJson) as ForwardedHead;
    let answered = false;
    const answer = (a: ForwardedAnswer): void => {
      if (answered) return;
      answered = true;
      if (body.length > 0) this.#release(OWNED + parseSid(head.u), body.length);
      this.#served.delete(head.f);
      reply(frame(HTTP, JSON.stringify({ s: a.status, h: a.headers }), a.body));
    };
    // the forwarded bodies this node holds for one session stay within maxHttpBufferSize
    const sid = body.length > 0 ? parseSid(head.u) : "";
    const held = body.length > 0 ? this.#reserve(OWNED + sid, body.length) : 0;
    if (held > this.#engine.opts.maxHttpBufferSize) {
      this.#release(OWNED + sid, body.length);
      this.stats.tooLarge++;
      answer({
        status: errorRegistry.BODY_TOO_LARGE.status.http,
        headers: {},
        body: Buffer.alloc(0),
      });
      return;
    }
    const req = new ForwardedRequest(head, head.m === "POST" ? body : null);
    const res = new ForwardedResponse(answer);
    this.#served.set(head.f, req);
    // aborted before an answer: the reservation goes with it
    req.once("close", () => {
      if (!res.writableEnded && body.length > 0) {
        answered = true;
        this.#release(OWNED + parseSid(head.u), body.length);
      }
    });
    const engineReq = req as unknown as EngineRequest;
    this.#engine.handleRequest(engineReq, res as unknown as EngineResponse);
  }

  /** Upgrades a session of this node over a WebSocket that another node relays. */
  #openStream(headJson: string): void {
    this.stats.served++;
    const head = JSON.parse(headJson) as { i: string; r: string; u: string; h: ForwardedHead["h"] };
    const ws = new RelayedWebSocket(
      this.#sink,
      head.i,
      head.r,
      this.#engine.opts.maxHttpBufferSize,
    );
    this.#streams.set(head.i, ws);
    const req = new ForwardedRequest({ m: "GET", u: head.u, h: head.h }, null);
    this.#engine.acceptRelayedUpgrade(req as unknown as EngineRequest, ws, () => ws.start());
  }

  /** Stops routing: pending relays are closed, the channel is unsubscribed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const ws of this.#relays.values()) ws.close();
    this.#relays.clear();
    for (const req of this.#served.values()) req.destroy();
    this.#served.clear();
    this.#driver.unsubscribe(this.#prefix + this.tag).catch(() => undefined);
  }
}
