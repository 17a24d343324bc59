/**
 * Class 5: errors of the application, raised while serving one client, stay with that client:
 * a throwing middleware refuses the connection with its message (connect_error) and is reported
 * on the server; throwing handlers, hooks and callbacks never crash the process.
 */
import { connect, createClient } from "../support/server";
import { expectHealthy, startTarget } from "./support";
import { closeHostile } from "./support";
import { Adapter } from "../../core/index";
import { waitFor } from "../support/wait";

/** An adapter whose hooks fail: addAll rejects for own rooms, delAll throws. */
class FailingAdapter extends Adapter {
  override addAll(id: string, rooms: Set<string>): Promise<void> | void {
    super.addAll(id, rooms);
    if (rooms.has(id)) return Promise.reject(new Error("adapter addAll bug"));
  }
  override delAll(id: string): void {
    super.delAll(id);
    throw new Error("adapter delAll bug");
  }
}

afterEach(closeHostile);

let errors: jest.SpyInstance;
beforeEach(() => {
  errors = jest.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => errors.mockRestore());

/** The text of everything reported with console.error. */
const reported = (): string =>
  errors.mock.calls.map((args: unknown[]) => args.map((a) => String(a)).join(" ")).join("\n");

describe("a throwing io.use() middleware", () => {
  for (const transports of [["websocket"], ["polling"]]) {
    it(`gives the client connect_error with the message (${transports[0]}), reported`, async () => {
      const h = await startTarget();
      h.io.use((socket, next) => {
        const token = (socket.handshake.auth as { token?: string }).token;
        if (token === "good") return next();
        // the bug of the issue: reading a property of a missing token
        void (token as unknown as string).length;
        next();
      });
      const client = createClient(h, "/", { transports });
      const [err] = await waitFor<[Error]>(client, "connect_error");
      expect(err.message).toMatch(/Cannot read properties of undefined/);
      expect(reported()).toMatch(/middleware of namespace "\/"/);
      const [good] = await connect(h, { transports, auth: { token: "good" } });
      expect(await good.timeout(5000).emitWithAck("echo", 1)).toBe(1);
    });
  }

  it("an async middleware that rejects: connect_error with its message", async () => {
    const h = await startTarget();
    h.io.use(async () => {
      await Promise.resolve();
      throw new Error("async refusal");
    });
    const client = createClient(h);
    const [err] = await waitFor<[Error]>(client, "connect_error");
    expect(err.message).toBe("async refusal");
  });

  it("a middleware that calls next() and then throws: connected, the throw reported", async () => {
    const h = await startTarget();
    h.io.use((_socket, next) => {
      next();
      throw new Error("after next");
    });
    const [client] = await connect(h);
    expect(await client.timeout(5000).emitWithAck("echo", 2)).toBe(2);
    expect(reported()).toMatch(/after next/);
  });
});

describe("other application code called for a client", () => {
  it("a throwing socket.use() middleware: the socket's error event, the event not delivered", async () => {
    const h = await startTarget();
    const [client, socket] = await connect(h);
    socket.use(([event], next) => {
      if (event === "bad") throw new Error("socket middleware bug");
      next();
    });
    const errorEvent = waitFor<[Error]>(socket, "error");
    client.emit("bad");
    expect((await errorEvent)[0].message).toBe("socket middleware bug");
    expect(await client.timeout(5000).emitWithAck("echo", 3)).toBe(3);
  });

  it("a throwing allowRequest refuses that handshake only (403), reported", async () => {
    const h = await startTarget({
      allowRequest: (req, fn) => {
        if (req.headers["x-bad"]) throw new Error("allowRequest bug");
        fn(null, true);
      },
    });
    const client = createClient(h, "/", {
      transports: ["polling"],
      extraHeaders: { "x-bad": "1" },
    });
    const [err] = await waitFor<[Error & { context?: { status?: number } }]>(
      client,
      "connect_error",
    );
    expect(err.message).toBe("xhr poll error");
    expect(reported()).toMatch(/allowRequest bug/);
    await expectHealthy(h);
  });

  it("a throwing engine.use() middleware refuses that request only (400), reported", async () => {
    const h = await startTarget();
    h.io.engine.use((req, _res, next) => {
      if ((req.url ?? "").includes("bad=1")) throw new Error("engine middleware bug");
      next();
    });
    const client = createClient(h, "/", { transports: ["polling"], query: { bad: "1" } });
    await waitFor(client, "connect_error");
    expect(reported()).toMatch(/engine middleware bug/);
    await expectHealthy(h);
  });

  it("a throwing generateId refuses that handshake only", async () => {
    const h = await startTarget();
    const original = h.io.engine.generateId.bind(h.io.engine);
    let calls = 0;
    h.io.engine.generateId = (req) => {
      if (calls++ === 0) throw new Error("id bug");
      return original(req);
    };
    const client = createClient(h, "/", { transports: ["polling"] });
    await waitFor(client, "connect_error");
    await expectHealthy(h);
  });

  it("a throwing dynamic namespace check refuses the name (Invalid namespace), reported", async () => {
    const h = await startTarget();
    h.io.of(() => {
      throw new Error("namespace check bug");
    });
    const client = createClient(h, "/dyn");
    const [err] = await waitFor<[Error]>(client, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(reported()).toMatch(/namespace check bug/);
    await expectHealthy(h);
  });

  it("event handlers that throw or reject: reported, the process and other clients go on", async () => {
    const h = await startTarget();
    const unhandled = jest.fn();
    process.on("unhandledRejection", unhandled);
    try {
      h.io.on("connection", (socket) => {
        socket.on("sync", () => {
          throw new Error("handler bug");
        });
        socket.on("async", async () => {
          await Promise.resolve();
          throw new Error("async handler bug");
        });
      });
      const [client] = await connect(h);
      const [other] = await connect(h);
      // the ordinary handler, called without an ack: a.pop() is not a function
      client.emit("echo", "no ack");
      client.emit("sync");
      client.emit("async");
      expect(await client.timeout(5000).emitWithAck("echo", 4)).toBe(4);
      expect(await other.timeout(5000).emitWithAck("echo", 5)).toBe(5);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reported()).toMatch(/"echo" event handler/);
      expect(reported()).toMatch(/handler bug/);
      expect(reported()).toMatch(/async handler bug/);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("throwing connection, disconnect and ack callbacks are reported, nothing else", async () => {
    const h = await startTarget();
    h.io.on("connection", (socket) => {
      socket.on("disconnect", () => {
        throw new Error("disconnect bug");
      });
      throw new Error("connection bug");
    });
    const [client, socket] = await connect(h);
    const acked = new Promise<void>((resolve) =>
      socket.emit("question", () => {
        resolve();
        throw new Error("ack callback bug");
      }),
    );
    client.on("question", (cb: () => void) => cb());
    await acked;
    client.disconnect();
    await waitFor(socket, "disconnect");
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported()).toMatch(/connection bug/);
    expect(reported()).toMatch(/ack callback bug/);
    expect(reported()).toMatch(/disconnect bug/);
    await expectHealthy(h);
  });

  it("adapter hooks that throw or reject (own room join, cleanup) are reported", async () => {
    const unhandled = jest.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const h = await startTarget({ adapter: FailingAdapter });
      const [client, socket] = await connect(h);
      expect(await client.timeout(5000).emitWithAck("echo", 6)).toBe(6);
      client.disconnect();
      await waitFor(socket, "disconnect");
      await new Promise((resolve) => setImmediate(resolve));
      expect(reported()).toMatch(/adapter addAll bug/);
      expect(reported()).toMatch(/adapter delAll bug/);
      expect(unhandled).not.toHaveBeenCalled();
      await expectHealthy(h);
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });
});
