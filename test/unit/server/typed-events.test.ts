import { EventEmitter } from "node:events";
import { StrictEventEmitter } from "../../../core/server/typed-events";

interface ListenEvents {
  hello: (name: string) => void;
}
interface EmitEvents {
  greet: (greeting: string, count: number) => void;
}
interface ReservedEvents {
  connection: (id: string) => void;
}

class Emitter extends StrictEventEmitter<ListenEvents, EmitEvents, ReservedEvents> {
  connect(id: string): boolean {
    return this.emitReserved("connection", id);
  }
  dispatch(event: string, ...args: unknown[]): boolean {
    return this.emitUntyped(event, ...args);
  }
}

describe("StrictEventEmitter", () => {
  it("is a node EventEmitter", () => {
    expect(new Emitter()).toBeInstanceOf(EventEmitter);
  });

  it("delivers reserved events to listeners added with on()", () => {
    const emitter = new Emitter();
    const received: string[] = [];
    const listener = (id: string) => received.push(id);
    emitter.on("connection", listener);

    expect(emitter.connect("a")).toBe(true);
    expect(emitter.connect("b")).toBe(true);
    expect(received).toEqual(["a", "b"]);
    expect(emitter.listeners("connection")).toEqual([listener]);
  });

  it("calls a once() listener a single time", () => {
    const emitter = new Emitter();
    const received: string[] = [];
    emitter.once("connection", (id) => received.push(id));

    emitter.connect("a");
    expect(emitter.connect("b")).toBe(false);
    expect(received).toEqual(["a"]);
    expect(emitter.listeners("connection")).toEqual([]);
  });

  it("emits user and untyped events with their arguments", () => {
    const emitter = new Emitter();
    const received: unknown[][] = [];
    emitter.on("hello", (...args) => received.push(args));
    (emitter as EventEmitter).on("greet", (...args: unknown[]) => received.push(args));

    expect(emitter.dispatch("hello", "bob")).toBe(true);
    expect(emitter.emit("greet", "hi", 2)).toBe(true);
    expect(emitter.dispatch("nobody-listens")).toBe(false);
    expect(received).toEqual([["bob"], ["hi", 2]]);
  });
});
