"use strict";
/**
 * The scenario table: what the load generator runs (file + params, full and --quick) and which
 * metrics the report shows. `higher`: whether more is better; `target`: socketkit / raw ws goal
 * (raw ws: the coalescing anchor); `uwsTargets`: the goals of socketkit on µWebSockets.js
 * (socketkit-uws), `{ server: ratio }` against each server named (for rates, socketkit-uws /
 * server >= ratio; for memory, <=). `cluster`: run under node:cluster with that many workers and
 * @socket.io/cluster-adapter (bench/cluster-server.js), socketkit and socket.io only; `single`:
 * the single-process scenario it is compared with (the cost of the cross-process hop).
 * `servers`: the only servers that run it. `formerly`: the name its figures had in a
 * bench/medians.json that predates recorded parameters (the before/after table).
 */
/** The uWS goals on a rate: ≥ 1.0x raw ws, ≥ 0.6x raw µWebSockets.js, ≥ 2x socket.io on uWS. */
const UWS_RATE = { "raw-ws": 1.0, "raw-uws": 0.6, "socket.io-uws": 2 };

/** A 64 KiB binary echo with `clients` websocket clients, 2 requests in flight each. */
function binaryScenario(name, title, clients, describe) {
  return {
    name,
    title,
    file: "binary",
    describe,
    params: {
      full: { clients, inflight: 2, size: 65536, warmupMs: 1000, durationMs: 4000 },
      quick: { clients, inflight: 2, size: 65536, warmupMs: 500, durationMs: 2000 },
    },
    metrics: [
      {
        key: "acksPerSec",
        label: "acks/s",
        higher: true,
        target: 0.9,
        ...(name === "binary" ? { uwsTargets: UWS_RATE } : {}),
      },
      { key: "mibPerSec", label: "MiB/s (both ways)", higher: true },
    ],
  };
}

/** Echo on socketkit with an event contract of `library` schemas (bench/servers/contract.js). */
function contractEcho(library) {
  return {
    ...ECHO,
    // socketkit only: no uWS goal
    metrics: ECHO.metrics.map((metric) => ({ ...metric, uwsTargets: undefined })),
    name: `echo-${library}`,
    title: `echo + ack, ${library} contract`,
    describe: `echo with an event contract of ${library} schemas on "echo" (argument and ack checked; socketkit only; opt-in: --only=echo,echo-${library}).`,
    optIn: true,
    servers: ["socketkit"],
    serverEnv: { SOCKETKIT_CONTRACT: library },
  };
}

/**
 * Echo in the independent tool's shape: 100 clients x 8 requests in flight, each client writing
 * in one write every request that one read of replies triggers (the server reads batches of
 * frames): the per-message cost.
 */
const ECHO = {
  name: "echo",
  title: "echo + ack",
  file: "echo",
  describe:
    '100 websocket clients, 8 acked requests in flight each, `42<id>["echo",{...}]` -> ' +
    "`43<id>[{...}]`, every reply compared byte for byte; the requests that one read of " +
    "replies triggers leave in one write (the server reads batches of frames); acks/s and latency.",
  params: {
    full: { clients: 100, inflight: 8, warmupMs: 1000, durationMs: 4000 },
    quick: { clients: 100, inflight: 8, warmupMs: 500, durationMs: 2000 },
  },
  metrics: [
    { key: "acksPerSec", label: "acks/s", higher: true, target: 0.7, uwsTargets: UWS_RATE },
    { key: "p50", label: "p50 latency (ms)", higher: false, digits: 2 },
    { key: "p99", label: "p99 latency (ms)", higher: false, digits: 2 },
  ],
};

/**
 * The echo of the runs before the 8-in-flight shape (4 in flight), on the Node host only: what
 * bench/medians.json's earlier echo figures compare with (no target).
 */
const ECHO_4 = {
  name: "echo-4",
  formerly: "echo",
  title: "echo + ack, 4 in flight",
  file: "echo",
  servers: ["socketkit", "socket.io", "raw-ws"],
  describe:
    "the echo with 4 requests in flight per client (the shape of the runs before the 8-in-flight " +
    "one; socketkit, socket.io and raw ws only, no target): the before/after continuity.",
  params: {
    full: { clients: 100, inflight: 4, warmupMs: 1000, durationMs: 4000 },
    quick: { clients: 100, inflight: 4, warmupMs: 500, durationMs: 2000 },
  },
  metrics: ECHO.metrics.map(({ key, label, higher, digits }) => ({ key, label, higher, digits })),
};

const SCENARIOS = [
  ECHO,
  ECHO_4,
  contractEcho("zod"),
  contractEcho("valibot"),
  {
    name: "room",
    title: "room broadcast",
    file: "broadcast",
    describe:
      "1000 websocket clients in 10 rooms of 100; a driver connection keeps 8 acked " +
      '`io.to(room).emit("m", seq, text)` requests in flight, round-robin over the rooms; every ' +
      "client checks it gets each message of its room once, in order, byte-exact; delivered " +
      "messages/s, time to deliver the whole burst, p50 time for one broadcast to reach its room.",
    params: {
      full: { mode: "room", clients: 1000, rooms: 10, broadcasts: 3000, warmup: 300, window: 8 },
      quick: { mode: "room", clients: 1000, rooms: 10, broadcasts: 1000, warmup: 100, window: 8 },
    },
    metrics: [
      {
        key: "msgsPerSec",
        label: "delivered msgs/s",
        higher: true,
        target: 0.6,
        uwsTargets: UWS_RATE,
      },
      { key: "deliverMs", label: "time to deliver all (ms)", higher: false, digits: 0 },
      { key: "fanoutP50", label: "p50 one broadcast to its room (ms)", higher: false, digits: 2 },
    ],
  },
  {
    name: "emit",
    title: "io.emit fan-out",
    file: "broadcast",
    describe:
      '1000 websocket clients + the driver, which keeps 4 acked `io.emit("m", seq, text)` ' +
      "requests in flight; each of the 1001 recipients checks every message (once, in order, " +
      "byte-exact); delivered messages/s, time to deliver all, p50 time for one broadcast.",
    params: {
      full: { mode: "all", clients: 1000, broadcasts: 300, warmup: 30, window: 4 },
      quick: { mode: "all", clients: 1000, broadcasts: 100, warmup: 10, window: 4 },
    },
    metrics: [
      {
        key: "msgsPerSec",
        label: "delivered msgs/s",
        higher: true,
        target: 0.6,
        uwsTargets: UWS_RATE,
      },
      { key: "deliverMs", label: "time to deliver all (ms)", higher: false, digits: 0 },
      { key: "fanoutP50", label: "p50 one broadcast to all (ms)", higher: false, digits: 2 },
    ],
  },
  binaryScenario(
    "binary",
    "64 KiB binary echo",
    16,
    "16 websocket clients, 2 requests in flight each, a 64 KiB random attachment " +
      '(`451-<id>["bin",{placeholder}]` + frame, both frames in one TCP write) acked with the ' +
      "same bytes (compared in full).",
  ),
  binaryScenario(
    "binary-50",
    "64 KiB binary echo, 50 clients",
    50,
    "as the binary echo, with 50 websocket clients x 2 requests in flight.",
  ),
  binaryScenario(
    "binary-200",
    "64 KiB binary echo, 200 clients",
    200,
    "as the binary echo, with 200 websocket clients x 2 requests in flight.",
  ),
  {
    name: "idle",
    title: "idle connections",
    file: "connections",
    memory: true,
    describe:
      "10,000 (--quick: 5,000) websocket Socket.IO connections opened and kept idle (all must still be open at the " +
      "end); server RSS and V8 heap after GC (`--expose-gc`), (after - before) / N.",
    params: {
      full: { mode: "idle", n: 10000, concurrency: 200 },
      quick: { mode: "idle", n: 5000, concurrency: 200 },
    },
    metrics: [
      {
        key: "rssPerConn",
        label: "RSS per connection (KiB)",
        higher: false,
        target: 1.2,
        uwsTargets: { "raw-ws": 1.0 },
      },
      { key: "heapPerConn", label: "heap per connection (KiB)", higher: false },
      { key: "connectsPerSec", label: "connects/s while opening", higher: true },
    ],
  },
  {
    name: "connect-ws",
    title: "connect (websocket)",
    file: "connections",
    describe:
      "128 lanes loop on: websocket upgrade, `0{...}` handshake, CONNECT `40` -> `40{sid}` " +
      "(both checked), close; completed connects/s.",
    params: {
      full: { mode: "ws", concurrency: 128, warmupMs: 1000, durationMs: 4000 },
      quick: { mode: "ws", concurrency: 128, warmupMs: 500, durationMs: 2000 },
    },
    metrics: [
      {
        key: "connectsPerSec",
        label: "connects/s",
        higher: true,
        target: 0.9,
        uwsTargets: UWS_RATE,
      },
    ],
  },
  {
    name: "connect-polling",
    title: "polling + upgrade",
    file: "connections",
    describe:
      "128 lanes, one keep-alive HTTP connection each, loop on a session: GET handshake, POST " +
      "`40`, GET `40{sid}`, websocket with the sid, `2probe`/`3probe`, `5`, one acked echo over " +
      "the websocket, close; sessions/s.",
    params: {
      full: { mode: "polling", concurrency: 128, warmupMs: 1000, durationMs: 4000 },
      quick: { mode: "polling", concurrency: 128, warmupMs: 500, durationMs: 2000 },
    },
    metrics: [
      {
        key: "sessionsPerSec",
        label: "sessions/s",
        higher: true,
        target: 0.9,
        uwsTargets: UWS_RATE,
      },
    ],
  },
  {
    name: "cluster-room",
    title: "room broadcast, 2 workers",
    file: "broadcast",
    cluster: 2,
    single: "room",
    describe:
      "the room broadcast against 2 worker processes under `node:cluster` with " +
      "`@socket.io/cluster-adapter` (the primary relays every broadcast to the other worker); " +
      "clients are spread by node:cluster's round-robin; socketkit and socket.io only.",
    params: {
      full: { mode: "room", clients: 1000, rooms: 10, broadcasts: 3000, warmup: 300, window: 8 },
      quick: { mode: "room", clients: 1000, rooms: 10, broadcasts: 1000, warmup: 100, window: 8 },
    },
    metrics: [
      { key: "msgsPerSec", label: "delivered msgs/s", higher: true },
      { key: "deliverMs", label: "time to deliver all (ms)", higher: false, digits: 0 },
      { key: "fanoutP50", label: "p50 one broadcast to its room (ms)", higher: false, digits: 2 },
    ],
  },
  {
    name: "cluster-emit",
    title: "io.emit fan-out, 2 workers",
    file: "broadcast",
    cluster: 2,
    single: "emit",
    describe:
      "the io.emit fan-out against 2 worker processes under `node:cluster` with " +
      "`@socket.io/cluster-adapter`; socketkit and socket.io only.",
    params: {
      full: { mode: "all", clients: 1000, broadcasts: 300, warmup: 30, window: 4 },
      quick: { mode: "all", clients: 1000, broadcasts: 100, warmup: 10, window: 4 },
    },
    metrics: [
      { key: "msgsPerSec", label: "delivered msgs/s", higher: true },
      { key: "deliverMs", label: "time to deliver all (ms)", higher: false, digits: 0 },
      { key: "fanoutP50", label: "p50 one broadcast to all (ms)", higher: false, digits: 2 },
    ],
  },
];

module.exports = { SCENARIOS };
