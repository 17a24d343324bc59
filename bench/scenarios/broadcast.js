"use strict";
/**
 * Fan-out: `clients` websocket receivers plus one driver connection.
 * - mode "room": receiver i joins room "r<i % rooms>"; the driver asks, round-robin over rooms,
 *   42<id>["room","r<k>",<seq>,T] -> server: io.to("r<k>").emit("m", seq, T); ack.
 * - mode "all": the driver asks 42<id>["all",<seq>,T] -> server: io.emit("m", seq, T); ack
 *   (the driver itself is a recipient too).
 * The driver keeps `window` requests in flight. Every recipient checks each message is exactly
 * 42["m",<seq>,T] with seq the next one of its room (in order, none missing, none foreign).
 * Reports delivered messages/s, the time to deliver the whole burst, and the p50 time for one
 * broadcast to reach all its recipients (queueing behind the window included).
 * With `offsets` (a server with connection state recovery), each message ends with the offset
 * the adapter appends: 42["m",<seq>,T,"<ms>-<n>"].
 */
const { errors, connectSio, closeConn, pool, readUint, sleep } = require("../lib/wire");
const { percentile } = require("../lib/stats");

const TEXT = "The quick brown fox jumps over the lazy dog; fan-out payload of about 100 bytes!!";
const PREFIX = Buffer.from('42["m",');
const SUFFIX = Buffer.from(`,${JSON.stringify(TEXT)}]`);
const TEXT_ARG = SUFFIX.subarray(0, SUFFIX.length - 1);

/** Whether buf[from..] is `,"<digits>-<digits>"]` (a stream offset as the last argument). */
function offsetTail(buf, from) {
  if (buf[from] !== 0x2c || buf[from + 1] !== 0x22 || buf[buf.length - 1] !== 0x5d) return false;
  if (buf[buf.length - 2] !== 0x22) return false;
  let dash = 0;
  for (let i = from + 2; i < buf.length - 2; i++) {
    const c = buf[i];
    if (c === 0x2d) dash++;
    else if (c < 0x30 || c > 0x39) return false;
  }
  return dash === 1;
}

function create(
  port,
  {
    mode = "room",
    clients = 1000,
    rooms = 10,
    broadcasts = 1000,
    warmup = 100,
    window = 16,
    offsets = false,
  },
) {
  const groups = mode === "room" ? rooms : 1;
  let receivers = [];
  let driver = null;
  const members = new Array(groups).fill(0); // recipients per group
  const nextSeq = new Array(groups).fill(0); // next seq the driver sends per group
  let burst = null; // the burst in progress

  function onMessage(buf) {
    const conn = this;
    if (
      buf.length <= PREFIX.length + SUFFIX.length ||
      buf.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0
    ) {
      if (conn === driver) return onDriverAck(buf);
      errors.add(`unexpected packet ${buf.toString().slice(0, 80)}`);
      return;
    }
    const seq = readUint(buf, PREFIX.length);
    const end = readUint.end;
    const exact = offsets
      ? buf.compare(TEXT_ARG, 0, TEXT_ARG.length, end, end + TEXT_ARG.length) === 0 &&
        offsetTail(buf, end + TEXT_ARG.length)
      : buf.length - end === SUFFIX.length && buf.compare(SUFFIX, 0, SUFFIX.length, end) === 0;
    if (!exact) {
      errors.add(`wrong broadcast payload ${buf.toString().slice(0, 120)}`);
    }
    if (conn.group === -1) {
      errors.add(`broadcast reached a socket outside the room`);
      return;
    }
    if (seq !== conn.expect) errors.add(`out of order: got seq ${seq}, expected ${conn.expect}`);
    conn.expect = seq + 1;
    const b = burst;
    if (b === null) return errors.add(`broadcast outside a burst (seq ${seq})`);
    b.delivered++;
    const key = conn.group * b.perGroup + (seq - b.firstSeq[conn.group]);
    if (++b.counts[key] === members[conn.group])
      b.latencies.push(performance.now() - b.sentAt[key]);
    if (b.delivered === b.expected) b.finish();
  }

  function onDriverAck(buf) {
    const b = burst;
    const id = buf[0] === 0x34 && buf[1] === 0x33 ? readUint(buf, 2) : -1;
    const end = readUint.end;
    if (id === -1 || buf.length !== end + 2 || buf[end] !== 0x5b || buf[end + 1] !== 0x5d) {
      errors.add(`driver got ${buf.toString().slice(0, 80)}`);
      return;
    }
    if (!driver.pending.delete(id)) errors.add(`unexpected ack ${id}`);
    if (b !== null && b.sent < b.total) sendOne(b);
  }

  function sendOne(b) {
    const i = b.sent++;
    const group = i % groups;
    const seq = nextSeq[group]++;
    b.sentAt[group * b.perGroup + (seq - b.firstSeq[group])] = performance.now();
    const id = driver.nextId++;
    driver.pending.add(id);
    if (mode === "room") driver.send(`42${id}["room","r${group}",${seq},${JSON.stringify(TEXT)}]`);
    else driver.send(`42${id}["all",${seq},${JSON.stringify(TEXT)}]`);
  }

  /** Sends `total` broadcasts (a multiple of `groups`), resolves when all were delivered. */
  function runBurst(total) {
    const perGroup = Math.ceil(total / groups);
    total = perGroup * groups;
    return new Promise((resolve) => {
      const b = {
        total,
        perGroup,
        sent: 0,
        delivered: 0,
        expected: perGroup * members.reduce((a, m) => a + m, 0),
        firstSeq: nextSeq.slice(),
        counts: new Uint32Array(total),
        sentAt: new Float64Array(total),
        latencies: [],
        t0: performance.now(),
        finish: null,
      };
      const timer = setTimeout(() => {
        errors.add(`burst incomplete: ${b.delivered}/${b.expected} delivered in 60 s`);
        b.finish();
      }, 60000);
      b.finish = () => {
        clearTimeout(timer);
        burst = null;
        resolve({ ms: performance.now() - b.t0, delivered: b.delivered, latencies: b.latencies });
      };
      burst = b;
      for (let i = 0; i < window && b.sent < total; i++) sendOne(b);
    });
  }

  return {
    async setup() {
      receivers = await pool(clients, 100, () => connectSio(port));
      driver = await connectSio(port);
      driver.pending = new Set();
      driver.group = mode === "all" ? 0 : -1;
      driver.expect = 0;
      driver.onText = onMessage;
      if (mode === "all") members[0]++;
      // join rooms, acknowledged; receivers in "all" mode join nothing
      await pool(receivers.length, 100, (i) => {
        const conn = receivers[i];
        conn.group = mode === "room" ? i % rooms : 0;
        conn.expect = 0;
        members[conn.group]++;
        if (mode !== "room") {
          conn.onText = onMessage;
          return undefined;
        }
        return new Promise((resolve) => {
          conn.onText = (buf) => {
            if (buf.toString() !== "430[]") errors.add(`join ack: ${buf.toString().slice(0, 80)}`);
            conn.onText = onMessage;
            resolve();
          };
          conn.send(`420["join","r${conn.group}"]`);
        });
      });
    },
    async warmup() {
      await runBurst(warmup);
      await sleep(100);
    },
    async measure() {
      const r = await runBurst(broadcasts);
      const sorted = Float64Array.from(r.latencies).sort();
      return {
        msgsPerSec: (r.delivered / r.ms) * 1000,
        deliverMs: r.ms,
        fanoutP50: percentile(sorted, 0.5),
        delivered: r.delivered,
      };
    },
    async teardown() {
      await sleep(200); // anything late or duplicated shows up as an error
      if (driver.pending.size !== 0) errors.add(`${driver.pending.size} broadcast acks missing`);
      const all = [...receivers, driver];
      await pool(all.length, 200, (i) => closeConn(all[i], true));
    },
  };
}

module.exports = { create };
