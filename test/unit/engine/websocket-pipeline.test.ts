/**
 * The WebSocket transport's write pipeline, over a fake ws connection whose held bytes the test
 * sets: a connection holding less than 64 KiB takes the next flush at once (written behind the
 * previous one), one holding more waits for the stream to drain; flushes still end (one "drain"
 * each) in order, only once the kernel has their bytes.
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

  it("takes the next flush at once while the stream holds less than 64 KiB, and ends both in order once the kernel has them", async () => {
    const { tcp, ws, transport, events } = setup();
    transport.send(msg("a"));
    ws.bufferedAmount = 1000; // the kernel did not take all of it
    await tick();
    // not ended (no drain), but writable: the next flush goes behind it
    expect(events).toEqual(["ready"]);
    expect(transport.writable).toBe(true);
    transport.send(msg("b"));
    ws.bufferedAmount = 2000;
    await tick();
    expect(events).toEqual(["ready", "ready"]);
    expect(transport.writable).toBe(true);
    expect(tcp.writes.map((w) => w.chunk)).toEqual(["4a", "", "4b", ""].map(asWritten));
    ws.bufferedAmount = 0;
    tcp.complete();
    expect(events).toEqual(["ready", "ready", "drain", "ready", "drain", "ready"]);
  });

  it("waits for the stream to drain once it holds 64 KiB or more", async () => {
    const { tcp, ws, transport, events } = setup();
    transport.send(msg("a"));
    ws.bufferedAmount = 64 * 1024;
    await tick();
    expect(transport.writable).toBe(false);
    // a flush written anyway (e.g. a close packet) is not corked: its own callback ends it
    transport.send(msg("b"));
    expect(tcp.corks).toBe(0);
    ws.bufferedAmount = 0;
    tcp.complete();
    expect(events.filter((e) => e === "drain")).toHaveLength(2);
    expect(transport.writable).toBe(true);
  });

  it("reports the bytes held before a corked tick as buffered during it", async () => {
    const { ws, transport } = setup();
    ws.bufferedAmount = 5000;
    transport.send(msg("a"));
    ws.bufferedAmount = 5100; // the corked stream now also holds this tick's frame
    expect(transport.bufferedBytes).toBe(5000);
    await tick();
    expect(transport.bufferedBytes).toBe(5100);
  });
});

/** What the fake records for a written frame: ws's string, or the empty Buffer endTick writes. */
function asWritten(text: string): Uint8Array | string {
  return text === "" ? Buffer.alloc(0) : text;
}
