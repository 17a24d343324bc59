import type { ManagerOptions, SocketOptions, Socket as ClientSocket } from "socket.io-client";
import {
  connect,
  createClient,
  startServer,
  TRANSPORTS,
  type ServerHarness,
} from "../../support/server";
import type { ServerOptions, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

type ClientOpts = Partial<ManagerOptions & SocketOptions>;
type Ack = (...args: unknown[]) => void;

async function setup(
  opts: ClientOpts,
  serverOpts: Partial<ServerOptions> = {},
): Promise<{ h: ServerHarness; client: ClientSocket; socket: Socket }> {
  const h = await startServer(serverOpts);
  const [client, socket] = await connect(h, opts);
  return { h, client, socket };
}

/** Resolves with the arguments the callback is called with. */
function ackPromise(): { cb: Ack; args: Promise<unknown[]> } {
  let cb!: Ack;
  const args = new Promise<unknown[]>((resolve) => {
    cb = (...a: unknown[]) => resolve(a);
  });
  return { cb, args };
}

const TIMEOUT_MESSAGE = "operation has timed out";
const DISCONNECTED_MESSAGE = "socket has been disconnected";

describe.each(TRANSPORTS)("client to server acks over $name", ({ opts }) => {
  it("calls the client's callback with the server's arguments", async () => {
    const { client, socket } = await setup(opts);
    socket.on("sum", (a: number, b: number, cb: Ack) => cb(a + b, "done", { a, b }));
    const { cb, args } = ackPromise();
    client.emit("sum", 2, 3, cb);
    expect(await args).toEqual([5, "done", { a: 2, b: 3 }]);
  });

  it("resolves the client's emitWithAck", async () => {
    const { client, socket } = await setup(opts);
    socket.on("echo", (v: unknown, cb: Ack) => cb(v));
    expect(await client.emitWithAck("echo", { deep: [1, { x: "y" }] })).toEqual({
      deep: [1, { x: "y" }],
    });
    expect(await client.timeout(5000).emitWithAck("echo", null)).toBeNull();
  });

  it("acknowledges with no argument", async () => {
    const { client, socket } = await setup(opts);
    socket.on("noop", (cb: Ack) => cb());
    const { cb, args } = ackPromise();
    client.emit("noop", cb);
    expect(await args).toEqual([]);
  });

  it("sends one acknowledgement even if the server calls back twice", async () => {
    const { client, socket } = await setup(opts);
    socket.on("twice", (cb: Ack) => {
      cb(1);
      cb(2);
    });
    const calls: unknown[][] = [];
    client.emit("twice", (...a: unknown[]) => calls.push(a));
    // a later round trip proves nothing else is on its way
    socket.on("ping2", (cb: Ack) => cb());
    await client.emitWithAck("ping2");
    expect(calls).toEqual([[1]]);
  });

  it("acknowledges asynchronously", async () => {
    const { client, socket } = await setup(opts);
    socket.on("slow", (v: number, cb: Ack) => {
      setTimeout(() => cb(v + 1), 30);
    });
    expect(await client.emitWithAck("slow", 1)).toBe(2);
  });

  it("acknowledges in a namespace", async () => {
    const h = await startServer();
    const [client, socket] = await connect(h, opts, "/acks");
    socket.on("nsp", (cb: Ack) => cb(socket.nsp.name));
    expect(await client.emitWithAck("nsp")).toBe("/acks");
  });

  it("a callback called after the client left is ignored", async () => {
    const { client, socket } = await setup(opts);
    let ack: Ack | undefined;
    const got = new Promise<void>((resolve) => {
      socket.on("later", (cb: Ack) => {
        ack = cb;
        resolve();
      });
    });
    client.emit("later", () => {});
    await got;
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    expect(() => ack!("too late")).not.toThrow();
  });
});

describe.each(TRANSPORTS)("server to client acks over $name", ({ opts }) => {
  it("calls the server's callback with the client's arguments", async () => {
    const { client, socket } = await setup(opts);
    client.on("q", (a: number, cb: Ack) => cb(a * 2, "x"));
    const { cb, args } = ackPromise();
    socket.emit("q", 21, cb);
    expect(await args).toEqual([42, "x"]);
    expect(socket.acks.size).toBe(0);
  });

  it("resolves emitWithAck with the first argument", async () => {
    const { client, socket } = await setup(opts);
    client.on("q", (cb: Ack) => cb("first", "second"));
    expect(await socket.emitWithAck("q")).toBe("first");
    expect(socket.acks.size).toBe(0);
  });

  it("with a timeout, calls back err-first when the client answers", async () => {
    const { client, socket } = await setup(opts);
    client.on("q", (v: number, cb: Ack) => cb(v, "more"));
    const { cb, args } = ackPromise();
    socket.timeout(5000).emit("q", 7, cb);
    expect(await args).toEqual([null, 7, "more"]);
    expect(await socket.timeout(5000).emitWithAck("q", 8)).toBe(8);
    expect(socket.acks.size).toBe(0);
  });

  it("with a timeout, calls back with an error when the client does not answer", async () => {
    const { client, socket } = await setup(opts);
    client.on("q", () => {});
    const { cb, args } = ackPromise();
    socket.timeout(50).emit("q", cb);
    const [err, ...rest] = await args;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(TIMEOUT_MESSAGE);
    expect(rest).toEqual([]);
    expect(socket.acks.size).toBe(0);
    await expect(socket.timeout(50).emitWithAck("q")).rejects.toThrow(TIMEOUT_MESSAGE);
    expect(socket.acks.size).toBe(0);
    expect(socket.connected).toBe(true);
  });

  it("ignores an answer that arrives after the timeout", async () => {
    const { client, socket } = await setup(opts);
    let late: Ack | undefined;
    const asked = new Promise<void>((resolve) => {
      client.on("q", (cb: Ack) => {
        late = cb;
        resolve();
      });
    });
    const calls: unknown[][] = [];
    const timedOut = new Promise<void>((resolve) => {
      socket.timeout(50).emit("q", (...a: unknown[]) => {
        calls.push(a);
        resolve();
      });
    });
    await asked;
    await timedOut;
    late!("late");
    // a round trip after the late answer
    client.on("q2", (cb: Ack) => cb());
    await socket.emitWithAck("q2");
    expect(calls).toHaveLength(1);
    expect((calls[0][0] as Error).message).toBe(TIMEOUT_MESSAGE);
  });

  it("keeps one pending ack per emit, in socket.acks", async () => {
    const { client, socket } = await setup(opts);
    const pending: Ack[] = [];
    const asked = new Promise<void>((resolve) => {
      client.on("q", (n: number, cb: Ack) => {
        pending.push(() => cb(n));
        if (pending.length === 3) resolve();
      });
    });
    const answers = [1, 2, 3].map((n) => socket.emitWithAck("q", n));
    await asked;
    expect(socket.acks.size).toBe(3);
    pending.reverse().forEach((answer) => answer());
    expect(await Promise.all(answers)).toEqual([1, 2, 3]);
    expect(socket.acks.size).toBe(0);
  });

  it("acknowledges across namespaces of one connection independently", async () => {
    const h = await startServer();
    const [main, mainSocket] = await connect(h, opts);
    const conn = waitFor<[Socket]>(h.io.of("/other"), "connection");
    const other = main.io.socket("/other");
    const [otherSocket] = await conn;
    if (!other.connected) await waitFor(other, "connect");
    main.on("who", (cb: Ack) => cb("main"));
    other.on("who", (cb: Ack) => cb("other"));
    const [a, b] = await Promise.all([
      mainSocket.emitWithAck("who"),
      otherSocket.emitWithAck("who"),
    ]);
    expect([a, b]).toEqual(["main", "other"]);
    other.disconnect();
  });
});

describe.each(TRANSPORTS)("broadcast acks over $name", ({ opts }) => {
  async function three(h: ServerHarness): Promise<{ clients: ClientSocket[]; sockets: Socket[] }> {
    const clients: ClientSocket[] = [];
    const sockets: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const [c, s] = await connect(h, opts);
      clients.push(c);
      sockets.push(s);
    }
    return { clients, sockets };
  }

  it("io.timeout().emit collects every client's response", async () => {
    const h = await startServer();
    const { clients } = await three(h);
    clients.forEach((c, i) => c.on("q", (cb: Ack) => cb(i)));
    const { cb, args } = ackPromise();
    h.io.timeout(5000).emit("q", cb);
    const [err, responses] = await args;
    expect(err).toBeNull();
    expect((responses as number[]).sort()).toEqual([0, 1, 2]);
    const viaPromise = (await h.io.timeout(5000).emitWithAck("q")) as number[];
    expect(viaPromise.sort()).toEqual([0, 1, 2]);
    const viaNsp = (await h.io.of("/").timeout(5000).emitWithAck("q")) as number[];
    expect(viaNsp.sort()).toEqual([0, 1, 2]);
  });

  it("gives the responses so far with the timeout error", async () => {
    const h = await startServer();
    const { clients } = await three(h);
    clients[0].on("q", (cb: Ack) => cb("a"));
    clients[1].on("q", (cb: Ack) => cb("b"));
    clients[2].on("q", () => {}); // never answers
    // the timeout is generous: the two answers come long before it
    const { cb, args } = ackPromise();
    h.io.timeout(1000).emit("q", cb);
    const [err, responses] = await args;
    expect((err as Error).message).toBe(TIMEOUT_MESSAGE);
    expect((responses as string[]).sort()).toEqual(["a", "b"]);
    const rejected = await h.io
      .timeout(1000)
      .emitWithAck("q")
      .then(
        () => null,
        (e: Error & { responses?: unknown }) => e,
      );
    expect(rejected).toBeInstanceOf(Error);
    expect(rejected!.message).toBe(TIMEOUT_MESSAGE);
    expect((rejected!.responses as string[]).sort()).toEqual(["a", "b"]);
  });

  it("targets rooms and exclusions, and resolves at once with no recipient", async () => {
    const h = await startServer();
    const { clients, sockets } = await three(h);
    clients.forEach((c, i) => c.on("q", (cb: Ack) => cb(i)));
    sockets[0].join("r");
    sockets[1].join("r");
    expect(await h.io.to("r").timeout(5000).emitWithAck("q")).toEqual(
      expect.arrayContaining([0, 1]),
    );
    expect(await h.io.to("r").except(sockets[0].id).timeout(5000).emitWithAck("q")).toEqual([1]);
    expect(
      ((await sockets[0].broadcast.timeout(5000).emitWithAck("q")) as number[]).sort(),
    ).toEqual([1, 2]);
    expect(await sockets[2].to("r").timeout(5000).emitWithAck("q")).toEqual(
      expect.arrayContaining([0, 1]),
    );
    // nobody in the room: an empty list, without waiting for the timeout
    expect(await h.io.to("empty").timeout(60_000).emitWithAck("q")).toEqual([]);
  });

  it("carries several response arguments as the first one only", async () => {
    const h = await startServer();
    const { clients } = await three(h);
    clients.forEach((c, i) => c.on("q", (cb: Ack) => cb({ i }, "ignored")));
    const responses = (await h.io.timeout(5000).emitWithAck("q")) as { i: number }[];
    expect(responses.map((r) => r.i).sort()).toEqual([0, 1, 2]);
  });

  it("leaves no pending ack on the sockets after a broadcast times out", async () => {
    const h = await startServer();
    const { clients, sockets } = await three(h);
    clients.forEach((c) => c.on("q", () => {}));
    await expect(h.io.timeout(50).emitWithAck("q")).rejects.toThrow(TIMEOUT_MESSAGE);
    // socketkit: the recipients do not keep the expired entry (socket.io 4.8 leaves it)
    expect(sockets.map((s) => s.acks.size)).toEqual([0, 0, 0]);
    // the sockets still work afterwards
    clients.forEach((c) => c.on("q2", (cb: Ack) => cb(1)));
    expect(await h.io.timeout(5000).emitWithAck("q2")).toEqual([1, 1, 1]);
    expect(sockets.every((s) => s.connected)).toBe(true);
  });
});

describe.each(TRANSPORTS)("ackTimeout server option over $name", ({ opts }) => {
  it("is the default timeout of a socket's emit with a callback", async () => {
    // generous: the answered emits must beat it
    const { client, socket } = await setup(opts, { ackTimeout: 1000 });
    client.on("silent", () => {});
    client.on("q", (cb: Ack) => cb("answer"));
    const timedOut = ackPromise();
    socket.emit("silent", timedOut.cb);
    const [err] = await timedOut.args;
    expect((err as Error).message).toBe(TIMEOUT_MESSAGE);
    // the callback is err-first, as with timeout()
    const answered = ackPromise();
    socket.emit("q", answered.cb);
    expect(await answered.args).toEqual([null, "answer"]);
    await expect(socket.emitWithAck("silent")).rejects.toThrow(TIMEOUT_MESSAGE);
    expect(await socket.emitWithAck("q")).toBe("answer");
    expect(socket.acks.size).toBe(0);
  });

  it("is overridden by timeout()", async () => {
    const { client, socket } = await setup(opts, { ackTimeout: 10 });
    client.on("slow", (cb: Ack) => setTimeout(() => cb("slow answer"), 100));
    expect(await socket.timeout(5000).emitWithAck("slow")).toBe("slow answer");
  });

  it("is the default timeout of a broadcast with a callback", async () => {
    const h = await startServer({ ackTimeout: 1000 });
    const [c1] = await connect(h, opts);
    const [c2] = await connect(h, opts);
    c1.on("q", (cb: Ack) => cb(1));
    c2.on("q", () => {});
    const { cb, args } = ackPromise();
    h.io.emit("q" as never, cb as never);
    const [err, responses] = await args;
    expect((err as Error).message).toBe(TIMEOUT_MESSAGE);
    expect(responses).toEqual([1]);
    c2.on("q2", (done: Ack) => done(2));
    c1.on("q2", (done: Ack) => done(2));
    expect(await h.io.emitWithAck("q2")).toEqual([2, 2]);
  });
});

describe.each(TRANSPORTS)("pending acks on disconnection over $name", ({ opts }) => {
  it("calls a callback with a timeout back with an error, and rejects emitWithAck", async () => {
    const { client, socket } = await setup(opts);
    let asked = 0;
    const bothAsked = new Promise<void>((resolve) => {
      client.on("q", () => ++asked === 2 && resolve());
    });
    const { cb, args } = ackPromise();
    socket.timeout(60_000).emit("q", cb);
    const promise = socket.timeout(60_000).emitWithAck("q");
    const rejected = promise.then(
      () => null,
      (e: Error) => e,
    );
    await bothAsked;
    expect(socket.acks.size).toBe(2);
    client.disconnect();
    const [err] = await args;
    expect((err as Error).message).toBe(DISCONNECTED_MESSAGE);
    expect((await rejected)!.message).toBe(DISCONNECTED_MESSAGE);
    expect(socket.acks.size).toBe(0);
  });

  it("rejects emitWithAck without a timeout, and empties socket.acks", async () => {
    const { client, socket } = await setup(opts);
    const asked = new Promise<void>((resolve) => client.on("q", () => resolve()));
    const plainCalls: unknown[][] = [];
    socket.emit("q", (...a: unknown[]) => plainCalls.push(a));
    const rejected = socket.emitWithAck("q").then(
      () => null,
      (e: Error) => e,
    );
    await asked;
    const gone = waitFor(socket, "disconnect");
    socket.disconnect();
    await gone;
    expect((await rejected)!.message).toBe(DISCONNECTED_MESSAGE);
    // both callbacks left socket.acks at once: nothing can call the plain one any more, and a
    // plain callback (not err-first) is not called with an error
    expect(socket.acks.size).toBe(0);
    expect(plainCalls).toEqual([]);
  });

  it("settles at once an emit with an acknowledgement made after the disconnection", async () => {
    const { client, socket } = await setup(opts);
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    await expect(socket.emitWithAck("q")).rejects.toThrow(DISCONNECTED_MESSAGE);
    await expect(socket.timeout(60_000).emitWithAck("q")).rejects.toThrow(DISCONNECTED_MESSAGE);
    const { cb, args } = ackPromise();
    socket.timeout(60_000).emit("q", cb);
    expect(((await args)[0] as Error).message).toBe(DISCONNECTED_MESSAGE);
    socket.emit("q", () => {});
    expect(socket.acks.size).toBe(0);
  });

  it("settles the acks a refused socket was waiting for in a middleware", async () => {
    const h = await startServer();
    let pending: Promise<unknown> | undefined;
    let refusedSocket: Socket | undefined;
    h.io.use((socket, next) => {
      refusedSocket = socket;
      pending = socket.emitWithAck("before-refusal").then(
        () => null,
        (e: Error) => e,
      );
      next(new Error("refused"));
    });
    const client = createClient(h, "/", opts);
    await waitFor(client, "connect_error");
    expect(((await pending) as Error).message).toBe(DISCONNECTED_MESSAGE);
    expect(refusedSocket!.acks.size).toBe(0);
  });

  it("settles pending acks when the whole server closes", async () => {
    const { h, client, socket } = await setup(opts);
    const asked = new Promise<void>((resolve) => client.on("q", () => resolve()));
    const rejected = socket
      .timeout(60_000)
      .emitWithAck("q")
      .then(
        () => null,
        (e: Error) => e,
      );
    await asked;
    await h.io.close();
    expect((await rejected)!.message).toBe(DISCONNECTED_MESSAGE);
    expect(socket.acks.size).toBe(0);
  });
});
