"use strict";
/**
 * Summarises a .cpuprofile (V8 sampling profile): self time per function, aggregated by
 * function name + file, and per area (socketkit, socket.io & co, ws, node internals, GC, ...).
 * Usable standalone: `node bench/lib/profile.js /tmp/socketkit-bench-profiles/*.cpuprofile`, or
 * `... file.cpuprofile --callers=writev` for the heaviest stacks ending in a function.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");

function shortUrl(url) {
  if (!url) return "";
  let u = url.replace(/^file:\/\//, "");
  if (u.startsWith(ROOT + "/")) u = u.slice(ROOT.length + 1);
  // dist/core/x/y.js -> core/x/y.ts (the function names are those of the TypeScript source)
  const m = /^dist\/(.*)\.js$/.exec(u);
  if (m) return `${m[1]}.ts`;
  return u.replace(/^node_modules\//, "");
}

function area(url, name) {
  if (name === "(garbage collector)") return "GC";
  if (name === "(program)" || name === "(idle)" || name === "(root)") return name;
  if (!url) return "native/builtin";
  const u = shortUrl(url);
  if (/^(core|integrations)\//.test(u)) return "socketkit";
  if (u.startsWith("bench/")) return "bench app";
  if (/^(ws)\//.test(u)) return "ws";
  if (/^(socket\.io|engine\.io|socket\.io-parser|socket\.io-adapter|debug|ms|cors)/.test(u)) {
    return u.split("/")[0];
  }
  if (u.startsWith("node:")) return "node internals";
  return u.split("/")[0];
}

/** Self time (ms) per function and per area; `top` entries sorted by self time. */
function summarize(file, top = 15) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the next delta to sample i
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    self.set(samples[i], (self.get(samples[i]) || 0) + Math.max(0, dt));
  }
  const fns = new Map();
  const areas = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    const where = shortUrl(callFrame.url);
    const key = where ? `${where}:${name}` : name;
    const entry = fns.get(key) || { key, us: 0, line: callFrame.lineNumber + 1 };
    entry.us += us;
    fns.set(key, entry);
    const a = area(callFrame.url, name);
    areas.set(a, (areas.get(a) || 0) + us);
  }
  // inclusive time of socketkit's own functions: each sample counts once per function on its stack
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const { callFrame } = byId.get(p);
      if (area(callFrame.url, callFrame.functionName) !== "socketkit") continue;
      const key = `${shortUrl(callFrame.url)}:${callFrame.functionName || "(anonymous)"}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) || 0) + us);
    }
  }
  const pct = (us) => (total ? (us / total) * 100 : 0);
  const sorted = [...fns.values()].sort((a, b) => b.us - a.us);
  const row = (e) => ({ fn: e.key, line: e.line, ms: e.us / 1000, pct: pct(e.us) });
  return {
    file,
    busyMs: total / 1000,
    idleMs: idle / 1000,
    top: sorted.slice(0, top).map(row),
    ownSelf: sorted
      .filter((e) => /^(core|integrations)\//.test(e.key))
      .slice(0, 10)
      .map(row),
    ownTotal: [...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([fn, us]) => ({ fn, ms: us / 1000, pct: pct(us) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, pct: pct(us) })),
  };
}

/** A plain-text rendering of `summarize()`. */
function format(s, title = path.basename(s.file)) {
  const lines = [
    `## ${title}: busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (${s.file})`,
    "areas: " + s.areas.map((a) => `${a.name} ${a.pct.toFixed(1)}%`).join(", "),
    "top self time (% of busy):",
  ];
  for (const e of s.top) lines.push(`  ${e.pct.toFixed(1).padStart(5)}%  ${e.fn}`);
  lines.push("socketkit functions, self time:");
  for (const e of s.ownSelf) lines.push(`  ${e.pct.toFixed(1).padStart(5)}%  ${e.fn}`);
  lines.push("socketkit functions, total time (self + callees):");
  for (const e of s.ownTotal) lines.push(`  ${e.pct.toFixed(1).padStart(5)}%  ${e.fn}`);
  return lines.join("\n");
}

/** The heaviest call stacks (self time) ending in a function named `fn`, `depth` frames deep. */
function callers(file, fn, depth = 8, top = 5) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) || 0) + 1);
  const stacks = new Map();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName !== fn || !hits.get(n.id)) continue;
    const frames = [];
    for (let id = n.id, i = 0; id !== undefined && i < depth; id = parent.get(id), i++) {
      const { functionName, url, lineNumber } = byId.get(id).callFrame;
      frames.push(`${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`);
    }
    const key = frames.join("\n    < ");
    stacks.set(key, (stacks.get(key) || 0) + hits.get(n.id));
  }
  return [...stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const fn = args.find((a) => a.startsWith("--callers="));
  for (const f of args.filter((a) => !a.startsWith("--"))) {
    if (fn) {
      for (const [stack, n] of callers(f, fn.slice(10))) console.log(`${n} samples: ${stack}\n`);
    } else console.log(format(summarize(f)) + "\n");
  }
}

module.exports = { summarize, format, callers };
