/**
 * Compile-time tests of core/server/typed-events.ts, checked by `tsc -p tsconfig.json --noEmit`
 * (not run by jest). Two kinds of checks:
 * - conformance: each helper, applied to the same event maps, is *identical* to socket.io 4.8's
 *   (imported as types from the devDependency `socket.io`);
 * - usage: typed `on`/`emit`/`emitReserved` accept what socket.io accepts and reject the rest
 *   (`// @ts-expect-error` lines fail the compilation if the next line compiles).
 */
import type * as Sio from "socket.io/dist/typed-events";
import {
  StrictEventEmitter,
  type AllButLast,
  type DecorateAcknowledgements,
  type DecorateAcknowledgementsWithMultipleResponses,
  type DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  type DefaultEventsMap,
  type EventNames,
  type EventNamesWithAck,
  type EventNamesWithError,
  type EventNamesWithoutAck,
  type EventParams,
  type EventsMap,
  type FirstNonErrorArg,
  type Last,
  type RemoveAcknowledgements,
  type ReservedOrUserEventNames,
  type ReservedOrUserListener,
  type TypedEventBroadcaster,
} from "../../core/server/typed-events";

// ---------------------------------------------------------------------------------------------
// Assertion helpers
// ---------------------------------------------------------------------------------------------

/** `true` only when A and B are identical (not merely mutually assignable). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when given `true`. */
function assert<T extends true>(): T | void {}

/** Compiles only when `value` has exactly the type `T`. */
function expectType<T>() {
  return <V>(value: V & (Equals<T, V> extends true ? unknown : never)): V => value;
}

// ---------------------------------------------------------------------------------------------
// Event maps under test
// ---------------------------------------------------------------------------------------------

interface ServerToClientEvents {
  noArg: () => void;
  basicEmit: (a: number, b: string, c: Buffer) => void;
  optionalArg: (a?: string) => void;
  withAck: (d: string, callback: (e: number) => void) => void;
  withErrorAck: (d: string, callback: (err: Error, e: number) => void) => void;
  ackWithoutData: (callback: () => void) => void;
  ackOnlyError: (callback: (err: Error) => void) => void;
  ackTwoValues: (callback: (a: number, b: string) => void) => void;
}

interface ClientToServerEvents {
  hello: (name: string) => void;
  ping: (callback: (pong: "pong") => void) => void;
}

/** A map with one untyped event: socket.io then gives up on the ack/no-ack split. */
interface PartlyUntypedEvents {
  untyped: any;
  typed: (x: number) => void;
}

/** Type-level `Record` maps work as well as interfaces. */
type RecordEvents = Record<"a" | "b", (value: string, ack: (ok: boolean) => void) => void>;

interface ReservedEvents {
  connection: (id: string) => void;
  disconnect: (reason: string, description?: unknown) => void;
}

// A user interface without index signature is an EventsMap (the reason EventsMap uses `any`).
assert<ServerToClientEvents extends EventsMap ? true : false>();
assert<RecordEvents extends EventsMap ? true : false>();

// ---------------------------------------------------------------------------------------------
// Conformance with socket.io 4.8, helper by helper
// ---------------------------------------------------------------------------------------------

assert<Equals<DefaultEventsMap, Sio.DefaultEventsMap>>();

/** Every helper applied to map M equals socket.io's applied to M. */
type Conforms<M extends EventsMap> = [
  Equals<EventNames<M>, Sio.EventNames<M>>,
  Equals<EventNamesWithAck<M>, Sio.EventNamesWithAck<M>>,
  Equals<EventNamesWithoutAck<M>, Sio.EventNamesWithoutAck<M>>,
  Equals<EventNamesWithError<M>, Sio.EventNamesWithError<M>>,
  Equals<RemoveAcknowledgements<M>, Sio.RemoveAcknowledgements<M>>,
  Equals<DecorateAcknowledgements<M>, Sio.DecorateAcknowledgements<M>>,
  Equals<
    DecorateAcknowledgementsWithMultipleResponses<M>,
    Sio.DecorateAcknowledgementsWithMultipleResponses<M>
  >,
  Equals<
    DecorateAcknowledgementsWithTimeoutAndMultipleResponses<M>,
    Sio.DecorateAcknowledgementsWithTimeoutAndMultipleResponses<M>
  >,
  Equals<
    DecorateAcknowledgements<DecorateAcknowledgementsWithMultipleResponses<M>>,
    Sio.DecorateAcknowledgements<Sio.DecorateAcknowledgementsWithMultipleResponses<M>>
  >,
  Equals<
    ReservedOrUserEventNames<ReservedEvents, M>,
    Sio.ReservedOrUserEventNames<ReservedEvents, M>
  >,
];

/** Per-event helpers (params, ack result, listener) for each event name of M. */
type ConformsPerEvent<M extends EventsMap> = {
  [K in EventNames<M>]: [
    Equals<EventParams<M, K>, Sio.EventParams<M, K>>,
    Equals<Last<EventParams<M, K>>, Sio.Last<Sio.EventParams<M, K>>>,
    Equals<AllButLast<EventParams<M, K>>, Sio.AllButLast<Sio.EventParams<M, K>>>,
    Equals<
      FirstNonErrorArg<Last<EventParams<M, K>>>,
      Sio.FirstNonErrorArg<Sio.Last<Sio.EventParams<M, K>>>
    >,
    Equals<
      ReservedOrUserListener<ReservedEvents, M, K>,
      Sio.ReservedOrUserListener<ReservedEvents, M, K>
    >,
  ];
}[EventNames<M>];

type AllTrue<T extends boolean[]> = T extends true[] ? true : false;

assert<AllTrue<Conforms<DefaultEventsMap>>>();
assert<AllTrue<Conforms<ServerToClientEvents>>>();
assert<AllTrue<Conforms<ClientToServerEvents>>>();
assert<AllTrue<Conforms<PartlyUntypedEvents>>>();
assert<AllTrue<Conforms<RecordEvents>>>();
assert<AllTrue<Conforms<{}>>>();
assert<AllTrue<ConformsPerEvent<DefaultEventsMap>>>();
assert<AllTrue<ConformsPerEvent<ServerToClientEvents>>>();
assert<AllTrue<ConformsPerEvent<PartlyUntypedEvents>>>();
assert<AllTrue<ConformsPerEvent<RecordEvents>>>();
assert<
  Equals<
    ReservedOrUserListener<ReservedEvents, ClientToServerEvents, "connection">,
    Sio.ReservedOrUserListener<ReservedEvents, ClientToServerEvents, "connection">
  >
>();

// The helpers themselves, spelled out (so a regression shows what changed, not just "false").
// An ack that receives no data (`() => void`, `(err: Error) => void`) does not count as an ack.
assert<
  Equals<EventNamesWithAck<ServerToClientEvents>, "withAck" | "withErrorAck" | "ackTwoValues">
>();
assert<Equals<EventNamesWithoutAck<ServerToClientEvents>, "noArg" | "basicEmit" | "optionalArg">>();
assert<Equals<EventNamesWithError<ServerToClientEvents>, "withErrorAck">>();
assert<Equals<EventNamesWithAck<PartlyUntypedEvents>, "untyped" | "typed">>();
assert<Equals<EventNamesWithoutAck<DefaultEventsMap>, string>>();
assert<
  Equals<
    keyof RemoveAcknowledgements<ServerToClientEvents>,
    EventNamesWithoutAck<ServerToClientEvents>
  >
>();
assert<Equals<AllButLast<[string, (e: number) => void]>, [string]>>();
assert<Equals<AllButLast<[]>, any[]>>();
assert<Equals<Last<[string, number]>, number>>();
assert<Equals<Last<[]>, never>>();
assert<Equals<Last<boolean[]>, boolean>>();
assert<Equals<FirstNonErrorArg<(err: Error, value: number) => void>, number>>();
assert<Equals<FirstNonErrorArg<(value: string) => void>, string>>();
assert<Equals<FirstNonErrorArg<string>, any>>();
assert<
  Equals<
    DecorateAcknowledgements<ServerToClientEvents>["withAck"],
    (d: string, callback: (err: Error, e: number) => void) => void
  >
>();
assert<
  Equals<
    DecorateAcknowledgementsWithMultipleResponses<ServerToClientEvents>["ackTwoValues"],
    (callback: (a: number[]) => void) => void
  >
>();
assert<
  Equals<
    DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerToClientEvents>["withAck"],
    (d: string, callback: (err: Error, e: number[]) => void) => void
  >
>();

// ---------------------------------------------------------------------------------------------
// Usage: a StrictEventEmitter subclass, as Server/Namespace/Socket are
// ---------------------------------------------------------------------------------------------

class Emitter extends StrictEventEmitter<
  ClientToServerEvents,
  ServerToClientEvents,
  ReservedEvents
> {
  connect(id: string): void {
    this.emitReserved("connection", id);
    this.emitReserved("disconnect", "transport close");
    // @ts-expect-error wrong argument type for a reserved event
    this.emitReserved("connection", 42);
    // @ts-expect-error a user event is not a reserved event
    this.emitReserved("hello", "x");
    this.emitUntyped("anything", 1, "two", { three: 3 });
  }
}

const emitter = new Emitter();

emitter.on("hello", (name) => expectType<string>()(name));
emitter.once("ping", (callback) => callback("pong"));
emitter.on("connection", (id) => expectType<string>()(id));
emitter.on("disconnect", (reason, description) => {
  expectType<string>()(reason);
  expectType<unknown>()(description);
});
// @ts-expect-error the listener's parameter type does not match the event
emitter.on("hello", (name: number) => name);

emitter.emit("noArg");
emitter.emit("basicEmit", 1, "2", Buffer.from([3]));
emitter.emit("optionalArg");
emitter.emit("withAck", "4", (e) => expectType<number>()(e));
// @ts-expect-error missing arguments
emitter.emit("basicEmit", 1);
// @ts-expect-error wrong argument type
emitter.emit("withAck", 4, () => {});
// @ts-expect-error not an EmitEvents name
emitter.emit("hello", "x");
// @ts-expect-error emitReserved is protected
emitter.emitReserved("connection", "id");
// @ts-expect-error emitUntyped is protected
emitter.emitUntyped("anything");

expectType<((name: string) => void)[]>()(emitter.listeners("hello"));
expectType<((id: string) => void)[]>()(emitter.listeners("connection"));

// An emitter without maps accepts anything, like `new Server()`.
class LooseEmitter extends StrictEventEmitter<DefaultEventsMap, DefaultEventsMap> {}
const loose = new LooseEmitter();
loose.on("whatever", (a: number, b: string) => [a, b]);
loose.emit("whatever", 1, "b", { c: true });

// timeout(): the acknowledgement gets an error first.
declare const withTimeout: TypedEventBroadcaster<DecorateAcknowledgements<ServerToClientEvents>>;
withTimeout.emit("withAck", "4", (err, e) => {
  expectType<Error>()(err);
  expectType<number>()(e);
});
withTimeout.emit("withErrorAck", "4", (err, e) => {
  expectType<Error>()(err);
  expectType<number>()(e);
});

// Broadcast with timeout: one response per client.
declare const broadcast: TypedEventBroadcaster<
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerToClientEvents>
>;
broadcast.emit("withAck", "4", (err, responses) => {
  expectType<Error>()(err);
  expectType<number[]>()(responses);
});
// @ts-expect-error the ack of a broadcast receives an array
broadcast.emit("withAck", "4", (err: Error, e: string) => [err, e]);
