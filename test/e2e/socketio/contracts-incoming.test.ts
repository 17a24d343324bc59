/**
 * Event contracts, client → server: handlers get the parsed output of zod 4, valibot 1 and
 * arktype 2 schemas; invalid events never reach them (the ack is answered with the structured
 * error, the socket's "error" listeners get a ContractError, the metric counts it); strict
 * refuses events outside the contract; middlewares and onAny see the raw packet; async
 * validations keep the order of a socket's events; namespaces (static, main, dynamic).
 */
import { z } from "zod";
import * as v from "valibot";
import { type } from "arktype";
import { defineContract, type ContractErrorAnswer, type Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { connect, createClient, startServer, type ServerHarness } from "../../support/server";
import { sleep, waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

const Message = z.object({ text: z.string().min(1), room: z.string().default("lobby") });

const contract = defineContract({
  clientToServer: {
    send: { args: [Message], ack: [z.object({ id: z.number() })] },
    shout: { args: [z.string().transform((s) => s.toUpperCase())] },
    vote: { args: [v.pipe(v.number(), v.integer(), v.minValue(1))], ack: [v.boolean()] },
    move: { args: [type({ x: "number", y: "number" })], ack: [type("string")] },
    upload: {
      args: [z.object({ name: z.string(), data: z.instanceof(Buffer) })],
      ack: [z.number()],
    },
  },
  serverToClient: {},
});

async function contracted(strict = false): Promise<ServerHarness> {
  const h = await startServer({ metrics: true });
  h.io.of("/chat").contract(contract, { strict });
  return h;
}

/** Connects to /chat and resolves with the client and its server-side socket. */
async function join(h: ServerHarness, nsp = "/chat") {
  const conn = waitFor<[Socket]>(h.io.of(nsp), "connection");
  const client = createClient(h, nsp);
  const [socket] = await conn;
  await waitFor(client, "connect");
  return { client, socket };
}

describe("contracts: valid incoming events", () => {
  it("zod: the handler gets the parsed output (defaults applied) and answers the ack", async () => {
    const h = await contracted();
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("send", (msg, ack) =>
        ack({ id: msg.text.length + (msg.room === "lobby" ? 100 : 0) }),
      );
    });
    const { client } = await join(h);
    expect(await client.timeout(2000).emitWithAck("send", { text: "hello" })).toEqual({ id: 105 });
  });

  it("zod transform: the handler gets the transformed value", async () => {
    const h = await contracted();
    const got = new Promise<string>((resolve) => {
      h.io.of("/chat").on("connection", (socket) => socket.on("shout", resolve));
    });
    const { client } = await join(h);
    client.emit("shout", "hey");
    expect(await got).toBe("HEY");
  });

  it("valibot and arktype schemas work unchanged", async () => {
    const h = await contracted();
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("vote", (n, ack) => ack(n === 3));
      socket.on("move", (p, ack) => ack(`${p.x},${p.y}`));
    });
    const { client } = await join(h);
    expect(await client.timeout(2000).emitWithAck("vote", 3)).toBe(true);
    expect(await client.timeout(2000).emitWithAck("move", { x: 1, y: 2 })).toBe("1,2");
  });

  it("binary: a Buffer inside a schema", async () => {
    const h = await contracted();
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("upload", (file, ack) => ack(file.data.length));
    });
    const { client } = await join(h);
    const answer = await client
      .timeout(2000)
      .emitWithAck("upload", { name: "a.bin", data: Buffer.from([1, 2, 3, 4]) });
    expect(answer).toBe(4);
  });
});

describe("contracts: invalid incoming events", () => {
  it("with an ack: answered with the structured error, the handler never runs", async () => {
    const h = await contracted();
    const handler = jest.fn();
    h.io.of("/chat").on("connection", (socket) => socket.on("send", handler));
    const { client } = await join(h);
    const answer = (await client
      .timeout(2000)
      .emitWithAck("send", { text: "" })) as ContractErrorAnswer;
    expect(answer.error.code).toBe("SIO_ERR_INVALID_PAYLOAD");
    expect(answer.error.message).toMatch(/^invalid arguments for event "send": 0\.text: /);
    expect(answer.error.issues).toEqual([{ path: [0, "text"], message: expect.any(String) }]);
    const wrongType = (await client.timeout(2000).emitWithAck("vote", 1.5)) as ContractErrorAnswer;
    expect(wrongType.error.issues[0].path).toEqual([0]);
    const extra = (await client.timeout(2000).emitWithAck("vote", 1, 2)) as ContractErrorAnswer;
    expect(extra.error.issues).toEqual([
      { path: [1], message: "unexpected argument (expected 1)" },
    ]);
    const binary = (await client
      .timeout(2000)
      .emitWithAck("upload", { name: "x", data: "not a buffer" })) as ContractErrorAnswer;
    expect(binary.error.issues[0].path).toEqual([0, "data"]);
    expect(handler).not.toHaveBeenCalled();
  });

  it("without an ack: the socket's error listeners get a ContractError; counted by event", async () => {
    const h = await contracted();
    const handler = jest.fn();
    const errors: Error[] = [];
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("shout", handler);
      socket.on("error", (err) => errors.push(err));
    });
    const { client } = await join(h);
    client.emit("shout", 42);
    client.emit("shout", { no: 1 });
    await waitUntil(() => errors.length === 2);
    expect(handler).not.toHaveBeenCalled();
    expect(errors[0]).toMatchObject({
      name: "ContractError",
      code: "SIO_ERR_INVALID_PAYLOAD",
      event: "shout",
      issues: [{ path: [0], message: expect.any(String) }],
    });
    expect(h.io.metrics().invalidEvents).toEqual({ shout: 2 });
  });

  it("not strict (default): events outside the contract pass as they are", async () => {
    const h = await contracted();
    const got = new Promise<unknown[]>((resolve) => {
      h.io
        .of("/chat")
        .on("connection", (socket) =>
          (socket as unknown as Socket).on("free", (...args: unknown[]) => resolve(args)),
        );
    });
    const { client } = await join(h);
    client.emit("free", 1, "two");
    expect(await got).toEqual([1, "two"]);
  });

  it("strict: events outside the contract are refused like invalid ones, in one metric bucket", async () => {
    const h = await contracted(true);
    const handler = jest.fn();
    h.io
      .of("/chat")
      .on("connection", (socket) => (socket as unknown as Socket).on("free", handler));
    const { client } = await join(h);
    const answer = (await client.timeout(2000).emitWithAck("free", 1)) as ContractErrorAnswer;
    expect(answer).toEqual({
      error: {
        code: "SIO_ERR_UNKNOWN_EVENT",
        message: 'event "free" is not in the contract',
        issues: [],
      },
    });
    client.emit("other-name", 1);
    await waitUntil(() => h.io.metrics().invalidEvents["(unknown)"] === 2);
    expect(handler).not.toHaveBeenCalled();
    expect(Object.keys(h.io.metrics().invalidEvents)).toEqual(["(unknown)"]);
  });

  it("socket.use and onAny see the raw packet; the handler the parsed one", async () => {
    const h = await contracted();
    const seen: unknown[][] = [];
    const handled = new Promise<unknown>((resolve) => {
      h.io.of("/chat").on("connection", (socket) => {
        socket.onAny((...args: unknown[]) => seen.push(["any", ...args]));
        socket.use((event, next) => {
          seen.push(["use", ...event]);
          next();
        });
        socket.on("shout", resolve);
      });
    });
    const { client } = await join(h);
    client.emit("shout", "raw");
    expect(await handled).toBe("RAW");
    expect(seen).toEqual([
      ["any", "shout", "raw"],
      ["use", "shout", "raw"],
    ]);
  });

  it("invalid events count toward eventRateLimit (taken before validation)", async () => {
    const h = await startServer({ eventRateLimit: { rate: 1, burst: 3 } });
    h.io.of("/chat").contract(contract);
    const codes: string[] = [];
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("error", (err) => codes.push((err as Error & { code: string }).code));
    });
    const { client } = await join(h);
    for (let i = 0; i < 5; i++) client.emit("shout", i);
    await waitUntil(() => codes.length === 5);
    expect(codes.sort()).toEqual([
      "SIO_ERR_EVENT_RATE_LIMITED",
      "SIO_ERR_EVENT_RATE_LIMITED",
      "SIO_ERR_INVALID_PAYLOAD",
      "SIO_ERR_INVALID_PAYLOAD",
      "SIO_ERR_INVALID_PAYLOAD",
    ]);
  });
});

describe("contracts: asynchronous validation", () => {
  const slowFirst = defineContract({
    clientToServer: {
      step: {
        args: [
          z.number().refine(async (n) => {
            await sleep(n === 1 ? 150 : 0);
            return n !== 99;
          }),
        ],
      },
      sync: { args: [z.number()] },
    },
  });

  it("keeps the order of a socket's events: a slow validation delays the later handlers", async () => {
    const h = await startServer();
    const order: string[] = [];
    h.io.of("/chat").contract(slowFirst);
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("step", (n) => order.push(`step ${n}`));
      socket.on("sync", (n) => order.push(`sync ${n}`));
      (socket as unknown as Socket).on("free", (n: number) => order.push(`free ${n}`));
    });
    const { client } = await join(h);
    client.emit("step", 1); // 150 ms refinement
    client.emit("sync", 2); // synchronous, behind it
    client.emit("free", 3); // outside the contract, behind it too
    client.emit("step", 4);
    await waitUntil(() => order.length === 4);
    expect(order).toEqual(["step 1", "sync 2", "free 3", "step 4"]);
  });

  it("an async refinement that fails refuses the event", async () => {
    const h = await startServer();
    h.io.of("/chat").contract(slowFirst);
    const handler = jest.fn();
    const errors: Error[] = [];
    h.io.of("/chat").on("connection", (socket) => {
      socket.on("step", handler);
      socket.on("error", (err) => errors.push(err));
    });
    const { client } = await join(h);
    client.emit("step", 99);
    await waitUntil(() => errors.length === 1);
    expect(handler).not.toHaveBeenCalled();
  });

  it("bounds the events waiting behind a validation (maxPendingValidations)", async () => {
    const h = await startServer();
    h.io.of("/chat").contract(slowFirst, { maxPendingValidations: 2 });
    const order: number[] = [];
    h.io.of("/chat").on("connection", (socket) => socket.on("sync", (n) => order.push(n)));
    const { client } = await join(h);
    client.emit("step", 1); // waits 150 ms: the queue holds it
    client.emit("sync", 2); // queued (2 waiting)
    const refused = client.timeout(2000).emitWithAck("sync", 3); // the third: refused now
    expect(await refused).toEqual({
      error: {
        code: "SIO_ERR_TOO_MANY_VALIDATIONS",
        message: 'event "sync" refused: 2 events of this socket already wait for validation',
        issues: [],
      },
    });
    await waitUntil(() => order.length === 1);
    client.emit("sync", 4); // the queue drained: accepted again
    await waitUntil(() => order.length === 2);
    expect(order).toEqual([2, 4]);
  });

  it("checks the options up front", () => {
    const io = new (require("../../../core/index").Server)();
    expect(() => io.of("/x").contract(slowFirst, { maxPendingValidations: 0 })).toThrow(
      'invalid option "maxPendingValidations": expected an integer >= 1, got 0',
    );
    expect(() => io.of("/x").contract(slowFirst, { strict: "yes" })).toThrow(
      'invalid option "strict": expected a boolean, got "yes"',
    );
    expect(() => defineContract({ clientToServer: { a: { args: [{}] } } } as never)).toThrow(
      "invalid contract: clientToServer.a.args[0] is not a Standard Schema v1",
    );
    io.close();
  });
});

describe("contracts: namespaces", () => {
  it("the main namespace, with io.contract()", async () => {
    const h = await startServer();
    const io = h.io.contract(contract);
    const handler = jest.fn();
    io.on("connection", (socket) => socket.on("vote", handler));
    const [client] = await connect(h as ServerHarness);
    const answer = (await client.timeout(2000).emitWithAck("vote", -1)) as ContractErrorAnswer;
    expect(answer.error.code).toBe("SIO_ERR_INVALID_PAYLOAD");
    expect(handler).not.toHaveBeenCalled();
  });

  it("dynamic namespaces: the parent's contract applies to existing and future children", async () => {
    const h = await startServer();
    const parent = h.io.of(/^\/room-\d+$/);
    const calls: string[] = [];
    parent.on("connection", (socket) => {
      socket.on("vote", (n: number, ack: (ok: boolean) => void) => {
        calls.push(socket.nsp.name);
        ack(true);
      });
    });
    const early = await join(h, "/room-1");
    parent.contract(contract);
    const late = await join(h, "/room-2");
    for (const { client } of [early, late]) {
      expect(
        ((await client.timeout(2000).emitWithAck("vote", "x")) as ContractErrorAnswer).error.code,
      ).toBe("SIO_ERR_INVALID_PAYLOAD");
      expect(await client.timeout(2000).emitWithAck("vote", 2)).toBe(true);
    }
    expect(calls.sort()).toEqual(["/room-1", "/room-2"]);
  });

  it("other namespaces are unaffected", async () => {
    const h = await contracted(true);
    const got = new Promise<unknown>((resolve) => {
      h.io.of("/free").on("connection", (socket) => socket.on("send", resolve));
    });
    const { client } = await join(h, "/free");
    client.emit("send", "anything");
    expect(await got).toBe("anything");
  });
});
