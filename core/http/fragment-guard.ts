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
import { errorCodes, type ErrorCode } from "../errors";

const debug = createDebug("engine:ws");

/** Close code sent for a message split into too many frames (policy violation). */
export const FRAGMENTS_CLOSE_CODE = 1008;

const kGuard = Symbol("socketkit.fragmentGuard");
const TOO_MANY_FRAGMENTS: ErrorCode = "SIO_ERR_TOO_MANY_FRAGMENTS";

interface GuardState {
  readonly ws: WebSocketLike;
  readonly max: number;
  /** Frames of the data message being received (0: between messages). */
  frames: number;
  /** Payload bytes of the current frame still to skip. */
  skip: number;
  /** Header bytes read so far, and how many the header has (0: not known yet). */
  header: Buffer;
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
    header: Buffer.allocUnsafe(14),
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
    // header bytes: the first two tell how many follow
    const header = state.header;
    header[state.headerRead++] = chunk[pos++];
    if (state.headerRead === 2) {
      const len7 = header[1] & 0x7f;
      state.headerSize = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (header[1] & 0x80 ? 4 : 0);
    }
    if (state.headerRead < 2 || state.headerRead < state.headerSize) continue;
    state.headerRead = 0;
    if (!onFrame(this, state, header)) return;
  }
}

/** One frame header complete: count it; false when the connection is being closed. */
function onFrame(stream: GuardedStream, state: GuardState, header: Buffer): boolean {
  const fin = (header[0] & 0x80) !== 0;
  const opcode = header[0] & 0x0f;
  const len7 = header[1] & 0x7f;
  state.skip =
    len7 === 126
      ? header.readUInt16BE(2)
      : len7 === 127
        ? header.readUInt32BE(2) * 2 ** 32 + header.readUInt32BE(6)
        : len7;
  if (opcode >= 0x8) return true; // control frames may come between fragments
  state.frames = opcode === 0 ? state.frames + 1 : 1;
  if (state.frames > state.max) {
    debug("%s: message in more than %d frames, closing", TOO_MANY_FRAGMENTS, state.max);
    stream[kGuard] = undefined;
    stream.removeListener("data", onData);
    // stop reading (nothing more reaches ws), send the close frame, then let the stream go
    stream.pause();
    state.ws.close(FRAGMENTS_CLOSE_CODE, errorCodes[TOO_MANY_FRAGMENTS]);
    stream.end();
    stream.once("finish", () => stream.destroy());
    return false;
  }
  if (fin) state.frames = 0;
  return true;
}
