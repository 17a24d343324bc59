/**
 * socketkit/fastify: a Fastify plugin (Fastify 4 and 5) that decorates `fastify.io` and routes
 * Socket.IO's HTTP requests *and* WebSocket upgrades through Fastify, so root-level `onRequest`
 * and `preParsing` hooks (auth, @fastify/cors, @fastify/cookie, @fastify/session) run for them.
 */
import { ServerResponse, type IncomingMessage } from "node:http";
import type { Socket as NetSocket } from "node:net";
import type { Duplex } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  EngineServer,
  Server,
  endUnansweredUpgrade,
  mirrorSession,
  type DefaultEventsMap,
  type EventsMap,
  type IoFrom,
  type ServerOptions,
} from "../../core/index";

/**
 * Augment this interface to type `fastify.io` with your event maps (no casts needed):
 *
 * @example
 * declare module "socketkit/fastify" {
 *   interface SocketkitFastifyTypes {
 *     io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- filled by augmentation
export interface SocketkitFastifyTypes {}

export type { IoFrom };

/** The type of `fastify.io`: `Server`, or what {@link SocketkitFastifyTypes} declares. */
export type FastifyIo = IoFrom<SocketkitFastifyTypes>;

declare module "fastify" {
  interface FastifyInstance {
    /** The Socket.IO server registered by socketkit/fastify. */
    io: FastifyIo;
  }
}

export interface FastifySocketkitOptions extends Partial<ServerOptions> {
  /**
   * Replaces the default close step, run in Fastify's `preClose` (before the port is released):
   * `io.close()`, i.e. every socket disconnected with "server shutting down". Callback style
   * `(done) => {}` (as fastify-socket.io) or returning a promise. Sockets still open after it are
   * closed anyway, so `fastify.close()` never hangs.
   */
  preClose?: (this: FastifyInstance, done: (err?: Error) => void) => void | Promise<void>;
}

const fastifyRequests = new WeakMap<IncomingMessage, FastifyRequest>();
const upgrades = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();
const upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string | string[]>>();

/**
 * The Fastify request that carried a Socket.IO handshake (what the hooks set on it: `user`,
 * `session`, ...). `socket.request.session` also mirrors `request.session` (@fastify/session).
 *
 * @example
 * io.on("connection", (socket) => fastifyRequestOf(socket.request)?.user);
 */
export function fastifyRequestOf(req: IncomingMessage): FastifyRequest | undefined {
  return fastifyRequests.get(req);
}

/**
 * `fastify.io` typed with your event maps, for when you would rather not augment the module.
 *
 * @example
 * const io = typedIo<ClientToServerEvents, ServerToClientEvents>(app);
 */
export function typedIo<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any, // eslint-disable-line @typescript-eslint/no-explicit-any -- socket.io's default
>(fastify: FastifyInstance): Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  return fastify.io as unknown as Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
}

/** Headers hooks set with `reply.header()` are lost by `reply.hijack()`: carry them over. */
function replyHeaders(reply: FastifyReply): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

async function socketkitPlugin(fastify: FastifyInstance, opts: FastifySocketkitOptions) {
  const { preClose, ...serverOptions } = opts;
  const io = new Server(serverOptions);
  const engine = new EngineServer(io.opts);
  io.bind(engine);
  engine.on("headers", (headers: Record<string, string>, req: IncomingMessage) => {
    const extra = upgradeHeaders.get(req);
    if (extra) Object.assign(headers, extra);
  });
  fastify.decorate("io", io as unknown as FastifyIo);

  const base = io.path(); // "/socket.io"
  const trailingSlash = serverOptions.addTrailingSlash !== false;
  const prefix = trailingSlash ? base + "/" : base;
  const ours = (url: string | undefined): boolean => (url ?? "").startsWith(prefix);

  // Runs after every onRequest and preParsing hook, before Fastify would read the body: the
  // engine reads it itself (so preValidation/preHandler hooks do not run for these requests).
  function handOff(
    request: FastifyRequest,
    reply: FastifyReply,
    _payload: unknown,
    done: () => void,
  ) {
    const raw = request.raw;
    fastifyRequests.set(raw, request);
    mirrorSession(raw, request);
    const headers = replyHeaders(reply);
    reply.hijack();
    const upgrade = upgrades.get(raw);
    if (upgrade) {
      upgrades.delete(raw);
      reply.raw.detachSocket(upgrade.socket as NetSocket); // the engine owns the socket now
      upgradeHeaders.set(raw, headers);
      // the route matched Socket.IO's path, so the seam takes it; were it not to, end it
      if (!io.handleUpgrade(raw, upgrade.socket, upgrade.head)) upgrade.socket.destroy();
    } else {
      for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
      if (!io.handleRequest(raw, reply.raw)) reply.raw.writeHead(404).end();
    }
    done();
  }
  const route = {
    method: ["GET", "POST", "OPTIONS"],
    exposeHeadRoute: false,
    preParsing: handOff,
    handler: async () => undefined, // never reached: handOff hijacks the reply
  } as const;
  fastify.route({ ...route, method: [...route.method], url: base + "/*" });
  if (!trailingSlash) fastify.route({ ...route, method: [...route.method], url: base });

  // Upgrades: dispatched through Fastify's router (as @fastify/websocket does), so hooks run; a
  // hook that answers (401, ...) writes that answer on the socket, which is then ended.
  const destroyUpgrade = serverOptions.destroyUpgrade !== false;
  const destroyUpgradeTimeout = serverOptions.destroyUpgradeTimeout || 1000;
  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    if (!ours(req.url)) {
      if (destroyUpgrade && fastify.server.listenerCount("upgrade") === 1) {
        endUnansweredUpgrade(socket, destroyUpgradeTimeout);
      }
      return;
    }
    upgrades.set(req, { socket, head });
    const res = new ServerResponse(req);
    res.assignSocket(socket as NetSocket);
    res.once("finish", () => socket.end());
    socket.on("error", () => socket.destroy());
    fastify.routing(req, res);
  }
  fastify.server.on("upgrade", onUpgrade);

  fastify.addHook("preClose", async function () {
    fastify.server.removeListener("upgrade", onUpgrade);
    try {
      if (preClose) {
        await new Promise<void>((resolve, reject) => {
          const done = (err?: Error) => (err ? reject(err) : resolve());
          const result = preClose.call(fastify, done);
          if (result && typeof result.then === "function") result.then(() => resolve(), reject);
          else if (preClose.length === 0) resolve();
        });
      }
    } finally {
      await io.close(); // whatever preClose did: nothing is left to hold fastify.close()
    }
  });
}

/**
 * The socketkit Fastify plugin: `fastify.register(socketkit, options)` with socketkit's Server
 * options (+ `preClose`).
 *
 * @example
 * import Fastify from "fastify";
 * import socketkit from "socketkit/fastify";
 *
 * const app = Fastify();
 * await app.register(socketkit, { cors: { origin: "*" } });
 * app.io.on("connection", (socket) => socket.emit("hello"));
 * await app.listen({ port: 3000 });
 */
export const socketkit = Object.assign(socketkitPlugin, {
  // what fastify-plugin's fp() sets, without the dependency: Fastify reads these symbols
  [Symbol.for("skip-override")]: true, // decorate the parent context: fastify.io is visible
  [Symbol.for("fastify.display-name")]: "socketkit",
  [Symbol.for("plugin-meta")]: { fastify: "4.x || 5.x", name: "socketkit" },
});
export default socketkit;
