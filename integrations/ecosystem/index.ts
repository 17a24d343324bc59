/// <reference types="@socket.io/sticky" preserve="true" />
/**
 * `socketkit/ecosystem`: types only (the compiled module is empty). The tools of the socket.io
 * ecosystem that take a whole server, `instrument(io)` of @socket.io/admin-ui and
 * `setupWorker(io)` of @socket.io/sticky, declare their parameter as socket.io's `Server` class.
 * That class has private members, which TypeScript compares by declaration, not by shape: no
 * other class can be assigned to it, however complete. This module adds an overload taking
 * socketkit's `Server` to each, so an application calls them without a cast.
 *
 * Activate it once per project (it needs both packages installed):
 *
 * @example
 * // in any file of the project, e.g. the one that calls instrument()
 * import "socketkit/ecosystem";
 * // or, with "moduleResolution" node16 / nodenext / bundler, in tsconfig.json:
 * // "compilerOptions": { "types": ["node", "socketkit/ecosystem"] }
 */
// (the reference above brings @socket.io/sticky into the program: an augmented module must be in it)
import type { InMemoryStore, RedisStore } from "@socket.io/admin-ui";
import type { Server } from "../../core/index";

/** The options of admin-ui's `instrument()` (admin-ui does not export their type). */
export interface AdminUiInstrumentOptions {
  /** The admin namespace ("/admin"). */
  namespaceName: string;
  /** `false`, or basic authentication (password: a bcrypt hash). */
  auth?: false | { type: "basic"; username: string; password: string };
  /** Whether the UI may only read (false). */
  readonly: boolean;
  /** This node's id in the UI (the host name). */
  serverId?: string;
  /** Where the UI's sessions are stored (in memory). */
  store: InMemoryStore | RedisStore;
  /** "development" sends every event, "production" only aggregates. */
  mode: "development" | "production";
}

declare module "@socket.io/admin-ui" {
  /** admin-ui's `instrument()`, for a socketkit server. */
  export function instrument(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event maps, as socket.io's
    io: Server<any, any, any, any>,
    opts: Partial<AdminUiInstrumentOptions>,
  ): void;
}

declare module "@socket.io/sticky" {
  /** sticky's `setupWorker()`, for a socketkit server. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event maps, as socket.io's
  export function setupWorker(io: Server<any, any, any, any>): void;
}
