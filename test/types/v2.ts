/**
 * Compile-time tests of socketkit/v2's types, checked by `tsc -p tsconfig.json --noEmit` (not run
 * by jest): a 2.x application written in TypeScript compiles, with the 2.x return types, and
 * misuses are rejected (`// @ts-expect-error` fails the build if the line compiles).
 */
import { createServer } from "node:http";
import createIo, { Server, type Socket } from "../../integrations/v2/index";

export function v2Types(): void {
  const http = createServer();
  const io: Server = createIo(http, { origins: ["example.com:443"], pingTimeout: 5000 });
  const io2: Server = new Server({ serveClient: false });
  const io3: Server = Server(3000);
  void io3;

  // getters and setters return the value, or the server for chaining
  const path: string = io.path();
  const origins = io.origins();
  void [path, origins];
  io2.serveClient(false).path("/ws").attach(http);
  io.origins((origin, callback) => callback(null, origin === "https://example.com"));

  io.use((socket, next) => {
    const s: Socket = socket;
    void s;
    next(new Error("Authentication error"));
  });

  io.on("connection", (socket) => {
    const rooms: Record<string, string> = socket.rooms;
    void rooms;
    socket.join("room 237", (err) => {
      const e: Error | null = err;
      void e;
    });
    const chained: Socket = socket.join(["a", "b"]).leave("a").emit("hello", 1).send("hi");
    void chained;
    const back: Socket = socket.to("a").in("b").compress(false).binary(false).emit("x");
    void back;
    socket.broadcast.volatile.emit("news");
    socket.use((packet, next) => (packet[0] === "forbidden" ? next(new Error("no")) : next()));
    socket.on("disconnect", (reason: string) => void reason);
    socket.disconnect(true);
  });

  const chat = io.of("/chat");
  const connected: Record<string, Socket> = chat.connected;
  void connected;
  chat.in("general").clients((error, clients) => {
    if (error) throw error;
    const ids: string[] = clients;
    void ids;
  });
  io.clients((_error, clients) => void clients);
  io.to("room").emit("event", { some: "data" });
  io.volatile.emit("an event");
  io.local.emit("an event");

  // @ts-expect-error -- 2.x's join takes a callback, not a promise
  void socketOf(io).join("a").then;
  // @ts-expect-error -- clients() takes an error-first callback
  io.clients((clients: number) => clients);
}

function socketOf(io: Server): Socket {
  return io.sockets.connected["x"];
}
