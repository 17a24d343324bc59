/**
 * Session sharing for framework integrations: where the framework keeps the HTTP session on its
 * own request or context object (Fastify's `request.session`, Koa's `ctx.session`), Socket.IO
 * code reads it from the raw request (`socket.request.session`), as with express-session.
 */

/**
 * Makes `req.session` read and write `holder.session` (the same object, not a copy, so a change
 * made through either is seen by both), when `holder` has a session at all; otherwise leaves
 * `req` untouched.
 *
 * @internal for socketkit's integrations
 */
export function mirrorSession(req: object, holder: object): void {
  if (!("session" in holder)) return;
  const source = holder as { session?: unknown };
  Object.defineProperty(req, "session", {
    configurable: true,
    enumerable: true,
    get: () => source.session,
    set: (value: unknown) => (source.session = value),
  });
}
