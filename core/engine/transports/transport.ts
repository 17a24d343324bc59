import { LazyEventEmitter } from "../../util/event-emitter";
import { createDebug } from "../../util/debug";
import type { EngineRequest } from "../../types";
import { decodePacket, decodePacketV3, type EngineData, type EnginePacket } from "../protocol";
import { protocolOf } from "../request";

const debug = createDebug("engine:transport");

export type TransportState = "open" | "closing" | "closed";

/**
 * Receives what a transport reads or suffers. The engine socket implements it for its current
 * transport, the upgrade probe for the transport being tested; called directly, no events.
 */
export interface TransportSink {
  onTransportPacket(packet: EnginePacket, transport: EngineTransport): void;
  onTransportReady(transport: EngineTransport): void;
  onTransportDrain(transport: EngineTransport): void;
  onTransportClose(transport: EngineTransport): void;
  onTransportError(transport: EngineTransport, err: SocketkitError, description?: unknown): void;
}

/** Called with the response headers of every HTTP answer, so the server can edit them. */
export type HeadersHook = (headers: Record<string, string | string[]>, req: EngineRequest) => void;

import type { SocketkitError } from "../../errors";
/** The base of the engine's transports (engine.io's `Transport`). */
export abstract class EngineTransport extends LazyEventEmitter {
  abstract readonly name: "polling" | "websocket";
  /** The session id, once the socket is open. */
  sid = "";
  /** Whether a write would be sent now (the layer above drops volatile packets otherwise). */
  writable = false;
  readyState: TransportState = "open";
  discarded = false;
  readonly protocol: 3 | 4;
  readonly supportsBinary: boolean;
  /** @internal */
  sink: TransportSink | null = null;

  constructor(req: EngineRequest) {
    super();
    this.protocol = protocolOf(req._query.EIO);
    this.supportsBinary = !req._query.b64;
  }

  get handlesUpgrades(): boolean {
    return false;
  }

  /** Marks the transport as replaced by an upgrade: a pending poll is not answered with close. */
  discard(): void {
    this.discarded = true;
  }

  close(fn?: () => void): void {
    if (this.readyState === "closed" || this.readyState === "closing") return;
    this.readyState = "closing";
    this.doClose(fn ?? noop);
  }

  /**
   * Bytes written to this transport that the client has not taken yet (0 when the transport
   * cannot tell). Part of the per-client bound `maxBufferedBytes`.
   */
  get bufferedBytes(): number {
    return 0;
  }

  /** Closes at once, dropping whatever is still buffered for the client. */
  terminate(): void {
    this.close();
  }

  abstract send(packets: EnginePacket[]): void;
  protected abstract doClose(fn: () => void): void;

  protected onError(err: SocketkitError, description?: unknown): void {
    debug("transport error: %s", err.message);
    this.sink?.onTransportError(this, err, description);
  }

  protected onPacket(packet: EnginePacket): void {
    this.sink?.onTransportPacket(packet, this);
  }

  protected onData(data: EngineData): void {
    this.onPacket(this.protocol === 4 ? decodePacket(data) : decodePacketV3(data));
  }

  protected onClose(): void {
    this.readyState = "closed";
    this.emit("close");
    this.sink?.onTransportClose(this);
  }
}

function noop(): void {}
