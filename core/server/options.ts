/**
 * The Server options (socket.io 4.8's, plus every engine option passed through), their defaults
 * and their validation.
 */
import { createError } from "../errors";
import type { EngineServerOptions } from "../engine/server";
import { checkCookieOption, checkCorsOption } from "../engine/http-options";
import type { AdapterNamespace, Parser } from "../types";
import { DEFAULT_MAX_DISCONNECTION_DURATION } from "../adapter/index";
import { validateOperationsOptions, type OperationsOptions } from "../ops/operations";
import { validateOriginGateOptions } from "../ops/origin-gate";

/**
 * What the `adapter` option takes, as socket.io's `AdapterConstructor`: an adapter class, or a
 * function returning an adapter for a namespace, which is what the official adapters'
 * `createAdapter()` return (the server calls it with `new`, as socket.io does: a `function`, not
 * an arrow function). The adapter instance is structurally typed by the namespace that uses it.
 */
export type AdapterConstructor =
  | (new (nsp: AdapterNamespace) => object)
  | ((nsp: AdapterNamespace) => object);

export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected session may be restored, in ms (2 minutes). */
  maxDisconnectionDuration?: number;
  /** Whether a restored socket skips the namespace middlewares (true). */
  skipMiddlewares?: boolean;
  /**
   * Hands each socket's session to the adapter while it is connected (on connect, on room and
   * `data` changes, and every `refreshInterval`), so that its clients recover on another node
   * when this one crashes (false). For cluster adapters with a shared store
   * (`@socket.io/redis-streams-adapter`); ignored with the in-memory adapter.
   */
  persistWhileConnected?: boolean;
  /**
   * With `persistWhileConnected`: how often every session is written again, in ms (half of
   * `maxDisconnectionDuration`); less than `maxDisconnectionDuration`.
   */
  refreshInterval?: number;
}

export interface ServerOptions extends EngineServerOptions, OperationsOptions {
  /** The path to capture ("/socket.io"). */
  path?: string;
  /** Whether to serve the client files (true). */
  serveClient?: boolean;
  /** The adapter constructor (the in-memory Adapter). */
  adapter?: AdapterConstructor;
  /** The parser module: socket.io-parser's shape (Encoder, Decoder) (the built-in parser). */
  parser?: Parser;
  /** How long a client may take to join a namespace before it is closed, in ms (45000). */
  connectTimeout?: number;
  /** Connection state recovery: restore id, rooms, data and missed packets (off). */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** Whether to remove dynamic child namespaces once they have no socket left (false). */
  cleanupEmptyChildNamespaces?: boolean;
  /**
   * socketkit: how many child namespaces clients may create through dynamic namespaces
   * (`io.of(regex | function)`); past it, a new name is refused as "Invalid namespace" (10000).
   */
  maxDynamicNamespaces?: number;
  /**
   * socketkit: the deepest nesting of arrays and objects accepted in an incoming packet's data
   * (the arguments array is level 1); a deeper packet closes its connection with reason
   * "parse error" (1000). Only the default parser applies it.
   */
  maxPayloadDepth?: number;
  /**
   * socketkit: how many binary attachments one incoming packet may announce; more closes the
   * connection with "parse error" (10, as socket.io-parser). Only the default parser applies it.
   */
  maxAttachments?: number;
  /** socketkit: a default timeout for every emit with an acknowledgement, in ms (off). */
  ackTimeout?: number;
  /** Whether to destroy unhandled upgrade requests for other paths (true). */
  destroyUpgrade?: boolean;
  /** How long to wait before destroying those upgrades, in ms (1000). */
  destroyUpgradeTimeout?: number;
  /** Whether to add a trailing slash to the path (true). */
  addTrailingSlash?: boolean;
}

function fail(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", {
    name,
    expected,
    value: typeof value === "string" ? JSON.stringify(value) : value,
  });
}

function checkNumber(opts: ServerOptions, name: keyof ServerOptions, min: number): void {
  const value = opts[name];
  if (value === undefined) return;
  if (typeof value !== "number" || Number.isNaN(value) || value < min) {
    fail(name, `a number >= ${min}`, value);
  }
}

/**
 * Checks the options up front, so a typo fails at construction with an exact message instead
 * of misbehaving later.
 *
 * The options socket.io reads as `opts.x || default` (path, connectTimeout, adapter, parser,
 * connectionStateRecovery) keep that meaning: a falsy value (`null`, `""`, `0`, `false`) is the
 * default (recovery: off), and `connectionStateRecovery: true` enables recovery with defaults.
 */
export function validateOptions(opts: ServerOptions): void {
  validateOperationsOptions(opts);
  if (opts.path && (typeof opts.path !== "string" || opts.path[0] !== "/")) {
    fail("path", 'a string starting with "/"', opts.path);
  }
  for (const name of ["pingInterval", "pingTimeout", "upgradeTimeout"] as const) {
    checkNumber(opts, name, 0);
  }
  if (opts.connectTimeout) checkNumber(opts, "connectTimeout", 0);
  checkNumber(opts, "maxHttpBufferSize", 1);
  checkNumber(opts, "ackTimeout", 0);
  checkNumber(opts, "maxDynamicNamespaces", 0);
  checkNumber(opts, "maxPayloadDepth", 1);
  checkNumber(opts, "maxAttachments", 0);
  checkNumber(opts, "maxBufferedPackets", 1);
  checkNumber(opts, "maxBufferedBytes", 1);
  checkNumber(opts, "maxWebSocketFragments", 1);
  validateOriginGateOptions(opts);
  if (opts.transports !== undefined) {
    if (
      !Array.isArray(opts.transports) ||
      opts.transports.length === 0 ||
      opts.transports.some((t) => t !== "polling" && t !== "websocket")
    ) {
      fail("transports", 'a non-empty array of "polling" and "websocket"', opts.transports);
    }
  }
  if (opts.adapter && typeof opts.adapter !== "function") {
    fail("adapter", "an adapter constructor", opts.adapter);
  }
  if (
    opts.parser &&
    (typeof opts.parser.Encoder !== "function" || typeof opts.parser.Decoder !== "function")
  ) {
    fail("parser", "an object with Encoder and Decoder constructors", opts.parser);
  }
  checkCorsOption(opts.cors);
  checkCookieOption(opts.cookie);
  const csr = opts.connectionStateRecovery as unknown;
  if (csr && csr !== true && typeof csr !== "object") {
    fail("connectionStateRecovery", "an object", csr);
  }
  const recovery: ConnectionStateRecoveryOptions =
    typeof csr === "object" && csr !== null ? (csr as ConnectionStateRecoveryOptions) : {};
  const duration = recovery.maxDisconnectionDuration;
  if (duration !== undefined && (typeof duration !== "number" || duration < 0)) {
    fail("connectionStateRecovery.maxDisconnectionDuration", "a number >= 0", duration);
  }
  if (
    recovery.persistWhileConnected !== undefined &&
    typeof recovery.persistWhileConnected !== "boolean"
  ) {
    fail(
      "connectionStateRecovery.persistWhileConnected",
      "a boolean",
      recovery.persistWhileConnected,
    );
  }
  const refresh = recovery.refreshInterval;
  const max = duration ?? DEFAULT_MAX_DISCONNECTION_DURATION;
  if (
    refresh !== undefined &&
    (typeof refresh !== "number" || !(refresh > 0) || !(refresh < max) || refresh > 2 ** 31 - 1)
  ) {
    fail(
      "connectionStateRecovery.refreshInterval",
      `a number > 0 and < maxDisconnectionDuration (${max})`,
      refresh,
    );
  }
}
