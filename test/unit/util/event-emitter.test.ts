import { EventEmitter, once } from "node:events";
import { emitEvent, LazyEventEmitter, TypedEventEmitter } from "../../../core/util/event-emitter";

class Lazy extends LazyEventEmitter {}

describe("LazyEventEmitter", () => {
  it("is a node EventEmitter without a listener table until the first listener", () => {
    const e = new Lazy();
    expect(e).toBeInstanceOf(EventEmitter);
    expect((e as unknown as { _events: unknown })._events).toBeUndefined();
    expect(e.emit("nothing", 1)).toBe(false);
    expect(e.listenerCount("x")).toBe(0);
    expect(e.eventNames()).toEqual([]);
    e.on("x", () => {});
    expect((e as unknown as { _events: unknown })._events).toBeDefined();
    expect(e.eventNames()).toEqual(["x"]);
  });

  it("emits with every argument, in listener order, prepend and once included", async () => {
    const e = new Lazy();
    const calls: unknown[][] = [];
    e.on("x", (...args: unknown[]) => calls.push(["on", ...args]));
    e.prependListener("x", (...args: unknown[]) => calls.push(["prepend", ...args]));
    e.once("x", (...args: unknown[]) => calls.push(["once", ...args]));
    expect(e.emit("x", 1, "two", { three: 3 })).toBe(true);
    expect(e.emit("x")).toBe(true);
    expect(calls).toEqual([
      ["prepend", 1, "two", { three: 3 }],
      ["on", 1, "two", { three: 3 }],
      ["once", 1, "two", { three: 3 }],
      ["prepend"],
      ["on"],
    ]);
    const waiting = once(e, "later");
    e.emit("later", 42);
    expect(await waiting).toEqual([42]);
  });

  it("does not see Object.prototype names as listeners", () => {
    const e = new Lazy();
    e.on("x", () => {});
    expect(e.emit("toString")).toBe(false);
    expect(e.emit("constructor")).toBe(false);
    expect(e.listenerCount("hasOwnProperty")).toBe(0);
  });

  it("throws an 'error' without listener, as node does, and hands it to a listener", () => {
    const e = new Lazy();
    expect(() => e.emit("error", new Error("boom"))).toThrow("boom");
    const seen: Error[] = [];
    e.on("error", (err: Error) => seen.push(err));
    e.emit("error", new Error("caught"));
    expect(seen.map((err) => err.message)).toEqual(["caught"]);
  });

  it("goes back to an empty table when the last listener goes, and works on", () => {
    const e = new Lazy();
    const fn = (): void => {};
    e.on("x", fn);
    e.off("x", fn);
    expect(e.listenerCount("x")).toBe(0);
    expect(e.emit("x")).toBe(false);
    let n = 0;
    e.on("x", () => n++);
    e.emit("x");
    e.removeAllListeners();
    e.emit("x");
    expect(n).toBe(1);
  });

  it("emitEvent.apply takes [event, ...args] and bypasses a subclass's emit", () => {
    class Custom extends LazyEventEmitter {
      override emit(): boolean {
        throw new Error("not this one");
      }
    }
    const e = new Custom();
    const got: unknown[] = [];
    e.on("ev", (a: unknown, b: unknown) => got.push(a, b));
    expect(emitEvent.apply(e, ["ev", 1, 2])).toBe(true);
    expect(got).toEqual([1, 2]);
  });

  it("TypedEventEmitter keeps the same behaviour", () => {
    const e = new TypedEventEmitter<{ ping: (n: number) => void }>();
    const got: number[] = [];
    e.on("ping", (n) => got.push(n));
    e.emit("ping", 7);
    expect(got).toEqual([7]);
  });
});
