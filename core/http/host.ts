/**
 * The host seam's wiring onto an http.Server: what `attach()` does, once, for the Engine.IO
 * server and the Socket.IO server alike. Each hands in a "take" function for requests (and one
 * for upgrades) that answers its own path and says whether it took the request; everything else
 * here is about leaving the rest of the http.Server as it was.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createDebug } from "../util/debug";

const debug = createDebug("engine");

/** Answers a request when it is for our path and returns true; returns false otherwise. */
export type RequestTaker = (req: IncomingMessage, res: ServerResponse) => boolean;
/** Answers an upgrade when it is for our path and returns true; returns false otherwise. */
export type UpgradeTaker = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HostOptions {
  /** Whether to end upgrades for other paths that nobody answers (true). */
  destroyUpgrade?: boolean;
  /** How long to wait before ending such an upgrade, in ms (1000). */
  destroyUpgradeTimeout?: number;
}

/** What attach() ties to the http.Server's life: re-init on `listening`, close on `close`. */
export interface HostedEngine {
  init(): void;
  close(): unknown;
}

/** engine.io's `destroyUpgradeTimeout` default, also for 0 (engine.io reads it with `||`). */
const DEFAULT_DESTROY_UPGRADE_TIMEOUT = 1000;

/**
 * Ends an upgrade socket nobody answered within `timeout` ms (nothing written to it, still
 * writable), as engine.io does for upgrades outside its path when `destroyUpgrade` is on. The one
 * home of that timer: `attach()` and the framework integrations that see raw upgrades use it.
 */
export function endUnansweredUpgrade(socket: Duplex, timeout?: number): void {
  socket.on("error", () => debug("error on a foreign upgrade socket"));
  setTimeout(() => {
    const s = socket as Duplex & { bytesWritten?: number };
    if (s.writable && (s.bytesWritten ?? 0) <= 0) s.end();
  }, timeout || DEFAULT_DESTROY_UPGRADE_TIMEOUT).unref();
}

/**
 * Routes an http.Server's requests through `takeRequest` and its upgrades through `takeUpgrade`
 * (none when null), and ties `engine` to the server's life.
 *
 * Node calls every `request` listener of a server, and an event emitter has no way to stop the
 * others from seeing a request. engine.io's contract is that the listeners already there when
 * attaching (an Express app passed to `createServer(app)`, ...) do not see the requests of our
 * path (they would answer them a second time: a 404 over a pending long-poll) yet still see all
 * the others. When there are such listeners, this is therefore the ONE place that moves them
 * behind the path guard (one listener calling them for requests we did not take, with the
 * server as `this`); when there are none, nothing is moved. Listeners added later see every
 * request, as with engine.io. Hosts that route requests themselves call `io.handleRequest` /
 * `io.handleUpgrade` and nothing is moved at all.
 */
export function hostOn(
  server: HttpServer,
  engine: HostedEngine,
  takeRequest: RequestTaker,
  takeUpgrade: UpgradeTaker | null,
  options: HostOptions = {},
): void {
  server.on("close", () => engine.close());
  server.on("listening", () => engine.init());
  const before = server.listeners("request") as RequestListener[];
  if (before.length === 0) {
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      takeRequest(req, res);
    });
  } else {
    for (const listener of before) server.removeListener("request", listener);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (takeRequest(req, res)) return;
      for (const listener of before) listener.call(server, req, res);
    });
  }
  if (takeUpgrade === null) return;
  const destroyUpgrade = options.destroyUpgrade !== false;
  const timeout = options.destroyUpgradeTimeout;
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // an upgrade that is not ours: end it unless another listener answered it in time
    if (!takeUpgrade(req, socket, head) && destroyUpgrade) endUnansweredUpgrade(socket, timeout);
  });
}
