/**
 * Class 3: tiny fragments. One WebSocket message split into more than maxWebSocketFragments
 * frames closes that connection with 1008, whatever the total size. On µWebSockets.js, uWS
 * reassembles a message in C++ without telling how many frames it had: the bound there is the
 * message's bytes (maxPayloadLength, from maxHttpBufferSize), and these tests check that.
 */
import { connect } from "../support/server";
import { UWS_HOST } from "../support/uws";
import {
  closeCodeOf,
  expectHealthy,
  frame,
  liveBytes,
  MiB,
  nextDisconnect,
  rawFrames,
  startTarget,
} from "./support";
import { closeHostile } from "./support";

afterEach(closeHostile);

const CONNECT = Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x34, 0x30]); // "40", masked (zero mask)

/** A text message "42[...]" of `count` frames of one byte each (past the first). */
function fragmented(count: number): Buffer {
  const one = Buffer.from("x");
  const frames: Buffer[] = [frame(0x1, Buffer.from("4"), false)];
  const continuation = frame(0x0, one, false);
  for (let i = 1; i < count - 1; i++) frames.push(continuation);
  frames.push(frame(0x0, one, true));
  return Buffer.concat(frames);
}

describe("a message in tiny fragments", () => {
  it("900,000 one-byte frames: closed with 1008, memory bounded, others unaffected", async () => {
    const h = await startTarget();
    const [bystander] = await connect(h, { transports: ["websocket"] });
    const before = liveBytes();
    const reason = nextDisconnect(h);
    const raw = await rawFrames(h);
    raw.socket.write(CONNECT);
    const attack = fragmented(900_000);
    raw.socket.write(attack);
    await raw.closed;
    // on uWS the 900,000-byte message arrives whole ("4x...": not a Socket.IO packet), and
    // closes the connection as any invalid packet does
    expect(closeCodeOf(raw.received)).toBe(UWS_HOST ? 1005 : 1008);
    // the client is still writing when the server ends the stream: a close or a write error
    const reasons = UWS_HOST ? ["parse error"] : ["transport close", "transport error"];
    expect(reasons).toContain(await reason);
    expect(liveBytes() - before).toBeLessThan(8 * MiB + attack.length);
    expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
    await expectHealthy(h);
  });

  it("accepts a message in exactly maxWebSocketFragments frames, with pings between them", async () => {
    const h = await startTarget({ maxWebSocketFragments: 16 });
    const raw = await rawFrames(h);
    raw.socket.write(CONNECT);
    const text = '421["echo","abcdefghijklmnop"]';
    const parts: Buffer[] = [];
    // 16 frames: the first, 14 continuations, the last, and control frames between them
    const chunks = [text.slice(0, text.length - 15), ...text.slice(text.length - 15).split("")];
    chunks.forEach((chunk, i) => {
      parts.push(frame(i === 0 ? 0x1 : 0x0, Buffer.from(chunk), i === chunks.length - 1));
      if (i === 3) parts.push(frame(0x9, Buffer.alloc(0))); // a ping between fragments
    });
    expect(chunks.length).toBe(16);
    raw.socket.write(Buffer.concat(parts));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no ack")), 5000);
      const check = (): void => {
        if (Buffer.concat(raw.received).includes('431["abcdefghijklmnop"]')) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 5);
      };
      check();
    });
    // one frame more in the next message: refused (uWS does not count frames: accepted there)
    raw.socket.write(fragmented(17));
    await raw.closed;
    expect(closeCodeOf(raw.received)).toBe(UWS_HOST ? 1005 : 1008);
  });

  it("bounds a fragmented message by its bytes: over maxHttpBufferSize it is refused", async () => {
    const h = await startTarget({ maxHttpBufferSize: 1000, maxWebSocketFragments: 4096 });
    const [bystander] = await connect(h, { transports: ["websocket"] });
    const raw = await rawFrames(h);
    raw.socket.write(CONNECT);
    raw.socket.write(fragmented(2000)); // 2,000 bytes in 2,000 frames: under the count, over bytes
    await raw.closed;
    // ws closes with 1009 (message too big); uWS ends the connection without a close frame
    expect(closeCodeOf(raw.received)).toBe(UWS_HOST ? undefined : 1009);
    expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
  });

  it("validates maxWebSocketFragments up front", async () => {
    await expect(startTarget({ maxWebSocketFragments: 0 })).rejects.toThrow(
      /maxWebSocketFragments/,
    );
  });
});
