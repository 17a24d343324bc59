import { createClient, startServer, TRANSPORTS } from "../../support/server";
import type { Socket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe.each(TRANSPORTS)("socket.io basics over $name", ({ opts }) => {
  it("connects, emits both ways, acks, rooms", async () => {
    const h = await startServer();
    const conn = waitFor<[Socket]>(h.io, "connection");
    const client = createClient(h, "/", opts);
    const [socket] = await conn;
    await waitFor(client, "connect");
    expect(client.id).toBe(socket.id);
    socket.on("ping", (n: number, cb: (v: number) => void) => cb(n + 1));
    const res = await client.emitWithAck("ping", 41);
    expect(res).toBe(42);
    const got = waitFor(client, "hello");
    socket.emit("hello", "world", { a: 1 }, Buffer.from([1, 2]));
    const [a, b, c] = await got;
    expect(a).toBe("world");
    expect(b).toEqual({ a: 1 });
    expect(Buffer.from(c as ArrayBuffer)).toEqual(Buffer.from([1, 2]));
    socket.join("r1");
    const inRoom = waitFor(client, "room");
    h.io.to("r1").emit("room", 1);
    expect(await inRoom).toEqual([1]);
    client.on("q", (n: number, cb: (v: number) => void) => cb(n + 1));
    const answer = await socket.timeout(1000).emitWithAck("q", 1);
    expect(answer).toBe(2);
  });
});
