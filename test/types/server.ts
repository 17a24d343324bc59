/**
 * Compile-time tests of the typed Server API, checked by `tsc -p tsconfig.json --noEmit` (not run
 * by jest): the same code that type-checks against socket.io 4.8's generics type-checks here, and
 * the same mistakes are rejected (`// @ts-expect-error` fails the build if the line compiles).
 */
import { Server, type Socket, type RemoteSocket } from "../../core/index";

interface ClientToServer {
  hello: (name: string) => void;
  ask: (question: string, ack: (answer: number) => void) => void;
}
interface ServerToClient {
  news: (headline: string, priority: number) => void;
  poll: (question: string, ack: (vote: boolean) => void) => void;
}
interface InterServer {
  ping: () => void;
}
interface SocketData {
  user: { id: number };
}

export async function typedServer(): Promise<void> {
  const io = new Server<ClientToServer, ServerToClient, InterServer, SocketData>();

  io.on("connection", (socket) => {
    const s: Socket<ClientToServer, ServerToClient, InterServer, SocketData> = socket;
    s.on("hello", (name) => {
      const n: string = name;
      void n;
    });
    s.on("ask", (question, ack) => {
      void question;
      ack(42);
      // @ts-expect-error the ack takes a number
      ack("42");
    });
    // @ts-expect-error unknown event name
    s.on("unknown", () => {});
    s.emit("news", "hello", 1);
    // @ts-expect-error wrong argument type
    s.emit("news", "hello", "high");
    s.data.user = { id: 1 };
    // @ts-expect-error SocketData is typed
    s.data.user = { id: "1" };
    s.timeout(1000).emit("poll", "ok?", (err, vote) => {
      const e: Error | null = err;
      const v: boolean = vote;
      void e;
      void v;
    });
    void s.emitWithAck("poll", "ok?").then((vote) => {
      const v: boolean = vote;
      void v;
    });
    s.on("disconnect", (reason) => {
      const r: string = reason;
      void r;
    });
  });

  io.emit("news", "all", 2);
  io.to("room").except("other").emit("news", "room", 3);
  // @ts-expect-error missing argument
  io.emit("news", "all");
  const votes: boolean[] = await io.timeout(500).emitWithAck("poll", "everyone?");
  void votes;
  io.serverSideEmit("ping");
  // @ts-expect-error not a server-side event
  io.serverSideEmit("news", "x", 1);

  const sockets: RemoteSocket<ServerToClient, SocketData>[] = await io.fetchSockets();
  for (const remote of sockets) {
    const id: number = remote.data.user.id;
    void id;
    remote.emit("news", "direct", 4);
  }

  io.of("/admin").on("connection", (socket) => {
    socket.emit("news", "admin", 5);
  });
  io.on("new_namespace", (nsp) => {
    const name: string = nsp.name;
    void name;
  });
  await io.close();
}

export function untypedServer(): void {
  // with the defaults, any event name and arguments are accepted, as in socket.io
  const io = new Server();
  io.on("connection", (socket) => {
    socket.emit("anything", 1, "two", { three: 3 });
    socket.on("whatever", (...args: unknown[]) => void args);
  });
  io.emit("free-form", [1, 2, 3]);
}

/** The `cors` and `cookie` options are typed by socketkit itself, as strictly as socket.io's. */
export function httpOptions(): void {
  new Server({ cors: { origin: ["https://a.example", /b\.example$/], credentials: true } });
  new Server({ cookie: { name: "sid", sameSite: "strict", maxAge: 60 } });
  // @ts-expect-error an origin is a boolean, string, RegExp, array of them or a function
  new Server({ cors: { origin: 5 } });
  // @ts-expect-error cors is an object, a boolean or a function
  new Server({ cors: 5 });
  // @ts-expect-error sameSite takes "lax" | "strict" | "none" | boolean
  new Server({ cookie: { sameSite: "always" } });
}
