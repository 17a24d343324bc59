/**
 * The Redis driver of the engine cluster (`socketkit/cluster-redis`): pub/sub over two
 * connections of the `redis` package (an optional peer dependency, never imported here: the
 * application passes its clients, as with `@socket.io/redis-adapter`).
 *
 * @example
 * import { createClient } from "redis";
 * import { Server } from "socketkit";
 * import { RedisClusterDriver } from "socketkit/cluster-redis";
 *
 * const pubClient = createClient({ url: "redis://localhost:6379" });
 * const subClient = pubClient.duplicate();
 * await Promise.all([pubClient.connect(), subClient.connect()]);
 * const io = new Server(3000, { cluster: { driver: new RedisClusterDriver(pubClient, subClient) } });
 */
import { PubSubDriver } from "./pub-sub-driver";

/** What the driver uses of a `redis` (v4/v5) client. */
export interface RedisPubClient {
  publish(channel: string, message: Buffer): Promise<number>;
}

/** What the driver uses of a `redis` client in subscriber mode (a `duplicate()`). */
export interface RedisSubClient {
  subscribe(
    channel: string,
    listener: (message: Buffer, channel: Buffer) => unknown,
    bufferMode: true,
  ): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
}

/**
 * The engine cluster's driver over Redis pub/sub: the application creates it with two
 * connected clients of the `redis` package (one publishes, the other subscribes) and passes it
 * as the `cluster.driver` option of every node (see the example at the top of this file).
 */
export class RedisClusterDriver extends PubSubDriver {
  readonly #pub: RedisPubClient;
  readonly #sub: RedisSubClient;

  /**
   * @param pubClient a connected client, for PUBLISH
   * @param subClient another connected client (`pubClient.duplicate()`), for SUBSCRIBE
   */
  constructor(pubClient: RedisPubClient, subClient: RedisSubClient) {
    super();
    this.#pub = pubClient;
    this.#sub = subClient;
  }

  protected send(channel: string, data: Buffer): Promise<number> {
    // PUBLISH answers how many subscribers got the message: 0 means the owner is gone
    return this.#pub.publish(channel, data);
  }

  protected async listen(channel: string, listener: (data: Buffer) => void): Promise<void> {
    await this.#sub.subscribe(channel, (message) => listener(message), true);
  }

  protected async unlisten(channel: string): Promise<void> {
    await this.#sub.unsubscribe(channel);
  }
}
