/**
 * ContractGate: a contract at work on a namespace (`nsp.contract(c)`). Incoming events are
 * checked after the socket's middlewares and `onAny` listeners (which see the raw packet) and
 * before its handlers, which receive the schemas' parsed output. Asynchronous validations keep
 * the order of a socket's events: an event waits behind the one before it, at most
 * `maxPendingValidations` of them per socket. Outgoing emits and acks are checked synchronously
 * when `validateOutgoing` is on; the acks the server waits for are always checked.
 *
 * A namespace without contract never reaches this file: `socket.deliver()` and the emit paths
 * test `nsp.contractGate !== null` once.
 */
import {
  createError,
  errorMessage,
  errorRegistry,
  SocketkitError,
  type ErrorCode,
} from "../errors";
import type { MetricsRecorder } from "../ops/metrics";
import type { ContractDefinition, EventSchemasMap, ResolvedContractOptions } from "./contract";
import type { StandardIssue, StandardResult, StandardSchemaV1 } from "./standard-schema";

/** One issue as the client and the "error" listeners get it: where (argument index first) and what. */
export interface ContractIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What an invalid incoming event's acknowledgement is answered with. */
export interface ContractErrorAnswer {
  error: { code: ErrorCode; message: string; issues: ContractIssue[] };
}

/** An event, an acknowledgement or an emit that does not match the contract. */
export class ContractError extends SocketkitError {
  /** The event name. */
  readonly event: string;
  /** What is wrong, one entry per issue (empty for an unknown event or a refused one). */
  readonly issues: ContractIssue[];

  constructor(code: ErrorCode, message: string, event: string, issues: ContractIssue[]) {
    super(code, message);
    this.name = "ContractError";
    this.event = event;
    this.issues = issues;
  }

  /** The answer sent to a client's acknowledgement. */
  toAnswer(): ContractErrorAnswer {
    return { error: { code: this.code, message: this.message, issues: this.issues } };
  }
}

/** The label of events that are not in the contract, in `socketkit_invalid_events_total`. */
export const UNKNOWN_EVENT_LABEL = "(unknown)";

/** What the gate needs of a socket. */
export interface ContractSocket {
  readonly connected: boolean;
  /** @internal the events waiting behind an asynchronous validation (null: none so far) */
  contractQueue: PendingEvent[] | null;
  /** Reports an error to the socket's "error" listeners. */
  onerror(err: Error): void;
  /** @internal hands a checked event to the listeners */
  deliverChecked(event: unknown[]): void;
}

/** An event waiting for its validation, or behind one. */
export interface PendingEvent {
  readonly event: unknown[];
  readonly spec: CompiledEvent | null;
  outcome: Outcome | null;
}

type AnyFn = (...args: unknown[]) => void;

/** A contract event, ready to check. */
export interface CompiledEvent {
  readonly name: string;
  readonly args: readonly StandardSchemaV1[];
  readonly ack: readonly StandardSchemaV1[] | null;
}

/** The result of checking a list of values: the parsed values, or the issues. */
export type Outcome =
  | { values: unknown[]; issues: null }
  | { values: null; issues: ContractIssue[] };

function compile(events: EventSchemasMap | undefined): Map<string, CompiledEvent> {
  const map = new Map<string, CompiledEvent>();
  if (events === undefined) return map;
  for (const [name, spec] of Object.entries(events)) {
    map.set(name, { name, args: spec.args, ack: spec.ack ?? null });
  }
  return map;
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function segment(key: unknown): string | number {
  const k = typeof key === "object" && key !== null ? (key as { key: unknown }).key : key;
  return typeof k === "number" ? k : String(k);
}

function toIssues(index: number, issues: ReadonlyArray<StandardIssue>, out: ContractIssue[]): void {
  for (const issue of issues) {
    const path: (string | number)[] = [index];
    if (issue.path !== undefined) for (const key of issue.path) path.push(segment(key));
    out.push({ path, message: String(issue.message) });
  }
}

function thrownIssue(index: number, err: unknown): StandardResult<unknown> {
  void index;
  return { issues: [{ message: `validation threw: ${(err as Error)?.message ?? String(err)}` }] };
}

function runOne(schema: StandardSchemaV1, value: unknown, index: number) {
  try {
    const result = schema["~standard"].validate(value);
    return isThenable(result) ? result.catch((err) => thrownIssue(index, err)) : result;
  } catch (err) {
    return thrownIssue(index, err);
  }
}

function collect(
  results: readonly StandardResult<unknown>[],
  extra: number,
  count: number,
): Outcome {
  let issues: ContractIssue[] | null = null;
  const values: unknown[] = new Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r.issues !== undefined) toIssues(i, r.issues, (issues ??= []));
    else values[i] = r.value;
  }
  for (let i = results.length; i < results.length + extra; i++) {
    (issues ??= []).push({ path: [i], message: `unexpected argument (expected ${count})` });
  }
  return issues === null ? { values, issues: null } : { values: null, issues };
}

/**
 * Checks `values` against `schemas` (one schema per value; a missing value is `undefined`, an
 * extra value an issue): synchronously when every schema answers synchronously.
 */
export function checkValues(
  schemas: readonly StandardSchemaV1[],
  values: readonly unknown[],
  from = 0,
  to = values.length,
): Outcome | Promise<Outcome> {
  const n = schemas.length;
  const extra = Math.max(0, to - from - n);
  const results: (StandardResult<unknown> | Promise<StandardResult<unknown>>)[] = new Array(n);
  let async = false;
  for (let i = 0; i < n; i++) {
    const r = runOne(schemas[i], from + i < to ? values[from + i] : undefined, i);
    if (isThenable(r)) async = true;
    results[i] = r;
  }
  if (!async) return collect(results as StandardResult<unknown>[], extra, n);
  return Promise.all(results).then((done) => collect(done, extra, n));
}

function summary(issues: readonly ContractIssue[]): string {
  if (issues.length === 0) return "no issue";
  const first = issues[0];
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : "";
  return `${first.path.join(".")}: ${first.message}${more}`;
}

function contractError(
  name:
    | "CONTRACT_INVALID_EVENT"
    | "CONTRACT_INVALID_ACK"
    | "CONTRACT_INVALID_OUTGOING"
    | "CONTRACT_INVALID_OUTGOING_ACK",
  event: string,
  issues: ContractIssue[],
): ContractError {
  const message = errorMessage(name, { event, summary: summary(issues) });
  return new ContractError(errorRegistry[name].code, message, event, issues);
}

function noAck(): void {}

function sendCheckedAck(
  this: { gate: ContractGate; spec: CompiledEvent; ack: AnyFn },
  ...args: unknown[]
): void {
  this.gate.checkOutgoingSync(this.spec, this.spec.ack as StandardSchemaV1[], args, true);
  this.ack(...args);
}

/** The per-namespace state of an attached contract. */
export class ContractGate {
  readonly #incoming: Map<string, CompiledEvent>;
  readonly #outgoing: Map<string, CompiledEvent>;
  readonly opts: ResolvedContractOptions;
  readonly definition: ContractDefinition;
  readonly #metrics: () => MetricsRecorder | null;

  constructor(
    definition: ContractDefinition,
    opts: ResolvedContractOptions,
    metrics: () => MetricsRecorder | null,
  ) {
    this.definition = definition;
    this.opts = opts;
    this.#incoming = compile(definition.clientToServer);
    this.#outgoing = compile(definition.serverToClient);
    this.#metrics = metrics;
  }

  // -- incoming --------------------------------------------------------------------------------

  /** An incoming event (`[name, ...args, ack?]`), after the middlewares: check it, in order. */
  receive(socket: ContractSocket, event: unknown[]): void {
    const spec = this.#incoming.get(event[0] as string) ?? null;
    const queue = socket.contractQueue;
    const waiting = queue !== null && queue.length > 0;
    if (waiting && queue.length >= this.opts.maxPendingValidations) {
      this.#refuse(socket, event, spec, "CONTRACT_PENDING_LIMIT");
      return;
    }
    let outcome: Outcome | Promise<Outcome> | null = null;
    if (spec !== null) {
      const last = event[event.length - 1];
      const end = typeof last === "function" ? event.length - 1 : event.length;
      outcome = checkValues(spec.args, event, 1, end);
    }
    if (!waiting && !isThenable(outcome)) {
      this.#settle(socket, event, spec, outcome);
      return;
    }
    const entry: PendingEvent = {
      event,
      spec,
      outcome: isThenable(outcome) ? null : outcome,
    };
    (socket.contractQueue ??= []).push(entry);
    if (isThenable(outcome)) {
      void outcome.then((done) => {
        entry.outcome = done;
        this.#drain(socket);
      });
    }
  }

  #drain(socket: ContractSocket): void {
    const queue = socket.contractQueue as PendingEvent[];
    while (queue.length > 0) {
      const head = queue[0];
      if (head.spec !== null && head.outcome === null) return;
      queue.shift();
      this.#settle(socket, head.event, head.spec, head.outcome);
    }
  }

  #settle(
    socket: ContractSocket,
    event: unknown[],
    spec: CompiledEvent | null,
    outcome: Outcome | null,
  ): void {
    if (spec === null) {
      if (this.opts.strict) this.#refuse(socket, event, null, "CONTRACT_UNKNOWN_EVENT");
      else socket.deliverChecked(event);
      return;
    }
    const last = event[event.length - 1];
    const ack = typeof last === "function" ? (last as AnyFn) : null;
    const result = outcome as Outcome;
    if (result.issues !== null) {
      this.#reject(socket, ack, contractError("CONTRACT_INVALID_EVENT", spec.name, result.issues));
      return;
    }
    const checked: unknown[] = [spec.name, ...result.values];
    if (spec.ack !== null) {
      if (ack === null) checked.push(noAck);
      else if (this.opts.validateOutgoing) {
        checked.push(sendCheckedAck.bind({ gate: this, spec, ack }));
      } else checked.push(ack);
    } else if (ack !== null) {
      checked.push(ack);
    }
    socket.deliverChecked(checked);
  }

  #refuse(
    socket: ContractSocket,
    event: unknown[],
    spec: CompiledEvent | null,
    name: "CONTRACT_UNKNOWN_EVENT" | "CONTRACT_PENDING_LIMIT",
  ): void {
    const ev = String(event[0]);
    const message =
      name === "CONTRACT_UNKNOWN_EVENT"
        ? errorMessage(name, { event: ev })
        : errorMessage(name, { event: ev, max: this.opts.maxPendingValidations });
    const err = new ContractError(errorRegistry[name].code, message, ev, []);
    const last = event[event.length - 1];
    this.#reject(socket, typeof last === "function" ? (last as AnyFn) : null, err, spec);
  }

  #reject(
    socket: ContractSocket,
    ack: AnyFn | null,
    err: ContractError,
    spec: CompiledEvent | null = this.#incoming.get(err.event) ?? null,
  ): void {
    const metrics = this.#metrics();
    if (metrics !== null) {
      // label: a contract event's name, or one bucket for every other name (bounded cardinality)
      const label = spec !== null ? spec.name : UNKNOWN_EVENT_LABEL;
      metrics.invalidEvents[label] = (metrics.invalidEvents[label] ?? 0) + 1;
    }
    if (!socket.connected) return;
    if (ack !== null) ack(err.toAnswer());
    socket.onerror(err);
  }

  // -- outgoing --------------------------------------------------------------------------------

  /**
   * An emit of the server (`args` without the ack callback): throws a ContractError when
   * `validateOutgoing` is on and the arguments do not match (before anything is written).
   */
  checkEmit(ev: string, args: readonly unknown[], end = args.length): void {
    if (!this.opts.validateOutgoing) return;
    const spec = this.#outgoing.get(ev);
    if (spec === undefined) {
      if (this.opts.strict) throw createError("CONTRACT_UNKNOWN_OUTGOING", { event: ev });
      return;
    }
    this.checkOutgoingSync(spec, spec.args, args, false, end);
  }

  /** @internal checks outgoing values synchronously; throws on a mismatch */
  checkOutgoingSync(
    spec: CompiledEvent,
    schemas: readonly StandardSchemaV1[],
    values: readonly unknown[],
    isAck: boolean,
    end = values.length,
  ): void {
    const outcome = checkValues(schemas, values, 0, end);
    if (isThenable(outcome)) {
      // the promise is dropped: its validators ran, their answer comes too late to refuse
      void outcome.catch(noAck);
      throw createError("CONTRACT_ASYNC_OUTGOING", { event: spec.name });
    }
    if (outcome.issues !== null) {
      throw contractError(
        isAck ? "CONTRACT_INVALID_OUTGOING_ACK" : "CONTRACT_INVALID_OUTGOING",
        spec.name,
        outcome.issues,
      );
    }
  }

  /**
   * An emit of the server that waits for an acknowledgement: returns the callback to register,
   * which checks the client's answer (always: it is client data) and passes the parsed output on.
   * `errFirst`: the callback takes an error first (timeout); `settle`: where a promise rejects.
   */
  awaitAck(
    ev: string,
    ack: AnyFn,
    errFirst: boolean,
    settle: ((err: Error) => void) | undefined,
    socket: { onerror(err: Error): void },
  ): AnyFn {
    const spec = this.#outgoing.get(ev);
    if (spec === undefined || spec.ack === null) return ack;
    const schemas = spec.ack;
    const deliver = (values: unknown[], offset: number): void => {
      const outcome = checkValues(schemas, values, offset);
      const finish = (o: Outcome): void => {
        if (o.issues === null) {
          if (errFirst) ack(null, ...o.values);
          else ack(...o.values);
          return;
        }
        const err = contractError("CONTRACT_INVALID_ACK", ev, o.issues);
        if (errFirst) ack(err);
        else if (settle !== undefined) settle(err);
        else socket.onerror(err);
      };
      if (isThenable(outcome)) void outcome.then(finish);
      else finish(outcome);
    };
    return errFirst
      ? (...args: unknown[]) => (args[0] ? ack(args[0]) : deliver(args, 1))
      : (...args: unknown[]) => deliver(args, 0);
  }
}
