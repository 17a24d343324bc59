"use strict";
/**
 * Benchmark server process:
 * `node --expose-gc bench/server.js <socketkit|socket.io|raw-ws|raw-ws-naive|socketkit-uws|
 * socket.io-uws|raw-uws>`. Listens on 127.0.0.1 (port 0; the -uws ones on a µWebSockets.js
 * app), reports `{ ready: { port, ... } }` over IPC, then answers:
 * - mem: GC until stable, then process.memoryUsage() and the connected-socket count
 * - cpuStart { profile? }: marks process.cpuUsage(); starts the V8 sampling profiler if asked
 * - cpuEnd: CPU used since cpuStart (ms and % of one core), the native helpers ws uses
 *   (lib/native.js); writes the .cpuprofile if profiling
 * - heapStats: live objects per constructor (count, self size) from a heap snapshot (--heap)
 */
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { serve, ownFdLimit } = require("./lib/ipc");
const { nativeHelpers } = require("./lib/native");

const impl = process.argv[2];

function pkgVersion(dir) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, dir, "package.json"), "utf8")).version;
}

function load() {
  const httpServer = http.createServer();
  let app;
  let version;
  if (impl === "socketkit") {
    // SOCKETKIT_METRICS=1: the same run with the metrics counters on (io.metrics())
    const opts = process.env.SOCKETKIT_METRICS === "1" ? { metrics: true } : {};
    // SOCKETKIT_CONTRACT=zod|valibot: an event contract on the main namespace (echo-zod, ...)
    const library = process.env.SOCKETKIT_CONTRACT;
    const sk = require("socketkit");
    const contract = library
      ? require("./servers/contract").contractFor(library, sk.defineContract)
      : null;
    app = require("./servers/sio").start(httpServer, sk.Server, opts, contract);
    version = pkgVersion("..");
  } else if (impl === "socket.io") {
    app = require("./servers/sio").start(httpServer, require("socket.io").Server);
    version = pkgVersion("../node_modules/socket.io");
  } else if (impl === "socketkit-uws" || impl === "socket.io-uws") {
    // the same application on µWebSockets.js (io.attachApp)
    const Server =
      impl === "socketkit-uws" ? require("socketkit").Server : require("socket.io").Server;
    app = require("./servers/sio").startOnUws(require("uWebSockets.js"), Server);
    version = pkgVersion(impl === "socketkit-uws" ? ".." : "../node_modules/socket.io");
  } else if (impl === "raw-ws" || impl === "raw-ws-naive") {
    app = require("./servers/raw-ws").start(httpServer, { coalesce: impl === "raw-ws" });
    version = pkgVersion("../node_modules/ws");
  } else if (impl === "raw-uws") {
    app = require("./servers/raw-uws").start(require("uWebSockets.js"));
    version = pkgVersion("../node_modules/uWebSockets.js");
  } else {
    throw new Error(`unknown server ${impl}`);
  }
  return { httpServer, app, version };
}

const { httpServer, app, version } = load();

function tick() {
  return new Promise((resolve) => setImmediate(resolve));
}

async function mem() {
  if (typeof global.gc !== "function") throw new Error("run the server with --expose-gc");
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    global.gc();
    await tick();
    const heap = process.memoryUsage().heapUsed;
    if (Math.abs(last - heap) < 64 * 1024) break;
    last = heap;
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    sockets: app.count(),
  };
}

let mark = null;
let session = null;
let profilePath = null;

function post(method, params) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function cpuStart(arg = {}) {
  if (arg.profile) {
    const inspector = require("node:inspector");
    session = new inspector.Session();
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: arg.intervalUs || 200 });
    await post("Profiler.start");
    profilePath = arg.profile;
  }
  mark = { cpu: process.cpuUsage(), t: performance.now() };
  return true;
}

async function cpuEnd() {
  const cpu = process.cpuUsage(mark.cpu);
  const wallMs = performance.now() - mark.t;
  const result = {
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    wallMs,
    cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    sysPct: (cpu.system / 1000 / wallMs) * 100,
    native: nativeHelpers(),
  };
  if (session !== null) {
    const { profile } = await post("Profiler.stop");
    fs.mkdirSync(path.dirname(profilePath), { recursive: true });
    fs.writeFileSync(profilePath, JSON.stringify(profile));
    session.disconnect();
    session = null;
    result.profile = profilePath;
  }
  return result;
}

/** Self size and count of live objects per (type, constructor name), from a heap snapshot. */
async function heapStats() {
  await mem();
  let json = "";
  for await (const chunk of require("node:v8").getHeapSnapshot()) json += chunk;
  const snap = JSON.parse(json);
  json = "";
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const stats = {};
  const { nodes, strings } = snap;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    const name = type === "object" || type === "closure" ? strings[nodes[i + iName]] : "";
    const key = name ? `${type} ${name.slice(0, 60)}` : `(${type})`;
    const e = (stats[key] ??= [0, 0]);
    e[0]++;
    e[1] += nodes[i + iSize];
  }
  return stats;
}

serve({ mem, cpuStart, cpuEnd, heapStats, count: () => app.count() });

function ready(port) {
  process.send({ ready: { impl, version, port, fdLimit: ownFdLimit(), node: process.version } });
}

if (app.uwsApp) {
  const uws = require("uWebSockets.js");
  app.uwsApp.listen("127.0.0.1", 0, (token) => ready(uws.us_socket_local_port(token)));
} else {
  httpServer.listen(0, "127.0.0.1", () => ready(httpServer.address().port));
}
