/**
 * The WebSocket transport (engine.io's `WebSocket`), over any ws-compatible connection.
 */
import createDebug from "debug";
import type { EngineRequest } from "../../types";
import { encodePacket, encodePacketV3, type EnginePacket } from "../protocol";
import type { WebSocketLike } from "../ports";
import { EngineTransport } from "./transport";

const debug = createDebug("engine:ws");

const kTransport = Symbol("socketkit.transport");
type OwnedWebSocket = WebSocketLike & { [kTransport]?: EngineWebSocket };

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
  this[kTransport]?.failed(err);
}

export class EngineWebSocket extends EngineTransport {
  readonly name = "websocket" as const;
  perMessageDeflate: boolean | object | undefined = undefined;
  /** The ws connection. */
  readonly socket: WebSocketLike;

  readonly #onSent = (err?: Error): void => {
    if (err) this.onError("write error", err.stack);
  };

  readonly #onSentLast = (err?: Error): void => {
    if (err) {
      this.onError("write error", err.stack);
      return;
    }
    // as engine.io: "drain" (send callbacks) while still unwritable, then "ready"
    this.sink?.onTransportDrain(this);
    this.emit("drain");
    this.writable = true;
    this.sink?.onTransportReady(this);
  };

  constructor(req: EngineRequest, ws: WebSocketLike) {
    super(req);
    this.socket = ws;
    (ws as OwnedWebSocket)[kTransport] = this;
    ws.on("message", onWsMessage);
    ws.on("close", onWsClose);
    ws.on("error", onWsError);
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
    this.onError(String(err));
  }

  send(packets: EnginePacket[]): void {
    this.writable = false;
    const ws = this.socket;
    const last = packets.length - 1;
    for (let i = 0; i <= last; i++) {
      const packet = packets[i];
      const cb = i === last ? this.#onSentLast : this.#onSent;
      const options = packet.options;
      const compress = options?.compress !== false && packet.type === "message";
      if (options?.wsPreEncoded !== undefined) {
        // a broadcast: the same UTF-8 bytes for every recipient, converted once
        const buf = (options.wsPreEncodedBuffer ??= Buffer.from(options.wsPreEncoded));
        ws.send(buf, { binary: false, compress }, cb);
        continue;
      }
      const data =
        this.protocol === 4
          ? encodePacket(packet, this.supportsBinary)
          : encodePacketV3(packet, this.supportsBinary);
      ws.send(data, { binary: typeof data !== "string", compress }, cb);
    }
  }

  protected doClose(fn: () => void): void {
    debug("closing");
    this.socket.close();
    fn();
  }
}
