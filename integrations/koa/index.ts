/**
 * socketkit/koa: attaches a Socket.IO server to a Koa app (Koa 2 and 3) as `app.io` / `ctx.io`,
 * runs Koa middleware (koa-session, auth) on Socket.IO's handshake with a real Koa context, and
 * offers koa-socket-2 style per-event middleware (`KoaEvents`).
 */
import type { IoFrom } from "../../core/index";

/**
 * Augment this interface to type `ctx.io` with your event maps:
 *
 * @example
 * declare module "socketkit/koa" {
 *   interface SocketkitKoaTypes {
 *     io: Server<ClientToServerEvents, ServerToClientEvents>;
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- filled by augmentation
export interface SocketkitKoaTypes {}

export type { IoFrom };

/** The type of `ctx.io`: `Server`, or what {@link SocketkitKoaTypes} declares. */
export type KoaIo = IoFrom<SocketkitKoaTypes>;

declare module "koa" {
  interface DefaultContext {
    /** The Socket.IO server attached by socketkit/koa. */
    io: KoaIo;
  }
}

export { attach, koaContext, type KoaSocketkitOptions } from "./attach";
export { KoaEvents, type EventContext, type EventHandler, type EventMiddleware } from "./events";
export { IO, type IOOptions, type IOMiddleware } from "./io";
