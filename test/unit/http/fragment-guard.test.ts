import { PassThrough } from "node:stream";
import { guardFragments, FRAGMENTS_CLOSE_CODE } from "../../../core/http/fragment-guard";
import type { WebSocketLike } from "../../../core/engine/ports";
import { frame } from "../../hostile/support";

/** A stream and a ws double: records the close the guard asks for. */
function setup(max: number): { stream: PassThrough; closes: number[] } {
  const stream = new PassThrough();
  const closes: number[] = [];
  const ws = { close: (code?: number) => closes.push(code ?? 0) } as unknown as WebSocketLike;
  guardFragments(stream, ws, max);
  stream.on("data", () => {}); // ws's own listener
  return { stream, closes };
}

/** Feeds `bytes` in chunks of `size` (1: every header split across chunks). */
function feed(stream: PassThrough, bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) stream.emit("data", bytes.subarray(i, i + size));
}

function message(frames: number, payload = 3): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < frames; i++) {
    parts.push(frame(i === 0 ? 0x1 : 0x0, Buffer.alloc(payload, 0x61), i === frames - 1));
  }
  return Buffer.concat(parts);
}

describe("fragment guard", () => {
  for (const size of [1, 3, 7, 1000]) {
    it(`counts frames with headers split every ${size} byte(s)`, () => {
      const { stream, closes } = setup(4);
      feed(stream, Buffer.concat([message(4), frame(0x9, Buffer.alloc(0)), message(4)]), size);
      expect(closes).toEqual([]);
      feed(stream, message(5), size);
      expect(closes).toEqual([FRAGMENTS_CLOSE_CODE]);
    });
  }

  it("reads 16- and 64-bit payload lengths and skips the payloads", () => {
    const { stream, closes } = setup(2);
    const big = frame(0x2, Buffer.alloc(70_000), false); // 64-bit length
    const mid = frame(0x0, Buffer.alloc(300), true); // 16-bit length
    feed(stream, Buffer.concat([big, mid, big, mid]), 4096);
    expect(closes).toEqual([]);
    feed(stream, Buffer.concat([big, frame(0x0, Buffer.alloc(300), false), mid]), 4096);
    expect(closes).toEqual([FRAGMENTS_CLOSE_CODE]);
  });
});
