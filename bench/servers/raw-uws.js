"use strict";
/**
 * The physical limit: a raw µWebSockets.js server speaking the same Engine.IO v4 / Socket.IO v5
 * subset as raw-ws.js (the protocol of both is lib/raw-sio.js: the same events, acks, binary
 * attachments, rooms, io.emit, heartbeat and long-polling sessions upgraded to websocket), with
 * everything uWS does natively:
 * - frames are sent from inside uWS's callbacks, where uWS corks the socket: all the replies a
 *   read triggers leave in one write, with no JavaScript bookkeeping;
 * - rooms and io.emit are uWS topics (`ws.subscribe`, `app.publish`): a broadcast is encoded
 *   once and fanned out in C++, batched per recipient (only a session still on polling is sent
 *   its copy from JavaScript);
 * - long-polling on uWS's own HTTP server (answers corked, nothing written after an abort);
 * - no idle timeout or automatic pings (the Engine.IO heartbeat is the one timer), no
 *   compression, backpressure limit high enough that uWS never drops a message.
 *
 * `start(uws)` returns `{ count, uwsApp }`: server.js listens on `uwsApp`.
 */
const { createRawSio, MAX_PAYLOAD } = require("../lib/raw-sio");

const TYPE = "text/plain; charset=UTF-8";
const STATUS = { 200: "200 OK", 400: "400 Bad Request" };
const ALL = "\0all"; // io.emit's topic (a room name never starts with NUL here)

function start(uws) {
  const app = uws.App();
  const pollers = new Map(); // topic -> Set<Conn> still on polling

  function addPoller(topic, conn) {
    let set = pollers.get(topic);
    if (set === undefined) pollers.set(topic, (set = new Set()));
    set.add(conn);
  }

  function dropPoller(topic, conn) {
    const set = pollers.get(topic);
    if (set === undefined || !set.delete(conn) || set.size !== 0) return;
    pollers.delete(topic);
  }

  /** Every topic of `conn`: its rooms, and io.emit's once connected. */
  function topicsOf(conn, fn) {
    if (conn.connected) fn(ALL);
    if (conn.rooms !== null) for (const room of conn.rooms) fn(room);
  }

  function publish(topic, frame) {
    app.publish(topic, frame, false);
    const set = pollers.get(topic);
    if (set !== undefined) for (const c of set) c.send(frame);
  }

  const sio = createRawSio({
    send: (ws, data, binary) => ws.send(data, binary),
    close: (ws) => ws.end(1000),
    terminate: (ws) => ws.close(),
    join(conn, room) {
      const topic = room === null ? ALL : room;
      if (conn.upgraded) conn.ws.subscribe(topic);
      else addPoller(topic, conn);
    },
    leave(conn) {
      // a closed websocket has left its topics already
      if (conn.upgraded && conn.ws !== null) topicsOf(conn, (t) => conn.ws.unsubscribe(t));
      else if (!conn.upgraded) topicsOf(conn, (t) => dropPoller(t, conn));
    },
    upgraded(conn) {
      topicsOf(conn, (t) => {
        dropPoller(t, conn);
        conn.ws.subscribe(t);
      });
    },
    toRoom: publish,
    toAll: (frame) => publish(ALL, frame),
  });

  /** `respond(status, body)` for `res`, corked, and a no-op once the client went away. */
  function responder(res, held) {
    let done = false;
    if (held) res.onAborted(() => (done = true));
    return (status, body) => {
      if (done) return;
      done = true;
      res.cork(() => res.writeStatus(STATUS[status]).writeHeader("Content-Type", TYPE).end(body));
    };
  }

  function onPolling(res, req) {
    if (req.getHeader("upgrade") !== "") return req.setYield(true); // app.ws's route
    const method = req.getMethod() === "post" ? "POST" : "GET";
    const query = req.getQuery() ?? "";
    // a GET with a sid is held (the long poll), a POST waits for its body
    const held = query.includes("sid=");
    const respond = responder(res, held);
    const conn = sio.polling(method, query, respond);
    if (conn === null) return;
    let chunks = null;
    res.onData((chunk, isLast) => {
      if (isLast && chunks === null)
        return sio.posted(conn, Buffer.from(chunk).toString(), respond);
      (chunks ??= []).push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk after the callback
      if (isLast) sio.posted(conn, Buffer.concat(chunks).toString(), respond);
    });
  }

  app.get("/socket.io/", onPolling);
  app.post("/socket.io/", onPolling);
  app.ws("/socket.io/", {
    compression: uws.DISABLED,
    maxPayloadLength: MAX_PAYLOAD,
    maxBackpressure: 256 * 1024 * 1024,
    closeOnBackpressureLimit: false,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    upgrade(res, req, context) {
      const target = sio.upgradeTarget(req.getQuery() ?? "");
      if (target === undefined) return res.close();
      res.upgrade(
        { target },
        req.getHeader("sec-websocket-key"),
        req.getHeader("sec-websocket-protocol"),
        req.getHeader("sec-websocket-extensions"),
        context,
      );
    },
    open(ws) {
      const data = ws.getUserData();
      data.conn = sio.wsOpened(ws, data.target);
      data.target = null;
    },
    message(ws, message, isBinary) {
      const conn = ws.getUserData().conn;
      if (isBinary) sio.wsBinary(conn, message);
      else sio.wsText(conn, Buffer.from(message).toString());
    },
    close(ws) {
      sio.wsClosed(ws.getUserData().conn);
    },
  });
  app.any("/*", (res) => res.writeStatus(STATUS[400]).end());
  sio.startHeartbeat();
  return { count: sio.count, uwsApp: app };
}

module.exports = { start };
