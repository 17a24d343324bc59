"use strict";
/**
 * Echo with acks: `clients` websocket clients keep `inflight` requests each in flight:
 * 42<id>["echo",P] -> the server must answer 43<id>[P] with P byte-identical (checked).
 * Reports acks/s and p50/p99 latency over the measured window.
 */
const { errors, connectSio, closeConn, measuredWindow, pool, readUint } = require("../lib/wire");
const { percentile } = require("../lib/stats");

const PAYLOAD = '{"user":"alice","text":"hello, world","n":42,"tags":["a","b","c"],"ok":true}';
const REQUEST_SUFFIX = `["echo",${PAYLOAD}]`;
const REPLY_SUFFIX = Buffer.from(`[${PAYLOAD}]`);

function create(port, { clients = 100, inflight = 4, warmupMs = 1000, durationMs = 5000 }) {
  let conns = [];
  let running = false;
  let recording = false;
  let acks = 0;
  let latencies = [];
  let outstanding = 0;
  let drained = null;

  function sendOne(conn) {
    const id = conn.nextId++;
    conn.pending.set(id, performance.now());
    outstanding++;
    conn.send("42" + id + REQUEST_SUFFIX);
  }

  function onText(buf) {
    const conn = this;
    const id = buf[1] === 0x33 /* "3" ack */ ? readUint(buf, 2) : -1;
    const t0 = conn.pending.get(id);
    if (t0 === undefined) {
      errors.add(`unexpected echo reply ${buf.toString().slice(0, 80)}`);
      return;
    }
    conn.pending.delete(id);
    outstanding--;
    const end = readUint.end;
    if (
      buf.length - end !== REPLY_SUFFIX.length ||
      buf.compare(REPLY_SUFFIX, 0, REPLY_SUFFIX.length, end) !== 0
    ) {
      errors.add(`wrong echo payload ${buf.toString().slice(0, 120)}`);
    } else if (recording) {
      acks++;
      latencies.push(performance.now() - t0);
    }
    if (running) sendOne(conn);
    else if (outstanding === 0 && drained !== null) drained();
  }

  async function phase(ms, record) {
    acks = 0;
    latencies = [];
    recording = record;
    running = true;
    for (const conn of conns) for (let i = 0; i < inflight; i++) sendOne(conn);
    return measuredWindow(ms, {
      stop() {
        running = false;
        recording = false;
      },
      inFlight: () => outstanding,
      whenDrained: (fn) => (drained = fn),
      what: "echo requests",
    });
  }

  return {
    async setup() {
      conns = await pool(clients, 50, () => connectSio(port));
      for (const conn of conns) {
        conn.pending = new Map();
        conn.onText = onText;
      }
    },
    async warmup() {
      await phase(warmupMs, false);
    },
    async measure() {
      const elapsed = await phase(durationMs, true);
      const sorted = Float64Array.from(latencies).sort();
      return {
        acksPerSec: (acks / elapsed) * 1000,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        acks,
      };
    },
    async teardown() {
      await pool(conns.length, 200, (i) => closeConn(conns[i], true));
    },
  };
}

module.exports = { create };
