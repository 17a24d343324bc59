/**
 * Bounds the frames of one incoming WebSocket message. ws keeps every fragment of a message as
 * a Buffer until the last one arrives; `maxPayload` bounds their bytes but not their count, so a
 * message of 900,000 one-byte fragments costs ~100 bytes of bookkeeping per byte sent. ws has no
 * option for it, and its internals are not ours to patch: this guard reads the frame headers on
 * the raw stream (a `data` listener placed before ws's own, public stream API) and closes the
 * connection with 1008 when a message has more than `maxFragments` frames. It only parses the
 * 2-14 header bytes of each frame and skips the payloads.
 */
import type { Duplex } from "node:stream";
import type { WebSocketLike } from "../engine/ports";
import { createDebug } from "../util/debug";
import { errorRegistry } from "../errors";

const debug = createDebug("engine:ws");

/** Close code sent for a message split into too many frames (policy violation). */
export const FRAGMENTS_CLOSE_CODE = errorRegistry.TOO_MANY_FRAGMENTS.status.ws;

const kGuard = Symbol("socketkit.fragmentGuard");
const TOO_MANY_FRAGMENTS = errorRegistry.TOO_MANY_FRAGMENTS;

interface GuardState {
  readonly ws: WebSocketLike;
  readonly max: number;
  /** Frames of the data message being received (0: between messages). */
  frames: number;
  /** Payload bytes of the current frame still to skip. */
  skip: number;
  /**
   * A header split across chunks, copied here (created the first time it happens: most headers
   * arrive whole and are read in the chunk), with the bytes read so far and the header's size.
   */
  header: Buffer | null;
  headerRead: number;
  headerSize: number;
}

type GuardedStream = Duplex & { [kGuard]?: GuardState };

/** Watches the frames `socket` carries for `ws` (call once the upgrade has been answered). */
export function guardFragments(socket: Duplex, ws: WebSocketLike, maxFragments: number): void {
  if (!(maxFragments < Infinity)) return;
  const stream = socket as GuardedStream;
  stream[kGuard] = {
    ws,
    max: maxFragments,
    frames: 0,
    skip: 0,
    header: null,
    headerRead: 0,
    headerSize: 0,
  };
  stream.prependListener("data", onData);
}

function onData(this: GuardedStream, chunk: Buffer): void {
  const state = this[kGuard];
  if (state === undefined) return;
  let pos = 0;
  const len = chunk.length;
  while (pos < len) {
    if (state.skip > 0) {
      const n = Math.min(state.skip, len - pos);
      state.skip -= n;
      pos += n;
      continue;
    }
    if (state.headerRead === 0 && len - pos >= 2) {
      const size = headerSize(chunk[pos + 1]);
      if (len - pos >= size) {
        // the usual case: the whole header is in this chunk
        const offset = pos;
        pos += size;
        if (!onFrame(this, state, chunk, offset)) return;
        continue;
      }
    }
    // a header split across chunks: copied byte by byte (the first two tell its size)
    const header = (state.header ??= Buffer.allocUnsafe(14));
    header[state.headerRead++] = chunk[pos++];
    if (state.headerRead === 2) state.headerSize = headerSize(header[1]);
    if (state.headerRead < 2 || state.headerRead < state.headerSize) continue;
    state.headerRead = 0;
    if (!onFrame(this, state, header, 0)) return;
  }
}

/** The size of a frame header from its second byte: length field and mask. */
function headerSize(second: number): number {
  const len7 = second & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
}

/** One frame header complete (at `at` in `bytes`): count it; false when closing. */
function onFrame(stream: GuardedStream, state: GuardState, bytes: Buffer, at: number): boolean {
  const fin = (bytes[at] & 0x80) !== 0;
  const opcode = bytes[at] & 0x0f;
  const len7 = bytes[at + 1] & 0x7f;
  state.skip =
    len7 === 126
      ? bytes.readUInt16BE(at + 2)
      : len7 === 127
        ? bytes.readUInt32BE(at + 2) * 2 ** 32 + bytes.readUInt32BE(at + 6)
        : len7;
  if (opcode >= 0x8) return true; // control frames may come between fragments
  state.frames = opcode === 0 ? state.frames + 1 : 1;
  if (state.frames > state.max) {
    debug("%s: message in more than %d frames, closing", TOO_MANY_FRAGMENTS.code, state.max);
    stream[kGuard] = undefined;
    stream.removeListener("data", onData);
    // stop reading (nothing more reaches ws), send the close frame, then let the stream go
    stream.pause();
    state.ws.close(FRAGMENTS_CLOSE_CODE, TOO_MANY_FRAGMENTS.message);
    stream.end();
    stream.once("finish", () => stream.destroy());
    return false;
  }
  if (fin) state.frames = 0;
  return true;
}
