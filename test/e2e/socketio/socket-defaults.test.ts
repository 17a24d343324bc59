/**
 * Defaults socket.io 4.8 gives every socket that socketkit once left out to save memory, and
 * now keeps as socket.io does (docs/performance.md: the saving did not pay for the difference).
 */
import { createClient, startServer } from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe("socket defaults as socket.io's", () => {
  it('a new socket has one (no-op) "error" listener; a client "error" event reaches app listeners', async () => {
    const h = await startServer();
    const conn = waitFor<[Socket]>(h.io, "connection");
    const c = createClient(h, "/");
    const [socket] = await conn;
    await waitFor(c, "connect");
    expect(socket.listenerCount("error")).toBe(1);
    // no application listener: the client's "error" event is absorbed, the socket stays up
    c.emit("error", "first");
    const pong = waitFor(socket, "after");
    c.emit("after");
    await pong;
    expect(socket.connected).toBe(true);
    // with one: it gets the client's event
    const got = waitFor<[string]>(socket, "error");
    c.emit("error", "second");
    expect((await got)[0]).toBe("second");
  });

  it("an engine packet sent without options gets its own options object ({ compress: true })", async () => {
    const h = await startServer();
    const conn = waitFor<[Socket]>(h.io, "connection");
    const c = createClient(h, "/", { transports: ["websocket"] });
    const [socket] = await conn;
    await waitFor(c, "connect");
    const created: { options?: { compress?: boolean } }[] = [];
    socket.conn.on("packetCreate", (p: { options?: { compress?: boolean } }) => created.push(p));
    socket.conn.send("a");
    socket.conn.send("b");
    expect(created).toHaveLength(2);
    expect(created[0].options).toEqual({ compress: true });
    expect(Object.isFrozen(created[0].options)).toBe(false);
    expect(created[0].options).not.toBe(created[1].options);
  });
});
