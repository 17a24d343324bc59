"use strict";
/**
 * Connection scenarios.
 * - idle: open `n` websocket Socket.IO connections and keep them (the orchestrator measures the
 *   server's memory before and after, after GC); they must all still be open at the end.
 * - connect-ws: `concurrency` lanes loop on: websocket handshake "0{...}", CONNECT "40" ->
 *   "40{sid}", close. Reports completed connects/s.
 * - connect-polling: `concurrency` lanes (one keep-alive HTTP connection each) loop on a full
 *   session: GET handshake, POST "40", GET "40{sid}", websocket with the sid, "2probe" ->
 *   "3probe", "5", one acked echo over the upgraded websocket, close. Reports sessions/s.
 */
const { LiteWebSocket } = require("../lib/ws-lite");
const { errors, wsPath, connectSio, closeConn, pool, sleep, HttpConn } = require("../lib/wire");

const POLL = "/socket.io/?EIO=4&transport=polling";

function idle(port, { n = 10000, concurrency = 200 }) {
  let conns = [];
  return {
    async setup() {
      // warm the server's code paths so "before" is not taken on a cold server
      const warm = await pool(50, 50, () => connectSio(port));
      await pool(warm.length, 50, (i) => closeConn(warm[i]));
      await sleep(200);
    },
    async warmup() {},
    async measure() {
      const t0 = performance.now();
      conns = await pool(n, concurrency, () => connectSio(port).catch(() => null));
      const ms = performance.now() - t0;
      const connected = conns.filter((c) => c !== null).length;
      if (connected !== n) errors.add(`${n - connected} of ${n} idle connections failed`);
      return { connected, connectsPerSec: (connected / ms) * 1000 };
    },
    async teardown() {
      const open = conns.filter((c) => c !== null && !c.closed);
      if (open.length !== n) errors.add(`${n - open.length} idle connections dropped`);
      await pool(open.length, 500, (i) => closeConn(open[i], true));
    },
  };
}

/** Runs `lanes` copies of `once()` in a loop for `ms`; resolves with completions counted. */
async function loop(lanes, ms, once) {
  let running = true;
  let done = 0;
  const t0 = performance.now();
  async function lane(i) {
    while (running) {
      const ok = await once(i).catch((err) => {
        if (!err.counted) errors.add(err.message);
        return false;
      });
      if (ok && running) done++;
      else if (!ok) await sleep(5);
    }
  }
  const all = Array.from({ length: lanes }, (_, i) => lane(i));
  await sleep(ms);
  running = false;
  const elapsed = performance.now() - t0;
  await Promise.all(all);
  return { done, elapsed };
}

function connectWs(port, { concurrency = 32, warmupMs = 1000, durationMs = 5000 }) {
  async function once() {
    const conn = await connectSio(port);
    await closeConn(conn);
    return true;
  }
  return {
    async setup() {},
    async warmup() {
      await loop(concurrency, warmupMs, once);
    },
    async measure() {
      const { done, elapsed } = await loop(concurrency, durationMs, once);
      return { connectsPerSec: (done / elapsed) * 1000, connects: done };
    },
    async teardown() {},
  };
}

/** Probe, upgrade and one acked echo over a websocket joined to polling session `sid`. */
function upgrade(port, sid) {
  return new Promise((resolve, reject) => {
    let step = 0;
    const failWith = (ws, msg) => {
      step = -1;
      ws.terminate();
      reject(new Error(msg));
    };
    // eslint-disable-next-line no-new -- the handler owns it
    new LiteWebSocket(port, wsPath(sid), {
      onOpen(ws) {
        ws.send("2probe");
      },
      onMessage(ws, data) {
        const str = data.toString();
        if (str === "6") return; // noop: tolerated
        if (step === 0 && str === "3probe") {
          step = 1;
          ws.send("5");
          ws.send('420["echo","upgraded"]');
        } else if (step === 1 && str === '430["upgraded"]') {
          step = 2;
          ws.close();
        } else if (step >= 0) {
          failWith(ws, `upgrade step ${step}: unexpected ${str.slice(0, 80)}`);
        }
      },
      onError(ws, err) {
        if (step >= 0) failWith(ws, `upgrade websocket: ${err.message}`);
      },
      onClose(ws) {
        if (step === 2) resolve(true);
        else if (step >= 0) failWith(ws, `upgrade websocket closed at step ${step}`);
      },
    });
  });
}

/**
 * One polling session on keep-alive connection `http`: handshake, CONNECT, its answer, then the
 * upgrade with one echo (every answer checked).
 */
async function pollingSession(http, port) {
  let r = await http.request("GET", POLL);
  const hs = r.status === 200 && r.body.startsWith("0{") ? JSON.parse(r.body.slice(1)) : null;
  if (hs === null || typeof hs.sid !== "string" || !hs.upgrades.includes("websocket")) {
    throw new Error(`polling handshake: ${r.status} ${r.body.slice(0, 80)}`);
  }
  const path = `${POLL}&sid=${hs.sid}`;
  r = await http.request("POST", path, "40");
  if (r.status !== 200 || r.body !== "ok") {
    throw new Error(`POST CONNECT: ${r.status} ${r.body.slice(0, 80)}`);
  }
  r = await http.request("GET", path);
  const first = r.body.split("\x1e")[0];
  const res = r.status === 200 && first.startsWith("40{") ? JSON.parse(first.slice(2)) : null;
  if (res === null || typeof res.sid !== "string") {
    throw new Error(`GET CONNECT reply: ${r.status} ${r.body.slice(0, 80)}`);
  }
  return upgrade(port, hs.sid);
}

function connectPolling(port, { concurrency = 32, warmupMs = 1000, durationMs = 5000 }) {
  const https = [];
  function once(lane) {
    return pollingSession((https[lane] ??= new HttpConn(port)), port);
  }
  return {
    async setup() {},
    async warmup() {
      await loop(concurrency, warmupMs, once);
    },
    async measure() {
      const { done, elapsed } = await loop(concurrency, durationMs, once);
      return { sessionsPerSec: (done / elapsed) * 1000, sessions: done };
    },
    async teardown() {
      for (const h of https) if (h) h.close();
    },
  };
}

function create(port, params) {
  if (params.mode === "idle") return idle(port, params);
  if (params.mode === "ws") return connectWs(port, params);
  return connectPolling(port, params);
}

module.exports = { create, pollingSession };
