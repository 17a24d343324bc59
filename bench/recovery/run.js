"use strict";
/**
 * What connection state recovery and its `persistWhileConnected` option cost, on
 * @socket.io/redis-streams-adapter and the real Redis (127.0.0.1:6379): the bench scenarios echo,
 * room broadcast and connect-ws (bench/scenarios, the load generator bench/client.js on core 1),
 * and 10,000 idle connections for a window of `maxDisconnectionDuration` (two refreshes of the
 * persisted sessions): the Redis commands per second (INFO stats, minus this script's own) and
 * the server's CPU. Three modes of the same server (bench/recovery/node.js, core 0): no recovery,
 * recovery, recovery + persistWhileConnected; fresh server per run, modes alternated.
 *   npm run build && node bench/recovery/run.js [--quick] [--runs=N] [--idle=N]
 * Prints a Markdown table (medians).
 */
const { createClient } = require("redis");
const { spawnWorker } = require("../lib/ipc");
const { SCENARIOS } = require("../scenarios");
const { median } = require("../lib/stats");

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const option = (name, fallback) => {
  const arg = argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const RUNS = option("runs", quick ? 1 : 3);
const IDLE = option("idle", quick ? 2000 : 10000);
const MAX_DISCONNECTION = quick ? 4000 : 20000;
const MODES = ["off", "recovery", "persist"];
const LABELS = {
  off: "no recovery",
  recovery: "recovery",
  persist: "recovery + persistWhileConnected",
};

function scenario(name) {
  const s = SCENARIOS.find((x) => x.name === name);
  return { file: s.file, params: s.params[quick ? "quick" : "full"] };
}

async function redisCommands(redis) {
  const info = await redis.info("stats");
  return Number(/total_commands_processed:(\d+)/.exec(info)[1]);
}

async function startServer(mode, run) {
  const prefix = `bench-recovery-${Date.now().toString(36)}-${run}`;
  const server = spawnWorker("recovery/node.js", {
    cpu: 0,
    args: [mode, prefix, String(MAX_DISCONNECTION)],
  });
  const { port } = await server.ready;
  return { server, port, prefix };
}

/** One load scenario against a fresh server: the scenario's metrics and the server's CPU. */
async function load(mode, name, run) {
  const { server, port } = await startServer(mode, run);
  const client = spawnWorker("client.js", { cpu: 1 });
  await client.ready;
  try {
    const { file, params } = scenario(name);
    // with recovery, broadcasts carry the adapter's offset
    const withOffsets = file === "broadcast" && mode !== "off" ? { offsets: true } : {};
    await client.request("setup", { file, port, params: { ...params, ...withOffsets } });
    await client.request("warmup");
    await server.request("cpuStart");
    const { metrics } = await client.request("measure");
    const cpu = await server.request("cpuEnd");
    const { errors, samples } = await client.request("teardown");
    if (errors > 0) throw new Error(`${name} on ${mode}: ${errors} errors (${samples})`);
    return { ...metrics, serverCpuPct: (cpu.cpuMs / cpu.wallMs) * 100 };
  } finally {
    await client.stop();
    await server.stop();
  }
}

/** `IDLE` idle connections for one `maxDisconnectionDuration`: Redis commands/s, server CPU. */
async function idle(mode, run, redis) {
  const { server, port } = await startServer(mode, run);
  const client = spawnWorker("client.js", { cpu: 1 });
  await client.ready;
  try {
    await client.request("setup", {
      file: "connections",
      port,
      params: { mode: "idle", n: IDLE, concurrency: 200 },
    });
    await client.request("measure");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the connects' own writes settle
    const before = await redisCommands(redis);
    await server.request("cpuStart");
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, MAX_DISCONNECTION));
    const cpu = await server.request("cpuEnd");
    const after = await redisCommands(redis);
    const seconds = (performance.now() - t0) / 1000;
    const sockets = await server.request("count");
    const { errors, samples } = await client.request("teardown");
    if (errors > 0) throw new Error(`idle on ${mode}: ${errors} errors (${samples})`);
    return {
      sockets,
      // one INFO of ours is counted in `after`
      redisPerSec: (after - before - 1) / seconds,
      idleCpuPct: (cpu.cpuMs / cpu.wallMs) * 100,
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}

async function main() {
  const redis = createClient({ url: "redis://127.0.0.1:6379" });
  await redis.connect();
  const results = Object.fromEntries(MODES.map((m) => [m, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const r = {
        echo: await load(mode, "echo", run),
        room: await load(mode, "room", run),
        connect: await load(mode, "connect-ws", run),
        idle: await idle(mode, run, redis),
      };
      console.error(`run ${run + 1}/${RUNS} ${mode}: ${JSON.stringify(r)}`);
      results[mode].push(r);
    }
  }
  await redis.quit();
  const med = (mode, pick) => median(results[mode].map(pick));
  const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
  const rows = [
    ["echo acks/s", (r) => r.echo.acksPerSec, 0],
    ["echo server CPU %", (r) => r.echo.serverCpuPct, 0],
    ["room: delivered msgs/s", (r) => r.room.msgsPerSec, 0],
    ["room: p50 one broadcast to its room (ms)", (r) => r.room.fanoutP50, 2],
    ["connect-ws connects/s", (r) => r.connect.connectsPerSec, 0],
    [`${fmt(IDLE)} idle sockets: Redis commands/s`, (r) => r.idle.redisPerSec, 1],
    [`${fmt(IDLE)} idle sockets: server CPU %`, (r) => r.idle.idleCpuPct, 2],
  ];
  console.log(`| | ${MODES.map((m) => LABELS[m]).join(" | ")} |`);
  console.log(`| --- | ${MODES.map(() => "---").join(" | ")} |`);
  for (const [label, pick, digits] of rows) {
    console.log(`| ${label} | ${MODES.map((m) => fmt(med(m, pick), digits)).join(" | ")} |`);
  }
  console.log(
    `\nmedians of ${RUNS} run(s); idle window ${MAX_DISCONNECTION / 1000} s ` +
      `(maxDisconnectionDuration; the sessions are written again every half of it)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
