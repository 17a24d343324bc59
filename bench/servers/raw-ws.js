"use strict";
/**
 * The "practical limit": a raw `ws` server speaking just enough Engine.IO v4 / Socket.IO v5 for
 * the benchmark events (see sio.js), written the way a careful hand-rolled app would be:
 * JSON.parse each event, JSON.stringify each reply, encode a broadcast once (one Buffer sent to
 * every recipient), one global heartbeat sweep instead of per-socket timers.
 *
 * Two modes. The coalescing one (the anchor, "raw ws"): the first write of a tick to a connection
 * corks its TCP socket and one shared `process.nextTick` uncorks every corked socket, so all the
 * frames a connection is sent in one tick reach the kernel in one write; the fastest a Node + ws
 * server can go. The naive one ("raw ws, naive": `start(server, { coalesce: false })`) sends each
 * frame as it comes, as ws does by itself.
 *
 * Supported: websocket handshake ("0{...}"), CONNECT to "/" ("40" -> "40{"sid":...}"), events
 * with acks ("42<id>[...]" -> "43<id>[...]"), one-attachment binary events ("451-<id>[...]" +
 * frame -> "461-<id>[...]" + frame), rooms, ping/pong, and long-polling sessions (handshake,
 * POST, long GET) upgraded to websocket ("2probe"/"3probe", "5"). Nothing else (no namespaces,
 * no base64 binary over polling, no polling timeouts): this is a yardstick, not a server.
 */
const { randomUUID } = require("node:crypto");
const { WebSocketServer } = require("ws");

const PING_INTERVAL = 25000;
const PING_TIMEOUT = 20000;
const MAX_PAYLOAD = 1000000;
const HEADERS = { "Content-Type": "text/plain; charset=UTF-8" };
const PLACEHOLDER = '[{"_placeholder":true,"num":0}]';

const conns = new Set(); // every Socket.IO-connected Conn (io.emit)
const rooms = new Map(); // room -> Set<Conn>
const sessions = new Map(); // sid -> Conn, for polling sessions not yet upgraded
let coalesce = true;
let corked = []; // TCP sockets corked during this tick

function uncorkAll() {
  const list = corked;
  corked = [];
  for (let i = 0; i < list.length; i++) {
    list[i].corkedTick = false;
    list[i].uncork();
  }
}

/** `ws.send` after corking the connection's TCP socket for the rest of the tick. */
function sendOnWs(ws, data, binary) {
  const tcp = ws.tcp;
  if (coalesce && !tcp.corkedTick) {
    tcp.corkedTick = true;
    tcp.cork();
    if (corked.push(tcp) === 1) process.nextTick(uncorkAll);
  }
  ws.send(data, binary ? BINARY : TEXT);
}
const TEXT = { binary: false };
const BINARY = { binary: true };

class Conn {
  constructor(ws) {
    this.sid = randomUUID();
    this.ws = ws; // null while on polling
    this.upgraded = ws !== null;
    this.connected = false; // Socket.IO CONNECT done
    this.alive = true;
    this.rooms = null;
    this.binAck = -1; // ack id of a binary event waiting for its attachment
    this.queue = []; // polling: packets waiting for a GET
    this.pollRes = null; // polling: the pending GET
  }

  send(data) {
    if (this.upgraded) sendOnWs(this.ws, data, false);
    else {
      this.queue.push(typeof data === "string" ? data : data.toString());
      if (this.pollRes !== null) this.flushPoll();
    }
  }

  flushPoll() {
    const res = this.pollRes;
    this.pollRes = null;
    const body = this.queue.join("\x1e");
    this.queue.length = 0;
    res.writeHead(200, { ...HEADERS, "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  }

  close() {
    if (this.rooms !== null) {
      for (const room of this.rooms) {
        const set = rooms.get(room);
        set.delete(this);
        if (set.size === 0) rooms.delete(room);
      }
      this.rooms = null;
    }
    conns.delete(this);
    sessions.delete(this.sid);
  }
}

function handshake(sid, upgrades) {
  return (
    `0{"sid":"${sid}","upgrades":${upgrades},"pingInterval":${PING_INTERVAL},` +
    `"pingTimeout":${PING_TIMEOUT},"maxPayload":${MAX_PAYLOAD}}`
  );
}

/** One Engine.IO text packet from `conn` (websocket message or polling payload part). */
function onPacket(conn, str) {
  const type = str.charCodeAt(0);
  if (type === 51 /* "3" pong */) {
    conn.alive = true;
  } else if (type === 52 /* "4" message */) {
    onSocketIO(conn, str);
  } else if (type === 49 /* "1" close */) {
    if (conn.ws) conn.ws.close();
    conn.close();
  }
}

function onSocketIO(conn, str) {
  const kind = str.charCodeAt(1);
  if (kind === 50 /* "2" event */) {
    let i = 2;
    let id = -1;
    for (let c = str.charCodeAt(i); c >= 48 && c <= 57; c = str.charCodeAt(++i)) {
      id = (id === -1 ? 0 : id * 10) + c - 48;
    }
    onEvent(conn, JSON.parse(str.slice(i)), id);
  } else if (kind === 53 /* "5" binary event */) {
    const dash = str.indexOf("-");
    let i = dash + 1;
    let id = 0;
    for (let c = str.charCodeAt(i); c >= 48 && c <= 57; c = str.charCodeAt(++i))
      id = id * 10 + c - 48;
    conn.binAck = id; // the only binary event is ["bin", <placeholder>] with one attachment
  } else if (kind === 48 /* "0" connect */) {
    if (!conn.connected) {
      conn.connected = true;
      conns.add(conn);
    }
    conn.send(`40{"sid":"${randomUUID()}"}`);
  } else if (kind === 49 /* "1" disconnect */) {
    conn.close();
    if (conn.ws) conn.ws.close();
  }
}

function broadcast(set, event, seq, text) {
  if (set === undefined) return;
  const frame = Buffer.from("42" + JSON.stringify([event, seq, text]));
  for (const c of set) c.send(frame);
}

function onEvent(conn, args, id) {
  switch (args[0]) {
    case "echo":
      conn.send(`43${id}${JSON.stringify([args[1]])}`);
      return;
    case "join": {
      const room = args[1];
      let set = rooms.get(room);
      if (set === undefined) rooms.set(room, (set = new Set()));
      set.add(conn);
      (conn.rooms ??= new Set()).add(room);
      conn.send(`43${id}[]`);
      return;
    }
    case "room":
      broadcast(rooms.get(args[1]), "m", args[2], args[3]);
      conn.send(`43${id}[]`);
      return;
    case "all":
      broadcast(conns, "m", args[1], args[2]);
      conn.send(`43${id}[]`);
      return;
  }
}

function onWsMessage(data, isBinary) {
  const conn = this.conn;
  if (isBinary) {
    if (conn.binAck === -1) return;
    sendOnWs(conn.ws, `461-${conn.binAck}${PLACEHOLDER}`, false);
    sendOnWs(conn.ws, data, true);
    conn.binAck = -1;
    return;
  }
  const str = data.toString();
  if (!conn.upgraded) {
    if (str === "2probe") sendOnWs(this, "3probe", false);
    else if (str === "5") {
      conn.upgraded = true;
      sessions.delete(conn.sid);
      if (conn.pollRes !== null) {
        conn.queue.unshift("6");
        conn.flushPoll();
      }
      for (const p of conn.queue) sendOnWs(this, p, false);
      conn.queue.length = 0;
    }
    return;
  }
  onPacket(conn, str);
}

function onWsClose() {
  this.conn.close();
}

function queryParam(url, name) {
  const i = url.indexOf(name + "=");
  if (i === -1) return null;
  const end = url.indexOf("&", i);
  return url.slice(i + name.length + 1, end === -1 ? undefined : end);
}

function reply(res, status, body) {
  res.writeHead(status, { ...HEADERS, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function onRequest(req, res) {
  const url = req.url;
  if (!url.startsWith("/socket.io/") || queryParam(url, "EIO") !== "4") return reply(res, 400, "");
  const sid = queryParam(url, "sid");
  if (sid === null) {
    if (req.method !== "GET") return reply(res, 400, "");
    const conn = new Conn(null);
    sessions.set(conn.sid, conn);
    return reply(res, 200, handshake(conn.sid, '["websocket"]'));
  }
  const conn = sessions.get(sid);
  if (conn === undefined) return reply(res, 400, '{"code":1,"message":"Session ID unknown"}');
  if (req.method === "GET") {
    conn.pollRes = res;
    if (conn.queue.length > 0) conn.flushPoll();
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    for (const packet of body.split("\x1e")) onPacket(conn, packet);
    reply(res, 200, "ok");
  });
}

function start(httpServer, opts = {}) {
  coalesce = opts.coalesce !== false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  httpServer.on("request", onRequest);
  httpServer.on("upgrade", (req, socket, head) => {
    const url = req.url;
    if (!url.startsWith("/socket.io/") || queryParam(url, "transport") !== "websocket") {
      return socket.destroy();
    }
    const sid = queryParam(url, "sid");
    const conn = sid === null ? null : sessions.get(sid);
    if (conn === undefined) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.tcp = socket;
      socket.corkedTick = false;
      let c = conn;
      if (c === null) {
        c = new Conn(ws);
        sendOnWs(ws, handshake(c.sid, "[]"), false);
      } else {
        c.ws = ws;
      }
      ws.conn = c;
      ws.on("message", onWsMessage);
      ws.on("close", onWsClose);
    });
  });
  // one heartbeat sweep for everybody: ping, and drop whoever did not pong since the last sweep
  setInterval(() => {
    for (const c of conns) {
      if (!c.upgraded) continue;
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      sendOnWs(c.ws, "2", false);
    }
  }, PING_INTERVAL).unref();
  return { count: () => conns.size };
}

module.exports = { start };
