/**
 * DynamicNamespaces: a Server's parent namespaces (`io.of(regex)`, `io.of(fn)`), the check that
 * lets a client's CONNECT create a child namespace, and the cap on how many children exist.
 */
import { reportError } from "../util/report";
import { runSteps } from "../util/middleware";
import { createDebug } from "../util/debug";
import type { Namespace } from "./namespace";
import type { ParentNamespace } from "./parent-namespace";
import type { EventsMap } from "./typed-events";

const debug = createDebug("socket.io:server");

/** Decides whether a dynamic namespace `name` may be created: `next(err, allow)`. */
export type NamespaceCheck = (
  name: string,
  auth: Record<string, unknown>,
  next: (err: Error | null, success: boolean) => void,
) => void;

/** What the dynamic namespaces need of their server: its parents' factory, namespaces, limit. */
export interface DynamicNamespaceHost<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  /** A new parent namespace of this server. */
  newParent(): ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The namespace `name` if it exists. */
  namespace(
    name: string,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined;
  /** How many children the parents may have at most (`maxDynamicNamespaces`). */
  readonly maxChildren: number;
}

/**
 * The dynamic namespaces of one Server. Each `io.of(regex | fn)` adds a parent here; a
 * client connecting to an unknown namespace asks the parents in turn, and the first that
 * accepts creates the child. Internal: applications meet only the parents `io.of()` returns.
 */
export class DynamicNamespaces<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  readonly #server: DynamicNamespaceHost<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly #parentNsps = new Map<
    NamespaceCheck,
    ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  readonly #parentNamespacesFromRegExp = new Map<
    RegExp,
    ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();

  constructor(
    server: DynamicNamespaceHost<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) {
    this.#server = server;
  }

  /** Creates the parent namespace of `io.of(name)` for a RegExp or a check function. */
  addParent(
    name: RegExp | NamespaceCheck,
  ): ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const parent = this.#server.newParent();
    debug("initializing parent namespace %s", parent.name);
    if (typeof name === "function") {
      this.#parentNsps.set(name, parent);
    } else {
      const regex = name;
      this.#parentNsps.set((nsp, _auth, next) => next(null, regex.test(nsp)), parent);
      this.#parentNamespacesFromRegExp.set(regex, parent);
    }
    return parent;
  }

  /**
   * For `io.of(name)` with a name no namespace has yet: the child of the first RegExp parent
   * that matches it (created), or undefined.
   */
  childOf(
    name: string,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined {
    for (const [regex, parent] of this.#parentNamespacesFromRegExp) {
      if (regex.test(name)) {
        debug("attaching namespace %s to parent namespace %s", name, regex);
        return parent.createChild(name);
      }
    }
    return undefined;
  }

  /** Looks for a parent namespace that accepts `name` (see {@link Server.checkNamespace}). */
  check(
    name: string,
    auth: Record<string, unknown>,
    fn: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | false) => void,
  ): void {
    if (this.#parentNsps.size === 0) {
      fn(false);
      return;
    }
    // the parents are tried in turn with the one middleware runner: a refusal (`next(err)`,
    // `next(null, false)` or a throw, which is reported) goes on to the next parent; the first
    // that accepts stops the run, handed to `done` as its result
    const parents = [...this.#parentNsps];
    runSteps(
      parents.length,
      (i, next) => {
        const [check, parent] = parents[i]!;
        const answer = (err: Error | null, allow: boolean): void =>
          next(err || !allow ? undefined : parent);
        try {
          check(name, auth, answer);
        } catch (err) {
          reportError(err, "a dynamic namespace check");
          answer(err as Error, false);
        }
        // the check answers through its callback only: what it returns is not awaited
      },
      (accepted) => {
        if (accepted === undefined) {
          fn(false);
          return;
        }
        const existing = this.#server.namespace(name);
        if (existing) {
          debug("dynamic namespace %s already exists", name);
          fn(existing);
          return;
        }
        if (this.#count() >= this.#server.maxChildren) {
          debug("too many dynamic namespaces, refusing %s", name);
          fn(false);
          return;
        }
        fn(
          (
            accepted as ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
          ).createChild(name),
        );
      },
    );
  }

  /** How many child namespaces the parents have created (and not cleaned up). */
  #count(): number {
    let count = 0;
    for (const parent of this.#parentNsps.values()) count += parent.children.size;
    return count;
  }
}
