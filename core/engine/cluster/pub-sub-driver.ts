/**
 * A base for drivers over a plain publish/subscribe broker: requests and their answers are
 * messages too. A subclass provides `send` (publish raw bytes) and `listen`/`unlisten`
 * (subscribe raw bytes); this class frames every message (plain, request or answer), keeps the
 * pending requests and their deadlines, and answers through each driver's own inbox channel.
 */
import { createError } from "../../errors";
import { generateId } from "../../util/id";
import type { ClusterDriver, ClusterHandler } from "./driver";

const PLAIN = 0;
const REQUEST = 1;
const ANSWER = 2;

interface Pending {
  resolve(answer: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The common half of the engine cluster's drivers (Redis, node:cluster): request/answer and
 * framing over a broker that only publishes and subscribes. Applications meet it when they
 * write a driver for another broker: they subclass it and implement `send`, `listen` and
 * `unlisten`; the drivers shipped with socketkit are such subclasses.
 */
export abstract class PubSubDriver implements ClusterDriver {
  /** This driver's inbox channel, where the answers to its requests arrive. */
  readonly inbox: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #inboxReady: Promise<void> | null = null;
  #closed = false;

  constructor(inboxPrefix = "socketkit-engine#inbox#") {
    this.inbox = inboxPrefix + generateId();
  }

  /**
   * Publishes raw bytes; resolves with how many subscribers received them when the broker says
   * (0: nobody listens), or undefined when it cannot know.
   */
  protected abstract send(channel: string, data: Buffer): Promise<number | undefined>;
  /** Subscribes raw bytes to `listener`; resolves once live. */
  protected abstract listen(channel: string, listener: (data: Buffer) => void): Promise<void>;
  /** Ends a subscription. */
  protected abstract unlisten(channel: string): Promise<void>;

  /** Rejects with `SIO_ERR_CLUSTER_UNREACHABLE` when the broker says that nobody listens. */
  async publish(channel: string, message: Buffer): Promise<void> {
    const receivers = await this.send(channel, Buffer.concat([Buffer.of(PLAIN), message]));
    if (receivers === 0) throw createError("CLUSTER_UNREACHABLE");
  }

  subscribe(channel: string, handler: ClusterHandler): Promise<void> {
    return this.listen(channel, (data) => this.#onMessage(data, handler));
  }

  unsubscribe(channel: string): Promise<void> {
    return this.unlisten(channel);
  }

  async request(channel: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.#closed) throw createError("CLUSTER_CLOSED");
    this.#inboxReady ??= this.listen(this.inbox, (data) => this.#onAnswer(data));
    await this.#inboxReady;
    const id = this.#nextId;
    this.#nextId = id === 0xffffffff ? 1 : id + 1;
    const inbox = Buffer.from(this.inbox);
    const head = Buffer.allocUnsafe(7);
    head[0] = REQUEST;
    head.writeUInt32BE(id, 1);
    head.writeUInt16BE(inbox.length, 5);
    const answer = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(createError("CLUSTER_TIMEOUT"));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
    });
    const receivers = await this.send(channel, Buffer.concat([head, inbox, message])).catch(
      (error: unknown) => {
        this.#settle(id, createError("CLUSTER_UNREACHABLE", undefined, { cause: error }));
        return undefined;
      },
    );
    if (receivers === 0) this.#settle(id, createError("CLUSTER_UNREACHABLE"));
    return answer;
  }

  /** Fails every pending request; the subclass then releases its own resources. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, createError("CLUSTER_CLOSED"));
    }
    if (this.#inboxReady) {
      this.#inboxReady = null;
      await this.unlisten(this.inbox).catch(() => undefined);
    }
  }

  #settle(id: number, error: Error): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  #onMessage(data: Buffer, handler: ClusterHandler): void {
    if (data.length === 0) return;
    if (data[0] === PLAIN) {
      handler(data.subarray(1), undefined);
      return;
    }
    if (data[0] !== REQUEST || data.length < 7) return;
    const id = data.readUInt32BE(1);
    const end = 7 + data.readUInt16BE(5);
    if (end > data.length) return;
    const inbox = data.toString("utf8", 7, end);
    let answered = false;
    handler(data.subarray(end), (answer) => {
      if (answered) return;
      answered = true;
      const head = Buffer.allocUnsafe(5);
      head[0] = ANSWER;
      head.writeUInt32BE(id, 1);
      this.send(inbox, Buffer.concat([head, answer])).catch(() => undefined);
    });
  }

  #onAnswer(data: Buffer): void {
    if (data.length < 5 || data[0] !== ANSWER) return;
    const id = data.readUInt32BE(1);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(data.subarray(5));
  }
}
