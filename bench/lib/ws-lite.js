"use strict";
/**
 * A minimal RFC 6455 client for the load generator, leaner than `ws`'s client (no http.request,
 * no stream 'data' events, no per-frame copies): an upgrade request written on a raw TCP
 * socket, reads into one shared buffer (net's `onread`), frames parsed in place, payloads handed
 * out as views valid during the callback only, client frames masked
 * with an all-zero key (legal, and the payload goes out as is), the sends of one tick written
 * together (cork until nextTick). Unfragmented messages out;
 * fragmented messages, ping and close understood in.
 *
 *   const ws = new LiteWebSocket(port, "/socket.io/?EIO=4&transport=websocket", handler);
 *   handler: { onOpen(ws), onMessage(ws, data: Buffer, isBinary), onClose(ws), onError(ws, err) }
 */
const net = require("node:net");

const KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // any 16-byte base64 nonce; the accept is not checked
const CLOSE_FRAME = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]); // 1000, masked (zero key)

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const ONREAD = { buffer: READ_BUFFER, callback: onRead };

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

class LiteWebSocket {
  constructor(port, path, handler) {
    this.handler = handler;
    this.readyState = CONNECTING;
    this.chunks = []; // unparsed input
    this.buffered = 0;
    this.fragments = null; // pending fragmented message: [opcode, ...parts]
    this.corked = false;
    const socket = net.connect({ port, host: "127.0.0.1", onread: ONREAD });
    socket.setNoDelay(true);
    this.socket = socket;
    socket.ws = this;
    socket.on("connect", onConnect);
    socket.on("error", onError);
    socket.on("close", onSocketClose);
    socket.on("end", onEnd);
    this.path = path;
    this.port = port;
  }

  /** Sends a text message (a string of any content, or a Buffer holding UTF-8). */
  send(data) {
    if (this.readyState !== OPEN) return;
    if (typeof data === "string") {
      const len = Buffer.byteLength(data);
      const hl = headerLength(len);
      const frame = Buffer.allocUnsafe(hl + len);
      writeHeader(frame, 0x81, len);
      frame.write(data, hl);
      if (!this.corked) this.#cork();
      this.socket.write(frame);
    } else {
      this.#sendBuffer(0x81, data);
    }
  }

  /** Sends a binary message. */
  sendBinary(buf) {
    if (this.readyState === OPEN) this.#sendBuffer(0x82, buf);
  }

  #sendBuffer(first, buf) {
    const header = Buffer.allocUnsafe(headerLength(buf.length));
    writeHeader(header, first, buf.length);
    if (!this.corked) this.#cork();
    this.socket.write(header);
    this.socket.write(buf);
  }

  /** Sends of one tick leave in one writev: fewer syscalls for the load generator. */
  #cork() {
    this.corked = true;
    this.socket.cork();
    process.nextTick(uncork, this);
  }

  /** Starts the closing handshake (close code 1000). */
  close() {
    if (this.readyState === OPEN) {
      this.readyState = CLOSING;
      this.socket.write(CLOSE_FRAME);
    } else if (this.readyState === CONNECTING) {
      this.terminate();
    }
  }

  /** Destroys the TCP connection at once. */
  terminate() {
    this.socket.destroy();
  }

  /** Parses what is buffered; returns false when more input is needed. */
  parse() {
    while (this.buffered >= 2) {
      let buf = this.chunks[0];
      if (buf.length < 14 && this.chunks.length > 1) buf = this.#merge();
      const b0 = buf[0];
      const b1 = buf[1] & 0x7f;
      let offset = 2;
      let len = b1;
      if (b1 === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        offset = 4;
      } else if (b1 === 127) {
        if (buf.length < 10) return;
        len = buf.readUInt32BE(2) * 2 ** 32 + buf.readUInt32BE(6);
        offset = 10;
      }
      // (servers never mask their frames)
      const total = offset + len;
      if (this.buffered < total) return;
      if (buf.length < total) buf = this.#merge();
      const payload = buf.subarray(offset, total);
      // consume
      if (buf.length === total) {
        this.chunks.shift();
      } else {
        this.chunks[0] = buf.subarray(total);
      }
      this.buffered -= total;
      this.#frame(b0, payload);
      if (this.readyState === CLOSED) return;
    }
  }

  #merge() {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [buf];
    return buf;
  }

  #frame(b0, payload) {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode === 1 || opcode === 2) {
      if (fin) this.handler.onMessage(this, payload, opcode === 2);
      else this.fragments = [opcode, Buffer.from(payload)];
    } else if (opcode === 0 && this.fragments !== null) {
      this.fragments.push(Buffer.from(payload));
      if (fin) {
        const [op, ...parts] = this.fragments;
        this.fragments = null;
        this.handler.onMessage(this, Buffer.concat(parts), op === 2);
      }
    } else if (opcode === 8) {
      if (this.readyState === OPEN) {
        this.readyState = CLOSING;
        this.socket.write(CLOSE_FRAME);
      }
      // the server closes the TCP connection first (RFC 6455 7.1.1); 'end' finishes it
    } else if (opcode === 9) {
      const header = Buffer.allocUnsafe(headerLength(payload.length));
      writeHeader(header, 0x8a, payload.length);
      this.socket.write(Buffer.concat([header, payload]));
    }
    // pong (10): ignored
  }
}

function uncork(ws) {
  ws.corked = false;
  ws.socket.uncork();
}

function headerLength(len) {
  return (len < 126 ? 2 : len < 65536 ? 4 : 10) + 4;
}

/** Writes a masked frame header with an all-zero masking key. */
function writeHeader(buf, first, len) {
  buf[0] = first;
  let o;
  if (len < 126) {
    buf[1] = 0x80 | len;
    o = 2;
  } else if (len < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(len, 2);
    o = 4;
  } else {
    buf[1] = 0x80 | 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
    o = 10;
  }
  buf[o] = buf[o + 1] = buf[o + 2] = buf[o + 3] = 0;
}

function onConnect() {
  const ws = this.ws;
  this.write(
    `GET ${ws.path} HTTP/1.1\r\nHost: 127.0.0.1:${ws.port}\r\nConnection: Upgrade\r\n` +
      `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`,
  );
}

/** Reads land in one shared buffer (no allocation, no stream machinery); leftovers are copied. */
function onRead(nread, buf) {
  const ws = this.ws;
  let chunk = buf.subarray(0, nread);
  if (ws.readyState === CONNECTING) {
    const head = ws.chunks.length ? Buffer.concat([ws.chunks[0], chunk]) : chunk;
    const end = head.indexOf("\r\n\r\n");
    if (end === -1) {
      ws.chunks = [Buffer.from(head)];
      return;
    }
    if (head.toString("latin1", 0, 13) !== "HTTP/1.1 101 ") {
      ws.chunks = [];
      ws.handler.onError(ws, new Error(`upgrade refused: ${head.toString("latin1", 0, 40)}`));
      this.destroy();
      return;
    }
    ws.readyState = OPEN;
    ws.chunks = [];
    ws.buffered = 0;
    ws.handler.onOpen(ws);
    chunk = head.subarray(end + 4);
    if (chunk.length === 0 || ws.readyState !== OPEN) return;
  }
  ws.chunks.push(chunk);
  ws.buffered += chunk.length;
  ws.parse();
  const chunks = ws.chunks;
  const last = chunks.length - 1;
  if (last >= 0 && chunks[last].buffer === READ_BUFFER.buffer) {
    chunks[last] = Buffer.from(chunks[last]);
  }
}

function onError(err) {
  this.ws.handler.onError(this.ws, err);
}

function onEnd() {
  this.end();
}

function onSocketClose() {
  const ws = this.ws;
  ws.readyState = CLOSED;
  ws.handler.onClose(ws);
}

module.exports = { LiteWebSocket, CONNECTING, OPEN, CLOSING, CLOSED };
