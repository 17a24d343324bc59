"use strict";
/**
 * Binary echo: `clients` websocket clients keep `inflight` requests each in flight, each one a
 * Socket.IO binary event with one `size`-byte attachment:
 *   451-<id>["bin",{"_placeholder":true,"num":0}] + <binary frame>
 * and expect 461-<id>[{"_placeholder":true,"num":0}] + the same bytes (compared in full).
 */
const { randomFillSync } = require("node:crypto");
const { errors, connectSio, closeConn, measuredWindow, pool, readUint } = require("../lib/wire");

const HEADER_SUFFIX = '["bin",{"_placeholder":true,"num":0}]';
const REPLY_SUFFIX = Buffer.from('[{"_placeholder":true,"num":0}]');

function create(
  port,
  { clients = 16, inflight = 2, size = 65536, warmupMs = 1000, durationMs = 5000 },
) {
  let conns = [];
  let running = false;
  let recording = false;
  let acks = 0;
  let outstanding = 0;
  let drained = null;

  function sendOne(conn, payload) {
    const id = conn.nextId++;
    conn.pending.set(id, payload);
    outstanding++;
    conn.send("451-" + id + HEADER_SUFFIX);
    conn.ws.sendBinary(payload);
  }

  function onText(buf) {
    const conn = this;
    const ok = buf[1] === 0x36 && buf[2] === 0x31 && buf[3] === 0x2d; // "461-"
    const id = ok ? readUint(buf, 4) : -1;
    const payload = conn.pending.get(id);
    const end = readUint.end;
    if (
      payload === undefined ||
      conn.waiting !== null ||
      buf.length - end !== REPLY_SUFFIX.length ||
      buf.compare(REPLY_SUFFIX, 0, REPLY_SUFFIX.length, end) !== 0
    ) {
      errors.add(`unexpected binary reply header ${buf.toString().slice(0, 80)}`);
      return;
    }
    conn.pending.delete(id);
    conn.waiting = payload;
  }

  function onBinary(buf) {
    const conn = this;
    const payload = conn.waiting;
    if (payload === null) {
      errors.add(`unexpected binary frame (${buf.length} bytes)`);
      return;
    }
    conn.waiting = null;
    outstanding--;
    if (!payload.equals(buf)) errors.add(`binary payload differs (${buf.length} bytes)`);
    else if (recording) acks++;
    if (running) sendOne(conn, payload);
    else if (outstanding === 0 && drained !== null) drained();
  }

  async function phase(ms, record) {
    acks = 0;
    recording = record;
    running = true;
    for (const conn of conns) for (const payload of conn.payloads) sendOne(conn, payload);
    return measuredWindow(ms, {
      stop() {
        running = false;
        recording = false;
      },
      inFlight: () => outstanding,
      whenDrained: (fn) => (drained = fn),
      what: "binary requests",
    });
  }

  return {
    async setup() {
      conns = await pool(clients, 50, () => connectSio(port));
      conns.forEach((conn, c) => {
        conn.pending = new Map();
        conn.waiting = null;
        conn.onText = onText;
        conn.onBinary = onBinary;
        conn.payloads = [];
        for (let i = 0; i < inflight; i++) {
          const payload = randomFillSync(Buffer.allocUnsafe(size));
          payload.writeUInt32BE(c * inflight + i, 0);
          conn.payloads.push(payload);
        }
      });
    },
    async warmup() {
      await phase(warmupMs, false);
    },
    async measure() {
      const elapsed = await phase(durationMs, true);
      const perSec = (acks / elapsed) * 1000;
      return { acksPerSec: perSec, mibPerSec: (perSec * size * 2) / 1048576, acks };
    },
    async teardown() {
      await pool(conns.length, 200, (i) => closeConn(conns[i], true));
    },
  };
}

module.exports = { create };
