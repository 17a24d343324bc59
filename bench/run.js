"use strict";
/**
 * socketkit benchmark: socketkit vs the official socket.io vs a raw `ws` server, same load.
 *
 *   node bench/run.js [--quick] [--runs=N] [--only=echo,room,...] [--servers=socketkit,raw-ws]
 *                     [--idle=N] [--profile[=DIR]] [--profile-client[=DIR]] [--heap] [--no-write]
 *
 * For each scenario, runs alternate between the servers (A B C A B C ...); each run is a fresh
 * server process (core 0) and a fresh load-generator process (core 1). Medians go to
 * bench/RESULTS.md (unless --no-write, --only, --servers or --profile). `--profile` runs
 * socketkit only (unless --servers says otherwise), samples its CPU during each measured window
 * and writes <DIR>/<server>-<scenario>.cpuprofile (DIR: /tmp/socketkit-bench-profiles), then
 * prints the top self-time functions. `--profile-client` profiles the load generator (whole
 * process, --cpu-prof) into DIR/client-<server>-<scenario>.cpuprofile. `--heap` runs the idle
 * scenario only (2000 connections unless --idle) and prints which objects grew per connection.
 */
const fs = require("node:fs");
const path = require("node:path");
const { spawnWorker, taskset, hardFdLimit } = require("./lib/ipc");
const { SCENARIOS } = require("./scenarios/index");
const { render, LABELS } = require("./lib/report");
const profile = require("./lib/profile");

const IMPLS = ["socketkit", "socket.io", "raw-ws"];
const DIST = path.resolve(__dirname, "..", "dist", "core", "index.js");

function parseArgs(argv) {
  const opts = { quick: false, runs: null, only: null, servers: null, profile: null, write: true };
  for (const arg of argv) {
    const [k, v] = arg.split("=");
    if (k === "--quick") opts.quick = true;
    else if (k === "--runs") opts.runs = Number(v);
    else if (k === "--only") opts.only = v.split(",");
    else if (k === "--servers") opts.servers = v.split(",");
    else if (k === "--idle") opts.idle = Number(v);
    else if (k === "--profile") opts.profile = v || "/tmp/socketkit-bench-profiles";
    else if (k === "--profile-client") opts.profileClient = v || "/tmp/socketkit-bench-profiles";
    else if (k === "--heap") opts.heap = true;
    else if (k === "--no-write") opts.write = false;
    else if (k === "--help" || k === "-h") {
      const doc = fs.readFileSync(__filename, "utf8").split("*/")[0].split("/**")[1];
      console.log(doc.replace(/^ \* ?/gm, ""));
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

function log(msg) {
  process.stdout.write(`${msg}\n`);
}

function metricsLine(metrics) {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${typeof v === "number" ? +v.toFixed(v < 100 ? 2 : 0) : v}`)
    .join(" ");
}

/** The constructors whose live objects grew most, per connection (--heap). */
function printHeapDiff(impl, before, after, n) {
  const rows = Object.entries(after)
    .map(([key, [count, size]]) => {
      const [c0, s0] = before[key] || [0, 0];
      return { key, count: (count - c0) / n, bytes: (size - s0) / n };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 25);
  log(`  heap growth per connection, ${LABELS[impl]} (objects, bytes):`);
  for (const r of rows) {
    log(`    ${r.bytes.toFixed(0).padStart(6)} B ${r.count.toFixed(2).padStart(6)}x  ${r.key}`);
  }
}

/** One server process + one load-generator process, one scenario, one measurement. */
async function runUnit(sc, impl, params, opts, warnings) {
  const fds = Math.min(hardFdLimit(), 65536);
  const server = spawnWorker("server.js", { cpu: 0, nodeArgs: ["--expose-gc"], args: [impl], fds });
  const clientArgs = opts.profileClient
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${opts.profileClient}`,
        `--cpu-prof-name=client-${impl}-${sc.name}.cpuprofile`,
      ]
    : [];
  const client = spawnWorker("client.js", { cpu: 1, fds, nodeArgs: clientArgs });
  try {
    const [srv, cli] = await Promise.all([server.ready, client.ready]);
    params = { ...params };
    if (sc.memory) {
      const limit = Math.min(srv.fdLimit ?? Infinity, cli.fdLimit ?? Infinity) - 300;
      if (opts.idle) params.n = opts.idle;
      if (params.n > limit) {
        const w = `open-files limit ${limit + 300} (ulimit -n): idle connections lowered from ${params.n} to ${limit}`;
        if (!warnings.includes(w)) warnings.push(w);
        log(`  warning: ${w}`);
        params.n = limit;
      }
    }
    const port = srv.port;
    await client.request("setup", { file: sc.file, port, params });
    await client.request("warmup");
    const heapBefore = opts.heap && sc.memory ? await server.request("heapStats") : null;
    const before = sc.memory ? await server.request("mem") : null;
    const profilePath = opts.profile
      ? path.join(opts.profile, `${impl}-${sc.name}.cpuprofile`)
      : null;
    await server.request("cpuStart", { profile: profilePath });
    const measured = await client.request("measure");
    const srvCpu = await server.request("cpuEnd");
    const metrics = { ...measured.metrics };
    let memErrors = 0;
    if (sc.memory) {
      const after = await server.request("mem");
      const n = params.n;
      metrics.rssPerConn = (after.rss - before.rss) / n / 1024;
      metrics.heapPerConn = (after.heapUsed - before.heapUsed) / n / 1024;
      metrics.externalPerConn = (after.external - before.external) / n / 1024;
      if (after.sockets !== n) memErrors++;
      if (heapBefore) printHeapDiff(impl, heapBefore, await server.request("heapStats"), n);
    }
    const end = await client.request("teardown");
    const samples = end.samples.slice();
    if (memErrors) samples.push(`server reports a wrong socket count`);
    return {
      metrics,
      serverCpuPct: srvCpu.cpuPct,
      serverSysPct: srvCpu.sysPct,
      clientCpuPct: measured.cpuPct,
      clientSysPct: measured.sysPct,
      errors: end.errors + memErrors,
      samples,
      profile: srvCpu.profile,
      pinned: server.pinned && client.pinned,
    };
  } finally {
    await Promise.all([client.stop(), server.stop()]);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first");
  const mode = opts.quick ? "quick" : "full";
  const runs = opts.runs ?? (opts.profile || opts.heap || opts.quick ? 1 : 5);
  let impls = opts.servers ?? (opts.profile ? ["socketkit"] : IMPLS);
  impls = IMPLS.filter((i) => impls.includes(i));
  if (opts.heap) {
    opts.only = ["idle"];
    opts.idle ??= 2000;
    opts.write = false;
  }
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
  if (scenarios.length === 0) throw new Error(`no scenario among ${opts.only}`);
  const warnings = [];
  if (!taskset()) warnings.push("taskset not available: processes are not pinned to cores");
  const load = require("node:os").loadavg()[0];
  if (load > 1) {
    warnings.push(
      `the machine was busy before the run (load average ${load.toFixed(2)}): figures are noisy`,
    );
  }
  const startedAt = new Date();
  const t0 = performance.now();
  log(
    `socketkit bench (${mode}): ${scenarios.map((s) => s.name).join(", ")}; servers ` +
      `${impls.join(", ")}; ${runs} run(s) each; ${taskset() ? "pinned" : "not pinned"}`,
  );
  const results = [];
  let pinned = Boolean(taskset());
  for (const sc of scenarios) {
    const r = { scenario: sc, runs: {} };
    results.push(r);
    for (let run = 0; run < runs; run++) {
      for (const impl of impls) {
        const label = `${sc.name} ${LABELS[impl]} #${run + 1}`;
        const started = performance.now();
        let unit = null;
        try {
          unit = await runUnit(sc, impl, sc.params[mode], opts, warnings);
          pinned = pinned && unit.pinned;
          log(
            `  ${label.padEnd(32)} ${metricsLine(unit.metrics)} | cpu srv ` +
              `${unit.serverCpuPct.toFixed(0)}% (sys ${unit.serverSysPct.toFixed(0)}) cli ` +
              `${unit.clientCpuPct.toFixed(0)}% (sys ${unit.clientSysPct.toFixed(0)}) | errors ` +
              `${unit.errors} | ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
          if (unit.errors) log(`    e.g. ${unit.samples.join(" / ")}`);
        } catch (err) {
          log(`  ${label.padEnd(32)} FAILED: ${err.message}`);
        }
        (r.runs[impl] ??= []).push(unit);
      }
    }
  }
  const elapsedS = (performance.now() - t0) / 1000;
  log(`done in ${elapsedS.toFixed(0)} s\n`);

  if (opts.profile) {
    for (const r of results) {
      for (const impl of impls) {
        const unit = (r.runs[impl] || []).find((u) => u && u.profile);
        if (unit)
          log(profile.format(profile.summarize(unit.profile), `${impl} ${r.scenario.name}`) + "\n");
      }
    }
    return;
  }
  const md = render(results, { mode, runs, impls, pinned, startedAt, elapsedS, warnings });
  log(md);
  const partial = opts.only || opts.servers;
  if (opts.write && !partial) {
    fs.writeFileSync(path.join(__dirname, "RESULTS.md"), md);
    log(`written to bench/RESULTS.md`);
  }
  const json = path.join(require("node:os").tmpdir(), "socketkit-bench-results.json");
  fs.writeFileSync(json, JSON.stringify({ startedAt, mode, runs, impls, results }, null, 1));
  log(`raw results: ${json}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
