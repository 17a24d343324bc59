// The sticky-free cluster example: `npm run example:cluster` (needs Redis on 127.0.0.1:6379).
// Starts three socketkit nodes (ports 3001-3003) and a round-robin proxy on
// http://localhost:3000 that sends every request, and every WebSocket upgrade, to the next node:
// no sticky sessions anywhere. Open the page, or watch the console client below.
"use strict";
const { fork } = require("node:child_process");
const { createServer, request } = require("node:http");
const { connect } = require("node:net");
const { join } = require("node:path");
const { io } = require("socket.io-client");

const port = Number(process.env.PORT ?? 3000);
const nodes = ["a", "b", "c"].map((name, i) => ({ name, port: port + 1 + i, requests: 0 }));
const children = nodes.map((n) =>
  fork(join(__dirname, "node.js"), [], {
    env: { ...process.env, NODE_NAME: n.name, PORT: String(n.port) },
  }),
);

let next = 0;
const pick = () => nodes[next++ % nodes.length];

// the load balancer: round robin per request, nothing sticky
const proxy = createServer((req, res) => {
  const node = pick();
  node.requests++;
  const upstream = request(
    { host: "127.0.0.1", port: node.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
proxy.on("upgrade", (req, socket, head) => {
  const node = pick();
  node.requests++;
  const upstream = connect(node.port, "127.0.0.1", () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(lines.join("\r\n") + "\r\n\r\n");
    upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
});

// wait for the three nodes, then start the proxy and a console client (long-polling only, the
// case that needs sticky sessions elsewhere)
let ready = 0;
for (const child of children) {
  child.on("exit", (code) => code && process.exit(code));
}
const started = setInterval(() => {
  Promise.all(
    nodes.map(
      (n) =>
        new Promise((resolve) => {
          const s = connect(n.port, "127.0.0.1", () => resolve(s.end()));
          s.on("error", () => resolve(false));
        }),
    ),
  ).then((up) => {
    if (ready || up.includes(false)) return;
    ready = 1;
    clearInterval(started);
    proxy.listen(port, () => {
      console.log(`proxy (round robin, no stickiness) on http://localhost:${port}`);
      const client = io(`http://localhost:${port}`, { transports: ["polling"] });
      client.on("welcome", (owner) =>
        console.log(`console client: session owned by node ${owner}`),
      );
      let n = 0;
      setInterval(async () => {
        const t0 = performance.now();
        const { owner } = await client.emitWithAck("echo", `#${++n}`);
        const counts = nodes.map((x) => `${x.name}:${x.requests}`).join(" ");
        console.log(
          `echo #${n} answered by node ${owner} in ${(performance.now() - t0).toFixed(1)} ms; requests per node ${counts}`,
        );
      }, 2000);
    });
  });
}, 200);

const stop = () => {
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(0), 500);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
