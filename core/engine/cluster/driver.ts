/**
 * The broker seam of the engine cluster: what a node needs of a message broker to reach the node
 * that owns a session. A driver is a small file over a broker (Redis pub/sub, node:cluster IPC,
 * PostgreSQL LISTEN/NOTIFY, NATS...); the routing itself lives in `EngineClusterRouter`.
 */

/** Answers a request received through {@link ClusterDriver.subscribe}. */
export type ClusterReply = (answer: Buffer) => void;

/**
 * Receives one message of a channel. `reply` is set when the message was sent with
 * {@link ClusterDriver.request}: calling it once answers the requester.
 */
export type ClusterHandler = (message: Buffer, reply: ClusterReply | undefined) => void;

/** A broker, as the engine cluster uses it. */
export interface ClusterDriver {
  /**
   * Delivers `message` to the subscribers of `channel`, in the order this driver published them
   * (messages to one channel from one driver never overtake each other), at most once. May
   * reject when the driver knows that nobody subscribes (a node that died).
   */
  publish(channel: string, message: Buffer): Promise<void>;
  /** Calls `handler` for every message of `channel`; resolves once the subscription is live. */
  subscribe(channel: string, handler: ClusterHandler): Promise<void>;
  /** Stops calling the handler of `channel`. */
  unsubscribe(channel: string): Promise<void>;
  /**
   * Sends `message` to the subscriber of `channel` and resolves with its answer. Rejects after
   * `timeoutMs` without one, or at once when the driver knows that nobody subscribes. Ordered
   * with the driver's `publish` calls to the same channel.
   */
  request(channel: string, message: Buffer, timeoutMs: number): Promise<Buffer>;
  /** Releases what the driver created (not the connections the application gave it). */
  close(): Promise<void>;
}

/** The `cluster` option of the engine (and of `Server`). */
export interface EngineClusterOptions {
  /** The broker: `RedisClusterDriver` (socketkit/cluster-redis), `NodeClusterDriver` (socketkit/cluster-node), or your own. */
  driver: ClusterDriver;
  /**
   * The channel prefix: every node of one logical server uses the same one, and two servers on
   * one broker use different ones ("socketkit-engine").
   */
  channelPrefix?: string;
  /**
   * How long a forwarded request may wait for the owner, in ms. A long-poll GET waits up to
   * `pingInterval` for its answer, so its limit is `pingInterval + pingTimeout` (the time after
   * which the owner closes a silent session anyway); a POST or a WebSocket open waits
   * `pingTimeout`. When set, this one value is used for all.
   */
  requestTimeout?: number;
}
