"use strict";
/**
 * The "practical limit" on Node: a raw `ws` server speaking just enough Engine.IO v4 /
 * Socket.IO v5 for the benchmark events (see sio.js; the protocol, shared with raw-uws.js, is
 * lib/raw-sio.js), written the way a careful hand-rolled app would be: JSON.parse each event,
 * JSON.stringify each reply, a broadcast encoded once (one Buffer sent to every recipient), one
 * global heartbeat sweep instead of per-socket timers; long-polling on node:http.
 *
 * Two modes. The coalescing one (the anchor, "raw ws"): the first write of a tick to a connection
 * corks its TCP socket and one shared `process.nextTick` uncorks every corked socket, so all the
 * frames a connection is sent in one tick reach the kernel in one write; the fastest a Node + ws
 * server can go. The naive one ("raw ws, naive": `start(server, { coalesce: false })`) sends each
 * frame as it comes, as ws does by itself.
 */
const { WebSocketServer } = require("ws");
const { createRawSio, MAX_PAYLOAD } = require("../lib/raw-sio");

const HEADERS = { "Content-Type": "text/plain; charset=UTF-8" };
const TEXT = { binary: false };
const BINARY = { binary: true };

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

const rooms = new Map(); // room -> Set<Conn>

function sendAll(set, frame) {
  if (set === undefined) return;
  const buf = Buffer.from(frame);
  for (const c of set) c.send(buf);
}

const sio = createRawSio({
  send: sendOnWs,
  close: (ws) => ws.close(),
  terminate: (ws) => ws.terminate(),
  join(conn, room) {
    if (room === null) return; // io.emit's recipients: sio.conns
    let set = rooms.get(room);
    if (set === undefined) rooms.set(room, (set = new Set()));
    set.add(conn);
  },
  leave(conn) {
    if (conn.rooms === null) return;
    for (const room of conn.rooms) {
      const set = rooms.get(room);
      set.delete(conn);
      if (set.size === 0) rooms.delete(room);
    }
  },
  upgraded() {},
  toRoom: (room, frame) => sendAll(rooms.get(room), frame),
  toAll: (frame) => sendAll(sio.conns, frame),
});

function onWsMessage(data, isBinary) {
  if (isBinary) sio.wsBinary(this.conn, data);
  else sio.wsText(this.conn, data.toString());
}

function onWsClose() {
  sio.wsClosed(this.conn);
}

function responder(res) {
  return (status, body) => {
    res.writeHead(status, { ...HEADERS, "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  };
}

function onRequest(req, res) {
  const respond = responder(res);
  if (!req.url.startsWith("/socket.io/")) return respond(400, "");
  const conn = sio.polling(req.method, req.url, respond);
  if (conn === null) return;
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => sio.posted(conn, body, respond));
}

function start(httpServer, opts = {}) {
  coalesce = opts.coalesce !== false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  httpServer.on("request", onRequest);
  httpServer.on("upgrade", (req, socket, head) => {
    const target = req.url.startsWith("/socket.io/") ? sio.upgradeTarget(req.url) : undefined;
    if (target === undefined) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.tcp = socket;
      socket.corkedTick = false;
      ws.conn = sio.wsOpened(ws, target);
      ws.on("message", onWsMessage);
      ws.on("close", onWsClose);
    });
  });
  sio.startHeartbeat();
  return { count: sio.count };
}

module.exports = { start };
