"use strict";
/** Renders the benchmark results as markdown (RESULTS.md). */
const os = require("node:os");
const fs = require("node:fs");
const path = require("node:path");
const { median } = require("./stats");

const { describeNative, NO_WS } = require("./native");
const { SCENARIOS } = require("../scenarios/index");

const ROOT = path.resolve(__dirname, "..", "..");
const LABELS = {
  socketkit: "socketkit",
  "socket.io": "socket.io",
  "raw-ws": "raw ws",
  "raw-ws-naive": "raw ws, naive",
  "socketkit-uws": "socketkit (uWS)",
  "socket.io-uws": "socket.io (uWS)",
  "raw-uws": "raw µWebSockets.js",
};
/** The servers on µWebSockets.js, in the table's order. */
const UWS_IMPLS = ["socketkit-uws", "socket.io-uws", "raw-uws"];

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

/** A ratio cell: "1.23x", or "n/a". */
function fx(v) {
  return typeof v === "number" && !Number.isNaN(v) ? `${fmt(v, 2)}x` : "n/a";
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

/** The median of every metric per scenario and server: { scenario: { metric: { impl: v } } }. */
function medians(results, impls) {
  const out = {};
  for (const r of results) {
    const sc = (out[r.scenario.name] = {});
    for (const metric of r.scenario.metrics) {
      const row = (sc[metric.key] = {});
      for (const impl of impls) row[impl] = med(r, impl, metric.key);
    }
  }
  return out;
}

/** The parameters (full run) of every scenario: { scenario: params }, to tell a changed shape. */
function shapes(results) {
  const out = {};
  for (const r of results) if (r.scenario.params) out[r.scenario.name] = r.scenario.params.full;
  return out;
}

/** The native helpers each server's ws used (as reported by the server processes). */
function nativeLines(results, impls) {
  const seen = {};
  for (const r of results) {
    if (r.scenario.cluster) continue; // the cluster adapter brings one more copy of ws
    for (const impl of impls) {
      for (const u of r.runs[impl] || []) {
        if (u && u.native) (seen[impl] ??= new Set()).add(describeNative(u.native));
      }
    }
  }
  const lines = impls
    .filter((impl) => seen[impl])
    .map((impl) => `${LABELS[impl]}: ${[...seen[impl]].join(" / ")}`);
  // the servers framing with ws must agree (raw µWebSockets.js frames in C++, without ws)
  const bufferutil = new Set(
    Object.values(seen).flatMap((set) =>
      [...set].filter((d) => d !== NO_WS).map((d) => d.split(",")[0]),
    ),
  );
  if (bufferutil.size > 1) lines.push("⚠ the servers did not all load the same bufferutil");
  return lines;
}

function headerLines(info) {
  const m = machine();
  return [
    `- date: ${info.startedAt.toISOString()} (${info.mode} run, ${info.runs} run(s) per server ` +
      `and scenario, alternated ${info.impls.map((i) => LABELS[i]).join(" / ")}; medians; ` +
      `total ${info.elapsedS.toFixed(0)} s)`,
    `- node ${process.version}, socketkit ${version(".")}, socket.io ` +
      `${version("node_modules/socket.io")} (engine.io ${version("node_modules/engine.io")}, ws ` +
      `${version("node_modules/engine.io/node_modules/ws")}), ws ${version("node_modules/ws")}, ` +
      `@socket.io/cluster-adapter ${version("node_modules/@socket.io/cluster-adapter")}, ` +
      `uWebSockets.js ${version("node_modules/uWebSockets.js")}`,
    `- machine: ${m.nproc} cores (nproc), ${m.cpu}, ${m.memGiB} GiB RAM, ${m.kernel}; ` +
      `load average at the end: ${m.load}`,
    `- processes: server and load generator in separate processes, ` +
      (info.pinned ? "pinned with `taskset` to core 0 and core 1" : "not pinned (no taskset)") +
      (info.clusterCpus ? `; cluster workers on cores ${info.clusterCpus}` : ""),
    `- native helpers (${info.noBufferutil ? "WS_NO_BUFFER_UTIL=1 for every server" : "one bufferutil install, found by every server"}), as each server reported: ` +
      (nativeLines(info.results, info.impls).join("; ") || "not reported"),
    `- raw ws is the coalescing anchor (each connection corked on the first write of a tick, ` +
      `uncorked on the next tick: one kernel write per connection per tick); raw ws, naive ` +
      `writes each frame as it comes`,
    ...(info.impls.some((i) => UWS_IMPLS.includes(i))
      ? [
          `- (uWS): the same application on µWebSockets.js (\`io.attachApp(app)\`); raw ` +
            `µWebSockets.js is the same wire format hand-written on uWS (the physical limit: ` +
            `sends corked by uWS in its callbacks, rooms and io.emit as uWS topics)`,
        ]
      : []),
  ];
}

function mainTable(results, info) {
  const rawImpls = info.impls.filter((i) => i.startsWith("raw-ws"));
  const uwsImpls = info.impls.filter((i) => UWS_IMPLS.includes(i));
  const extra = [...rawImpls, ...uwsImpls];
  const out = [
    "| scenario | metric | socketkit | socket.io | " +
      extra.map((i) => `${LABELS[i]} | `).join("") +
      "socketkit / socket.io | socketkit / raw ws | target (vs raw ws) |",
    `|---|---|--:|--:|${extra.map(() => "--:|").join("")}--:|--:|---|`,
  ];
  for (const r of results) {
    for (const metric of r.scenario.metrics) {
      const v = {};
      for (const impl of info.impls) v[impl] = med(r, impl, metric.key);
      const skRaw = ratio(v.socketkit, v["raw-ws"]);
      out.push(
        `| ${r.scenario.title} | ${metric.label} | ${fmt(v.socketkit, metric.digits)} | ` +
          `${fmt(v["socket.io"], metric.digits)} | ` +
          extra.map((i) => `${ran(r, i) ? fmt(v[i], metric.digits) : "—"} | `).join("") +
          `${fx(ratio(v.socketkit, v["socket.io"]))} | ` +
          `${r.scenario.cluster ? "—" : `${fx(skRaw)}`} | ${targetCell(metric, skRaw)} |`,
      );
    }
  }
  return out;
}

/** Whether scenario result `r` had runs of `impl` (a scenario some servers do not run: "—"). */
function ran(r, impl) {
  return (r.runs[impl] || []).length > 0;
}

/** Every goal of socketkit on uWS: [{ r, metric, vs, target, q }] (q: socketkit-uws / vs). */
function uwsGoals(results) {
  const out = [];
  for (const r of results) {
    for (const metric of r.scenario.metrics) {
      for (const [vs, target] of Object.entries(metric.uwsTargets ?? {})) {
        const q = ratio(med(r, "socketkit-uws", metric.key), med(r, vs, metric.key));
        out.push({ r, metric, vs, target, q });
      }
    }
  }
  return out;
}

/** socketkit on uWS against the servers of its goals: one row per metric with a uWS goal. */
function uwsTable(results, info) {
  if (!info.impls.includes("socketkit-uws")) return [];
  const vsAll = ["raw-ws", "raw-uws", "socket.io-uws"];
  const out = [
    "| scenario | metric | " +
      vsAll.map((vs) => `socketkit (uWS) / ${LABELS[vs]} | target`).join(" | ") +
      " |",
    `|---|---|${vsAll.map(() => "--:|---|").join("")}`,
  ];
  for (const r of results) {
    for (const metric of r.scenario.metrics) {
      if (!metric.uwsTargets) continue;
      const cells = vsAll.map((vs) => {
        const q = ratio(med(r, "socketkit-uws", metric.key), med(r, vs, metric.key));
        const target = metric.uwsTargets[vs];
        return `${fx(q)} | ${target === undefined ? "" : targetCell({ ...metric, target }, q)}`;
      });
      out.push(`| ${r.scenario.title} | ${metric.label} | ${cells.join(" | ")} |`);
    }
  }
  return out;
}

/** "✅ what: met by ..." / "❌ what: missed by ..." / "what: not measured". */
function targetLine(what, q, metric, target) {
  if (Number.isNaN(q)) return `- ${what}: not measured`;
  const ok = metric.higher ? q >= target : q <= target;
  const by = Math.abs(q - target);
  return (
    `- ${ok ? "✅" : "❌"} ${what}: ${ok ? "met" : "missed"} by ${fx(by)} ` +
    `(${fmt((by / target) * 100, 0)}%)`
  );
}

/** One line per target of socketkit on the Node host: the ratio, met or missed, by how much. */
function targetLines(results) {
  const out = [];
  for (const r of results) {
    for (const metric of r.scenario.metrics) {
      if (metric.target === undefined) continue;
      const skRaw = ratio(med(r, "socketkit", metric.key), med(r, "raw-ws", metric.key));
      const sign = metric.higher ? "≥" : "≤";
      const what = `${r.scenario.title}, ${metric.label}: ${fx(skRaw)} raw ws (target ${sign} ${metric.target}x)`;
      out.push(targetLine(what, skRaw, metric, metric.target));
    }
  }
  return out;
}

/** One line per goal of socketkit on µWebSockets.js (socketkit-uws / the server named). */
function uwsTargetLines(results) {
  return uwsGoals(results).map(({ r, metric, vs, target, q }) => {
    const sign = metric.higher ? "≥" : "≤";
    const what =
      `${r.scenario.title}, ${metric.label}: socketkit (uWS) ${fx(q)} ${LABELS[vs]} ` +
      `(target ${sign} ${target}x)`;
    return targetLine(what, q, metric, target);
  });
}

/** The cluster scenarios against their single-process counterpart: what the hop costs. */
function clusterLines(results, info) {
  const out = [];
  for (const r of results) {
    if (!r.scenario.cluster) continue;
    const single = results.find((s) => s.scenario.name === r.scenario.single);
    for (const impl of ["socketkit", "socket.io"]) {
      if (!info.impls.includes(impl)) continue;
      const c = med(r, impl, "msgsPerSec");
      const one = single ? med(single, impl, "msgsPerSec") : NaN;
      const cpu = median((r.runs[impl] || []).filter(Boolean).map((u) => u.serverCpuPct));
      const hop = Number.isNaN(one)
        ? ""
        : `; ${fx(ratio(c, one))} the single process (${fmt(one, 0)}), so the ` +
          `cross-process hop costs ${fmt((1 - ratio(c, one)) * 100, 0)}% of the throughput`;
      out.push(
        `- ${r.scenario.title}, ${LABELS[impl]}: ${fmt(c, 0)} delivered msgs/s with ` +
          `${r.scenario.cluster} workers (server CPU ${fmt(cpu, 0)}% of one core, primary included)${hop}`,
      );
    }
  }
  return out;
}

/**
 * The medians `before` holds for scenario `sc`, if they are of the same shape: a medians.json
 * with recorded parameters is compared only where they are equal; an older one (no parameters)
 * keeps its figures under the name a scenario had then (`formerly`), and a scenario whose name
 * another now claims that way has nothing to compare with (its shape changed).
 */
function beforeOf(before, sc) {
  if (before.params) {
    const p = before.params[sc.name];
    const same = p !== undefined && JSON.stringify(p) === JSON.stringify(sc.params.full);
    return same ? before.medians[sc.name] : undefined;
  }
  if (sc.formerly) return before.medians[sc.formerly];
  if (SCENARIOS.some((other) => other.formerly === sc.name)) return undefined;
  return before.medians[sc.name];
}

/** Before (an earlier full run's medians) and after, socketkit and the ratios, per scenario. */
function beforeAfterLines(results, before) {
  if (!before || !before.medians) return [];
  const out = [
    `Before: ${before.label}. After: this run.`,
    "",
    "| scenario | metric | socketkit before | socketkit after | socketkit / socket.io before | after | socketkit / raw ws before | after | socketkit (uWS) before | after |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const changed = [];
  for (const r of results) {
    const b = beforeOf(before, r.scenario);
    if (b === undefined && before.medians[r.scenario.name] !== undefined) {
      changed.push(r.scenario.title);
    }
    for (const metric of r.scenario.metrics) {
      const bm = b ? b[metric.key] : undefined;
      const sk = med(r, "socketkit", metric.key);
      const get = (o, k) => (o && typeof o[k] === "number" ? o[k] : NaN);
      // an earlier run without the coalescing anchor: its raw ws was the naive server
      const rawOf = (o) =>
        Number.isNaN(get(o, "raw-ws")) ? get(o, "raw-ws-naive") : get(o, "raw-ws");
      out.push(
        `| ${r.scenario.title} | ${metric.label} | ${fmt(get(bm, "socketkit"), metric.digits)} | ` +
          `${fmt(sk, metric.digits)} | ${fx(ratio(get(bm, "socketkit"), get(bm, "socket.io")))} | ` +
          `${fx(ratio(sk, med(r, "socket.io", metric.key)))} | ` +
          `${fx(ratio(get(bm, "socketkit"), rawOf(bm)))} | ` +
          `${fx(ratio(sk, med(r, "raw-ws", metric.key)))} | ` +
          `${fmt(get(bm, "socketkit-uws"), metric.digits)} | ` +
          `${fmt(med(r, "socketkit-uws", metric.key), metric.digits)} |`,
      );
    }
  }
  out.push(
    "",
    '("raw ws" before is the naive raw server when the earlier run predates the coalescing anchor.' +
      (changed.length
        ? ` No "before" for ${changed.join(", ")}: its shape changed since that run.)`
        : ")"),
  );
  return out;
}

/** Where socketkit's CPU went on each scenario whose target it missed (one profiled run each). */
function profileLines(profiles) {
  if (!profiles || profiles.length === 0) return [];
  const out = [
    "",
    "Profiles of the targets still missed (socketkit or socketkit (uWS), one profiled run each):",
    "",
  ];
  for (const { scenario, impl = "socketkit", summary: s } of profiles) {
    out.push(
      `- ${scenario.title}, ${LABELS[impl]}: ` +
        s.areas
          .slice(0, 6)
          .map((a) => `${a.name} ${a.pct.toFixed(0)}%`)
          .join(", ") +
        "; top self time: " +
        s.top
          .slice(0, 6)
          .map((e) => `${e.fn} ${e.pct.toFixed(1)}%`)
          .join(", "),
    );
  }
  return out;
}

/** socketkit on µWebSockets.js: its ratios table and one line per goal (none without its runs). */
function uwsSection(results, info) {
  if (!info.impls.includes("socketkit-uws")) return [];
  return [
    "On µWebSockets.js (socketkit (uWS) against raw ws, raw µWebSockets.js and socket.io (uWS)):",
    "",
    ...uwsTable(results, info),
    "",
    "Targets of socketkit on µWebSockets.js:",
    "",
    ...uwsTargetLines(results),
    "",
  ];
}

/** The block between README's bench markers: header, table, targets, cluster, before/after. */
function renderReadme(results, info, before) {
  info = { ...info, results };
  return [
    ...headerLines(info),
    "",
    ...mainTable(results, info),
    "",
    "Targets (socketkit / raw ws, the coalescing anchor):",
    "",
    ...targetLines(results),
    "",
    ...uwsSection(results, info),
    ...(clusterLines(results, info).length
      ? [
          "Two worker processes (`node:cluster` + `@socket.io/cluster-adapter`):",
          "",
          ...clusterLines(results, info),
          "",
        ]
      : []),
    ...beforeAfterLines(results, before),
    ...profileLines(info.missedProfiles),
  ].join("\n");
}

/**
 * results: [{ scenario (config), runs: { impl: [unit|null] } }]
 * info: { mode, runs, impls, pinned, startedAt, elapsedS, warnings, noBufferutil, clusterCpus }
 */
function render(results, info) {
  info = { ...info, results };
  const out = [];
  out.push("# socketkit benchmark results", "");
  out.push(...headerLines(info), "");
  for (const w of info.warnings) out.push(`> warning: ${w}`, "");
  out.push(...mainTable(results, info));
  out.push(
    "",
    "Ratios are socketkit's figure divided by the other's: above 1 is better for rates, below 1",
    "is better for latencies, times and memory.",
    "",
    "## Targets",
    "",
    ...targetLines(results),
    "",
  );
  const uws = uwsSection(results, info);
  if (uws.length) out.push("## On µWebSockets.js", "", ...uws);
  const cl = clusterLines(results, info);
  if (cl.length) out.push("## Two worker processes", "", ...cl, "");
  out.push(
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
      if (units.length === 0) return "—";
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
      if (units.length === 0) return "—";
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
    "once): the practical limit, in two modes: coalescing (the anchor: one kernel write per",
    "connection per tick) and naive (each frame written as it comes). socketkit (uWS) and",
    "socket.io (uWS) run the same application on a µWebSockets.js app (`io.attachApp(app)`);",
    "raw µWebSockets.js (bench/servers/raw-uws.js) speaks the same wire format as raw ws (one",
    "protocol module, bench/lib/raw-sio.js) on uWS, with uWS's corking and topics: the physical",
    "limit. The cluster scenarios run bench/cluster-server.js (socketkit and socket.io only).",
    "Reproduce with `npm run bench` (or `npm run bench:quick`).",
    "",
  );
  if (info.before)
    out.push("## Before and after", "", ...beforeAfterLines(results, info.before), "");
  if (info.missedProfiles && info.missedProfiles.length) {
    out.push("## Profiles", "", ...profileLines(info.missedProfiles).slice(1), "");
  }
  return out.join("\n");
}

module.exports = { render, renderReadme, medians, shapes, machine, LABELS };
