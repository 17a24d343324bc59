/**
 * The drain in the integrations' shutdown: with `drainOnClose`, Fastify's preClose (through
 * `io.close()`), Express's and Koa's `io.close()` wait for pending acknowledgements, refuse
 * new sessions meanwhile, and close the clients so that they reconnect.
 */
import { createServer } from "node:http";
import Fastify from "fastify";
import express from "express";
import Koa from "koa";
import type { Socket as ClientSocket } from "socket.io-client";
import type { AddressInfo } from "node:net";
import { socketkit } from "../../integrations/fastify/index";
import { attach as attachExpress } from "../../integrations/express/index";
import { attach as attachKoa } from "../../integrations/koa/index";
import type { Server, Socket } from "../../core/index";
import { connect, http, listen } from "./helpers";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

afterEach(closeAll);

/**
 * Asks the client a question, starts the shutdown, checks it waits for the answer (new
 * sessions get 503 meanwhile), answers, and checks the client was closed as a lost connection.
 */
async function drainsOnShutdown(
  io: Server,
  url: string,
  shutdown: () => Promise<unknown>,
  refusedStatus: number,
): Promise<void> {
  const connected = waitFor<[Socket]>(io, "connection");
  const client: ClientSocket = await connect(url, { transports: ["websocket"] });
  const [socket] = await connected;
  const asked = waitFor<[(answer: string) => void]>(client, "question");
  const answer = socket.timeout(5000).emitWithAck("question");
  const [reply] = await asked;
  let done = false;
  const closing = shutdown().then(() => (done = true));
  // the drain started: new handshakes are refused while the question is pending
  expect((await http(`${url}/socket.io/?EIO=4&transport=polling`)).status).toBe(refusedStatus);
  expect(done).toBe(false);
  expect(client.connected).toBe(true);
  const gone = waitFor<[string]>(client, "disconnect");
  reply("yes");
  expect(await answer).toBe("yes");
  expect((await gone)[0]).toBe("transport close"); // the client would reconnect elsewhere
  await closing;
}

describe("drainOnClose in the integrations", () => {
  it("Fastify: preClose drains before closing", async () => {
    const app = Fastify();
    await app.register(socketkit, { drainOnClose: { timeout: 5000 } });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // Fastify answers 503 itself to new requests once it is closing (return503OnClosing)
    await drainsOnShutdown(app.io, url, () => app.close(), 503);
  });

  it("Express: io.close() drains before closing", async () => {
    const app = express();
    const httpServer = createServer(app);
    const io = attachExpress(app, httpServer, { drainOnClose: { timeout: 5000 } });
    const url = await listen(httpServer);
    await drainsOnShutdown(io, url, () => io.close(), 503);
  });

  it("Koa: io.close() drains before closing", async () => {
    const app = new Koa();
    const io = attachKoa(app, { drainOnClose: { timeout: 5000 } });
    const url = await listen(io.httpServer as ReturnType<typeof createServer>);
    await drainsOnShutdown(io, url, () => io.close(), 503);
  });
});
