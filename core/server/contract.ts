/**
 * Event contracts: one plain object declaring, for each event of a namespace, the Standard
 * Schemas of its arguments and, when it is acknowledged, of the acknowledgement's arguments, in
 * both directions. `defineContract()` checks its shape; `nsp.contract(c)` attaches it (see
 * ./contract-gate.ts for what happens to packets); the types below derive the event maps of the
 * namespace (server side) and of socket.io-client's `Socket<…>` (client side) from it.
 */
import { createError } from "../errors";
import type { InferInput, InferOutput, StandardSchemaV1 } from "./standard-schema";

/** The schemas of one event: its arguments and, when acknowledged, the ack's arguments. */
export interface EventSchemas {
  readonly args: readonly StandardSchemaV1[];
  readonly ack?: readonly StandardSchemaV1[];
}

/** Events by name. */
export interface EventSchemasMap {
  readonly [event: string]: EventSchemas;
}

/** A contract: the events clients send (`clientToServer`) and the events the server sends. */
export interface ContractDefinition {
  readonly clientToServer?: EventSchemasMap;
  readonly serverToClient?: EventSchemasMap;
}

/** The options of `nsp.contract(c, opts)`. */
export interface ContractOptions {
  /** Refuse incoming events the contract does not name, as invalid ones are (false). */
  strict?: boolean;
  /**
   * Check what the server emits and the acks it sends against the contract, throwing before
   * anything is written (true when NODE_ENV is "development" or "test", else false).
   */
  validateOutgoing?: boolean;
  /**
   * How many incoming events of one socket may wait behind an asynchronous validation; past it
   * an event is refused with SIO_ERR_TOO_MANY_VALIDATIONS (32).
   */
  maxPendingValidations?: number;
}

// ---------------------------------------------------------------------------------------------
// Types derived from a contract
// ---------------------------------------------------------------------------------------------

/** The input types of a tuple of schemas. */
export type SchemaInputs<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: InferInput<T[K]>;
};
/** The output types of a tuple of schemas. */
export type SchemaOutputs<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: InferOutput<T[K]>;
};

type ArgsOf<E> = E extends { readonly args: infer A extends readonly unknown[] } ? A : [];

type Mode = "input" | "output";

/** The input or output types of a tuple of schemas. */
type Typed<T extends readonly unknown[], M extends Mode> = M extends "input"
  ? SchemaInputs<T>
  : SchemaOutputs<T>;

/** A listener of event `E`: its arguments, then an ack callback when `E` has an `ack`. */
type Listener<E, Args extends Mode, AckArgs extends Mode> = E extends {
  readonly ack: infer A extends readonly unknown[];
}
  ? (...args: [...Typed<ArgsOf<E>, Args>, (...ack: Typed<A, AckArgs>) => void]) => void
  : (...args: Typed<ArgsOf<E>, Args>) => void;

type ClientToServerOf<C> = C extends { readonly clientToServer: infer M } ? M : {};
type ServerToClientOf<C> = C extends { readonly serverToClient: infer M } ? M : {};

/**
 * What the server listens to: handlers receive the schemas' OUTPUT (parsed: transforms and
 * defaults applied); the acknowledgement callback takes the ack schemas' input.
 */
export type ContractListenEvents<C> = {
  [K in keyof ClientToServerOf<C> & string]: Listener<ClientToServerOf<C>[K], "output", "input">;
};

/**
 * What the server emits: arguments typed by the schemas' input; the acknowledgement callback
 * receives the ack schemas' output (the client's answer is parsed before the callback runs).
 */
export type ContractEmitEvents<C> = {
  [K in keyof ServerToClientOf<C> & string]: Listener<ServerToClientOf<C>[K], "input", "output">;
};

/**
 * The events a socket.io-client `Socket` listens to, from a contract (what the server sends,
 * as it is on the wire: the schemas' input types).
 *
 * @example
 * import { io, type Socket } from "socket.io-client";
 * const socket: Socket<ServerToClientEventsOf<typeof chat>, ClientToServerEventsOf<typeof chat>> =
 *   io("http://localhost:3000/chat");
 */
export type ServerToClientEventsOf<C> = {
  [K in keyof ServerToClientOf<C> & string]: Listener<ServerToClientOf<C>[K], "input", "input">;
};

/** The events a socket.io-client `Socket` emits, from a contract. See {@link ServerToClientEventsOf}. */
export type ClientToServerEventsOf<C> = {
  [K in keyof ClientToServerOf<C> & string]: Listener<ClientToServerOf<C>[K], "input", "input">;
};

// ---------------------------------------------------------------------------------------------
// defineContract
// ---------------------------------------------------------------------------------------------

function isSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    props.version === 1 &&
    typeof props.validate === "function"
  );
}

function checkSchemas(where: string, list: unknown): void {
  if (!Array.isArray(list)) {
    throw createError("CONTRACT_DEFINITION", { detail: `${where} must be an array of schemas` });
  }
  list.forEach((schema, i) => {
    if (!isSchema(schema)) {
      throw createError("CONTRACT_DEFINITION", {
        detail: `${where}[${i}] is not a Standard Schema v1`,
      });
    }
  });
}

function checkDirection(name: string, events: unknown): void {
  if (events === undefined) return;
  if (typeof events !== "object" || events === null || Array.isArray(events)) {
    throw createError("CONTRACT_DEFINITION", { detail: `${name} must be an object of events` });
  }
  for (const [event, spec] of Object.entries(events)) {
    if (typeof spec !== "object" || spec === null) {
      throw createError("CONTRACT_DEFINITION", {
        detail: `${name}.${event} must be an object with "args"`,
      });
    }
    checkSchemas(`${name}.${event}.args`, (spec as { args?: unknown }).args);
    const ack = (spec as { ack?: unknown }).ack;
    if (ack !== undefined) checkSchemas(`${name}.${event}.ack`, ack);
  }
}

/**
 * Declares a contract: the schemas of each event's arguments (`args`) and, for events with an
 * acknowledgement, of the ack's arguments (`ack`). Any Standard Schema v1 works (zod 4, valibot
 * 1, arktype 2...). Checked now (a schema that is not one throws SIO_ERR_INVALID_OPTION); the
 * object is returned as given, typed exactly.
 *
 * @example
 * const chat = defineContract({
 *   clientToServer: {
 *     send: { args: [z.object({ text: z.string().min(1) })], ack: [z.object({ id: z.number() })] },
 *   },
 *   serverToClient: {
 *     message: { args: [z.object({ id: z.number(), text: z.string() })] },
 *   },
 * });
 * io.of("/chat").contract(chat).on("connection", (socket) => {
 *   socket.on("send", (msg, ack) => ack({ id: 1 })); // msg: { text: string }
 * });
 */
export function defineContract<const C extends ContractDefinition>(definition: C): C {
  if (typeof definition !== "object" || definition === null) {
    throw createError("CONTRACT_DEFINITION", { detail: "a contract is an object" });
  }
  checkDirection("clientToServer", definition.clientToServer);
  checkDirection("serverToClient", definition.serverToClient);
  return definition;
}

/** The options checked up front, with their defaults applied. */
export interface ResolvedContractOptions {
  readonly strict: boolean;
  readonly validateOutgoing: boolean;
  readonly maxPendingValidations: number;
}

function failOption(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", {
    name,
    expected,
    value: typeof value === "string" ? JSON.stringify(value) : value,
  });
}

/** Checks the options of `nsp.contract()` and applies the defaults. */
export function resolveContractOptions(opts: ContractOptions | undefined): ResolvedContractOptions {
  const o = opts ?? {};
  if (o.strict !== undefined && typeof o.strict !== "boolean") {
    failOption("strict", "a boolean", o.strict);
  }
  if (o.validateOutgoing !== undefined && typeof o.validateOutgoing !== "boolean") {
    failOption("validateOutgoing", "a boolean", o.validateOutgoing);
  }
  const max = o.maxPendingValidations;
  if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 1)) {
    failOption("maxPendingValidations", "an integer >= 1", max);
  }
  const env = process.env.NODE_ENV;
  return {
    strict: o.strict ?? false,
    validateOutgoing: o.validateOutgoing ?? (env === "development" || env === "test"),
    maxPendingValidations: max ?? 32,
  };
}
