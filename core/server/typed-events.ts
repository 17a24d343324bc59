/**
 * Typed-events generics: the event maps users pass to `Server<ListenEvents, EmitEvents,
 * ServerSideEvents, SocketData>` and the helpers that turn them into method signatures (`emit`,
 * `emitWithAck`, `timeout().emit`, broadcasts with one acknowledgement per client).
 *
 * Names and type-level behaviour are socket.io 4.8's (`socket.io/dist/typed-events`), so code
 * typed against socket.io compiles unchanged; `test/types/typed-events.ts` checks each helper
 * against socket.io's own for the same maps.
 *
 * About `any`: conditional types below match against `(...args: any[]) => ...` because that is
 * the only function type every listener is assignable to (`unknown[]` parameters would reject
 * listeners with typed parameters, since parameters are checked contravariantly). Where `any`
 * appears in an exported result type, it is a deliberate "accept anything" that socket.io also
 * produces (untyped maps, listeners of unknown events).
 */
import { emitContained, emitEvent, hasListener, LazyEventEmitter } from "../util/event-emitter";
import { reportError } from "../util/report";

// ---------------------------------------------------------------------------------------------
// Event maps
// ---------------------------------------------------------------------------------------------

/**
 * An events map: event name -> listener type.
 *
 * The value type must be `any`: a user's `interface ServerToClientEvents { ... }` has no index
 * signature, and TypeScript only treats such an interface as assignable to an index signature
 * whose value type is `any` (with `unknown` or a function type, `Server<MyEvents>` would not
 * compile).
 */
export interface EventsMap {
  [event: string]: any;
}

/**
 * The map used when none is given: every event name is accepted, with any arguments.
 */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/** The union of the event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The tuple of the arguments of an event's listener. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** The event names of either map: the reserved events' and the user events'. */
export type ReservedOrUserEventNames<
  ReservedEventsMap extends EventsMap,
  UserEvents extends EventsMap,
> = EventNames<ReservedEventsMap> | EventNames<UserEvents>;

/**
 * The listener type of `Ev`: the reserved event's if `Ev` is reserved, else the user event's.
 * When the name resolves to no listener at all (see {@link UntypedIfNever}), any listener is
 * accepted, as socket.io does (socket.io issue 3833, TypeScript issue 41778).
 */
export type ReservedOrUserListener<
  ReservedEvents extends EventsMap,
  UserEvents extends EventsMap,
  Ev extends ReservedOrUserEventNames<ReservedEvents, UserEvents>,
> = UntypedIfNever<
  Ev extends EventNames<ReservedEvents>
    ? ReservedEvents[Ev]
    : Ev extends EventNames<UserEvents>
      ? UserEvents[Ev]
      : never
>;

/** `T`, or an untyped listener when `T` is `never` (not distributed: `[T]`). */
type UntypedIfNever<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

// ---------------------------------------------------------------------------------------------
// Tuple and function helpers
// ---------------------------------------------------------------------------------------------

/** `true` when `T` is `any` (only `any` makes `1 & T` a supertype of `0`). */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** `Then` when `T` is `any`, else `Else`. */
type IfAny<T, Then, Else> = IsAny<T> extends true ? Then : Else;

/**
 * The type of the last element of a tuple; the element type for a plain array; `never` for an
 * empty tuple. (Same definition as type-fest's `LastArrayElement`, used by socket.io.)
 */
export type Last<T extends readonly unknown[]> = T extends readonly [infer Only]
  ? Only
  : T extends readonly [unknown, ...infer Rest]
    ? Last<Rest>
    : T extends ReadonlyArray<infer Element>
      ? Element
      : never;

/**
 * A tuple without its last element (the arguments of `emitWithAck`, whose last listener argument
 * is the acknowledgement callback). Falls back to `any[]` when `T` has no last element to remove,
 * as socket.io does: that fallback is what lets untyped maps accept any arguments.
 */
export type AllButLast<T extends any[]> = T extends [...infer Head, infer _Tail] ? Head : any[];

/** The first element of a tuple, skipping a leading `Error` (an error-first callback). */
export type FirstNonErrorTuple<T extends unknown[]> = T[0] extends Error ? T[1] : T[0];

/**
 * The first non-error argument of a callback: what an acknowledgement resolves with. `any` when
 * `T` is not a function (socket.io's fallback, which keeps untyped maps untyped).
 */
export type FirstNonErrorArg<T> = T extends (...args: infer Params) => any
  ? FirstNonErrorTuple<Params>
  : any;

/** `Parameters<T>` without the constraint that `T` be a function (`never` otherwise). */
type ParamsOf<T> = T extends (...args: infer Params) => any ? Params : never;

/** The last listener argument of event `K`, the acknowledgement callback when there is one. */
type AckOf<Map extends EventsMap, K extends EventNames<Map>> = Last<Parameters<Map[K]>>;

// ---------------------------------------------------------------------------------------------
// Events with and without acknowledgement
// ---------------------------------------------------------------------------------------------

/**
 * The events whose last listener argument is a callback that receives some data (an
 * acknowledgement). If any event of the map is untyped (`any`), every name qualifies.
 */
export type EventNamesWithAck<
  Map extends EventsMap,
  K extends EventNames<Map> = EventNames<Map>,
> = IfAny<
  AckOf<Map, K> | Map[K],
  K,
  K extends (
    AckOf<Map, K> extends (...args: any[]) => any
      ? FirstNonErrorArg<AckOf<Map, K>> extends void
        ? never
        : K
      : never
  )
    ? K
    : never
>;

/**
 * The events whose listener takes no argument or whose last argument is not a function (events
 * that can be emitted to several clients at once). If any event of the map is untyped (`any`),
 * every name qualifies.
 */
export type EventNamesWithoutAck<
  Map extends EventsMap,
  K extends EventNames<Map> = EventNames<Map>,
> = IfAny<
  AckOf<Map, K> | Map[K],
  K,
  K extends (Parameters<Map[K]> extends never[] ? K : never)
    ? K
    : K extends (AckOf<Map, K> extends (...args: any[]) => any ? never : K)
      ? K
      : never
>;

/** The events whose acknowledgement callback is error-first (`(err: Error, ...) => void`). */
export type EventNamesWithError<
  Map extends EventsMap,
  K extends EventNamesWithAck<Map> = EventNamesWithAck<Map>,
> = IfAny<
  AckOf<Map, K> | Map[K],
  K,
  K extends (ParamsOf<AckOf<Map, K>>[0] extends Error ? K : never) ? K : never
>;

/** The map restricted to the events without acknowledgement. */
export type RemoveAcknowledgements<E extends EventsMap> = {
  [K in EventNamesWithoutAck<E>]: E[K];
};

// ---------------------------------------------------------------------------------------------
// Acknowledgement decorations (timeout error, one response per client)
// ---------------------------------------------------------------------------------------------

/** Each callback argument gets a leading `err: Error`, unless it already has one. */
type PrependTimeoutError<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer Params) => infer Result
    ? Params[0] extends Error
      ? T[K]
      : (err: Error, ...args: Params) => Result
    : T[K];
};

/** Each element of a tuple turned into an array of itself. */
export type MultiplyArray<T extends unknown[]> = {
  [K in keyof T]: T[K][];
};

/**
 * The first element of a tuple as a one-element tuple, keeping its label (`[responses: X[]]`
 * rather than `[X[]]`): the head is what remains once the rest is matched as a suffix.
 */
type FirstKeepingLabel<T extends any[]> = T extends [any, ...infer Rest]
  ? T extends [...infer Head, ...Rest]
    ? Head
    : never
  : never;

/**
 * Each callback argument receives arrays of responses (one per client) in its first non-error
 * parameter; later parameters are dropped, since a broadcast acknowledgement carries one value.
 */
type ExpectMultipleResponses<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer Params) => infer Result
    ? Params extends [Error]
      ? (err: Error) => Result
      : Params extends [Error, ...infer Rest]
        ? (err: Error, ...args: FirstKeepingLabel<MultiplyArray<Rest>>) => Result
        : Params extends []
          ? () => Result
          : (...args: FirstKeepingLabel<MultiplyArray<Params>>) => Result
    : T[K];
};

/**
 * The map as seen after `timeout()`: every acknowledgement callback receives an `Error` first.
 *
 * @example
 * interface Events {
 *   "my-event": (cb: (val: string) => void) => void;
 * }
 * socket.on("my-event", (cb) => cb("123")); // the receiver answers with one argument
 * socket.timeout(1000).emit("my-event", (err, val) => {}); // the sender also gets `err`
 */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer Params) => infer Result
    ? (...args: PrependTimeoutError<Params>) => Result
    : E[K];
};

/** The map as seen by `timeout()` on a broadcast: an `Error` first, then one array of responses. */
export type DecorateAcknowledgementsWithTimeoutAndMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer Params) => infer Result
    ? (...args: ExpectMultipleResponses<PrependTimeoutError<Params>>) => Result
    : E[K];
};

/** The map as seen by a broadcast: acknowledgement callbacks receive arrays of responses. */
export type DecorateAcknowledgementsWithMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer Params) => infer Result
    ? (...args: ExpectMultipleResponses<Params>) => Result
    : E[K];
};

// ---------------------------------------------------------------------------------------------
// Emitters
// ---------------------------------------------------------------------------------------------

/** A class that is not an EventEmitter but exposes an `emit` typed by a map (broadcasts). */
export interface TypedEventBroadcaster<EmitEvents extends EventsMap> {
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}

/** Where the errors of reserved-event listeners go. */
function onReservedError(err: unknown, event: string | symbol): void {
  reportError(err, `a "${String(event)}" listener`);
}

/**
 * A node EventEmitter typed by three maps: the user events one can listen to (`on`, `once`),
 * the user events one can `emit`, and the reserved events the class itself emits with
 * `emitReserved` (and that one can listen to as well). Namespace extends it, Server and Socket
 * through their base classes (MainNamespaceApi, SocketEvents); users meet its typed `on`,
 * `once` and `emit` on those objects.
 *
 * @typeParam ListenEvents - user events that can be listened to with `on`/`once`
 * @typeParam EmitEvents - user events that can be sent with `emit`
 * @typeParam ReservedEvents - events such as "connection" or "disconnect", emitted by the class
 */
export abstract class StrictEventEmitter<
    ListenEvents extends EventsMap,
    EmitEvents extends EventsMap,
    ReservedEvents extends EventsMap = {},
  >
  extends LazyEventEmitter
  implements TypedEventBroadcaster<EmitEvents>
{
  /** Adds `listener` for the user or reserved event `ev`. */
  override on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.on(ev, listener);
  }

  /** Adds a one-time `listener` for the user or reserved event `ev`. */
  override once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.once(ev, listener);
  }

  /** Emits the user event `ev` with arguments typed by `EmitEvents`. */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean;
  override emit(): boolean {
    return emitEvent.apply(this, arguments as unknown as [string, ...unknown[]]);
  }

  /**
   * Emits a reserved event ("connection", "disconnect", ...) to local listeners. Protected, so
   * that only the class that owns the reserved events can emit them.
   */
  protected emitReserved<Ev extends EventNames<ReservedEvents>>(
    ev: Ev,
    ...args: EventParams<ReservedEvents, Ev>
  ): boolean;
  protected emitReserved(): boolean {
    // the base emit (subclasses override `emit`); "connection", "disconnect"... are emitted on
    // behalf of a client: a listener that throws is reported, not thrown into the server
    if (!hasListener(this, arguments[0] as string)) return false;
    return emitContained(this, Array.prototype.slice.call(arguments), onReservedError);
  }

  /**
   * Emits any event to local listeners, bypassing the typing (for subclasses that dispatch
   * incoming packets whose event name is only known at run time).
   */
  protected emitUntyped(ev: string, ...args: unknown[]): boolean;
  protected emitUntyped(): boolean {
    return emitEvent.apply(this, arguments as unknown as [string, ...unknown[]]);
  }

  /** The listeners of the user or reserved event `event`. */
  override listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    event: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    return super.listeners(event) as ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
  }
}
