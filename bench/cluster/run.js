// Sticky-free cluster bench: polling sessions/s and echo latency through a round-robin proxy,
// for one node, three sticky-free nodes (Redis driver) and three nodes behind a sticky proxy.
//   npm run bench:cluster            (build, then ~1 min)
//   node bench/cluster/run.js --quick  (after a build; a few seconds per setup)
// Needs Redis on 127.0.0.1:6379. Prints a Markdown table.
"use strict";
const { fork } = require("node:child_process");
const { createServer, request, Agent } = require("node:http");
const { join } = require("node:path");
const { io } = require("socket.io-client");

const quick = process.argv.includes("--quick");
const SECONDS = quick ? 2 : 10;
const CONCURRENCY = quick ? 4 : 16;
const BASE = 3500;

function startNodes(count, cluster) {
  const run = Date.now().toString(36);
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const port = BASE + 1 + i;
      const child = fork(join(__dirname, "node.js"), [], {
        env: { ...process.env, PORT: String(port), CLUSTER: cluster ? "1" : "0", RUN: run },
      });
      return new Promise((resolve) => child.once("message", () => resolve({ child, port })));
    }),
  );
}

async function stopNodes(nodes) {
  await Promise.all(
    nodes.map(({ child }) => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      return exited;
    }),
  );
}

/** Round robin; with `sticky`, a session's requests go where its handshake went (by sid). */
function startProxy(ports, sticky) {
  const agents = ports.map(() => new Agent({ keepAlive: true }));
  const owners = new Map();
  let next = 0;
  const server = createServer((req, res) => {
    const sid = new URL(req.url, "http://x").searchParams.get("sid");
    const index = sticky && sid && owners.has(sid) ? owners.get(sid) : next++ % ports.length;
    const upstream = request(
      {
        host: "127.0.0.1",
        port: ports[index],
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: agents[index],
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (sticky && !sid) {
          // learn the session's node from the handshake answer
          const chunks = [];
          answer.on("data", (c) => chunks.push(c));
          answer.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            const match = /"sid":"([^"]+)"/.exec(body);
            if (match) owners.set(match[1], index);
            res.end(body);
          });
        } else answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(BASE, "127.0.0.1", () => resolve(server)));
}

const url = `http://127.0.0.1:${BASE}`;

async function sessionsPerSecond() {
  let done = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const socket = io(url, { forceNew: true, reconnection: false, transports: ["polling"] });
        await new Promise((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("connect_error", reject);
        });
        socket.disconnect();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function echoLatency() {
  const latencies = [];
  const sockets = Array.from({ length: CONCURRENCY }, () =>
    io(url, { forceNew: true, reconnection: false, transports: ["polling"] }),
  );
  await Promise.all(sockets.map((s) => new Promise((resolve) => s.once("connect", resolve))));
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    sockets.map(async (s) => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await s.emitWithAck("echo", "x".repeat(64));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  sockets.forEach((s) => s.disconnect());
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), rate: latencies.length / SECONDS };
}

async function measure(label, count, cluster, sticky) {
  const nodes = await startNodes(count, cluster);
  const proxy = await startProxy(
    nodes.map((n) => n.port),
    sticky,
  );
  const sessions = await sessionsPerSecond();
  const echo = await echoLatency();
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await stopNodes(nodes);
  return { label, sessions, ...echo };
}

async function main() {
  const rows = [];
  rows.push(await measure("1 node", 1, false, false));
  rows.push(await measure("3 nodes, sticky-free (Redis driver)", 3, true, false));
  rows.push(await measure("3 nodes, sticky proxy (no cluster option)", 3, false, true));
  console.log(`\n${CONCURRENCY} concurrent polling-only clients, ${SECONDS} s per measure\n`);
  console.log("| setup | polling sessions/s | echoes/s | echo p50 ms | echo p99 ms |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.sessions.toFixed(0)} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
