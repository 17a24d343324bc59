/**
 * koa-socket-2 style event middleware for socketkit/koa: Koa-style `async (ctx, next)` middleware
 * around every event of a namespace, then `(ctx, data)` handlers.
 */
import {
  Namespace,
  createError,
  type DefaultEventsMap,
  type EventsMap,
  type Server,
  type Socket,
} from "../../core/index";

export type Middleware<C> = (ctx: C, next: () => Promise<unknown>) => unknown;

/**
 * koa-compose's contract: each middleware gets `next()`, callable once, which returns a promise
 * of the REST of the chain (the handlers included), so a middleware runs code after
 * `await next()` and catches errors thrown downstream with try/catch (the onion model). The
 * core's middleware runner (`runSteps` in core/util/middleware.ts) is a linear chain: `next()`
 * starts the next step and returns nothing, and an error stops the chain at once. Koa
 * applications expect the onion, so Koa middleware keeps this composer of its own.
 */
export function compose<C>(
  middleware: Middleware<C>[],
): (ctx: C, last: () => Promise<unknown>) => Promise<unknown> {
  return (ctx, last) => {
    let index = -1;
    const dispatch = async (i: number): Promise<unknown> => {
      if (i <= index) throw createError("KOA_NEXT_TWICE");
      index = i;
      const fn = i === middleware.length ? last : middleware[i];
      return fn(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}

/** What an event middleware or handler receives (koa-socket-2's context). */
export interface EventContext<S = Socket> {
  /** The event name. */
  event: string;
  /** The first argument of the event. */
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped payload
  /** Every argument of the event, the acknowledgement excluded. */
  args: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped payload
  /** The socket that sent the event. */
  socket: S;
  /** The client's acknowledgement callback, when it asked for one. */
  acknowledge: ((...args: unknown[]) => void) | undefined;
  /** Per-event state shared by the middleware and the handlers. */
  state: Record<string, unknown>;
}

export type EventMiddleware<S = Socket> = (
  ctx: EventContext<S>,
  next: () => Promise<unknown>,
) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped payload
export type EventHandler<S = Socket> = (ctx: EventContext<S>, data: any) => unknown;

/**
 * Koa-style middleware around the events of a namespace, and `(ctx, data)` handlers: what
 * koa-socket-2's `io.use()` / `io.on()` did. Sockets keep their ordinary listeners too.
 *
 * @example
 * const events = new KoaEvents(io);
 * events.use(async (ctx, next) => {
 *   const started = Date.now();
 *   await next();
 *   console.log(ctx.event, Date.now() - started);
 * });
 * events.on("message", async (ctx, data) => ctx.acknowledge?.("got " + data));
 */
export class KoaEvents<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
> {
  readonly #middleware: EventMiddleware<
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >[] = [];
  readonly #handlers = new Map<
    string,
    EventHandler<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[]
  >();
  readonly #run = compose(this.#middleware);
  readonly #onError: (
    err: unknown,
    ctx: EventContext<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>,
  ) => void;

  constructor(
    target:
      | Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
      | Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    options: {
      onError?: (
        err: unknown,
        ctx: EventContext<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>,
      ) => void;
    } = {},
  ) {
    this.#onError = options.onError ?? ((err) => console.error(err));
    const nsp = target instanceof Namespace ? target : target.sockets;
    nsp.on("connection", (socket) => {
      socket.use((event, next) => {
        void this.#dispatch(socket, event as unknown[]);
        next();
      });
    });
  }

  /** Adds a middleware run around every event: `async (ctx, next) => {}`. */
  use(fn: EventMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>): this {
    this.#middleware.push(fn);
    return this;
  }

  /** Adds a handler for `event`, run after the middleware: `(ctx, data) => {}`. */
  on(
    event: string,
    handler: EventHandler<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>,
  ): this {
    const list = this.#handlers.get(event) ?? [];
    list.push(handler);
    this.#handlers.set(event, list);
    return this;
  }

  /** Removes a handler for `event`, or all of them. */
  off(
    event: string,
    handler?: EventHandler<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>,
  ): this {
    const list = this.#handlers.get(event);
    const index = handler && list ? list.indexOf(handler) : -1;
    if (!handler) this.#handlers.delete(event);
    else if (index !== -1) list!.splice(index, 1);
    return this;
  }

  async #dispatch(
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    event: unknown[],
  ): Promise<void> {
    const args = event.slice(1);
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const ctx: EventContext<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> = {
      event: String(event[0]),
      data: args[0],
      args,
      socket,
      acknowledge: ack as EventContext["acknowledge"],
      state: {},
    };
    try {
      await this.#run(ctx, async () => {
        for (const handler of [...(this.#handlers.get(ctx.event) ?? [])])
          await handler(ctx, ctx.data);
      });
    } catch (err) {
      this.#onError(err, ctx);
    }
  }
}
