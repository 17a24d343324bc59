import { createClient, startServer } from "../../support/server";
import type { EnginePacket, Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";

afterEach(closeAll);

describe("a packet with attachments leaves in one flush", () => {
  it.each([["websocket"], ["polling"]])(
    "over %s: the text part and its buffers together",
    async (transport) => {
      const h = await startServer();
      const conn = waitFor<[Socket]>(h.io, "connection");
      const client = createClient(h, "/", { transports: [transport] });
      const [socket] = await conn;
      await waitFor(client, "connect");
      // wait until the transport can take a write right away
      await waitUntil(() => socket.conn.transport.writable);
      const flushes: string[][] = [];
      socket.conn.on("flush", (buffer: EnginePacket[]) =>
        flushes.push(buffer.map((p) => (typeof p.data === "string" ? "text" : "binary"))),
      );
      const got = waitFor(client, "files");
      socket.emit("files", Buffer.from([1]), Buffer.from([2]));
      await got;
      expect(flushes[0]).toEqual(["text", "binary", "binary"]);
    },
  );
});
