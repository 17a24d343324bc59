"use strict";
/** Renders the benchmark results as markdown (RESULTS.md). */
const os = require("node:os");
const fs = require("node:fs");
const path = require("node:path");
const { median } = require("./stats");

const ROOT = path.resolve(__dirname, "..", "..");
const LABELS = { socketkit: "socketkit", "socket.io": "socket.io", "raw-ws": "raw ws" };

function version(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    cpu: cpus.length ? cpus[0].model.trim() : "unknown",
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  };
}

function fmt(v, digits) {
  if (typeof v !== "number" || Number.isNaN(v)) return "n/a";
  if (digits === undefined) digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function ratio(a, b) {
  return typeof a === "number" && typeof b === "number" && b !== 0 && !Number.isNaN(a / b)
    ? a / b
    : NaN;
}

/** Median of metric `key` over the runs of `impl` in scenario result `r`. */
function med(r, impl, key) {
  return median((r.runs[impl] || []).filter(Boolean).map((u) => u.metrics[key]));
}

function targetCell(metric, skRaw) {
  if (metric.target === undefined) return "";
  const ok = metric.higher ? skRaw >= metric.target : skRaw <= metric.target;
  const sign = metric.higher ? "≥" : "≤";
  return `${sign} ${metric.target}x ${Number.isNaN(skRaw) ? "" : ok ? "✅" : "❌"}`;
}

/**
 * results: [{ scenario (config), runs: { impl: [unit|null] } }]
 * info: { mode, runs, impls, pinned, startedAt, elapsedS, warnings }
 */
function render(results, info) {
  const m = machine();
  const out = [];
  out.push("# socketkit benchmark results", "");
  out.push(
    `- date: ${info.startedAt.toISOString()} (${info.mode} run, ${info.runs} run(s) per server ` +
      `and scenario, alternated ${info.impls.map((i) => LABELS[i]).join(" / ")}; medians; ` +
      `total ${info.elapsedS.toFixed(0)} s)`,
    `- node ${process.version}, socketkit ${version(".")}, socket.io ` +
      `${version("node_modules/socket.io")}, ws ${version("node_modules/ws")}`,
    `- machine: ${m.nproc} cores (nproc), ${m.cpu}, ${m.memGiB} GiB RAM, ${m.kernel}; ` +
      `load average at the end: ${m.load}`,
    `- processes: server and load generator in separate processes, ` +
      (info.pinned ? "pinned with `taskset` to core 0 and core 1" : "not pinned (no taskset)"),
    "",
  );
  for (const w of info.warnings) out.push(`> warning: ${w}`, "");

  out.push(
    "| scenario | metric | socketkit | socket.io | raw ws | socketkit / socket.io | " +
      "socketkit / raw ws | target (vs raw ws) |",
    "|---|---|--:|--:|--:|--:|--:|---|",
  );
  for (const r of results) {
    for (const metric of r.scenario.metrics) {
      const v = {};
      for (const impl of info.impls) v[impl] = med(r, impl, metric.key);
      const skRaw = ratio(v.socketkit, v["raw-ws"]);
      out.push(
        `| ${r.scenario.title} | ${metric.label} | ${fmt(v.socketkit, metric.digits)} | ` +
          `${fmt(v["socket.io"], metric.digits)} | ${fmt(v["raw-ws"], metric.digits)} | ` +
          `${fmt(ratio(v.socketkit, v["socket.io"]), 2)}x | ${fmt(skRaw, 2)}x | ` +
          `${targetCell(metric, skRaw)} |`,
      );
    }
  }
  out.push(
    "",
    "Ratios are socketkit's figure divided by the other's: above 1 is better for rates, below 1",
    "is better for latencies, times and memory.",
    "",
    "## CPU during the measured window (median % of one core: server / load generator)",
    "",
    "The load generator must use less CPU than the server it measures (⚠ otherwise). A server",
    "below 80% (·) was not saturated: other load on its core, or a latency-bound scenario. A",
    "load generator at 90% or more (▲) is near saturation: that server's figure may be understated.",
    "",
    `| scenario | ${info.impls.map((i) => LABELS[i]).join(" | ")} |`,
    `|---|${info.impls.map(() => "--:").join("|")}|`,
  );
  for (const r of results) {
    const cells = info.impls.map((impl) => {
      const units = (r.runs[impl] || []).filter(Boolean);
      const s = median(units.map((u) => u.serverCpuPct));
      const c = median(units.map((u) => u.clientCpuPct));
      const flags = (c >= s ? " ⚠" : c >= 90 ? " ▲" : "") + (s < 80 ? " ·" : "");
      return `${fmt(s, 0)}% / ${fmt(c, 0)}%${flags}`;
    });
    out.push(`| ${r.scenario.title} | ${cells.join(" | ")} |`);
  }
  out.push(
    "",
    "## Errors (wrong, missing, duplicated or out-of-order messages; failed connections)",
    "",
    `| scenario | ${info.impls.map((i) => LABELS[i]).join(" | ")} |`,
    `|---|${info.impls.map(() => "--:").join("|")}|`,
  );
  const samples = [];
  for (const r of results) {
    const cells = info.impls.map((impl) => {
      const units = r.runs[impl] || [];
      let n = 0;
      for (const u of units) {
        if (u === null) n++;
        else n += u.errors;
        if (u && u.samples.length) samples.push(`${r.scenario.name} / ${impl}: ${u.samples[0]}`);
      }
      return String(n);
    });
    out.push(`| ${r.scenario.title} | ${cells.join(" | ")} |`);
  }
  if (samples.length) {
    out.push("", "Error samples:", "", ...samples.slice(0, 20).map((s) => `- ${s}`));
  }
  out.push("", "## Scenarios", "");
  for (const r of results) out.push(`- **${r.scenario.title}**: ${r.scenario.describe}`);
  out.push(
    "",
    "Servers: socketkit and socket.io run the same application (bench/servers/sio.js) with stock",
    "options; raw ws (bench/servers/raw-ws.js) is a hand-written `ws` server speaking the same",
    "wire format for the same events (JSON.parse / JSON.stringify per event, broadcasts encoded",
    "once): the practical limit. Reproduce with `npm run bench` (or `npm run bench:quick`).",
    "",
  );
  return out.join("\n");
}

module.exports = { render, machine, LABELS };
