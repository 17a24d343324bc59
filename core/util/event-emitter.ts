import { EventEmitter } from "node:events";
import { emitterFields, listenerTable, type EmitterFields } from "./private-fields";

/** An event map: event name -> listener signature. */
export type EventsMap = Record<string, (...args: any[]) => void>;

/**
 * A node `EventEmitter` built for the many objects a connection creates (engine sockets,
 * transports, Socket.IO sockets, decoders), most of which never get a listener for most events:
 *
 * - the listener table is created with the first listener, not in the constructor (node's
 *   methods all accept a missing `_events`), and it is a fast object (see `ListenerTable`);
 * - `emit` of an event nobody listens to returns at once, without collecting its arguments
 *   (node's `emit(type, ...args)` allocates them on every call).
 *
 * Otherwise it is node's EventEmitter (`instanceof` included): same methods, same semantics.
 * Node's private fields are read through private-fields.ts (with a test that fails when node
 * changes them).
 */
export const LazyEventEmitter = function LazyEventEmitter(this: EmitterFields): void {
  // EventEmitter.init's own fields, in its order, minus the table
  this._events = undefined;
  this._eventsCount = 0;
  this._maxListeners = undefined;
} as unknown as typeof EventEmitter;
Object.setPrototypeOf(LazyEventEmitter.prototype, EventEmitter.prototype);
Object.setPrototypeOf(LazyEventEmitter, EventEmitter);

/**
 * The listener table. Node's is `{ __proto__: null }`, an object V8 keeps in dictionary mode
 * (slow to fill, ~350 bytes with five events); this one's prototype is itself null-prototyped,
 * so names like "toString" still miss, but the table is an ordinary fast object whose layout is
 * shared by every emitter listening to the same events. Node puts its own table back when the
 * last listener goes.
 */
const ListenerTable = function ListenerTable(): void {} as unknown as new () => Record<
  string | symbol,
  unknown
>;
ListenerTable.prototype = Object.create(null) as object;

type Listener = (...args: any[]) => void;
const { addListener, prependListener, emit: nodeEmit } = EventEmitter.prototype;

function on(this: EventEmitter, event: string | symbol, listener: Listener): EventEmitter {
  const self = emitterFields(this);
  if (self._events === undefined) self._events = new ListenerTable();
  return addListener.call(this, event, listener);
}

function prepend(this: EventEmitter, event: string | symbol, listener: Listener): EventEmitter {
  const self = emitterFields(this);
  if (self._events === undefined) self._events = new ListenerTable();
  return prependListener.call(this, event, listener);
}

/**
 * Emits `event` with the arguments that follow it: node's `emit`, after a listener check that
 * costs nothing when nobody listens ("error" always goes to node, which throws without a
 * listener). Also usable as `emitEvent.apply(emitter, [event, ...args])`.
 */
export function emitEvent(this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean;
export function emitEvent(this: EventEmitter): boolean {
  const events = listenerTable(this);
  const event = arguments[0] as string | symbol;
  if (event !== "error" && (events === undefined || events[event] === undefined)) return false;
  return nodeEmit.apply(this, arguments as unknown as [string | symbol, ...unknown[]]);
}

/** Whether `emitter` has a listener for `event` (no allocation, unlike `listenerCount`'s path). */
export function hasListener(emitter: EventEmitter, event: string | symbol): boolean {
  const events = listenerTable(emitter);
  return events !== undefined && events[event] !== undefined;
}

/**
 * Emits `event` (`[name, ...args]`) as node's `emit` would, except that a listener that throws,
 * or returns a promise that rejects, is reported to `onError` instead of escaping: the other
 * listeners still run. For the application's handlers of client events.
 */
export function emitContained(
  emitter: EventEmitter,
  event: unknown[],
  onError: (err: unknown, event: string | symbol) => void,
): boolean {
  const events = listenerTable(emitter);
  const name = event[0] as string | symbol;
  const handler = events === undefined ? undefined : events[name];
  if (handler === undefined) return false;
  if (typeof handler === "function") {
    invokeContained(emitter, handler as Listener, event, onError);
    return true;
  }
  // as node: the listeners present when the emit starts
  const listeners = (handler as Listener[]).slice();
  for (let i = 0; i < listeners.length; i++) {
    invokeContained(emitter, listeners[i], event, onError);
  }
  return true;
}

function invokeContained(
  emitter: EventEmitter,
  listener: Listener,
  event: unknown[],
  onError: (err: unknown, event: string | symbol) => void,
): void {
  let result: unknown;
  try {
    const n = event.length;
    result =
      n === 1
        ? listener.call(emitter)
        : n === 2
          ? listener.call(emitter, event[1])
          : n === 3
            ? listener.call(emitter, event[1], event[2])
            : listener.apply(emitter, event.slice(1));
  } catch (err) {
    onError(err, event[0] as string | symbol);
    return;
  }
  if (
    result !== null &&
    typeof result === "object" &&
    typeof (result as Promise<unknown>).then === "function"
  ) {
    (result as Promise<unknown>).then(undefined, (err: unknown) =>
      onError(err, event[0] as string | symbol),
    );
  }
}

const lazyProto = LazyEventEmitter.prototype as unknown as Record<string, unknown>;
lazyProto.addListener = lazyProto.on = on;
lazyProto.prependListener = prepend;
lazyProto.emit = emitEvent;

/** A lazy EventEmitter whose `on`/`once`/`off`/`emit` are typed by an event map. */
export class TypedEventEmitter<Events extends EventsMap> extends LazyEventEmitter {
  override on<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    return super.on(event, listener);
  }
  override once<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    return super.once(event, listener);
  }
  override off<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    return super.off(event, listener);
  }
}

// typed `emit` without an implementation of its own (no argument array per call)
export interface TypedEventEmitter<Events extends EventsMap> {
  emit<E extends keyof Events & string>(event: E, ...args: Parameters<Events[E]>): boolean;
}
