/**
 * socketkit/v2, Namespace and Socket (seed 000's "Class: Namespace", "Class: Socket",
 * "Class: Client"): the 2.x application (app-2x.js) with socket.io-client 2.x and 4.x.
 */
import { inspect } from "node:util";
import type { Socket } from "../../../integrations/v2/index";
import {
  ask,
  client,
  connected,
  CLIENTS,
  startApp,
  type AnyClient,
  type ClientKind,
} from "./helpers";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

/** The server-side socket of the next connection, and the connected client. */
async function pair(
  kind: ClientKind,
  url: string,
  seen: import("node:events").EventEmitter,
  opts: Record<string, unknown> = {},
): Promise<[AnyClient, Socket]> {
  const conn = waitFor<[Socket]>(seen, "connection");
  const c = await connected(kind, url, opts);
  const [socket] = await conn;
  return [c, socket];
}

describe.each(CLIENTS)("socketkit/v2 with $name", (kind) => {
  describe("Namespace", () => {
    it("name, connected (an object by id), the 'connect' and 'connection' events", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      expect(app.io.sockets.name).toBe("/");
      expect(app.io.of("/chat").name).toBe("/chat");
      expect(app.io.sockets.connected[socket.id]).toBe(socket);
      expect(Object.keys(app.io.sockets.connected)).toEqual([socket.id]);
      expect(socket.id in app.io.sockets.connected).toBe(true);
      expect(Object.prototype.hasOwnProperty.call(app.io.sockets.connected, socket.id)).toBe(true);
      expect(app.io.sockets.connected["nope"]).toBeUndefined();
      const [info] = await ask<[{ connected: boolean }]>(c, "info");
      expect(info.connected).toBe(true);
      // "connect" on /chat (the app listens with "connect")
      const chatConn = waitFor<[Socket]>(app.seen, "chat connection");
      const chat = await connected(kind, app.url + "/chat");
      const [chatSocket] = await chatConn;
      const [chatInfo] = await ask<[{ nsp: string; connected: boolean }]>(chat, "info");
      expect(chatInfo).toMatchObject({ nsp: "/chat", connected: true });
      expect(app.io.of("/chat").connected[chatSocket.id]).toBe(chatSocket);
      // disconnected sockets leave the view
      c.disconnect();
      await waitFor(app.seen, "disconnect");
      expect(app.io.sockets.connected[socket.id]).toBeUndefined();
    });

    it("emit(eventName, ...args) reaches every client of the namespace and returns it", async () => {
      const app = await startApp();
      const a = await connected(kind, app.url);
      const b = await connected(kind, app.url);
      const chat = await connected(kind, app.url + "/chat");
      let chatGot = 0;
      chat.on("everyone", () => chatGot++);
      const got = Promise.all([waitFor(a, "everyone"), waitFor(b, "everyone")]);
      expect(app.io.emit("everyone", "hi")).toBe(app.io.sockets);
      expect(await got).toEqual([["hi"], ["hi"]]);
      const chatGets = waitFor(chat, "chat everyone");
      expect(app.io.of("/chat").emit("chat everyone", 1)).toBe(app.io.of("/chat"));
      expect(await chatGets).toEqual([1]);
      expect(chatGot).toBe(0);
      // as 2.x: no acknowledgement when broadcasting
      expect(await ask(a, "broadcast with ack")).toEqual([
        "Callbacks are not supported when broadcasting",
      ]);
      expect(() => app.io.sockets.emit("x", () => undefined)).toThrow(
        "Callbacks are not supported when broadcasting",
      );
      // as 2.x: "connection" and friends go to the namespace's own listeners
      let local = 0;
      app.io.of("/other").on("connection", () => local++);
      app.io.of("/other").emit("connection", {});
      expect(local).toBe(1);
    });

    it("clients(fn): io.clients, of(nsp).clients, of(nsp).in(room).clients", async () => {
      const app = await startApp();
      const [a, sa] = await pair(kind, app.url, app.seen);
      const [, sb] = await pair(kind, app.url, app.seen);
      const [err, all] = await ask<[string | null, string[]]>(a, "clients", null);
      expect(err).toBeNull();
      expect(all.sort()).toEqual([sa.id, sb.id].sort());
      await ask(a, "join", "general");
      expect(await ask(a, "clients", "general")).toEqual([null, [sa.id]]);
      // the callback is asynchronous, as in 2.x
      let called = false;
      app.io.clients(() => (called = true));
      expect(called).toBe(false);
      const [e2, ids] = await new Promise<[Error | null, string[]]>((resolve) =>
        app.io
          .of("/")
          .in("general")
          .clients((e, c) => resolve([e, c])),
      );
      expect([e2, ids]).toEqual([null, [sa.id]]);
      // of("/chat"): its own clients, in its own rooms
      const chatConn = waitFor<[Socket]>(app.seen, "chat connection");
      const chat = await connected(kind, app.url + "/chat");
      const [chatSocket] = await chatConn;
      expect(await ask(chat, "chat clients", null)).toEqual([null, [chatSocket.id]]);
      expect(await ask(chat, "chat clients", "general")).toEqual([null, [chatSocket.id]]);
      expect(await ask(chat, "chat clients", "nobody")).toEqual([null, []]);
    });

    it("use(fn): a middleware error refuses the connection with its message", async () => {
      const app = await startApp();
      const refused = client(kind, app.url, {
        transportOptions: { polling: { extraHeaders: { "x-token": "bad" } } },
        extraHeaders: { "x-token": "bad" },
        transports: ["polling"],
      });
      let connectedCount = 0;
      app.seen.on("connection", () => connectedCount++);
      const [err] = await waitFor<[unknown]>(refused, kind.refusedEvent);
      // 2.x: the error packet's data is the message; 4.x: an Error with it
      expect(kind.version === 2 ? err : (err as Error).message).toBe("Authentication error");
      expect(connectedCount).toBe(0);
      const ok = await connected(kind, app.url, { transports: ["polling"] });
      expect(ok.connected).toBe(true);
    });

    it("volatile and local flags: delivered to ready clients of this node", async () => {
      const app = await startApp();
      const a = await connected(kind, app.url, { transports: ["websocket"] });
      // one at a time: a volatile packet is dropped while the transport is still writing
      const own = waitFor(a, "volatile");
      a.emit("volatile", "v");
      expect(await own).toEqual(["v"]);
      const all = waitFor(a, "volatile everyone");
      a.emit("volatile everyone", "w");
      expect(await all).toEqual(["w"]);
      const local = waitFor(a, "local");
      a.emit("local", "l");
      expect(await local).toEqual(["l"]);
    });
  });

  describe("Socket", () => {
    it("id, client, conn, request (and client.conn, client.request)", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen, {
        extraHeaders: { "user-agent": "ua-test" },
        transports: ["polling"],
      });
      const [info] = await ask<[Record<string, unknown>]>(c, "info");
      expect(info).toMatchObject({
        nsp: "/",
        sameConn: true,
        sameRequest: true,
        userAgent: "ua-test",
        transport: "polling",
        connected: true,
      });
      expect(info.id).toBe(c.id);
      expect(socket.client.conn).toBe(socket.conn);
      expect(socket.client.request).toBe(socket.request);
      expect(socket.conn.id).toBe(c.io.engine.id);
      if (kind.version === 2) {
        // 2.x ids: the engine id on "/", "<nsp>#<engine id>" elsewhere
        expect(socket.id).toBe(c.io.engine.id);
        const chatConn = waitFor<[Socket]>(app.seen, "chat connection");
        await connected(kind, app.url + "/chat", { transports: ["polling"] });
        const [chatSocket] = await chatConn;
        expect(chatSocket.id).toBe("/chat#" + chatSocket.conn.id);
      } else {
        // 4.x clients keep 4.x ids: the engine id is a session credential over polling
        expect(socket.id).not.toBe(c.io.engine.id);
      }
    });

    it("rooms: an object { room: room }, live, its own id included", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      expect(socket.rooms).toEqual({ [socket.id]: socket.id });
      await ask(c, "join", "room 237");
      expect(socket.rooms).toEqual({ [socket.id]: socket.id, "room 237": "room 237" });
      expect(Object.keys(socket.rooms)).toEqual([socket.id, "room 237"]);
      expect(socket.rooms["room 237"]).toBe("room 237");
      expect("room 237" in socket.rooms).toBe(true);
      // iterable like the 4.x Set, for code (and cluster adapters) that spread it
      expect([...(socket.rooms as unknown as Iterable<string>)]).toEqual([socket.id, "room 237"]);
      // console.log shows the rooms; the view is read-only
      expect(inspect(socket.rooms)).toBe(
        inspect({ [socket.id]: socket.id, "room 237": "room 237" }),
      );
      expect(() => {
        (socket.rooms as Record<string, string>).other = "other";
      }).toThrow(TypeError);
      expect(() => delete (socket.rooms as Record<string, string>)["room 237"]).toThrow(TypeError);
      expect(socket.rooms["room 237"]).toBe("room 237");
      const [info] = await ask<[{ rooms: Record<string, string> }]>(c, "info");
      expect(info.rooms).toEqual({ [socket.id]: socket.id, "room 237": "room 237" });
    });

    it("join(room, fn): the callback runs after join returned, in call order, with the room joined", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      const joined = waitFor(c, "joined");
      const [err, rooms, steps] = await ask<[unknown, string[], string[]]>(c, "join", "room 237");
      expect(err).toBeNull();
      expect(rooms).toEqual([socket.id, "room 237"]);
      expect(steps).toEqual(["join called", "join returned", "join callback"]);
      // the broadcast made in the callback reaches the socket itself: it is in the room
      expect(await joined).toEqual(["room 237", socket.id]);
      // several joins: callbacks in the order of the calls
      const order: string[] = [];
      await new Promise<void>((resolve) => {
        socket.join("a", () => order.push("a"));
        socket.join(["b", "c"], () => order.push("b,c"));
        socket.leave("a", () => order.push("-a"));
        socket.join("d", () => {
          order.push("d");
          resolve();
        });
        order.push("sync");
      });
      expect(order).toEqual(["sync", "a", "b,c", "-a", "d"]);
      expect(Object.keys(socket.rooms)).toEqual([socket.id, "room 237", "b", "c", "d"]);
      // chaining
      expect(socket.join("e").leave("e")).toBe(socket);
    });

    it("join(rooms, fn) and leave(room, fn)", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      expect(await ask(c, "join many", ["r1", "r2"])).toEqual([null, [socket.id, "r1", "r2"]]);
      expect(await ask(c, "leave", "r1")).toEqual([null, [socket.id, "r2"]]);
    });

    it("to(room) / in(room) / broadcast: everyone in the rooms but the sender", async () => {
      const app = await startApp();
      const [a, sa] = await pair(kind, app.url, app.seen);
      const [b, sb] = await pair(kind, app.url, app.seen);
      const [d] = await pair(kind, app.url, app.seen);
      await ask(a, "join", "room1");
      await ask(b, "join", "room1");
      await ask(d, "join", "room2");
      const got: string[] = [];
      a.on("room message", ((m: string) => got.push("a:" + m)) as (...args: never[]) => void);
      d.on("room message", ((m: string) => got.push("d:" + m)) as (...args: never[]) => void);
      const bGot = waitFor(b, "room message");
      a.emit("say to room", "room1", "one");
      expect(await bGot).toEqual(["one"]);
      // to(room1).in(room2): the union, the sender excepted, each once
      const dGot = waitFor(d, "room message");
      const bGot2 = waitFor(b, "room message");
      a.emit("say to rooms", "room1", "room2", "two");
      expect(await dGot).toEqual(["two"]);
      expect(await bGot2).toEqual(["two"]);
      // a private message through the socket's own room
      const pm = waitFor(b, "my message");
      a.emit("say to someone", sb.id, "psst");
      expect(await pm).toEqual(["psst"]);
      const shout = Promise.all([waitFor(b, "shout"), waitFor(d, "shout")]);
      a.emit("shout", "hey");
      expect(await shout).toEqual([["hey"], ["hey"]]);
      // the sender got none of them (its own events are in order: a round trip proves it)
      await ask(a, "info");
      expect(got).toEqual(["d:two"]);
      expect(sa.to("room1")).not.toBe(sa);
    });

    it("emit(eventName, ...args, ack): Buffers and the client's answer", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      c.on("ferret", ((name: string, fn: (a: string) => void) => fn(name + ": woot")) as (
        ...args: never[]
      ) => void);
      expect(await ask(c, "ask ferret", "tobi")).toEqual(["tobi: woot"]);
      const bin = waitFor<[number, string, Record<string, unknown>]>(c, "with-binary");
      c.emit("binary");
      const [one, two, obj] = await bin;
      expect([one, two, obj["3"]]).toEqual([1, "2", "4"]);
      expect(Buffer.from(obj["5"] as ArrayBuffer)).toEqual(Buffer.alloc(6));
      // emit returns the socket (2.x), and chains
      const two2 = Promise.all([waitFor(c, "e1"), waitFor(c, "e2")]);
      expect(socket.emit("e1", 1).emit("e2", 2)).toBe(socket);
      expect(await two2).toEqual([[1], [2]]);
      // the client's own events and acknowledgements (socket.on)
      expect(await ask(c, "ferret", "tobi")).toEqual(["tobi says woot"]);
    });

    it("binary(false): Buffers are sent as JSON, as 2.x did", async () => {
      const app = await startApp();
      const [c] = await pair(kind, app.url, app.seen);
      const got = waitFor(c, "as json");
      c.emit("binary false");
      expect(await got).toEqual([{ type: "Buffer", data: [1, 2, 3] }]);
    });

    it("send(...args, ack) and the client's send", async () => {
      const app = await startApp();
      const [c] = await pair(kind, app.url, app.seen);
      c.on("message", ((m: string, fn: (a: string) => void) => fn("hi " + m)) as (
        ...args: never[]
      ) => void);
      expect(await ask(c, "send me")).toEqual(["hi hello"]);
      expect(await ask(c, "message", "yo")).toEqual(["got yo"]);
    });

    it("compress(value): the packets' compress option, as the engine writes them", async () => {
      const app = await startApp({ perMessageDeflate: { threshold: 0 } });
      const [c, socket] = await pair(kind, app.url, app.seen, { transports: ["websocket"] });
      const written: [unknown, boolean | undefined][] = [];
      socket.conn.on(
        "packetCreate",
        (packet: { data?: unknown; options?: { compress?: boolean } }) =>
          written.push([packet.data, packet.options?.compress]),
      );
      const got = Promise.all([waitFor(c, "not compressed"), waitFor(c, "compressed")]);
      c.emit("compress", "x".repeat(100));
      expect(await got).toEqual([["x".repeat(100)], ["x".repeat(100)]]);
      const compressOf = (event: string): (boolean | undefined)[] =>
        written.filter(([data]) => String(data).includes(`"${event}"`)).map(([, c]) => c);
      expect(compressOf("not compressed")).toEqual([false]);
      expect(compressOf("compressed")).toEqual([true]);
    });

    it("use(fn): a packet middleware; its error reaches the client as an error packet", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      let delivered = 0;
      socket.on("forbidden", () => delivered++);
      if (kind.version === 2) {
        const err = waitFor(c, "error");
        c.emit("forbidden", 1);
        expect(await err).toEqual(["Not a doge error"]);
        // still connected
        expect(await ask(c, "ferret", "x")).toEqual(["x says woot"]);
      } else {
        // a 4.x client would lose its connection on such a packet: the server socket's "error"
        const err = waitFor<[Socket, Error]>(app.seen, "error");
        c.emit("forbidden", 1);
        expect((await err)[1].message).toBe("Not a doge error");
        expect(await ask(c, "ferret", "x")).toEqual(["x says woot"]);
      }
      expect(delivered).toBe(0);
    });

    it("disconnect(false) leaves the namespace only; disconnect(true) closes the connection", async () => {
      const app = await startApp();
      const chatConn = waitFor<[Socket]>(app.seen, "chat connection");
      const [c, socket] = await pair(kind, app.url, app.seen);
      const chat = client(kind, app.url + "/chat", {});
      const chatConnected = waitFor(chat, "connect");
      const [chatSocket] = await chatConn;
      await chatConnected;
      const gone = waitFor<[Socket, string, string[], number]>(app.seen, "disconnect");
      const clientGone = waitFor(c, "disconnect");
      c.emit("kick", false);
      const [, reason, , argc] = await gone;
      expect(reason).toBe("server namespace disconnect");
      expect(argc).toBe(1);
      expect(await clientGone).toEqual(["io server disconnect"]);
      expect(chatSocket.connected).toBe(true);
      expect(socket.conn.readyState).toBe("open");
      // close: the whole connection
      const [c2] = await pair(kind, app.url, app.seen);
      const closed = waitFor(c2, "disconnect");
      c2.emit("kick", true);
      await closed;
      expect(c2.connected).toBe(false);
    });

    it("'disconnecting' (rooms still there) then 'disconnect' (none), with the reason only", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen);
      await ask(c, "join", "r");
      const disconnecting = waitFor<[Socket, string, string[], number]>(app.seen, "disconnecting");
      const disconnect = waitFor<[Socket, string, string[], number]>(app.seen, "disconnect");
      c.disconnect();
      const [s1, reason1, rooms1, argc1] = await disconnecting;
      const [, reason2, rooms2, argc2] = await disconnect;
      expect(s1).toBe(socket);
      expect([reason1, rooms1, argc1]).toEqual([
        "client namespace disconnect",
        [socket.id, "r"],
        1,
      ]);
      expect([reason2, rooms2, argc2]).toEqual(["client namespace disconnect", [], 1]);
    });

    it("'error': a malformed packet from the client", async () => {
      const app = await startApp();
      const [c, socket] = await pair(kind, app.url, app.seen, { transports: ["websocket"] });
      const err = waitFor<[Socket, Error]>(app.seen, "error");
      const gone = waitFor(app.seen, "disconnect");
      // an event packet whose payload is not JSON
      (c.io.engine as unknown as { write(d: string): void }).write("2[oops");
      const [s, e] = await err;
      expect(s).toBe(socket);
      expect(e).toBeInstanceOf(Error);
      await gone;
    });
  });
});
