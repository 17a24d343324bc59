import { createClient, startServer, TRANSPORTS } from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

// Socket.IO packets (the engine adds its own "4" message prefix when sending them)
const MALFORMED: [string, string][] = [
  ["invalid JSON", '2["chat", {"a":'],
  ["a reserved event name", '2["disconnecting"]'],
  ["an event that is not an array", '2{"not":"an array"}'],
  ["an unknown packet type", "9"],
  ["an attachment count out of range", '51x-["a",{"_placeholder":true,"num":0}]'],
];

describe.each(TRANSPORTS)("malformed Socket.IO packets over $name", ({ opts }) => {
  it.each(MALFORMED)(
    "%s closes only the sender's connection, with reason parse error",
    async (_name, raw) => {
      const h = await startServer();
      const sockets: Socket[] = [];
      h.io.on("connection", (s) => sockets.push(s));
      const bad = createClient(h, "/", opts);
      const good = createClient(h, "/", opts);
      await Promise.all([waitFor(bad, "connect"), waitFor(good, "connect")]);
      const badSocket = sockets.find((s) => s.id === bad.id)!;
      const goodSocket = sockets.find((s) => s.id === good.id)!;
      const errored = waitFor<[Error]>(badSocket, "error");
      const closed = waitFor<[string]>(badSocket, "disconnect");
      // a raw Engine.IO message carrying the malformed Socket.IO packet
      (bad.io.engine as unknown as { send(data: string): void }).send(raw);
      expect((await errored)[0]).toBeInstanceOf(Error);
      expect((await closed)[0]).toBe("parse error");
      // the other client is untouched and still served
      expect(goodSocket.connected).toBe(true);
      const got = waitFor(good, "still");
      h.io.emit("still", "here");
      expect(await got).toEqual(["here"]);
      goodSocket.on("echo", (v: number, ack: (v: number) => void) => ack(v));
      expect(await good.timeout(2000).emitWithAck("echo", 7)).toBe(7);
    },
  );
});
