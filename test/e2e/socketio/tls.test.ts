import { createServer, type Server as HttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../../core/index";
import { waitFor, waitUntil } from "../../support/wait";

// a self-signed certificate for 127.0.0.1, for these tests only
const tls = {
  key: readFileSync(join(__dirname, "../../support/tls/key.pem")),
  cert: readFileSync(join(__dirname, "../../support/tls/cert.pem")),
};

let https: HttpsServer;
let io: Server;
let url: string;
const clients: ClientSocket[] = [];

beforeEach(async () => {
  https = createServer(tls);
  io = new Server(https);
  io.on("connection", (socket) => {
    socket.on("echo", (data: unknown, ack: (d: unknown) => void) => ack(data));
    socket.on("big", (n: number, ack: (d: string) => void) => ack("y".repeat(n)));
    socket.on("join", (room: string, ack: () => void) => {
      socket.join(room);
      ack();
    });
    socket.on("shout", (room: string, text: string) => {
      io.to(room).emit("heard", text);
    });
  });
  https.listen(0, "127.0.0.1");
  await once(https, "listening");
  url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  https.closeAllConnections();
  await io.close();
});

function client(transports: ("polling" | "websocket")[]): ClientSocket {
  const socket = ioc(url, {
    forceNew: true,
    reconnection: false,
    transports,
    rejectUnauthorized: false,
  });
  clients.push(socket);
  return socket;
}

describe.each([
  ["websocket", ["websocket"] as ("polling" | "websocket")[]],
  ["polling + upgrade", ["polling", "websocket"] as ("polling" | "websocket")[]],
])("over TLS (%s)", (_name, transports) => {
  it("connects, echoes acks in order and large payloads, and broadcasts", async () => {
    const a = client(transports);
    const b = client(transports);
    await Promise.all([waitFor(a, "connect"), waitFor(b, "connect")]);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => a.timeout(5000).emitWithAck("echo", i)),
    );
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // several MB at once from the server: the TLS stream buffers, the flush ends once drained
    const sizes = [4 << 20, 3 << 20, 10];
    const bigs = await Promise.all(sizes.map((n) => a.timeout(10000).emitWithAck("big", n)));
    expect(bigs.map((s: string) => s.length)).toEqual(sizes);
    expect(await a.timeout(5000).emitWithAck("echo", "after")).toBe("after");
    await b.timeout(5000).emitWithAck("join", "r");
    const heard = waitFor<[string]>(b, "heard");
    a.emit("shout", "r", "hello over tls");
    expect((await heard)[0]).toBe("hello over tls");
    if (transports.length === 2) {
      await waitUntil(() => a.io.engine.transport.name === "websocket");
    }
  });
});
