/**
 * The WebSocket transport's flushes, over a fake ws connection whose held bytes the test sets:
 * a flush written in a corked tick ends at the end of the tick when the kernel took every byte;
 * otherwise the transport stays busy (one flush at a time, as engine.io) until the stream
 * drains, and the flushes end (one "drain" each) in order once the kernel has their bytes.
 */
import { EventEmitter } from "node:events";
import { EngineWebSocket } from "../../../core/engine/transports/websocket";
import type { TransportSink } from "../../../core/engine/transports/transport";
import type { EngineRequest } from "../../../core/types";
import type { WebSocketLike } from "../../../core/engine/ports";

/** A TCP stream that records writes and keeps their callbacks until `complete()`. */
class FakeTcp {
  corks = 0;
  writes: { chunk: Uint8Array | string; cb?: (err?: Error | null) => void }[] = [];
  destroyed = false;
  cork(): void {
    this.corks++;
  }
  uncork(): void {
    this.corks--;
  }
  write(chunk: Uint8Array | string, cb?: (err?: Error | null) => void): boolean {
    this.writes.push({ chunk, cb });
    return true;
  }
  /** The kernel took every byte written so far: their callbacks run, in order. */
  complete(): void {
    for (const w of this.writes.splice(0)) w.cb?.(null);
  }
}

/** A ws connection writing each frame to `tcp`; `bufferedAmount` is what the test says. */
class FakeWs extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  constructor(readonly tcp: FakeTcp) {
    super();
  }
  send(data: string | Buffer, _options: unknown, cb?: (err?: Error) => void): void {
    this.tcp.write(
      typeof data === "string" ? data : new Uint8Array(data),
      cb && ((err) => cb(err ?? undefined)),
    );
  }
  close(): void {}
  terminate(): void {}
}

function setup() {
  const tcp = new FakeTcp();
  const ws = new FakeWs(tcp);
  const req = { _query: { EIO: "4" }, socket: tcp } as unknown as EngineRequest;
  const transport = new EngineWebSocket(req, ws as unknown as WebSocketLike);
  const events: string[] = [];
  const sink: TransportSink = {
    onTransportPacket: () => {},
    onTransportReady: () => events.push("ready"),
    onTransportDrain: () => events.push("drain"),
    onTransportClose: () => events.push("close"),
    onTransportError: (_t, message) => events.push("error " + message),
  };
  transport.sink = sink;
  return { tcp, ws, transport, events };
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const msg = (data: string) => [{ type: "message" as const, data }];

describe("EngineWebSocket write pipeline", () => {
  it("ends a flush at the end of its tick when the stream took every byte", async () => {
    const { tcp, transport, events } = setup();
    transport.send(msg("a"));
    expect(transport.writable).toBe(false);
    expect(tcp.corks).toBe(1);
    await tick();
    expect(tcp.corks).toBe(0);
    expect(events).toEqual(["ready", "drain", "ready"]);
    expect(transport.writable).toBe(true);
  });

  it("stays busy while the stream holds bytes of a tick's flushes, and ends them once the kernel has them", async () => {
    const { tcp, ws, transport, events } = setup();
    transport.send(msg("a"));
    transport.send(msg("b")); // same tick: corked with the first
    ws.bufferedAmount = 1000; // the kernel did not take all of it
    await tick();
    expect(events).toEqual(["ready"]);
    expect(transport.writable).toBe(false);
    expect(tcp.writes.map((w) => w.chunk)).toEqual(["4a", "4b", ""].map(asWritten));
    ws.bufferedAmount = 0;
    tcp.complete();
    expect(events).toEqual(["ready", "drain", "drain", "ready"]);
    expect(transport.writable).toBe(true);
  });

  it("does not cork a flush while the stream still holds earlier bytes: its own callback ends it", async () => {
    const { tcp, ws, transport, events } = setup();
    transport.send(msg("a"));
    ws.bufferedAmount = 1;
    await tick();
    expect(transport.writable).toBe(false);
    transport.send(msg("b"));
    expect(tcp.corks).toBe(0);
    ws.bufferedAmount = 0;
    tcp.complete();
    expect(events.filter((e) => e === "drain")).toHaveLength(2);
    expect(transport.writable).toBe(true);
  });
});

/** What the fake records for a written frame: ws's string, or the empty Buffer endTick writes. */
function asWritten(text: string): Uint8Array | string {
  return text === "" ? Buffer.alloc(0) : text;
}
