import { Adapter as OfficialAdapter } from "socket.io-adapter";
import { Adapter } from "../../../core/adapter";
import type { BroadcastOptions } from "../../../core/types";
import { setup, type AdapterClass } from "./fakes";

function opts(rooms: string[] = [], except: string[] = []): BroadcastOptions {
  return { rooms: new Set(rooms), except: new Set(except) };
}

/** s1: a | s2: a, b | s3: b, c | s4: (own room only) */
function populated(Ctor: AdapterClass<any> = Adapter) {
  const ctx = setup(Ctor);
  ctx.nsp.connect("s1", ["a"]);
  ctx.nsp.connect("s2", ["a", "b"]);
  ctx.nsp.connect("s3", ["b", "c"]);
  ctx.nsp.connect("s4");
  ctx.nsp.journal.length = 0;
  ctx.events.length = 0;
  return ctx as ReturnType<typeof setup<Adapter>>;
}

describe("Adapter.fetchSockets", () => {
  it("returns the matching socket instances", async () => {
    const { nsp, adapter } = populated();
    const sockets = await adapter.fetchSockets(opts(["a", "c"], ["s1"]));
    expect(sockets).toEqual([nsp.sockets.get("s2"), nsp.sockets.get("s3")]);
    expect(sockets[0]).toBe(nsp.sockets.get("s2"));
  });

  it("returns every socket when no room is given", async () => {
    const { adapter } = populated();
    const sockets = await adapter.fetchSockets(opts([], ["c"]));
    expect(sockets.map((s) => s.id)).toEqual(["s1", "s2", "s4"]);
  });

  it("returns an empty list for unknown rooms", async () => {
    const { adapter } = populated();
    await expect(adapter.fetchSockets(opts(["x"]))).resolves.toEqual([]);
  });
});

describe("Adapter.addSockets", () => {
  it("makes the matching sockets join the rooms, in one join call each", () => {
    const { nsp, adapter, events } = populated();
    adapter.addSockets(opts(["b"], ["s3"]), ["x", "y"]);
    expect(nsp.journal).toEqual(["join s2 x,y"]);
    expect(adapter.socketRooms("s2")).toEqual(new Set(["s2", "a", "b", "x", "y"]));
    expect(events).toEqual([
      ["create-room", "x"],
      ["join-room", "x", "s2"],
      ["create-room", "y"],
      ["join-room", "y", "s2"],
    ]);
  });

  it("makes every socket join when no room is given", () => {
    const { adapter } = populated();
    adapter.addSockets(opts(), ["all"]);
    expect(adapter.rooms.get("all")).toEqual(new Set(["s1", "s2", "s3", "s4"]));
  });

  it("visits each socket once even if it joins a matched room meanwhile", () => {
    const { nsp, adapter } = populated();
    adapter.addSockets(opts(["a", "c"]), ["c"]);
    expect(nsp.journal).toEqual(["join s1 c", "join s2 c", "join s3 c"]);
  });
});

describe("Adapter.delSockets", () => {
  it("makes the matching sockets leave each room", () => {
    const { nsp, adapter, events } = populated();
    adapter.delSockets(opts(["a"]), ["a", "b"]);
    expect(nsp.journal).toEqual(["leave s1 a", "leave s1 b", "leave s2 a", "leave s2 b"]);
    expect(events).toEqual([
      ["leave-room", "a", "s1"],
      ["leave-room", "a", "s2"],
      ["delete-room", "a"],
      ["leave-room", "b", "s2"],
    ]);
    expect(adapter.rooms.has("a")).toBe(false);
    expect(adapter.rooms.get("b")).toEqual(new Set(["s3"]));
  });

  it("honours except", () => {
    const { adapter } = populated();
    adapter.delSockets(opts([], ["s2"]), ["b"]);
    expect(adapter.rooms.get("b")).toEqual(new Set(["s2"]));
  });
});

describe("Adapter.disconnectSockets", () => {
  it("disconnects the matching sockets with the close flag", () => {
    const { nsp, adapter } = populated();
    const [s1, s2, s3] = ["s1", "s2", "s3"].map((id) => nsp.sockets.get(id)!);
    adapter.disconnectSockets(opts(["b"]), true);
    expect(nsp.journal).toEqual(["disconnect s2 true", "disconnect s3 true"]);
    expect(s2!.disconnected).toBe(true);
    expect(s3!.disconnected).toBe(true);
    expect(s1!.disconnected).toBeUndefined();
    expect([...adapter.sids.keys()]).toEqual(["s1", "s4"]);
    adapter.disconnectSockets(opts([], ["s4"]), false);
    expect(s1!.disconnected).toBe(false);
    expect([...adapter.sids.keys()]).toEqual(["s4"]);
  });

  it("disconnects every socket, even as each one leaves its rooms during the loop", () => {
    const { nsp, adapter } = populated();
    adapter.disconnectSockets(opts(), false);
    expect(nsp.journal).toEqual([
      "disconnect s1 false",
      "disconnect s2 false",
      "disconnect s3 false",
      "disconnect s4 false",
    ]);
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
  });

  it("disconnects every member of a room that empties during the loop", () => {
    const { nsp, adapter } = populated();
    adapter.disconnectSockets(opts(["a", "b"], ["s4"]), true);
    expect(nsp.journal).toEqual(["disconnect s1 true", "disconnect s2 true", "disconnect s3 true"]);
  });
});

describe("Adapter operations match socket.io-adapter", () => {
  type Run = (adapter: Adapter) => Promise<unknown> | unknown;
  const cases: [string, Run][] = [
    ["fetchSockets", async (a) => (await a.fetchSockets(opts(["b", "a"], ["c"]))).map((s) => s.id)],
    ["sockets", async (a) => [...(await a.sockets(new Set(["c", "s4", "a"])))]],
    ["addSockets", (a) => a.addSockets(opts(["a", "b"], ["s1"]), ["b", "n"])],
    ["delSockets", (a) => a.delSockets(opts(["b"]), ["b", "c", "s3"])],
    ["disconnectSockets", (a) => a.disconnectSockets(opts([], ["a"]), true)],
    ["disconnectSockets in rooms", (a) => a.disconnectSockets(opts(["a", "c"]), false)],
  ];

  async function run(Ctor: AdapterClass<any>, fn: Run) {
    const { nsp, adapter, events } = populated(Ctor);
    adapter.addAll("ghost", new Set(["a", "b"]));
    events.length = 0;
    const result = await fn(adapter);
    return {
      result,
      journal: nsp.journal,
      events,
      rooms: adapter.rooms,
      sids: adapter.sids,
    };
  }

  it.each(cases)("%s", async (_name, fn) => {
    expect(await run(Adapter, fn)).toEqual(await run(OfficialAdapter, fn));
  });
});
