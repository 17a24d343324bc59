"use strict";
/**
 * Benchmark server under `node:cluster`:
 * `node bench/cluster-server.js <socketkit|socket.io> <workers>`.
 *
 * The primary sets up `@socket.io/cluster-adapter`'s relay (`setupPrimary()`), forks the
 * workers and answers run.js over IPC like bench/server.js: `cpuStart` / `cpuEnd` cover the
 * primary (which relays every cross-worker message) and every worker, `count` sums the sockets
 * of the workers. Each worker runs bench/servers/sio.js on the shared port (node:cluster hands
 * connections out round-robin) with the cluster adapter, the same for socketkit and socket.io.
 * The load generator connects over websocket only, so no sticky session is needed.
 */
const cluster = require("node:cluster");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const impl = process.argv[2];

function serverClass() {
  if (impl === "socketkit") return require("socketkit").Server;
  if (impl === "socket.io") return require("socket.io").Server;
  throw new Error(`no cluster mode for ${impl}`);
}

function cpuSince(mark) {
  const cpu = process.cpuUsage(mark);
  return { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 };
}

/** A V8 CPU profile of this process (`--profile`): start(), then stop(file) writes it. */
function profiler() {
  const inspector = require("node:inspector");
  let session = null;
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  return {
    async start() {
      session = new inspector.Session();
      session.connect();
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 200 });
      await post("Profiler.start");
    },
    async stop(file) {
      if (session === null) return null;
      const { profile } = await post("Profiler.stop");
      session.disconnect();
      session = null;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/** `<dir>/<name>.cpuprofile` -> `<dir>/<name>-<suffix>.cpuprofile` */
function profileFile(base, suffix) {
  return base.replace(/(\.cpuprofile)?$/, `-${suffix}.cpuprofile`);
}

if (cluster.isPrimary) {
  const { serve, ownFdLimit } = require("./lib/ipc");
  const { nativeHelpers } = require("./lib/native");
  const { setupPrimary } = require("@socket.io/cluster-adapter");
  const n = Number(process.argv[3] || 2);
  const Server = serverClass(); // fail early on a wrong name
  void Server;
  cluster.setupPrimary({ exec: __filename, args: [impl] });
  setupPrimary();
  let nextId = 1;
  const pending = new Map();
  const workers = [];
  function ask(worker, cmd, arg) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.send({ benchId: id, cmd, arg });
    });
  }
  const prof = profiler();
  let profileBase = null;
  const listening = [];
  for (let i = 0; i < n; i++) {
    const worker = cluster.fork();
    worker.on("message", (msg) => {
      if (!msg || typeof msg.benchReply !== "number") return;
      const p = pending.get(msg.benchReply);
      pending.delete(msg.benchReply);
      if (p) p.resolve(msg.result);
    });
    listening.push(new Promise((resolve) => worker.once("listening", resolve)));
    workers.push(worker);
  }
  cluster.on("exit", (worker, code, signal) => {
    if (!process.connected) return;
    console.error(`cluster worker ${worker.process.pid} exited (${code ?? signal})`);
    process.exit(1);
  });
  let mark = null;
  serve(
    {
      async cpuStart(arg = {}) {
        profileBase = arg.profile ?? null;
        await Promise.all(
          workers.map((w, i) =>
            ask(w, "cpuStart", {
              profile: profileBase && profileFile(profileBase, `worker${i + 1}`),
            }),
          ),
        );
        if (profileBase) await prof.start();
        mark = { cpu: process.cpuUsage(), t: performance.now() };
        return true;
      },
      async cpuEnd() {
        const wallMs = performance.now() - mark.t;
        const parts = [
          cpuSince(mark.cpu),
          ...(await Promise.all(workers.map((w) => ask(w, "cpuEnd")))),
        ];
        const profiles = profileBase
          ? [
              ...parts.slice(1).map((p) => p.profile),
              await prof.stop(profileFile(profileBase, "primary")),
            ]
          : undefined;
        const userMs = parts.reduce((a, p) => a + p.userMs, 0);
        const systemMs = parts.reduce((a, p) => a + p.systemMs, 0);
        return {
          userMs,
          systemMs,
          wallMs,
          cpuPct: ((userMs + systemMs) / wallMs) * 100,
          sysPct: (systemMs / wallMs) * 100,
          primaryCpuPct: ((parts[0].userMs + parts[0].systemMs) / wallMs) * 100,
          native: parts[1].native ?? nativeHelpers(),
          profile: profiles ? profiles[0] : undefined,
          profiles,
        };
      },
      async count() {
        const counts = await Promise.all(workers.map((w) => ask(w, "count")));
        return counts.reduce((a, c) => a + c, 0);
      },
      mem() {
        throw new Error("no memory figures in cluster mode");
      },
    },
    () => {
      for (const w of workers) w.kill();
    },
  );
  Promise.all(listening).then((addresses) => {
    const dir = impl === "socketkit" ? ".." : "../node_modules/socket.io";
    process.send({
      ready: {
        impl,
        workers: n,
        version: JSON.parse(fs.readFileSync(path.join(__dirname, dir, "package.json"), "utf8"))
          .version,
        port: addresses[0].port,
        fdLimit: ownFdLimit(),
        node: process.version,
      },
    });
  });
} else {
  const { nativeHelpers } = require("./lib/native");
  const { createAdapter } = require("@socket.io/cluster-adapter");
  const httpServer = http.createServer();
  const app = require("./servers/sio").start(httpServer, serverClass(), {
    adapter: createAdapter(),
  });
  let mark = null;
  let profilePath = null;
  const prof = profiler();
  process.on("message", async (msg) => {
    if (!msg || typeof msg.benchId !== "number") return; // the adapter's own messages
    let result;
    if (msg.cmd === "cpuStart") {
      profilePath = msg.arg?.profile ?? null;
      if (profilePath) await prof.start();
      result = mark = process.cpuUsage();
    } else if (msg.cmd === "cpuEnd") {
      const cpu = cpuSince(mark);
      result = { ...cpu, native: nativeHelpers(), profile: await prof.stop(profilePath) };
    } else if (msg.cmd === "count") result = app.count();
    process.send({ benchReply: msg.benchId, result });
  });
  httpServer.listen(0, "127.0.0.1");
}
