/**
 * Event contracts, server → client: emits and broadcasts checked with `validateOutgoing` (on
 * under NODE_ENV=test, as jest sets it), throwing a coded error before anything is written; the
 * acks a handler sends checked the same way; the acks the server waits for (`emitWithAck`,
 * `timeout().emit`) parsed before they resolve, whatever `validateOutgoing` says.
 */
import { z } from "zod";
import * as v from "valibot";
import {
  defineContract,
  type ContractEmitEvents,
  type ContractListenEvents,
  type Socket,
} from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { createClient, startServer, type ServerHarness } from "../../support/server";
import { sleep, waitFor } from "../../support/wait";

afterEach(closeAll);

const contract = defineContract({
  clientToServer: {
    ask: { args: [z.string()], ack: [z.object({ answer: z.number() })] },
  },
  serverToClient: {
    news: { args: [z.object({ title: z.string() }), v.number()] },
    question: { args: [z.string()], ack: [z.string().transform((s) => s.length)] },
    slow: { args: [z.string().refine(async () => true)] },
  },
});

type ContractSocket = Socket<
  ContractListenEvents<typeof contract>,
  ContractEmitEvents<typeof contract>
>;

async function setup(validateOutgoing?: boolean) {
  const h: ServerHarness = await startServer();
  const nsp = h.io.of("/c").contract(contract, { validateOutgoing });
  const conn = waitFor<[ContractSocket]>(nsp, "connection");
  const client = createClient(h, "/c");
  const [socket] = await conn;
  await waitFor(client, "connect");
  return { h, nsp, client, socket };
}

describe("contracts: outgoing emits (validateOutgoing)", () => {
  it("valid emits go out; invalid ones throw SIO_ERR_INVALID_OUTGOING and nothing is written", async () => {
    const { client, socket } = await setup();
    const received: unknown[][] = [];
    client.on("news", (...args: unknown[]) => received.push(args));
    expect(() => socket.emit("news", { title: 1 } as never, 2)).toThrow(
      expect.objectContaining({
        code: "SIO_ERR_INVALID_OUTGOING",
        event: "news",
        issues: [{ path: [0, "title"], message: expect.any(String) }],
      }),
    );
    expect(() => socket.emit("news", { title: "ok" }, "2" as never)).toThrow(
      /^invalid arguments emitted for event "news": 1: /,
    );
    socket.emit("news", { title: "ok" }, 2);
    await waitFor(client, "news");
    await sleep(30);
    expect(received).toEqual([[{ title: "ok" }, 2]]);
  });

  it("broadcasts: nsp.emit and to().emit are checked too", async () => {
    const { nsp, client, socket } = await setup();
    socket.join("r");
    expect(() => nsp.emit("news", { title: "x" }, "no" as never)).toThrow(/SIO_ERR|invalid/);
    expect(() => nsp.to("r").emit("news", {} as never, 1)).toThrow(
      expect.objectContaining({ code: "SIO_ERR_INVALID_OUTGOING" }),
    );
    const got = waitFor(client, "news");
    nsp.to("r").emit("news", { title: "y" }, 3);
    expect(await got).toEqual([{ title: "y" }, 3]);
  });

  it("asynchronous schemas cannot be checked on the way out: a coded error", async () => {
    const { socket } = await setup();
    expect(() => socket.emit("slow", "x")).toThrow(
      expect.objectContaining({ code: "SIO_ERR_NOT_SUPPORTED" }),
    );
  });

  it("validateOutgoing: false leaves emits unchecked", async () => {
    const { client, socket } = await setup(false);
    const got = waitFor(client, "news");
    socket.emit("news", { title: 1 } as never, 2);
    expect(await got).toEqual([{ title: 1 }, 2]);
  });

  it("the acks a handler sends are checked: an invalid one throws and sends nothing", async () => {
    const { client, socket } = await setup();
    const thrown: unknown[] = [];
    socket.on("ask", (q, ack) => {
      try {
        ack({ answer: "not a number" } as never);
      } catch (err) {
        thrown.push(err);
        ack({ answer: q.length });
      }
    });
    expect(await client.timeout(2000).emitWithAck("ask", "four")).toEqual({ answer: 4 });
    expect(thrown).toEqual([
      expect.objectContaining({ code: "SIO_ERR_INVALID_OUTGOING", event: "ask" }),
    ]);
  });
});

describe("contracts: acknowledgements the server waits for", () => {
  it("emitWithAck resolves with the parsed answer (transform applied)", async () => {
    const { client, socket } = await setup();
    client.on("question", (_q: string, ack: (a: string) => void) => ack("three"));
    const answer: number = await socket.emitWithAck("question", "?");
    expect(answer).toBe(5);
  });

  it("emitWithAck rejects with SIO_ERR_INVALID_PAYLOAD on an invalid answer", async () => {
    const { client, socket } = await setup(false);
    client.on("question", (_q: string, ack: (a: unknown) => void) => ack(42));
    await expect(socket.emitWithAck("question", "?")).rejects.toMatchObject({
      code: "SIO_ERR_INVALID_PAYLOAD",
      message: expect.stringMatching(/^invalid acknowledgement of event "question": 0: /),
    });
  });

  it("timeout().emit: the callback gets the error first, or null and the parsed answer", async () => {
    const { client, socket } = await setup();
    let n = 0;
    client.on("question", (_q: string, ack: (a: unknown) => void) => ack(n++ === 0 ? 7 : "ab"));
    const first = await new Promise<unknown[]>((resolve) =>
      socket.timeout(2000).emit("question", "?", (...args: unknown[]) => resolve(args)),
    );
    expect(first[0]).toMatchObject({ code: "SIO_ERR_INVALID_PAYLOAD" });
    const second = await new Promise<unknown[]>((resolve) =>
      socket.timeout(2000).emit("question", "?", (...args: unknown[]) => resolve(args)),
    );
    expect(second).toEqual([null, 2]);
  });

  it("the ackTimeout server option still settles an unanswered emitWithAck", async () => {
    const h = await startServer({ ackTimeout: 50 });
    const nsp = h.io.of("/c").contract(contract);
    const conn = waitFor<[ContractSocket]>(nsp, "connection");
    const client = createClient(h, "/c");
    const [socket] = await conn;
    await waitFor(client, "connect");
    await expect(socket.emitWithAck("question", "?")).rejects.toMatchObject({
      code: "SIO_ERR_ACK_TIMEOUT",
    });
  });
});
