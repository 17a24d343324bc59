// socketkit metrics and drain with Fastify: `npm run build`, then
// `node examples/metrics/fastify.js`; `curl localhost:3000/metrics` for Prometheus.
// On SIGTERM (a rolling deploy) or SIGINT, fastify.close() runs the plugin's preClose, whose
// io.close() drains first (drainOnClose): new handshakes get 503, each client is closed once
// it owes no acknowledgement, and reconnects to another node, where connection state recovery
// resumes it (with a shared adapter such as @socket.io/redis-streams-adapter).
"use strict";
const Fastify = require("fastify");
const { Registry } = require("prom-client");
const { socketkit } = require("socketkit/fastify");
const { registerMetrics } = require("socketkit/prometheus");

const port = Number(process.env.PORT ?? 3000);

async function main() {
  const app = Fastify();
  await app.register(socketkit, {
    metrics: true,
    connectionStateRecovery: {},
    drainOnClose: { timeout: 10_000 },
    maxConnectionsPerAddress: 50,
  });
  const registry = new Registry();
  registerMetrics(app.io, { registry });
  app.get("/metrics", async (_request, reply) => {
    reply.header("Content-Type", registry.contentType);
    return registry.metrics();
  });
  app.io.on("connection", (socket) => {
    socket.on("echo", (message, ack) => (typeof ack === "function" ? ack(message) : undefined));
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      console.log(`${signal}: draining`);
      app.close().then(() => process.exit(0));
    });
  }
  await app.listen({ port });
  console.log(`listening on http://localhost:${port} (metrics on /metrics)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
