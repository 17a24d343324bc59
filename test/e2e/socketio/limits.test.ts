import { createClient, startServer } from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe("limits", () => {
  it("maxDynamicNamespaces refuses new child namespaces past the limit (Invalid namespace)", async () => {
    const h = await startServer({ maxDynamicNamespaces: 2 });
    h.io.of(/^\/room-\d+$/);
    for (const name of ["/room-1", "/room-2"]) {
      const client = createClient(h, name);
      await waitFor(client, "connect");
    }
    const third = createClient(h, "/room-3");
    const [err] = await waitFor<[Error]>(third, "connect_error");
    expect(err.message).toBe("Invalid namespace");
    expect(h.io._nsps.has("/room-3")).toBe(false);
    // existing children keep working
    const again = createClient(h, "/room-1");
    await waitFor(again, "connect");
  });

  it("maxBufferedPackets closes a session whose client stopped reading, others unaffected", async () => {
    const h = await startServer({ maxBufferedPackets: 50 });
    const sockets: Socket[] = [];
    h.io.on("connection", (s) => sockets.push(s));
    // a polling client: between its polls the server buffers
    const stalled = createClient(h, "/", { transports: ["polling"] });
    const healthy = createClient(h, "/", { transports: ["websocket"] });
    await Promise.all([waitFor(stalled, "connect"), waitFor(healthy, "connect")]);
    const target = sockets.find((s) => s.id === stalled.id)!;
    const other = sockets.find((s) => s.id === healthy.id)!;
    const closed = waitFor<[string, Error?]>(target, "disconnect");
    // more packets in one tick than the buffer may hold while no poll is pending
    await new Promise<void>((resolve) => {
      const tryFlood = (): void => {
        if (target.conn.transport.writable) {
          setTimeout(tryFlood, 5);
          return;
        }
        for (let i = 0; i < 60; i++) target.emit("flood", i);
        resolve();
      };
      tryFlood();
    });
    const [reason] = await closed;
    expect(reason).toBe("transport error");
    expect(other.connected).toBe(true);
    const got = waitFor(healthy, "ok");
    other.emit("ok", 1);
    expect(await got).toEqual([1]);
  });

  it("validates the limits up front", () => {
    const { Server } = jest.requireActual(
      "../../../core/index",
    ) as typeof import("../../../core/index");
    expect(() => new Server({ maxDynamicNamespaces: -1 })).toThrow(/maxDynamicNamespaces/);
    expect(() => new Server({ maxBufferedPackets: 0 })).toThrow(/maxBufferedPackets/);
  });
});
