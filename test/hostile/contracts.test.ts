/**
 * Event contracts under attack: one client sends 10,000 invalid events (half asking for an
 * ack, which is answered with the structured error; half not, which are counted and dropped),
 * then floods an asynchronously validated event: the server stays responsive for the other
 * clients, the pending validations stay bounded, and memory (heap + external after GC) does not
 * grow with the number of events.
 */
import { z } from "zod";
import { defineContract } from "../../core/index";
import { connect } from "../support/server";
import { waitUntil } from "../support/wait";
import {
  closeHostile,
  expectHealthy,
  liveBytes,
  MiB,
  rawSioWebSocket,
  startTarget,
  type RawSio,
} from "./support";

afterEach(closeHostile);

const contract = defineContract({
  clientToServer: {
    send: { args: [z.object({ text: z.string().max(100) })], ack: [z.boolean()] },
    // settles after the I/O phase, so that the events of one read pile up on either host (uWS
    // runs the microtasks between the messages of one read)
    slow: {
      args: [
        z.number().refine(async (n) => {
          await new Promise((resolve) => setImmediate(resolve));
          return n < 0;
        }),
      ],
    },
  },
});

/** Sends `count` frames built by `frame(i)`, in batches that let the server breathe. */
async function flood(raw: RawSio, count: number, frame: (i: number) => string): Promise<void> {
  for (let i = 0; i < count; i++) {
    raw.send(frame(i));
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
}

const answers = (raw: RawSio): number =>
  raw.messages.filter((m) => typeof m === "string" && m.startsWith("43")).length;

describe("hostile: invalid events against a contract", () => {
  it("10,000 invalid events: answered or dropped, others unaffected, memory bounded", async () => {
    const h = await startTarget({ metrics: true });
    h.io.contract(contract);
    const reached = jest.fn();
    h.io.on("connection", (socket) => socket.on("send", reached));
    const [bystander] = await connect(h);
    const raw = await rawSioWebSocket(h);
    const invalid = (i: number): string =>
      i % 2 === 0 ? `42["send",{"text":${i}}]` : `42${i}["send",{"text":${i}}]`;
    // warm-up: the code paths and the first allocations are not the growth measured
    await flood(raw, 1000, invalid);
    await waitUntil(() => h.io.metrics().invalidEvents.send === 1000);
    // and its 500 answers arrived (a host may write them a tick after counting the events)
    await waitUntil(() => answers(raw) === 500);
    raw.messages.length = 0;
    const before = liveBytes();
    const during = flood(raw, 10000, invalid);
    // the bystander is served while the flood goes on
    expect(await bystander.timeout(5000).emitWithAck("echo", "ok")).toBe("ok");
    await during;
    await waitUntil(() => h.io.metrics().invalidEvents.send === 11000, 15000);
    await waitUntil(() => answers(raw) === 5000, 15000);
    const sample = raw.messages.find((m) => typeof m === "string" && m.startsWith("43")) as string;
    expect(JSON.parse(sample.replace(/^43\d+/, ""))).toEqual([
      {
        error: {
          code: "SIO_ERR_INVALID_PAYLOAD",
          message: expect.stringMatching(/^invalid arguments for event "send": 0\.text: /),
          issues: [{ path: [0, "text"], message: expect.any(String) }],
        },
      },
    ]);
    raw.messages.length = 0;
    expect(liveBytes() - before).toBeLessThan(8 * MiB);
    expect(reached).not.toHaveBeenCalled();
    await expectHealthy(h);
  }, 60000);

  it("a flood of asynchronously validated events stays within maxPendingValidations", async () => {
    const h = await startTarget({ metrics: true });
    h.io.contract(contract, { maxPendingValidations: 8 });
    let longest = 0;
    h.io.on("connection", (socket) => {
      socket.on("error", () => {
        const queue = (socket as unknown as { contractQueue: unknown[] | null }).contractQueue;
        longest = Math.max(longest, queue?.length ?? 0);
      });
    });
    const raw = await rawSioWebSocket(h);
    const before = liveBytes();
    await flood(raw, 10000, (i) => `42${i}["slow",${i}]`);
    // every one answered: invalid (refinement false) or refused (too many pending)
    await waitUntil(() => answers(raw) === 10000, 20000);
    const texts = raw.messages.filter((m): m is string => typeof m === "string");
    expect(texts.some((m) => m.includes("SIO_ERR_TOO_MANY_VALIDATIONS"))).toBe(true);
    expect(texts.some((m) => m.includes("SIO_ERR_INVALID_PAYLOAD"))).toBe(true);
    expect(longest).toBeLessThanOrEqual(8);
    raw.messages.length = 0;
    expect(liveBytes() - before).toBeLessThan(8 * MiB);
    await expectHealthy(h);
  }, 60000);
});
