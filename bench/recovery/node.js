"use strict";
/**
 * The server of the recovery bench (bench/recovery/run.js): the bench application
 * (servers/sio.js) on socketkit with @socket.io/redis-streams-adapter on the real Redis, in one
 * of three modes (argv[2]): "off" (no connection state recovery), "recovery" (socket.io's
 * connection state recovery) or "persist" (recovery with persistWhileConnected). argv[3]: the
 * stream and key prefix of the run; argv[4]: maxDisconnectionDuration (ms). Answers cpuStart,
 * cpuEnd and count over IPC (lib/ipc.js).
 */
const { createServer } = require("node:http");
const { createClient } = require("redis");
const { createAdapter } = require("@socket.io/redis-streams-adapter");
const { Server } = require("socketkit");
const { serve, ownFdLimit } = require("../lib/ipc");

const [mode, prefix, maxDisconnection] = process.argv.slice(2);

async function main() {
  const redis = createClient({ url: "redis://127.0.0.1:6379" });
  await redis.connect();
  const opts = {
    adapter: createAdapter(redis, {
      streamName: `${prefix}-stream`,
      sessionKeyPrefix: `${prefix}-session:`,
    }),
  };
  if (mode !== "off") {
    opts.connectionStateRecovery = {
      maxDisconnectionDuration: Number(maxDisconnection),
      persistWhileConnected: mode === "persist",
    };
  }
  const http = createServer();
  const app = require("../servers/sio").start(http, Server, opts);
  let mark = null;
  serve({
    cpuStart() {
      mark = { cpu: process.cpuUsage(), t: performance.now() };
      return true;
    },
    cpuEnd() {
      const cpu = process.cpuUsage(mark.cpu);
      const wallMs = performance.now() - mark.t;
      return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
    },
    count: () => app.count(),
  });
  http.listen(0, "127.0.0.1", () =>
    process.send({ ready: { port: http.address().port, fdLimit: ownFdLimit() } }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
