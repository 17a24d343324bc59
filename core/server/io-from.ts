/**
 * The type of the server an integration hands out (`fastify.io`, `req.io`, `ctx.io`): what the
 * application declared by augmenting the integration's `Socketkit*Types` interface, else the
 * default `Server`.
 */
import type { Server } from "./server";

/** `IoFrom<{ io: S }>` is `S`; anything else gives the default `Server`. */
export type IoFrom<T> = T extends { io: infer S } ? S : Server;
