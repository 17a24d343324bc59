/**
 * Pre-encoded WebSocket frames (`wsPreEncodedFrame`, engine.io 6.6's mechanism): an adapter
 * frames a broadcast once and every WebSocket recipient gets those bytes as they are. Built by
 * our in-memory adapter and by socket.io-adapter (which every official cluster adapter extends).
 */
import { Adapter as OfficialAdapter } from "socket.io-adapter";
import { WebSocket } from "ws";
import type { Socket as ClientSocket } from "socket.io-client";
import { textFrame } from "../../../core/util/ws-frame";
import type { AdapterConstructor, EnginePacket, EngineSocket } from "../../../core/index";
import { engineClient, rawWebSocket, startEngine } from "../../support/engine";
import { connect, startServer } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

type FrameOptions = { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: true };
/** ws's `Sender.frame()`: public in ws's code, not in @types/ws; the frame socket.io-adapter builds. */
const wsFrame = (
  WebSocket as unknown as { Sender: { frame(d: Buffer, o: FrameOptions): Buffer[] } }
).Sender.frame;
const TEXT_FRAME: FrameOptions = {
  readOnly: false,
  mask: false,
  rsv1: false,
  opcode: 1,
  fin: true,
};

describe("textFrame", () => {
  it.each([0, 1, 125, 126, 65535, 65536, 70000])(
    "builds the same bytes as ws's Sender.frame for a %d-byte payload",
    (size) => {
      const payload = Buffer.alloc(size, 0x61);
      const ours = Buffer.concat(textFrame(payload));
      expect(ours.equals(Buffer.concat(wsFrame(Buffer.from(payload), TEXT_FRAME)))).toBe(true);
    },
  );
});

describe("engine: wsPreEncodedFrame", () => {
  it("writes the pre-encoded frame as it is on a websocket", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next(); // open packet
    const [socket] = await conn;
    // the frame says something else than the data: the frame is what must go out
    socket.send("test", { wsPreEncodedFrame: wsFrame(Buffer.from("4test123"), TEXT_FRAME) });
    expect(await ws.next()).toBe("4test123");
    socket.send("after");
    expect(await ws.next()).toBe("4after");
  });

  it("frames the packet itself when the connection compresses (perMessageDeflate)", async () => {
    const h = await startEngine({ perMessageDeflate: { threshold: 0 } });
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const ws = await rawWebSocket(h);
    await ws.next();
    const [socket] = await conn;
    socket.send("test", { wsPreEncodedFrame: wsFrame(Buffer.from("4test123"), TEXT_FRAME) });
    expect(await ws.next()).toBe("4test");
  });

  it("ignores the frame on the polling transport", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["polling"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    socket.send("test", { wsPreEncodedFrame: wsFrame(Buffer.from("4test123"), TEXT_FRAME) });
    expect((await waitFor(client, "message"))[0]).toBe("test");
  });
});

const ADAPTERS: [string, AdapterConstructor | undefined][] = [
  ["socketkit's Adapter", undefined],
  ["socket.io-adapter's Adapter", OfficialAdapter as unknown as AdapterConstructor],
];

describe.each(ADAPTERS)("broadcasts through %s", (_name, adapter) => {
  it("precompute the WebSocket frame (packet options carry an array)", async () => {
    const h = await startServer({ adapter, transports: ["websocket"] });
    const [client, socket] = await connect(h, { transports: ["websocket"] });
    const created = waitFor<[EnginePacket]>(socket.conn, "packetCreate");
    const received = waitFor<[string]>(client as ClientSocket, "woot");
    h.io.compress(false).emit("woot", "hi");
    const [packet] = await created;
    expect(Array.isArray(packet.options?.wsPreEncodedFrame)).toBe(true);
    expect((await received)[0]).toBe("hi");
  });

  it("write the frame itself to each websocket recipient", async () => {
    const h = await startServer({ adapter, transports: ["websocket"] });
    const [client, socket] = await connect(h, { transports: ["websocket"] });
    // swap the frame before it is written: the client then gets the swapped bytes
    socket.conn.once("packetCreate", (packet: EnginePacket) => {
      packet.options = {
        ...packet.options,
        wsPreEncodedFrame: textFrame(Buffer.from('42["swapped",1]')),
      };
    });
    const received = waitFor<[number]>(client as ClientSocket, "swapped");
    h.io.emit("original", 0);
    expect((await received)[0]).toBe(1);
  });
});
