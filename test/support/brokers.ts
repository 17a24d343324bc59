/**
 * The brokers the cluster tests need (Redis, PostgreSQL), probed once per test file,
 * synchronously, so that a suite can be declared, skipped or failed at collection time:
 *
 * - broker up: the suite runs;
 * - broker down, outside CI: the suite is skipped with a loud warning naming what to start;
 * - broker down, `CI=true`: a failing test says which broker is missing (CI must not go green
 *   without the cluster tests).
 *
 * @example
 * const describeRedis = describeWithBroker("redis", "@socket.io/redis-adapter");
 * describeRedis("across two servers", () => { it("...", async () => {}); });
 */
import { spawnSync } from "node:child_process";
import { createClient } from "redis";

export type Broker = "redis" | "postgres";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A Redis client as the suites make them: `createClient({ url })` (RESP3, no modules). */
export function createRedis(url: string = REDIS_URL) {
  return createClient({ url });
}

/**
 * The type of {@link createRedis}'s clients. (`ReturnType<typeof createClient>` is the generic
 * client with every module, which redis 6's clients of plain `createClient()` are not.)
 */
export type RedisClient = ReturnType<typeof createRedis>;

/** PostgreSQL connection settings (pg.Pool options): trust auth on 127.0.0.1 by default. */
export const POSTGRES = {
  host: process.env.PGHOST ?? "127.0.0.1",
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? "postgres",
  password: process.env.PGPASSWORD,
  database: process.env.PGDATABASE ?? "test",
};

export const IN_CI = process.env.CI === "true";

const PROBES: Record<Broker, string> = {
  // a PING on a raw socket: no client library needed
  redis: `const u = new URL(${JSON.stringify(REDIS_URL)});
    const s = require("net").connect(Number(u.port) || 6379, u.hostname);
    s.on("connect", () => s.write("PING\\r\\n"));
    s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1));
    s.on("error", () => process.exit(1));`,
  postgres: `const { Client } = require("pg");
    const c = new Client(${JSON.stringify(POSTGRES)});
    c.connect().then(() => c.query("SELECT 1")).then(() => process.exit(0), () => process.exit(1));`,
};

const WHERE: Record<Broker, string> = {
  redis: REDIS_URL,
  postgres: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}`,
};

const known = new Map<Broker, boolean>();

/** Whether `broker` answers (probed once per test file, in a child process, up to 5 s). */
export function brokerUp(broker: Broker): boolean {
  let up = known.get(broker);
  if (up === undefined) {
    const probe = spawnSync(process.execPath, ["-e", PROBES[broker]], {
      timeout: 5000,
      cwd: __dirname,
    });
    up = probe.status === 0;
    known.set(broker, up);
  }
  return up;
}

/**
 * `describe` when all `brokers` answer; otherwise `describe.skip`, after a loud warning (outside
 * CI) or a failing test (under CI=true) naming the missing broker and the suite it holds back.
 */
export function describeWithBroker(brokers: Broker | Broker[], suite: string): jest.Describe {
  const missing = (Array.isArray(brokers) ? brokers : [brokers]).filter((b) => !brokerUp(b));
  if (missing.length === 0) return describe;
  const what = missing.map((b) => `${b} (${WHERE[b]})`).join(" and ");
  if (IN_CI) {
    it(`${suite}: ${missing.join(" and ")} must be reachable under CI=true`, () => {
      throw new Error(`unreachable: ${what}; the ${suite} tests cannot run`);
    });
  } else {
    console.warn(
      `\n*** UNREACHABLE: ${what}: the ${suite} tests are SKIPPED. ` +
        "Start the broker (or set REDIS_URL / PGHOST...) to run them; under CI=true they fail. ***\n",
    );
  }
  return describe.skip;
}
