/**
 * Helpers of the socketkit/v2 tests: the 2.x application (app-2x.js) on port 0, and the two
 * official clients it must serve (socket.io-client 2.5 and 4.x), tracked and closed after each
 * test.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventEmitter } from "node:events";
import { once } from "node:events";
import { io as ioV4 } from "socket.io-client";
import type { Server, ServerOptions } from "../../../integrations/v2/index";
import { registerCloser } from "../../support/close-all";
import { waitFor } from "../../support/wait";

/** What the tests use of a socket.io-client socket, 2.x or 4.x. */
export interface AnyClient {
  id: string;
  connected: boolean;
  io: {
    engine: {
      id: string;
      transport: { name: string };
      on(ev: string, fn: (...args: never[]) => void): unknown;
      write?(data: string): void;
    };
  };
  on(event: string, fn: (...args: never[]) => void): AnyClient;
  once(event: string, fn: (...args: never[]) => void): AnyClient;
  emit(event: string, ...args: unknown[]): AnyClient;
  disconnect(): AnyClient;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ioV2 = require("socket.io-client-v2") as (uri: string, opts?: object) => AnyClient;

export interface ClientKind {
  name: string;
  version: 2 | 4;
  /** The event a refused namespace connection gives ("error" in 2.x, "connect_error" in 4.x). */
  refusedEvent: string;
  create(url: string, opts?: Record<string, unknown>): AnyClient;
}

export const CLIENTS: ClientKind[] = [
  {
    name: "socket.io-client 2.x",
    version: 2,
    refusedEvent: "error",
    create: (url, opts = {}) => ioV2(url, opts),
  },
  {
    name: "socket.io-client 4.x",
    version: 4,
    refusedEvent: "connect_error",
    create: (url, opts = {}) => ioV4(url, opts) as unknown as AnyClient,
  },
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const createApp = require("./app-2x") as (
  httpServer: HttpServer,
  options?: ServerOptions,
) => { io: Server; seen: EventEmitter };

export interface App {
  io: Server;
  seen: EventEmitter;
  http: HttpServer;
  port: number;
  url: string;
}

const apps = new Set<{ io: Server; http: HttpServer }>();
const clients = new Set<AnyClient>();

/** Tracks a server for closeAll() (one not started by {@link startApp}). */
export function track(io: Server, http: HttpServer): void {
  apps.add({ io, http });
}

/** The 2.x application on an http server listening on 127.0.0.1, port 0. */
export async function startApp(options?: ServerOptions): Promise<App> {
  const http = createServer();
  const { io, seen } = createApp(http, options);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  apps.add({ io, http });
  return { io, seen, http, port, url: `http://127.0.0.1:${port}` };
}

/** A client of `kind`, without reconnection, closed by closeAll() (test/support/close-all.ts). */
export function client(
  kind: ClientKind,
  url: string,
  opts: Record<string, unknown> = {},
): AnyClient {
  const socket = kind.create(url, { forceNew: true, reconnection: false, ...opts });
  clients.add(socket);
  return socket;
}

/** A connected client. */
export async function connected(
  kind: ClientKind,
  url: string,
  opts: Record<string, unknown> = {},
): Promise<AnyClient> {
  const socket = client(kind, url, opts);
  await waitFor(socket, "connect");
  return socket;
}

/** Emits with an acknowledgement callback last; resolves with the callback's arguments. */
export function ask<T extends unknown[] = unknown[]>(
  socket: AnyClient,
  event: string,
  ...args: unknown[]
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to "${event}"`)), 5000);
    socket.emit(event, ...args, (...answer: unknown[]) => {
      clearTimeout(timer);
      resolve(answer as T);
    });
  });
}

/** Closes every client and server of the test (registered with closeAll). */
async function closeApps(): Promise<void> {
  for (const c of clients) c.disconnect();
  clients.clear();
  const open = [...apps];
  apps.clear();
  await Promise.all(
    open.map(async ({ io, http }) => {
      http.closeAllConnections?.();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      // a server bound to an engine of one's own (bind) does not own the http server
      if (io.httpServer !== http && http.listening) {
        await new Promise((resolve) => http.close(resolve));
      }
    }),
  );
}
registerCloser(closeApps);
