import { EventEmitter } from "node:events";

/** An event map: event name -> listener signature. */
export type EventsMap = Record<string, (...args: any[]) => void>;

/** A node EventEmitter whose `on`/`once`/`off`/`emit` are typed by an event map. */
export class TypedEventEmitter<Events extends EventsMap> extends EventEmitter {
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
