/**
 * SocketEvents: the event side of a Socket: its per-event middlewares (`socket.use()`), its
 * catch-all listeners (`onAny()`, `onAnyOutgoing()`), and the delivery of an incoming event to
 * them and to the socket's own listeners.
 */
import { createDebug } from "../util/debug";
import { emitContained } from "../util/event-emitter";
import { listenerTable } from "../util/private-fields";
import type { EventEmitter } from "node:events";
import { runSteps } from "../util/middleware";
import { reportError } from "../util/report";
import type { DisconnectReason, Packet } from "../types";
import { StrictEventEmitter, type EventsMap } from "./typed-events";

const debug = createDebug("socket.io:socket");

/** An incoming event as per-socket middlewares see it: `[eventName, ...args]`. */
export type Event = [string, ...unknown[]];

export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: unknown) => void;
  disconnecting: (reason: DisconnectReason, description?: unknown) => void;
  error: (err: Error) => void;
}

// eslint-style note: listener signatures must accept the user's arguments as they come
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;

/** @internal the no-op "error" listener every socket has, as in socket.io */
export function ignoreError(): void {}

/** Whether the application listens to a socket's "error" events (not only {@link ignoreError}). */
function hasOwnErrorListener(socket: EventEmitter): boolean {
  const listeners = listenerTable(socket)?.error;
  return listeners !== undefined && listeners !== ignoreError;
}

/** Where the errors of event handlers go (see {@link emitContained}). */
function onHandlerError(err: unknown, event: string | symbol): void {
  reportError(err, `a "${String(event)}" event handler`);
}

/** Delivers an incoming event to the socket's listeners, on the next tick (as socket.io). */
function deliverEvent(socket: SocketEvents<EventsMap, EventsMap>, event: unknown[]): void {
  socket.deliver(event);
}

function removeListener(list: AnyListener[] | null, listener?: AnyListener): AnyListener[] | null {
  if (list === null) return null;
  if (!listener) return [];
  const i = list.indexOf(listener);
  if (i !== -1) list.splice(i, 1);
  return list;
}

/**
 * The base class of {@link Socket}: what happens to an event between its packet and the
 * socket's listeners (catch-all listeners, then middlewares, then the listeners on the next
 * tick), and the catch-all listeners of outgoing events. Applications never create one; they
 * meet its methods (`use`, `onAny`, `onAnyOutgoing`, ...) on the sockets they are given.
 */
export abstract class SocketEvents<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
> extends StrictEventEmitter<ListenEvents, EmitEvents, SocketReservedEventsMap> {
  /** Whether the socket is connected to its namespace. */
  abstract connected: boolean;

  #fns: ((event: Event, next: (err?: Error) => void) => void)[] | null = null;
  #anyListeners: AnyListener[] | null = null;
  #anyOutgoingListeners: AnyListener[] | null = null;

  /**
   * @internal an incoming event (`[name, ...args]`, the acknowledgement callback last when the
   * client asked for one): the catch-all listeners now, then the middlewares, then the listeners
   */
  dispatchEvent(args: unknown[]): void {
    const any = this.#anyListeners;
    if (any !== null && any.length > 0) {
      for (const listener of any.slice()) {
        try {
          listener.apply(this, args);
        } catch (err) {
          reportError(err, "an onAny() listener");
        }
      }
    }
    const event = args as Event;
    const fns = this.#fns;
    if (fns === null || fns.length === 0) {
      process.nextTick(deliverEvent, this, event);
      return;
    }
    const list = fns.slice(0);
    runSteps(
      list.length,
      (i, next) => list[i](event, next as (err?: Error) => void),
      (err, failure) => {
        if (err) {
          // a throwing middleware is reported as next(err) is: as the socket's "error"
          if (failure && !hasOwnErrorListener(this)) {
            reportError(err, "a socket.use() middleware");
          }
          process.nextTick(() => this.onerror(err as Error));
          return;
        }
        process.nextTick(deliverEvent, this, event);
      },
    );
  }

  /** @internal emits an incoming event to the listeners, if still connected */
  deliver(event: unknown[]): void {
    if (!this.connected) {
      debug("ignore packet received after disconnection");
      return;
    }
    const ev = event[0] as string;
    // an "error" event from the client without listener must not throw
    if (ev === "error" && this.listenerCount("error") === 0) return;
    // the event array is [name, ...args]; a handler that throws or rejects is reported, and
    // neither the process nor the other clients see it
    emitContained(this, event, onHandlerError);
  }

  /** @internal an error of the connection or of a middleware */
  onerror(err: Error): void {
    if (this.listenerCount("error") > 0) this.emitReserved("error", err);
  }

  /** Adds a middleware run for every incoming event: `(event, next) => {}`. */
  use(fn: (event: Event, next: (err?: Error) => void) => void): this {
    (this.#fns ??= []).push(fn);
    return this;
  }

  /** Adds a listener for every incoming event: `(event, ...args) => {}`. */
  onAny(listener: AnyListener): this {
    (this.#anyListeners ??= []).push(listener);
    return this;
  }

  /** Like {@link SocketEvents.onAny}, first in line. */
  prependAny(listener: AnyListener): this {
    (this.#anyListeners ??= []).unshift(listener);
    return this;
  }

  /** Removes a catch-all listener, or all of them. */
  offAny(listener?: AnyListener): this {
    this.#anyListeners = removeListener(this.#anyListeners, listener);
    return this;
  }

  /** The catch-all listeners of incoming events. */
  listenersAny(): AnyListener[] {
    return this.#anyListeners ?? [];
  }

  /** Adds a listener for every outgoing event: `(event, ...args) => {}`. */
  onAnyOutgoing(listener: AnyListener): this {
    (this.#anyOutgoingListeners ??= []).push(listener);
    return this;
  }

  /** Like {@link SocketEvents.onAnyOutgoing}, first in line. */
  prependAnyOutgoing(listener: AnyListener): this {
    (this.#anyOutgoingListeners ??= []).unshift(listener);
    return this;
  }

  /** Removes an outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: AnyListener): this {
    this.#anyOutgoingListeners = removeListener(this.#anyOutgoingListeners, listener);
    return this;
  }

  /** The catch-all listeners of outgoing events. */
  listenersAnyOutgoing(): AnyListener[] {
    return this.#anyOutgoingListeners ?? [];
  }

  /** Calls the outgoing catch-all listeners (compatibility surface: adapters call it). */
  notifyOutgoingListeners(packet: Packet): void {
    const listeners = this.#anyOutgoingListeners;
    if (listeners !== null && listeners.length > 0) {
      for (const listener of listeners.slice()) listener.apply(this, packet.data);
    }
  }
}
