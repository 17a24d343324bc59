/**
 * The node:cluster driver of the engine cluster (`socketkit/cluster-node`): the workers of one
 * machine reach each other through the primary, which relays messages to the workers that
 * subscribed their channel. The primary keeps Node's default scheduling (round-robin by
 * connection), no sticky sessions.
 *
 * @example
 * import cluster from "node:cluster";
 * import { Server } from "socketkit";
 * import { NodeClusterDriver, setupPrimary } from "socketkit/cluster-node";
 *
 * if (cluster.isPrimary) {
 *   setupPrimary();
 *   for (let i = 0; i < 4; i++) cluster.fork();
 * } else {
 *   new Server(3000, { cluster: { driver: new NodeClusterDriver() } });
 * }
 */
import cluster, { type Worker } from "node:cluster";
import { createError } from "../../errors";
import { PubSubDriver } from "./pub-sub-driver";

const KIND = "socketkit:engine-cluster";

interface IpcMessage {
  kind: typeof KIND;
  op: "publish" | "subscribe" | "unsubscribe" | "deliver";
  channel: string;
  /** base64 (IPC serializes as JSON by default) */
  data?: string;
}

function isIpcMessage(message: unknown): message is IpcMessage {
  return typeof message === "object" && message !== null && (message as IpcMessage).kind === KIND;
}

/**
 * Relays the workers' messages in the primary: call it once in the primary, before forking.
 * Returns a function that stops relaying.
 */
export function setupPrimary(): () => void {
  const subscribers = new Map<string, Set<Worker>>();
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isIpcMessage(message)) return;
    const { op, channel } = message;
    if (op === "subscribe") {
      let set = subscribers.get(channel);
      if (set === undefined) subscribers.set(channel, (set = new Set()));
      set.add(worker);
      worker.send({ kind: KIND, op: "subscribe", channel });
    } else if (op === "unsubscribe") {
      subscribers.get(channel)?.delete(worker);
    } else if (op === "publish") {
      for (const target of subscribers.get(channel) ?? []) {
        if (target.isConnected()) {
          target.send({ kind: KIND, op: "deliver", channel, data: message.data });
        }
      }
    }
  };
  const onExit = (worker: Worker): void => {
    for (const [channel, set] of subscribers) {
      set.delete(worker);
      if (set.size === 0) subscribers.delete(channel);
    }
  };
  cluster.on("message", onMessage);
  cluster.on("exit", onExit);
  return () => {
    cluster.off("message", onMessage);
    cluster.off("exit", onExit);
  };
}

/**
 * The engine cluster's driver for the workers of one `node:cluster` primary: messages travel
 * over the workers' IPC channel, and the primary (after {@link setupPrimary}) hands each to the
 * workers subscribed to its channel. An application creates one per worker and passes it as
 * the `cluster.driver` option (see the example at the top of this file).
 */
export class NodeClusterDriver extends PubSubDriver {
  readonly #listeners = new Map<string, (data: Buffer) => void>();
  readonly #subscribed = new Map<string, () => void>();
  readonly #onMessage = (message: unknown): void => {
    if (!isIpcMessage(message)) return;
    if (message.op === "deliver") {
      this.#listeners.get(message.channel)?.(Buffer.from(message.data ?? "", "base64"));
    } else if (message.op === "subscribe") {
      this.#subscribed.get(message.channel)?.();
      this.#subscribed.delete(message.channel);
    }
  };

  constructor() {
    super();
    if (typeof process.send !== "function") {
      throw createError("NOT_A_CLUSTER_WORKER");
    }
    process.on("message", this.#onMessage);
  }

  #post(message: IpcMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      process.send?.(message, undefined, {}, (err: Error | null) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  protected async send(channel: string, data: Buffer): Promise<undefined> {
    await this.#post({ kind: KIND, op: "publish", channel, data: data.toString("base64") });
    return undefined;
  }

  protected listen(channel: string, listener: (data: Buffer) => void): Promise<void> {
    this.#listeners.set(channel, listener);
    // live once the primary confirms (messages published after that reach this worker)
    const confirmed = new Promise<void>((resolve) => this.#subscribed.set(channel, resolve));
    return this.#post({ kind: KIND, op: "subscribe", channel }).then(() => confirmed);
  }

  protected async unlisten(channel: string): Promise<void> {
    this.#listeners.delete(channel);
    await this.#post({ kind: KIND, op: "unsubscribe", channel });
  }

  override async close(): Promise<void> {
    await super.close();
    process.off("message", this.#onMessage);
  }
}
