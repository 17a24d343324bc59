/**
 * Class 1: deep nesting. No recursion a client controls: a packet nested past maxPayloadDepth
 * closes that connection with "parse error"; values too deep to encode are the application's
 * error, with a code.
 */
import { connect, createClient } from "../support/server";
import {
  expectHealthy,
  liveBytes,
  MiB,
  nestedArray,
  nestedObject,
  nextDisconnect,
  rawSioPolling,
  rawSioWebSocket,
  startTarget,
} from "./support";
import { closeHostile } from "./support";
import { DEFAULT_MAX_DEPTH } from "../../core/parser/depth";

afterEach(closeHostile);

const DEEP = 20_000;

describe("deep nesting from a client", () => {
  const payloads: [string, string][] = [
    ["an array in an EVENT with an ack", `421["echo",${nestedArray(DEEP)}]`],
    ["an object in an EVENT with an ack", `421["echo",${nestedObject(DEEP)}]`],
    ["an array in an ACK", `431[${nestedArray(DEEP)}]`],
  ];

  for (const [name, packet] of payloads) {
    it(`${name} over websocket closes that connection only (parse error)`, async () => {
      const h = await startTarget();
      const [bystander] = await connect(h, { transports: ["websocket"] });
      const reason = nextDisconnect(h);
      const raw = await rawSioWebSocket(h);
      raw.send(packet);
      expect(await reason).toBe("parse error");
      await raw.closed;
      expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
      await expectHealthy(h);
    });

    it(`${name} over polling closes that connection only (parse error)`, async () => {
      const h = await startTarget();
      const [bystander] = await connect(h, { transports: ["polling"] });
      const reason = nextDisconnect(h);
      const raw = await rawSioPolling(h);
      await raw.post(packet);
      expect(await reason).toBe("parse error");
      expect(await bystander.timeout(5000).emitWithAck("echo", 1)).toBe(1);
      await expectHealthy(h);
    });
  }

  it("a binary placeholder 20,000 levels deep in a BINARY_EVENT (websocket)", async () => {
    const h = await startTarget();
    const reason = nextDisconnect(h);
    const raw = await rawSioWebSocket(h);
    const deep = '{"a":'.repeat(DEEP) + '{"_placeholder":true,"num":0}' + "}".repeat(DEEP);
    raw.send(`451-1["echo",${deep}]`);
    raw.send(Buffer.from([1, 2, 3]));
    expect(await reason).toBe("parse error");
    await expectHealthy(h);
  });

  it("on a v3 session (allowEIO3), over websocket", async () => {
    const h = await startTarget({ allowEIO3: true });
    const reason = nextDisconnect(h);
    const raw = await rawSioWebSocket(h, 3);
    raw.send(`421["echo",${nestedArray(DEEP)}]`);
    expect(await reason).toBe("parse error");
    await expectHealthy(h);
  });

  it("accepts data exactly maxPayloadDepth deep and refuses one level more", async () => {
    const h = await startTarget({ maxPayloadDepth: 50 });
    const [client] = await connect(h, { transports: ["websocket"] });
    // the arguments array is level 1: an argument 49 deep makes 50 levels
    const ok = JSON.parse(nestedArray(49)) as unknown;
    expect(await client.timeout(5000).emitWithAck("echo", ok)).toEqual(ok);
    const reason = nextDisconnect(h);
    const raw = await rawSioWebSocket(h);
    raw.send(`42["echo",${nestedArray(50)}]`);
    expect(await reason).toBe("parse error");
  });

  it("keeps the default depth generous for real applications", async () => {
    expect(DEFAULT_MAX_DEPTH).toBe(1000);
    const h = await startTarget();
    const [client] = await connect(h, { transports: ["websocket"] });
    const deep = JSON.parse(nestedObject(500)) as unknown;
    expect(await client.timeout(5000).emitWithAck("echo", deep)).toEqual(deep);
  });

  it("validates maxPayloadDepth up front", async () => {
    await expect(startTarget({ maxPayloadDepth: -1 })).rejects.toThrow(/maxPayloadDepth/);
  });

  it("holds no memory after many deep packets", async () => {
    const h = await startTarget();
    const before = liveBytes();
    for (let i = 0; i < 20; i++) {
      const reason = nextDisconnect(h);
      const raw = await rawSioWebSocket(h);
      raw.send(`421["echo",${nestedArray(DEEP)}]`);
      await reason;
      await raw.closed;
    }
    expect(liveBytes() - before).toBeLessThan(8 * MiB);
    await expectHealthy(h);
  });
});

describe("values too deep to encode, from the application", () => {
  const tooDeep = (): unknown => JSON.parse(nestedArray(DEEP));
  const cyclic = (): unknown => {
    const a: unknown[] = [];
    a.push(a);
    return a;
  };

  it("emit throws SIO_ERR_PAYLOAD_TOO_DEEP and writes nothing; the connection goes on", async () => {
    const h = await startTarget();
    const [client, socket] = await connect(h);
    const received: unknown[] = [];
    client.onAny((...args) => received.push(args));
    expect(() => socket.emit("deep", tooDeep())).toThrow(
      expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" }),
    );
    expect(() => socket.emit("cyclic", cyclic())).toThrow(
      expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" }),
    );
    socket.emit("fine", 1);
    await new Promise<void>((resolve) => client.once("fine", () => resolve()));
    expect(received).toEqual([["fine", 1]]);
  });

  it("a binary value too deep throws too (no half-written packet)", async () => {
    const h = await startTarget();
    const [client, socket] = await connect(h);
    let deep: unknown = Buffer.from([1]);
    for (let i = 0; i < DEEP; i++) deep = { a: deep };
    expect(() => socket.emit("deep", deep)).toThrow(
      expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" }),
    );
    socket.emit("fine", Buffer.from([2]));
    const [got] = (await new Promise<unknown[]>((r) => client.once("fine", (...a) => r(a)))) as [
      ArrayBuffer,
    ];
    expect(Buffer.from(got)).toEqual(Buffer.from([2]));
  });

  it("emitWithAck rejects and leaves no pending ack", async () => {
    const h = await startTarget();
    const [, socket] = await connect(h);
    await expect(socket.emitWithAck("deep", tooDeep())).rejects.toMatchObject({
      code: "SIO_ERR_PAYLOAD_TOO_DEEP",
    });
    await expect(socket.timeout(100).emitWithAck("deep", tooDeep())).rejects.toMatchObject({
      code: "SIO_ERR_PAYLOAD_TOO_DEEP",
    });
    expect(socket.acks.size).toBe(0);
  });

  it("io.emit and a room broadcast throw before any recipient gets a byte", async () => {
    const h = await startTarget();
    const [a] = await connect(h);
    const [b, sb] = await connect(h);
    sb.join("room");
    const got: string[] = [];
    a.onAny((ev: string) => got.push(ev));
    b.onAny((ev: string) => got.push(ev));
    expect(() => h.io.emit("deep", tooDeep())).toThrow(
      expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" }),
    );
    expect(() => h.io.to("room").emit("deep", tooDeep())).toThrow(
      expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" }),
    );
    h.io.emit("after");
    await new Promise<void>((resolve) => b.once("after", () => resolve()));
    await new Promise<void>((resolve) =>
      got.includes("after") ? resolve() : a.once("after", () => resolve()),
    );
    expect(got.filter((e) => e === "deep")).toEqual([]);
  });

  it("an ack with a value too deep throws to the handler; the ack can still be sent", async () => {
    const h = await startTarget();
    const [client, socket] = await connect(h);
    const caught: unknown[] = [];
    socket.on("ask", (cb: (v: unknown) => void) => {
      try {
        cb(tooDeep());
      } catch (err) {
        caught.push(err);
        cb("fallback");
      }
    });
    expect(await client.timeout(5000).emitWithAck("ask")).toBe("fallback");
    expect(caught).toEqual([expect.objectContaining({ code: "SIO_ERR_PAYLOAD_TOO_DEEP" })]);
  });

  it("a client still echoes deep-but-allowed data through an ordinary handler", async () => {
    const h = await startTarget();
    const client = createClient(h, "/", { transports: ["polling"] });
    const deep = JSON.parse(nestedArray(900)) as unknown;
    expect(await client.timeout(5000).emitWithAck("echo", deep)).toEqual(deep);
  });
});
