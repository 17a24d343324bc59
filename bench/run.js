"use strict";
/**
 * socketkit benchmark: socketkit vs the official socket.io vs raw `ws` and µWebSockets.js servers,
 * on node:http and on µWebSockets.js, same load.
 *
 *   node bench/run.js [--quick] [--runs=N] [--only=echo,room,...] [--servers=socketkit,raw-ws]
 *                     [--idle=N] [--profile[=DIR]] [--profile-client[=DIR]] [--heap] [--no-write]
 *                     [--no-bufferutil]
 *
 * Servers: socketkit, socket.io, raw-ws (the coalescing anchor), raw-ws-naive, socketkit-uws,
 * socket.io-uws (the same application on µWebSockets.js, io.attachApp), raw-uws (the raw server
 * on µWebSockets.js). Scenarios: echo (100 clients x 8 in flight), echo-4 (4 in flight; socketkit,
 * socket.io, raw-ws), room, emit, binary, binary-50, binary-200, idle, connect-ws,
 * connect-polling, cluster-room, cluster-emit (the cluster ones: socketkit and socket.io under
 * node:cluster, 2 workers).
 * Opt-in scenarios, run only when --only names them: echo-zod, echo-valibot (echo with an event
 * contract of zod / valibot schemas on socketkit; compare with echo in the same run).
 * A full run (no --only/--servers/--profile/--no-write) writes bench/RESULTS.md, the block
 * between README.md's bench markers and bench/medians.json (the "before" of the next run).
 * `--no-bufferutil` runs every server with WS_NO_BUFFER_UTIL=1 (ws masks in JavaScript).
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
const { render, renderReadme, medians, shapes, LABELS } = require("./lib/report");
const profile = require("./lib/profile");

/**
 * Every server of a full run, in the order runs alternate: on node:http + ws, then on
 * µWebSockets.js (the same application on io.attachApp, and the raw uWS server).
 */
const IMPLS = [
  "socketkit",
  "socket.io",
  "raw-ws",
  "raw-ws-naive",
  "socketkit-uws",
  "socket.io-uws",
  "raw-uws",
];
const CLUSTER_IMPLS = ["socketkit", "socket.io"];
const DIST = path.resolve(__dirname, "..", "dist", "core", "index.js");
const README = path.resolve(__dirname, "..", "README.md");
const MEDIANS = path.join(__dirname, "medians.json");
const BEGIN = "<!-- bench:begin (written by `npm run bench`) -->";
const END = "<!-- bench:end -->";
const NPROC = require("node:os").availableParallelism();
/** Cluster scenarios: the workers get two cores when the load generator can have a third. */
const CLUSTER_CPUS = NPROC >= 3 ? "0,1" : "0";
const CLUSTER_CLIENT_CPU = NPROC >= 3 ? 2 : 1;

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
    else if (k === "--no-bufferutil") opts.noBufferutil = true;
    else if (k === "--from") opts.from = v;
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
  const env = { ...(opts.noBufferutil ? { WS_NO_BUFFER_UTIL: "1" } : {}), ...sc.serverEnv };
  const server = sc.cluster
    ? spawnWorker("cluster-server.js", {
        cpu: CLUSTER_CPUS,
        args: [impl, String(sc.cluster)],
        fds,
        env,
      })
    : spawnWorker("server.js", { cpu: 0, nodeArgs: ["--expose-gc"], args: [impl], fds, env });
  const clientArgs = opts.profileClient
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${opts.profileClient}`,
        `--cpu-prof-name=client-${impl}-${sc.name}.cpuprofile`,
      ]
    : [];
  const client = spawnWorker("client.js", {
    cpu: sc.cluster ? CLUSTER_CLIENT_CPU : 1,
    fds,
    nodeArgs: clientArgs,
  });
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
      profiles: srvCpu.profiles,
      native: srvCpu.native,
      pinned: server.pinned && client.pinned,
    };
  } finally {
    await Promise.all([client.stop(), server.stop()]);
  }
}

/**
 * The servers (socketkit, socketkit-uws) that missed a target on scenario result `r`: socketkit
 * its target against raw ws, socketkit-uws any of its uWS goals (metric.uwsTargets).
 */
function missedBy(r) {
  const { median } = require("./lib/stats");
  const get = (impl, key) =>
    median((r.runs[impl] || []).filter(Boolean).map((u) => u.metrics[key]));
  const missed = (q, target, higher) => !Number.isNaN(q) && (higher ? q < target : q > target);
  const out = new Set();
  for (const m of r.scenario.metrics) {
    const q = get("socketkit", m.key) / get("raw-ws", m.key);
    if (m.target !== undefined && missed(q, m.target, m.higher)) out.add("socketkit");
    for (const [vs, target] of Object.entries(m.uwsTargets ?? {})) {
      const qu = get("socketkit-uws", m.key) / get(vs, m.key);
      if (missed(qu, target, m.higher)) out.add("socketkit-uws");
    }
  }
  return [...out];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.from) return rerender(opts);
  if (!fs.existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first");
  const mode = opts.quick ? "quick" : "full";
  const runs = opts.runs ?? (opts.profile || opts.heap || opts.quick ? 1 : 5);
  let impls = opts.servers ?? (opts.profile ? ["socketkit"] : IMPLS);
  const unknown = impls.filter((i) => !IMPLS.includes(i));
  if (unknown.length) throw new Error(`unknown server(s) ${unknown} (servers: ${IMPLS})`);
  impls = IMPLS.filter((i) => impls.includes(i));
  if (opts.heap) {
    opts.only = ["idle"];
    opts.idle ??= 2000;
    opts.write = false;
  }
  // opt-in scenarios (the contract variants of echo) run only when --only names them
  const scenarios = SCENARIOS.filter((s) => (opts.only ? opts.only.includes(s.name) : !s.optIn));
  if (scenarios.length === 0) throw new Error(`no scenario among ${opts.only}`);
  const warnings = [];
  if (!taskset()) warnings.push("taskset not available: processes are not pinned to cores");
  const load = require("node:os").loadavg()[0];
  if (load > 1) {
    warnings.push(
      `the machine was busy before the run (load average ${load.toFixed(2)}): figures are noisy`,
    );
  }
  if (scenarios.some((s) => s.cluster) && CLUSTER_CPUS === "0") {
    warnings.push(
      `${NPROC} cores: the 2 cluster workers share core 0 (the load generator has core 1), so ` +
        `the cluster scenarios measure the cost of the cross-process hop, not a scale-up`,
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
    const scImpls = sc.cluster
      ? impls.filter((i) => CLUSTER_IMPLS.includes(i))
      : sc.servers
        ? impls.filter((i) => sc.servers.includes(i))
        : impls;
    for (let run = 0; run < runs; run++) {
      for (const impl of scImpls) {
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
  const json = path.join(require("node:os").tmpdir(), "socketkit-bench-results.json");
  const saved = { startedAt, elapsedS, mode, runs, impls, pinned, warnings, results };
  fs.writeFileSync(json, JSON.stringify(saved, null, 1));
  log(`raw results: ${json} (\`node bench/run.js --from=${json}\` writes the reports again)`);
  return report({ ...saved, opts, scenarios });
}

/** `--from=FILE`: the reports of a saved run (its raw results), without running anything. */
async function rerender(opts) {
  const saved = JSON.parse(fs.readFileSync(opts.from, "utf8"));
  const byName = new Map(SCENARIOS.map((sc) => [sc.name, sc]));
  const results = saved.results.map((r) => ({
    ...r,
    scenario: byName.get(r.scenario.name) ?? r.scenario,
  }));
  return report({
    ...saved,
    startedAt: new Date(saved.startedAt),
    elapsedS: saved.elapsedS ?? 0,
    pinned: saved.pinned ?? true,
    warnings: saved.warnings ?? [],
    results,
    scenarios: results.map((r) => r.scenario),
    opts: { ...opts, only: null, servers: null, profile: null, from: opts.from, rerendered: true },
  });
}

/** Writes RESULTS.md, README's block and medians.json as the options allow. */
async function report({
  startedAt,
  elapsedS,
  mode,
  runs,
  impls,
  pinned,
  warnings,
  results,
  opts,
  scenarios,
}) {
  if (opts.profile) {
    for (const r of results) {
      for (const impl of impls) {
        const unit = (r.runs[impl] || []).find((u) => u && u.profile);
        if (!unit) continue;
        for (const file of unit.profiles ?? [unit.profile]) {
          const name = unit.profiles
            ? path.basename(file, ".cpuprofile")
            : `${impl} ${r.scenario.name}`;
          log(profile.format(profile.summarize(file), name) + "\n");
        }
      }
    }
    return;
  }
  // a full run profiles socketkit (and socketkit-uws) once on every scenario whose target it missed
  const missedProfiles = [];
  const canProfile = !opts.rerendered;
  if (
    canProfile &&
    opts.write &&
    !opts.only &&
    !opts.servers &&
    !opts.noBufferutil &&
    mode === "full"
  ) {
    for (const r of results) {
      if (r.scenario.cluster) continue;
      for (const impl of missedBy(r)) {
        const dir = path.join(require("node:os").tmpdir(), "socketkit-bench-profiles");
        log(`profiling ${impl} on ${r.scenario.name} (target missed)`);
        try {
          const unit = await runUnit(
            r.scenario,
            impl,
            r.scenario.params[mode],
            { ...opts, profile: dir },
            [],
          );
          const s = profile.summarize(unit.profile, 8);
          missedProfiles.push({ scenario: r.scenario, impl, summary: s });
          log(profile.format(s, `${impl} ${r.scenario.name}`));
        } catch (err) {
          log(`  profile failed: ${err.message}`);
        }
      }
    }
  }
  let before = null;
  try {
    before = JSON.parse(fs.readFileSync(MEDIANS, "utf8"));
    // reports of a run written again (--from): its "before" is the run before it
    if (before && new Date(before.date).getTime() === startedAt.getTime()) {
      before = before.previous ?? null;
    }
  } catch {
    /* no earlier run */
  }
  const info = {
    mode,
    runs,
    impls,
    pinned,
    startedAt,
    elapsedS,
    warnings,
    noBufferutil: Boolean(opts.noBufferutil),
    clusterCpus: scenarios.some((s) => s.cluster) ? CLUSTER_CPUS : null,
    before,
    missedProfiles,
  };
  const md = render(results, info);
  log(md);
  const partial = opts.only || opts.servers;
  if (opts.write && !partial && !opts.noBufferutil) {
    fs.writeFileSync(path.join(__dirname, "RESULTS.md"), md);
    log(`written to bench/RESULTS.md`);
    if (mode === "full") {
      const readme = fs.readFileSync(README, "utf8");
      const a = readme.indexOf(BEGIN);
      const b = readme.indexOf(END);
      if (a === -1 || b < a) log(`README.md has no bench markers: not updated`);
      else {
        const block = renderReadme(results, info, before);
        let text = `${readme.slice(0, a + BEGIN.length)}\n\n${block}\n\n${readme.slice(b)}`;
        try {
          const prettier = require("prettier");
          const config = (await prettier.resolveConfig(README)) ?? {};
          text = await prettier.format(text, { ...config, filepath: README });
        } catch (err) {
          log(`prettier failed (${err.message}): run \`npx prettier --write README.md\``);
        }
        fs.writeFileSync(README, text);
        log(`README.md's benchmark block updated`);
      }
      const label = `the full run of ${startedAt.toISOString()}`;
      fs.writeFileSync(
        MEDIANS,
        JSON.stringify(
          {
            label,
            date: startedAt,
            params: shapes(results),
            medians: medians(results, IMPLS),
            previous: before,
          },
          null,
          1,
        ) + "\n",
      );
      log(`medians written to bench/medians.json (the "before" of the next full run)`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
