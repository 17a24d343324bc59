import { EventEmitter } from "node:events";

/** An event map: event name -> listener signature. */
export type EventsMap = Record<string, (...args: any[]) => void>;

/**
 * A node `EventEmitter` whose listener table is created with its first listener instead of in
 * the constructor. Node's `EventEmitter` methods all accept a missing table (`_events`
 * undefined), so this is an EventEmitter in every respect (`instanceof` included); it only
 * saves the ~180-byte table, and its allocation, on the many per-connection objects that never
 * get a listener (engine sockets, transports, decoders). `emit` without listeners is a single
 * check.
 */
export const LazyEventEmitter = function LazyEventEmitter(this: LazyFields): void {
  // EventEmitter.init's own fields, in its order, minus the table
  this._events = undefined;
  this._eventsCount = 0;
  this._maxListeners = undefined;
} as unknown as typeof EventEmitter;
Object.setPrototypeOf(LazyEventEmitter.prototype, EventEmitter.prototype);
Object.setPrototypeOf(LazyEventEmitter, EventEmitter);

interface LazyFields {
  _events: object | undefined;
  _eventsCount: number;
  _maxListeners: number | undefined;
}

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
  override emit<E extends keyof Events & string>(
    event: E,
    ...args: Parameters<Events[E]>
  ): boolean {
    return super.emit(event, ...args);
  }
}
