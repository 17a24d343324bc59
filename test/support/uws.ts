/**
 * The host matrix: `SOCKETKIT_HOST=uws` (the `test:uws` run, jest.uws.config.js) runs the e2e
 * suites of test/e2e/engine and test/e2e/socketio once more with their servers on a
 * µWebSockets.js app (`io.attachApp(app)`, `new uServer().attach(app)`) instead of an
 * http.Server. The harnesses (server.ts, engine.ts) choose the host; a test of the Node host
 * itself (an http.Server's listeners, `handleRequest`, TLS on node:https) is `nodeHostOnly`.
 */
import type { Server as HttpServer } from "node:http";
import type { UwsApp } from "../../core/index";

export const UWS_HOST = process.env.SOCKETKIT_HOST === "uws";

/** `it` for a test of the Node host itself: skipped in the uWS run, where it has no meaning. */
export const nodeHostOnly: jest.It = UWS_HOST ? it.skip : it;

/** What a harness of the uWS run holds as its http.Server: any use of it fails, naming the host. */
export const NO_HTTP_SERVER = new Proxy({} as HttpServer, {
  get(_target, key) {
    throw new Error(`the uWS host has no http.Server (read of http.${String(key)})`);
  },
});

/** The parts of uWebSockets.js's module the harnesses use. */
interface UwsModule {
  App(): UwsApp & {
    listen(host: string, port: number, cb: (token: unknown) => void): unknown;
    close?(): void;
  };
  us_socket_local_port(token: unknown): number;
  us_listen_socket_close(token: unknown): void;
}

/** uWebSockets.js, as applications import it (a devDependency; CI=true fails without it). */
export function loadUws(): UwsModule {
  return require("uWebSockets.js") as UwsModule;
}

export interface ListeningApp {
  app: UwsApp;
  port: number;
  /** Closes the listen socket and every connection of the app. */
  close(): void;
}

/** A new uWS app after `setup` attached to it, listening on 127.0.0.1, port 0. */
export async function listenApp(setup: (app: UwsApp) => void): Promise<ListeningApp> {
  const uws = loadUws();
  const app = uws.App();
  setup(app);
  const token = await new Promise<unknown>((resolve, reject) =>
    app.listen("127.0.0.1", 0, (t) => (t ? resolve(t) : reject(new Error("uWS: listen failed")))),
  );
  let closed = false;
  return {
    app,
    port: uws.us_socket_local_port(token),
    close: () => {
      if (closed) return;
      closed = true;
      uws.us_listen_socket_close(token);
      app.close?.();
    },
  };
}
