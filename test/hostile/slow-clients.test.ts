/**
 * Class 2: a client that stops reading. Everything queued for one client is bounded in bytes
 * (maxBufferedBytes): past it the session is closed with "transport error" and its memory freed;
 * volatile packets are dropped before anything else.
 */
import { connect } from "../support/server";
import type { Socket } from "../../core/index";
import { expectHealthy, liveBytes, MiB, rawFrames, rawSioPolling, startTarget } from "./support";
import { closeHostile } from "./support";
import { DEFAULT_MAX_BUFFERED_BYTES } from "../../core/engine/server";
import { waitUntil } from "../support/wait";

afterEach(closeHostile);

const BIG = "x".repeat(900_000);

/** The close handlers release the buffers on the next tick: let them run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The server-side socket of the next connection, and its disconnect reason. */
function nextSocket(h: Awaited<ReturnType<typeof startTarget>>): Promise<{
  socket: Socket;
  reason: Promise<string>;
}> {
  return new Promise((resolve) =>
    h.io.once("connection", (socket: Socket) =>
      resolve({ socket, reason: new Promise((r) => socket.once("disconnect", r)) }),
    ),
  );
}

describe("a WebSocket client that stops reading", () => {
  it("is closed past maxBufferedBytes and its memory is freed (300 x 900 KB sent)", async () => {
    const h = await startTarget();
    const [bystander] = await connect(h, { transports: ["websocket"] });
    const before = liveBytes();
    const next = nextSocket(h);
    const raw = await rawFrames(h);
    raw.socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x34, 0x30])); // "40", masked
    const { socket, reason } = await next;
    raw.socket.pause(); // stops reading: the kernel buffers fill, then ws's, then ours
    let accepted = 0;
    for (let i = 0; i < 300 && socket.connected; i++) {
      socket.emit("big", BIG);
      accepted++;
    }
    expect(await reason).toBe("transport error");
    expect(accepted).toBeLessThan(300);
    // the bound, in bytes: what was accepted before the close fits in it (plus one message)
    expect(accepted * BIG.length).toBeLessThan(
      DEFAULT_MAX_BUFFERED_BYTES + 2 * BIG.length + 8 * MiB,
    );
    raw.socket.resume(); // reads again: sees the connection gone
    await raw.closed;
    await settle();
    expect(liveBytes() - before).toBeLessThan(16 * MiB);
    expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
    await expectHealthy(h);
  });

  it("drops volatile packets instead of buffering them (and is not closed for them)", async () => {
    const h = await startTarget();
    const next = nextSocket(h);
    const raw = await rawFrames(h);
    raw.socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x34, 0x30]));
    const { socket } = await next;
    raw.socket.pause();
    const before = liveBytes();
    for (let i = 0; i < 300; i++) socket.volatile.emit("big", BIG);
    expect(socket.connected).toBe(true);
    expect(socket.conn.bufferedAmount).toBeLessThan(DEFAULT_MAX_BUFFERED_BYTES);
    expect(liveBytes() - before).toBeLessThan(DEFAULT_MAX_BUFFERED_BYTES + 8 * MiB);
    await expectHealthy(h);
  });

  it("honours a smaller maxBufferedBytes", async () => {
    const h = await startTarget({ maxBufferedBytes: 2 * MiB });
    const next = nextSocket(h);
    const raw = await rawFrames(h);
    raw.socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x34, 0x30]));
    const { socket, reason } = await next;
    raw.socket.pause();
    let accepted = 0;
    for (let i = 0; i < 300 && socket.connected; i++) {
      socket.emit("big", BIG);
      accepted++;
    }
    expect(await reason).toBe("transport error");
    expect(accepted * BIG.length).toBeLessThan(2 * MiB + 2 * BIG.length + 8 * MiB);
  });

  it("validates maxBufferedBytes up front", async () => {
    await expect(startTarget({ maxBufferedBytes: 0 })).rejects.toThrow(/maxBufferedBytes/);
  });
});

describe("a polling client that never sends its GET", () => {
  it("is closed past maxBufferedBytes, long before the ping timeout", async () => {
    const h = await startTarget();
    const [bystander] = await connect(h, { transports: ["polling"] });
    const next = nextSocket(h);
    const before = liveBytes();
    await rawSioPolling(h); // connected, then never polls again
    const { socket, reason } = await next;
    let accepted = 0;
    for (let i = 0; i < 300 && socket.connected; i++) {
      socket.emit("big", BIG);
      accepted++;
    }
    expect(await reason).toBe("transport error");
    expect(accepted * BIG.length).toBeLessThan(DEFAULT_MAX_BUFFERED_BYTES + 2 * BIG.length);
    await settle();
    expect(liveBytes() - before).toBeLessThan(16 * MiB);
    expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
    await expectHealthy(h);
  });

  it("on a v3 session (allowEIO3) too", async () => {
    const h = await startTarget({ allowEIO3: true });
    const next = nextSocket(h);
    await rawSioPolling(h, 3);
    const { socket, reason } = await next;
    for (let i = 0; i < 300 && socket.connected; i++) socket.emit("big", BIG);
    expect(await reason).toBe("transport error");
  });
});

describe("the buffer kept during an upgrade", () => {
  it("is bounded too: a client that probes and then goes silent", async () => {
    const h = await startTarget();
    const next = nextSocket(h);
    const session = await rawSioPolling(h);
    const { socket, reason } = await next;
    // the probe: "2probe" answered, then neither "5" nor another poll
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(
      `ws://127.0.0.1:${h.port}/socket.io/?EIO=4&transport=websocket&sid=${session.sid}`,
    );
    ws.on("error", () => {});
    await new Promise<void>((resolve) => ws.once("open", () => resolve()));
    ws.send("2probe");
    await new Promise<void>((resolve) => ws.once("message", () => resolve()));
    await waitUntil(() => socket.conn.upgrading);
    for (let i = 0; i < 300 && socket.connected; i++) socket.emit("big", BIG);
    expect(await reason).toBe("transport error");
    ws.terminate();
    await expectHealthy(h);
  });
});
