import { Adapter as OfficialAdapter } from "socket.io-adapter";
import { Adapter } from "../../../core/adapter";
import { setup, type AdapterClass, type AdapterLike } from "./fakes";

describe("Adapter room bookkeeping", () => {
  it("addAll creates rooms, then joins them, with create-room before join-room", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1", "a", "b"]));
    expect(events).toEqual([
      ["create-room", "s1"],
      ["join-room", "s1", "s1"],
      ["create-room", "a"],
      ["join-room", "a", "s1"],
      ["create-room", "b"],
      ["join-room", "b", "s1"],
    ]);
    expect(adapter.rooms).toEqual(
      new Map([
        ["s1", new Set(["s1"])],
        ["a", new Set(["s1"])],
        ["b", new Set(["s1"])],
      ]),
    );
    expect(adapter.sids).toEqual(new Map([["s1", new Set(["s1", "a", "b"])]]));
  });

  it("joining an existing room emits join-room only; joining twice emits nothing", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["a"]));
    events.length = 0;
    adapter.addAll("s2", new Set(["a"]));
    adapter.addAll("s2", new Set(["a"]));
    expect(events).toEqual([["join-room", "a", "s2"]]);
    expect(adapter.rooms.get("a")).toEqual(new Set(["s1", "s2"]));
  });

  it("addAll with no rooms still registers the socket id", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set());
    expect(adapter.sids.get("s1")).toEqual(new Set());
    expect(events).toEqual([]);
  });

  it("del emits leave-room, then delete-room when the room empties", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["a"]));
    adapter.addAll("s2", new Set(["a"]));
    events.length = 0;
    adapter.del("s1", "a");
    expect(events).toEqual([["leave-room", "a", "s1"]]);
    adapter.del("s2", "a");
    expect(events).toEqual([
      ["leave-room", "a", "s1"],
      ["leave-room", "a", "s2"],
      ["delete-room", "a"],
    ]);
    expect(adapter.rooms.has("a")).toBe(false);
    // the socket stays known, with no rooms
    expect(adapter.sids.get("s1")).toEqual(new Set());
  });

  it("del of an unknown socket or room is a no-op", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["a"]));
    events.length = 0;
    adapter.del("nope", "a");
    adapter.del("s1", "nope");
    expect(events).toEqual([]);
    expect(adapter.rooms.get("a")).toEqual(new Set(["s1"]));
  });

  it("delAll leaves every room, its own-id room too, in join order", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1", "a", "b"]));
    adapter.addAll("s2", new Set(["s2", "a"]));
    events.length = 0;
    adapter.delAll("s1");
    expect(events).toEqual([
      ["leave-room", "s1", "s1"],
      ["delete-room", "s1"],
      ["leave-room", "a", "s1"],
      ["leave-room", "b", "s1"],
      ["delete-room", "b"],
    ]);
    expect(adapter.sids.has("s1")).toBe(false);
    expect([...adapter.rooms.keys()]).toEqual(["a", "s2"]);
    adapter.delAll("s1");
    expect(events).toHaveLength(5);
  });

  it("socketRooms returns the joined rooms, or undefined", () => {
    const { adapter } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1", "a"]));
    expect(adapter.socketRooms("s1")).toEqual(new Set(["s1", "a"]));
    expect(adapter.socketRooms("s2")).toBeUndefined();
  });

  it("sockets() lists the sockets of the given rooms, or all when empty", async () => {
    const { nsp, adapter } = setup(Adapter);
    nsp.connect("s1", ["a"]);
    nsp.connect("s2", ["a", "b"]);
    nsp.connect("s3", ["c"]);
    adapter.addAll("ghost", new Set(["a"])); // in a room, but not a socket of the namespace
    expect(await adapter.sockets(new Set())).toEqual(new Set(["s1", "s2", "s3"]));
    expect(await adapter.sockets(new Set(["a", "b"]))).toEqual(new Set(["s1", "s2"]));
    expect(await adapter.sockets(new Set(["c", "unknown"]))).toEqual(new Set(["s3"]));
  });

  it("serverCount() is 1; init() and close() are no-ops", async () => {
    const { adapter } = setup(Adapter);
    expect(await adapter.serverCount()).toBe(1);
    expect(adapter.init()).toBeUndefined();
    expect(adapter.close()).toBeUndefined();
  });

  it("exposes the namespace and its server's encoder", () => {
    const { nsp, adapter } = setup(Adapter);
    expect(adapter.nsp).toBe(nsp);
    expect(adapter.encoder).toBe(nsp.server.encoder);
  });

  it("serverSideEmit() warns, as socket.io-adapter does", () => {
    const { adapter } = setup(Adapter);
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(adapter.serverSideEmit(["hello", 1])).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(
        "this adapter does not support the serverSideEmit() functionality",
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("persistSession() is a no-op and restoreSession() resolves null", async () => {
    const { adapter } = setup(Adapter);
    adapter.persistSession({ sid: "s1", pid: "p1", rooms: ["s1"], data: {} });
    await expect(adapter.restoreSession("p1", "x")).resolves.toBeNull();
  });
});

describe("Adapter: the own room shares its Set with the socket's room list until either changes", () => {
  it("a first join of the own room makes one Set for both, with the usual events", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1"]));
    expect(events).toEqual([
      ["create-room", "s1"],
      ["join-room", "s1", "s1"],
    ]);
    expect(adapter.rooms.get("s1")).toBe(adapter.sids.get("s1"));
    expect(adapter.sids.get("s1")).toEqual(new Set(["s1"]));
  });

  it("joining another room keeps socket.rooms live and leaves the own room as it was", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1"]));
    const roomsOfS1 = adapter.socketRooms("s1") as Set<string>;
    events.length = 0;
    adapter.addAll("s1", new Set(["a"]));
    expect(events).toEqual([
      ["create-room", "a"],
      ["join-room", "a", "s1"],
    ]);
    expect(roomsOfS1).toEqual(new Set(["s1", "a"])); // the reference taken before still sees it
    expect(adapter.socketRooms("s1")).toBe(roomsOfS1);
    expect(adapter.rooms.get("s1")).toEqual(new Set(["s1"]));
    expect(adapter.rooms.get("s1")).not.toBe(roomsOfS1);
  });

  it("another socket joining a socket's own room does not add a room to that socket", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1"]));
    adapter.addAll("s2", new Set(["s2"]));
    events.length = 0;
    adapter.addAll("s2", new Set(["s1"]));
    expect(events).toEqual([["join-room", "s1", "s2"]]);
    expect(adapter.rooms.get("s1")).toEqual(new Set(["s1", "s2"]));
    expect(adapter.sids.get("s1")).toEqual(new Set(["s1"]));
    expect(adapter.sids.get("s2")).toEqual(new Set(["s2", "s1"]));
    adapter.delAll("s1");
    expect(adapter.rooms.get("s1")).toEqual(new Set(["s2"]));
    expect(adapter.sids.get("s2")).toEqual(new Set(["s2", "s1"]));
  });

  it("leaving the own room empties both lists and emits leave-room then delete-room", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1"]));
    events.length = 0;
    adapter.del("s1", "s1");
    expect(events).toEqual([
      ["leave-room", "s1", "s1"],
      ["delete-room", "s1"],
    ]);
    expect(adapter.rooms.has("s1")).toBe(false);
    expect(adapter.sids.get("s1")).toEqual(new Set());
  });

  it("delAll of a socket with only its (shared) own room", () => {
    const { adapter, events } = setup(Adapter);
    adapter.addAll("s1", new Set(["s1"]));
    events.length = 0;
    adapter.delAll("s1");
    expect(events).toEqual([
      ["leave-room", "s1", "s1"],
      ["delete-room", "s1"],
    ]);
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);
  });
});

describe("Adapter room bookkeeping matches socket.io-adapter", () => {
  function scenario<A extends AdapterLike>(Ctor: AdapterClass<A>) {
    const { adapter, events } = setup(Ctor);
    adapter.addAll("s1", new Set(["s1", "a", "b"]));
    adapter.addAll("s2", new Set(["s2", "b", "c"]));
    adapter.addAll("s1", new Set(["c", "a"]));
    adapter.del("s2", "b");
    adapter.del("s2", "zzz");
    adapter.del("s3", "a");
    adapter.delAll("s1");
    adapter.addAll("s3", new Set(["s3", "c"]));
    adapter.delAll("s2");
    adapter.delAll("s3");
    // sockets that first join their own room only (as every Socket.IO socket does)
    for (const id of ["t1", "t2", "t3", "t4"]) adapter.addAll(id, new Set([id]));
    adapter.addAll("t2", new Set(["t1"]));
    adapter.addAll("t1", new Set(["x"]));
    adapter.del("t3", "t3");
    adapter.addAll("t3", new Set(["t3", "t4"]));
    adapter.del("t4", "t4");
    adapter.delAll("t1");
    adapter.delAll("t4");
    return { events, adapter: adapter as unknown as Adapter };
  }

  it("emits the same events in the same order and ends in the same state", () => {
    const ours = scenario(Adapter);
    const official = scenario(OfficialAdapter as unknown as AdapterClass<AdapterLike>);
    expect(ours.events).toEqual(official.events);
    expect(ours.adapter.rooms).toEqual(official.adapter.rooms);
    expect(ours.adapter.sids).toEqual(official.adapter.sids);
    expect(ours.events.length).toBeGreaterThan(10);
  });
});
