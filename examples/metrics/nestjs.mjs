// socketkit metrics and drain with NestJS (12 is ESM only, hence .mjs): `npm run build`, then
// `node examples/metrics/nestjs.mjs`; `curl localhost:3000/metrics` for Prometheus.
// With enableShutdownHooks(), SIGTERM makes Nest close the application: SocketkitModule closes
// the Server first, and drainOnClose makes that close drain (503 to new handshakes, clients
// closed once they owe no acknowledgement, so they reconnect to another node).
import "reflect-metadata";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Registry } from "prom-client";
import { Server } from "socketkit";
import { SocketkitModule } from "socketkit/nestjs";
import { registerMetrics } from "socketkit/prometheus";

class AppModule {}
Module({
  imports: [
    SocketkitModule.forRoot({
      metrics: true,
      connectionStateRecovery: {},
      drainOnClose: { timeout: 10_000 },
    }),
  ],
})(AppModule);

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(["SIGTERM", "SIGINT"]);

const io = app.get(Server);
const registry = new Registry();
registerMetrics(io, { registry });
app.getHttpAdapter().get("/metrics", async (_req, res) => {
  res.setHeader("Content-Type", registry.contentType);
  res.end(await registry.metrics());
});
io.on("connection", (socket) => socket.emit("hello", socket.id));

await app.listen(Number(process.env.PORT ?? 3000));
console.log(`listening on ${await app.getUrl()} (metrics on /metrics)`);
