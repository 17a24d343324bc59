/**
 * Compile-time test (tsc in `npm test`, not run by jest): a strict application file using the
 * socket.io ecosystem's official typings, written for `socket.io`, compiles against socketkit with
 * only its import changed (`from "socket.io"` -> socketkit). Every call below is one that a
 * socket.io 4.8 application makes; none needs a cast.
 */
import { createServer } from "node:http";
import { Pool } from "pg";
import { createClient } from "redis";
import { Server as EngineIoServer } from "engine.io";
import {
  createAdapter as createRedisAdapter,
  createShardedAdapter,
} from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { createAdapter as createPostgresAdapter } from "@socket.io/postgres-adapter";
import { createAdapter as createClusterAdapter } from "@socket.io/cluster-adapter";
import { setupWorker } from "@socket.io/sticky";
import { instrument, InMemoryStore } from "@socket.io/admin-ui";
import { Server } from "../../core/index";
// socketkit only: the overloads for tools typed with socket.io's Server class (see README)
import "../../integrations/ecosystem";

interface ClientToServer {
  hello: (name: string) => void;
}
interface ServerToClient {
  news: (headline: string) => void;
}
interface InterServer {
  ping: (ack: (pong: string) => void) => void;
}
interface SocketData {
  user: string;
}

export async function scaleOut(): Promise<void> {
  const pub = createClient({ url: "redis://127.0.0.1:6379" });
  const sub = pub.duplicate();
  const pool = new Pool({ host: "127.0.0.1", user: "postgres", database: "test" });

  // the createAdapter() results are `(nsp) => Adapter` factories: valid `adapter` options
  const io = new Server<ClientToServer, ServerToClient, InterServer, SocketData>(createServer(), {
    adapter: createRedisAdapter(pub, sub),
  });
  new Server({ adapter: createShardedAdapter(pub, sub) });
  new Server({ adapter: createStreamsAdapter(pub), connectionStateRecovery: {} });
  new Server({ adapter: createPostgresAdapter(pool) });
  new Server({ adapter: createClusterAdapter() });
  io.adapter(createPostgresAdapter(pool));

  // tools typed with socket.io's Server
  instrument(io, { auth: false, mode: "development", store: new InMemoryStore() });
  instrument(new Server(), { readonly: true, namespaceName: "/admin" });
  setupWorker(io);
  setupWorker(new Server());
  // @ts-expect-error the options keep admin-ui's types
  instrument(io, { mode: "fast" });

  // an engine.io server instead of the built-in one
  io.bind(new EngineIoServer());

  // the cluster API, typed by the InterServer map
  const pongs: string[] = await io.serverSideEmitWithAck("ping");
  const count: number = await io.of("/").adapter.serverCount();
  void pongs;
  void count;
}
