// The demo's live panel: the server's own numbers, sampled once a second from the public API
// (the engine's clients and their transports, the engine sockets' `packet` / `packetCreate`
// events, process.memoryUsage()) and pushed to every page as a volatile `stats` event.
//
// Memory per connection = (live heap - live heap with nobody connected) / connections. "Live"
// means measured right after a full GC when a `gc` function is given (server.js gives one), so
// that garbage waiting for the collector is not counted; without one, the lowest heap of the
// last FLOOR_WINDOW samples stands in for it (rougher).
"use strict";

const SAMPLES = 60; // one minute of history for the charts
const FLOOR_WINDOW = 10; // samples over which the heap's lowest point is taken (without gc)
const GC_EVERY = 5; // samples between two full collections (with gc)

/**
 * Starts sampling; returns { history(), stop() }.
 * @param {import("socketkit").Server} io
 */
function setupStats(io, { interval = 1000, gc } = {}) {
  const counters = { in: 0, out: 0 };
  // two listeners shared by every connection of this server, not a closure per connection
  const countIn = (packet) => {
    if (packet.type === "message") counters.in++;
  };
  const countOut = (packet) => {
    if (packet.type === "message") counters.out++;
  };
  io.engine.on("connection", (conn) => {
    conn.on("packet", countIn);
    conn.on("packetCreate", countOut);
  });

  const samples = [];
  const heaps = [];
  let ticks = 0;
  /** the live heap: after the last full GC, or the recent low point */
  function liveHeap(heapUsed) {
    if (gc) {
      if (ticks++ % GC_EVERY === 0) {
        gc();
        heaps[0] = process.memoryUsage().heapUsed;
      }
      return heaps[0];
    }
    heaps.push(heapUsed);
    if (heaps.length > FLOOR_WINDOW) heaps.shift();
    return Math.min(...heaps);
  }
  // the heap with nobody connected: what a connection costs is measured above it
  let idleHeap = liveHeap(process.memoryUsage().heapUsed);
  let last = { in: counters.in, out: counters.out, at: Date.now() };

  function sample() {
    const now = Date.now();
    const seconds = Math.max((now - last.at) / 1000, 0.001);
    const transports = { websocket: 0, polling: 0 };
    for (const conn of Object.values(io.engine.clients)) {
      const name = conn.transport.name;
      transports[name] = (transports[name] ?? 0) + 1;
    }
    const connections = io.engine.clientsCount;
    const { heapUsed, rss } = process.memoryUsage();
    const live = liveHeap(heapUsed);
    if (connections === 0) idleHeap = gc ? live : Math.min(idleHeap, live);
    const s = {
      at: now,
      connections,
      websocket: transports.websocket,
      polling: transports.polling,
      messagesIn: Math.round((counters.in - last.in) / seconds),
      messagesOut: Math.round((counters.out - last.out) / seconds),
      heapUsed,
      rss,
      bytesPerConnection: connections
        ? Math.max(0, Math.round((live - idleHeap) / connections))
        : 0,
    };
    last = { in: counters.in, out: counters.out, at: now };
    samples.push(s);
    if (samples.length > SAMPLES) samples.shift();
    // volatile: a page that cannot take it now waits for the next one (and none is recovered)
    io.volatile.emit("stats", s);
  }

  const timer = setInterval(sample, interval);
  timer.unref();
  return {
    history: () => samples.slice(),
    stop: () => clearInterval(timer),
  };
}

module.exports = { setupStats };
