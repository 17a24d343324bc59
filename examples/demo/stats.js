// The demo's live panel: the server's own numbers, sampled once a second from the public API
// (the engine's clients and their transports, the engine sockets' `packet` / `packetCreate`
// events, process.memoryUsage()) and pushed to every page as a volatile `stats` event.
"use strict";

const SAMPLES = 60; // one minute of history for the charts
const FLOOR_WINDOW = 10; // seconds over which the heap's lowest point is taken

/**
 * Starts sampling; returns { history(), stop() }.
 * @param {import("socketkit").Server} io
 */
function setupStats(io, { interval = 1000 } = {}) {
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
  // the heap with nobody connected: what a connection costs is measured above it
  let idleHeap = process.memoryUsage().heapUsed;
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
    heaps.push(heapUsed);
    if (heaps.length > FLOOR_WINDOW) heaps.shift();
    // the lowest heap of the last seconds is close to what survives a GC: live memory
    const floor = Math.min(...heaps);
    if (connections === 0) idleHeap = Math.min(idleHeap, floor);
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
        ? Math.max(0, Math.round((floor - idleHeap) / connections))
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
