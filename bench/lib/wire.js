"use strict";
/**
 * The load generator's side of the wire: Engine.IO v4 / Socket.IO v5 spoken directly over
 * websockets (no socket.io-client; frames by ws-lite.js), and a minimal keep-alive HTTP/1.1
 * client for long-polling. Kept lean so the server, not the client, is the bottleneck: no
 * UTF-8 validation, no copies, Buffers inspected byte-wise instead of decoded where enough.
 */
const net = require("node:net");
const { LiteWebSocket } = require("./ws-lite");

/** Error counter with a few samples, shared by the whole client process. */
const errors = {
  count: 0,
  samples: [],
  add(msg) {
    this.count++;
    if (this.samples.length < 5) this.samples.push(String(msg).slice(0, 200));
  },
  reset() {
    this.count = 0;
    this.samples = [];
  },
};

/** The Engine.IO websocket path, optionally joining session `sid` (upgrade). */
function wsPath(sid) {
  return `/socket.io/?EIO=4&transport=websocket${sid ? `&sid=${sid}` : ""}`;
}

const S_OPEN = 0; // waiting for "0{...}"
const S_CONNECTING = 1; // waiting for "40{...}"
const S_READY = 2;

function noop() {}

/** A Socket.IO connection over one websocket; `onText(buf)` / `onBinary(buf)` get "4x" packets. */
class Conn {
  constructor(ws) {
    this.ws = ws;
    this.state = S_OPEN;
    this.sid = null;
    this.eioSid = null;
    this.closed = false;
    this.onText = noop;
    this.onBinary = noop;
    this.onClose = noop;
    this.resolve = null;
    this.reject = null;
    this.nextId = 0;
  }

  send(str) {
    this.ws.send(str);
  }
}

function parseJson(buf, start) {
  try {
    return JSON.parse(buf.toString("utf8", start));
  } catch {
    return null;
  }
}

/** Counts the error; rejects a pending connect with an Error marked `counted`. */
function fail(conn, msg) {
  errors.add(msg);
  if (conn.reject !== null) {
    const reject = conn.reject;
    conn.resolve = conn.reject = null;
    const err = new Error(msg);
    err.counted = true;
    reject(err);
  }
}

const handler = {
  onOpen() {},
  onMessage(ws, data, isBinary) {
    const conn = ws.conn;
    if (isBinary) return conn.onBinary(data);
    const c0 = data[0];
    if (conn.state === S_READY) {
      if (c0 === 0x34 /* "4" */) conn.onText(data);
      else if (c0 === 0x32 /* "2" ping */ && data.length === 1) ws.send("3");
      else errors.add(`unexpected packet ${data.toString().slice(0, 60)}`);
    } else if (conn.state === S_OPEN) {
      const hs = c0 === 0x30 /* "0" */ ? parseJson(data, 1) : null;
      if (
        hs === null ||
        typeof hs.sid !== "string" ||
        !Array.isArray(hs.upgrades) ||
        typeof hs.pingInterval !== "number" ||
        typeof hs.pingTimeout !== "number" ||
        typeof hs.maxPayload !== "number"
      ) {
        return fail(conn, `bad handshake ${data.toString().slice(0, 80)}`);
      }
      conn.eioSid = hs.sid;
      conn.state = S_CONNECTING;
      ws.send("40");
    } else {
      const ok = data[0] === 0x34 && data[1] === 0x30 && data[2] === 0x7b; // '40{'
      const res = ok ? parseJson(data, 2) : null;
      if (res === null || typeof res.sid !== "string") {
        return fail(conn, `bad CONNECT reply ${data.toString().slice(0, 80)}`);
      }
      conn.sid = res.sid;
      conn.state = S_READY;
      const resolve = conn.resolve;
      conn.resolve = conn.reject = null;
      resolve(conn);
    }
  },
  onError(ws, err) {
    fail(ws.conn, `websocket error: ${err.message}`);
  },
  onClose(ws) {
    const conn = ws.conn;
    conn.closed = true;
    if (conn.reject !== null) fail(conn, "closed before CONNECT");
    conn.onClose();
  },
};

/**
 * Opens a websocket, completes the Engine.IO handshake and the Socket.IO CONNECT to "/".
 * Resolves with the Conn; rejects (and counts an error) on anything unexpected.
 */
function connectSio(port) {
  return new Promise((resolve, reject) => {
    const ws = new LiteWebSocket(port, wsPath(), handler);
    const conn = new Conn(ws);
    conn.resolve = resolve;
    conn.reject = reject;
    ws.conn = conn;
  });
}

/** Closes the websocket of `conn` and resolves once it is closed. */
function closeConn(conn, hard = false) {
  if (conn.closed) return Promise.resolve();
  return new Promise((resolve) => {
    conn.onClose = resolve;
    if (hard) conn.ws.terminate();
    else conn.ws.close();
  });
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at a time; resolves with results. */
async function pool(n, concurrency, task) {
  const out = new Array(n);
  let next = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, lane));
  return out;
}

/**
 * Parses the unsigned decimal at `buf[i..]`: returns it (-1 when there is no digit) and leaves
 * the index just after it in `readUint.end`.
 */
function readUint(buf, i) {
  let v = -1;
  for (let c = buf[i]; c >= 0x30 && c <= 0x39; c = buf[++i]) v = (v === -1 ? 0 : v * 10) + c - 0x30;
  readUint.end = i;
  return v;
}
readUint.end = 0;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A keep-alive HTTP/1.1 connection doing one request at a time (no pipelining); understands
 * Content-Length and chunked bodies and reconnects after `Connection: close`.
 */
class HttpConn {
  constructor(port) {
    this.port = port;
    this.socket = null;
    this.buf = null;
    this.pending = null; // { resolve, reject, head }
  }

  #connect() {
    const socket = net.connect(this.port, "127.0.0.1");
    socket.setNoDelay(true);
    socket.on("data", (chunk) => {
      this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
      this.#parse();
    });
    socket.on("error", (err) => {
      if (this.socket === socket) this.#fail(err);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.#fail(new Error("connection closed"));
    });
    this.socket = socket;
    this.buf = null;
  }

  #fail(err) {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    p.reject(err);
  }

  /** Resolves with `{ status, body }` (body a latin1 string: the bench only sends ASCII). */
  request(method, path, body) {
    if (this.socket === null) this.#connect();
    let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n`;
    if (body !== undefined) {
      head += `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    }
    this.socket.write(head + "\r\n" + (body === undefined ? "" : body));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  #parse() {
    const p = this.pending;
    const buf = this.buf;
    if (p === null || buf === null) return;
    const end = buf.indexOf("\r\n\r\n");
    if (end === -1) return;
    const head = buf.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    let bodyStart = end + 4;
    let body;
    let rest;
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (cl !== null) {
      const len = Number(cl[1]);
      if (buf.length < bodyStart + len) return;
      body = buf.toString("latin1", bodyStart, bodyStart + len);
      rest = bodyStart + len;
    } else if (lower.includes("\r\ntransfer-encoding: chunked")) {
      body = "";
      for (;;) {
        const lineEnd = buf.indexOf("\r\n", bodyStart);
        if (lineEnd === -1) return;
        const size = parseInt(buf.toString("latin1", bodyStart, lineEnd), 16);
        if (buf.length < lineEnd + 2 + size + 2) return;
        body += buf.toString("latin1", lineEnd + 2, lineEnd + 2 + size);
        bodyStart = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      rest = bodyStart;
    } else {
      body = "";
      rest = bodyStart;
    }
    this.buf = rest < buf.length ? buf.subarray(rest) : null;
    this.pending = null;
    if (lower.includes("\r\nconnection: close")) {
      const socket = this.socket;
      this.socket = null;
      socket.destroy();
    }
    p.resolve({ status, body });
  }

  close() {
    if (this.socket !== null) this.socket.destroy();
    this.socket = null;
  }
}

/**
 * The measured window of a closed-loop phase whose requests are already sent: waits `ms`, stops
 * sending (`stop()`), then waits (10 s at most) for the requests still in flight; the scenario
 * calls the function `whenDrained` hands it once `inFlight()` reaches 0. Requests never answered
 * are counted as errors. Resolves with the length of the window in ms.
 */
async function measuredWindow(ms, { stop, inFlight, whenDrained, what }) {
  const t0 = performance.now();
  await sleep(ms);
  const elapsed = performance.now() - t0;
  stop();
  const done = new Promise((resolve) => whenDrained(resolve));
  await Promise.race([done, sleep(10000)]);
  whenDrained(null);
  const left = inFlight();
  if (left !== 0) errors.add(`${left} ${what} never answered`);
  return elapsed;
}

module.exports = {
  errors,
  measuredWindow,
  wsPath,
  connectSio,
  closeConn,
  pool,
  readUint,
  sleep,
  HttpConn,
};
