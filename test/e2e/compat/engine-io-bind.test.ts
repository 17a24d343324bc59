/**
 * `io.bind(engine)` with the official `engine.io` Server (as socket.io allows): the Socket.IO
 * layer runs over that engine's connections, through engine.io's public socket API.
 */
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Server as EngineIoServer } from "engine.io";
import { io as ioc } from "socket.io-client";
import { Server, type Socket } from "../../../core/index";
import { waitFor } from "../../support/wait";

describe("io.bind(engine.io Server)", () => {
  it("serves official clients over the official engine: events, acks, rooms", async () => {
    const http = createServer();
    const engine = new EngineIoServer();
    engine.attach(http, { path: "/socket.io/" });
    const io = new Server();
    io.bind(engine);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const client = ioc(url, { forceNew: true, reconnection: false });
    try {
      const [socket] = await waitFor<[Socket]>(io, "connection");
      socket.join("room");
      socket.on("ask", (n: number, ack: (m: number) => void) => ack(n * 2));
      await waitFor(client, "connect");
      expect(await client.timeout(5000).emitWithAck("ask", 21)).toBe(42);
      const got = waitFor<[string]>(client, "news");
      io.to("room").emit("news", "over engine.io");
      expect((await got)[0]).toBe("over engine.io");
    } finally {
      client.disconnect();
      await io.close();
      http.closeAllConnections();
      http.close();
    }
  });
});
