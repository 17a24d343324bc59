"use strict";
/**
 * The Engine.IO v4 / Socket.IO v5 subset the two hand-written servers speak, whatever carries
 * it: `servers/raw-ws.js` (node:http + `ws`) and `servers/raw-uws.js` (µWebSockets.js). One
 * protocol, so both do the same work per event: JSON.parse each event, JSON.stringify each
 * reply, a broadcast encoded once, one global heartbeat sweep instead of per-socket timers.
 *
 * Supported: websocket handshake ("0{...}"), CONNECT to "/" ("40" -> "40{"sid":...}"), events
 * with acks ("42<id>[...]" -> "43<id>[...]"), one-attachment binary events ("451-<id>[...]" +
 * frame -> "461-<id>[...]" + frame), rooms, ping/pong, and long-polling sessions (handshake,
 * POST, long GET) upgraded to websocket ("2probe"/"3probe", "5"). Nothing else (no namespaces,
 * no base64 binary over polling, no polling timeouts): this is a yardstick, not a server.
 *
 * `createRawSio(host)` takes what the transport does:
 * - `send(ws, data, binary)`: one frame on a websocket; `close(ws)` (graceful), `terminate(ws)`
 * - `join(conn, room)` (room null: io.emit's recipients, at CONNECT), `leave(conn)` (from its
 *   `conn.rooms` and io.emit's; `conn.ws` is null once the websocket is gone), `upgraded(conn)`
 *   (a polling session moved to its websocket), `toRoom(room, frame)`, `toAll(frame)`: the
 *   broadcasts, `frame` a string to encode once; recipients still on polling get it with
 *   `conn.send(frame)`.
 * Every Socket.IO-connected Conn is in `conns` (io.emit's recipients, the heartbeat's sweep).
 */
const { randomUUID } = require("node:crypto");

const PING_INTERVAL = 25000;
const PING_TIMEOUT = 20000;
const MAX_PAYLOAD = 1000000;
const PLACEHOLDER = '[{"_placeholder":true,"num":0}]';

/** The value of query parameter `name` in `url` (a URL or a bare query string), or null. */
function queryParam(url, name) {
  const i = url.indexOf(name + "=");
  if (i === -1) return null;
  const end = url.indexOf("&", i);
  return url.slice(i + name.length + 1, end === -1 ? undefined : end);
}

function handshake(sid, upgrades) {
  return (
    `0{"sid":"${sid}","upgrades":${upgrades},"pingInterval":${PING_INTERVAL},` +
    `"pingTimeout":${PING_TIMEOUT},"maxPayload":${MAX_PAYLOAD}}`
  );
}

function createRawSio(host) {
  const conns = new Set(); // every Socket.IO-connected Conn (io.emit)
  const sessions = new Map(); // sid -> Conn, for polling sessions not yet upgraded

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
      this.pollRes = null; // polling: the pending GET's `respond(status, body)`
    }

    send(data) {
      if (this.upgraded) host.send(this.ws, data, false);
      else {
        this.queue.push(typeof data === "string" ? data : data.toString());
        if (this.pollRes !== null) this.flushPoll();
      }
    }

    flushPoll() {
      const respond = this.pollRes;
      this.pollRes = null;
      const body = this.queue.join("\x1e");
      this.queue.length = 0;
      respond(200, body);
    }

    close() {
      if (this.rooms !== null || this.connected) host.leave(this);
      this.rooms = null;
      this.connected = false;
      conns.delete(this);
      sessions.delete(this.sid);
    }
  }

  /** One Engine.IO text packet from `conn` (websocket message or polling payload part). */
  function onPacket(conn, str) {
    const type = str.charCodeAt(0);
    if (type === 51 /* "3" pong */) {
      conn.alive = true;
    } else if (type === 52 /* "4" message */) {
      onSocketIO(conn, str);
    } else if (type === 49 /* "1" close */) {
      conn.close();
      if (conn.ws !== null) host.close(conn.ws);
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
        host.join(conn, null);
      }
      conn.send(`40{"sid":"${randomUUID()}"}`);
    } else if (kind === 49 /* "1" disconnect */) {
      conn.close();
      if (conn.ws !== null) host.close(conn.ws);
    }
  }

  function onEvent(conn, args, id) {
    switch (args[0]) {
      case "echo":
        conn.send(`43${id}${JSON.stringify([args[1]])}`);
        return;
      case "join": {
        const room = args[1];
        const mine = (conn.rooms ??= new Set());
        if (!mine.has(room)) {
          mine.add(room);
          host.join(conn, room);
        }
        conn.send(`43${id}[]`);
        return;
      }
      case "room":
        host.toRoom(args[1], "42" + JSON.stringify(["m", args[2], args[3]]));
        conn.send(`43${id}[]`);
        return;
      case "all":
        host.toAll("42" + JSON.stringify(["m", args[1], args[2]]));
        conn.send(`43${id}[]`);
        return;
    }
  }

  /** A text message on `conn`'s websocket (a string). */
  function wsText(conn, str) {
    if (conn.upgraded) return onPacket(conn, str);
    const ws = conn.ws;
    if (str === "2probe") host.send(ws, "3probe", false);
    else if (str === "5") {
      conn.upgraded = true;
      sessions.delete(conn.sid);
      if (conn.pollRes !== null) {
        conn.queue.unshift("6");
        conn.flushPoll();
      }
      for (const p of conn.queue) host.send(ws, p, false);
      conn.queue.length = 0;
      host.upgraded(conn);
    }
  }

  /** A binary message on `conn`'s websocket: the attachment of the pending binary event. */
  function wsBinary(conn, data) {
    if (conn.binAck === -1) return;
    host.send(conn.ws, `461-${conn.binAck}${PLACEHOLDER}`, false);
    host.send(conn.ws, data, true);
    conn.binAck = -1;
  }

  /** Whom a websocket upgrade with this query joins: undefined (refused), null (a new session) or a polling session's Conn. */
  function upgradeTarget(query) {
    if (queryParam(query, "transport") !== "websocket") return undefined;
    const sid = queryParam(query, "sid");
    return sid === null ? null : sessions.get(sid);
  }

  /** The Conn of a websocket just opened (`target` from upgradeTarget); a new one gets its handshake. */
  function wsOpened(ws, target) {
    if (target !== null) {
      target.ws = ws;
      return target;
    }
    const conn = new Conn(ws);
    host.send(ws, handshake(conn.sid, "[]"), false);
    return conn;
  }

  function wsClosed(conn) {
    conn.ws = null;
    conn.close();
  }

  /**
   * One polling request (`query`: its URL or query string): answered with `respond(status,
   * body)`, at once or (a long GET) later. Returns the Conn of a POST whose body the transport
   * must read and hand to `posted`, else null.
   */
  function polling(method, query, respond) {
    const sid = queryParam(query, "EIO") === "4" ? queryParam(query, "sid") : undefined;
    if (sid === undefined || (sid === null && method !== "GET")) {
      respond(400, "");
    } else if (sid === null) {
      const conn = new Conn(null);
      sessions.set(conn.sid, conn);
      respond(200, handshake(conn.sid, '["websocket"]'));
    } else {
      const conn = sessions.get(sid);
      if (conn === undefined) respond(400, '{"code":1,"message":"Session ID unknown"}');
      else if (method !== "GET") return conn;
      else {
        conn.pollRes = respond;
        if (conn.queue.length > 0) conn.flushPoll();
      }
    }
    return null;
  }

  /** The body of a POST `polling` returned `conn` for. */
  function posted(conn, body, respond) {
    for (const packet of body.split("\x1e")) onPacket(conn, packet);
    respond(200, "ok");
  }

  /** One heartbeat sweep for everybody: ping, and drop whoever did not pong since the last sweep. */
  function startHeartbeat() {
    setInterval(() => {
      for (const c of conns) {
        if (!c.upgraded) continue;
        if (!c.alive) {
          host.terminate(c.ws);
          continue;
        }
        c.alive = false;
        host.send(c.ws, "2", false);
      }
    }, PING_INTERVAL).unref();
  }

  return {
    conns,
    wsText,
    wsBinary,
    wsOpened,
    wsClosed,
    upgradeTarget,
    polling,
    posted,
    startHeartbeat,
    count: () => conns.size,
  };
}

module.exports = { createRawSio, queryParam, MAX_PAYLOAD };
