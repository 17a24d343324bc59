/**
 * `npm install socketkit` as a user does it today: a fresh project that first installs the
 * registry's latest of every optional peer dependency and of every official socket.io adapter
 * and tool, then the packed tarball with a plain `npm install` (no `--legacy-peer-deps`, no
 * `--force`). The install must succeed without ERESOLVE and without a peer warning; then, in that
 * project, the README's snippets type-check against those latest majors and a smoke script runs
 * the package with them: `require("socketkit")(httpServer)`, the Redis adapter over the latest
 * `redis`, Prometheus metrics and a socket.io-client round trip.
 *
 * It needs the npm registry. Outside CI, an unreachable registry skips the suite with a loud
 * warning; with `CI=true` it fails.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureBuilt } from "../integrations/nestjs/child";
import { IN_CI, REDIS_URL } from "../support/brokers";
import { manifest, ROOT, strictTsconfig } from "./consumer";
import { readmeSnippets, toModule } from "./snippets";

const run = promisify(execFile);

/** Every official adapter and tool of the socket.io ecosystem a socketkit user may install. */
const ECOSYSTEM = [
  "@socket.io/redis-adapter",
  "@socket.io/redis-streams-adapter",
  "@socket.io/postgres-adapter",
  "@socket.io/cluster-adapter",
  "@socket.io/sticky",
  "@socket.io/admin-ui",
];

/** What the README snippets import besides the peers (types and session middlewares). */
const SNIPPET_EXTRAS = [
  "@nestjs/platform-express",
  "@types/express",
  "@types/express-session",
  "@types/koa",
  "@types/node",
  "@types/pg",
  "express-session",
  "koa-session",
  "reflect-metadata",
  "socket.io-client",
  "zod",
  "valibot",
  "@valibot/to-json-schema",
];

const registryUp = (): boolean =>
  spawnSync("npm", ["view", "redis", "version"], { encoding: "utf8", timeout: 30000 }).status === 0;

const reachable = registryUp();
if (!reachable) {
  const message = "the npm registry is unreachable: test/package/install.test.ts cannot install";
  if (!IN_CI) console.warn(`\n\n  !!! SKIPPED: ${message} !!!\n`);
}
const describeOnline = reachable || IN_CI ? describe : describe.skip;

/** The latest version of `name` on the registry. */
async function latest(name: string): Promise<string> {
  const { stdout } = await run("npm", ["view", name, "version"], { timeout: 60000 });
  return stdout.trim();
}

interface Npm {
  code: number;
  output: string;
}

async function npm(args: string[], cwd: string): Promise<Npm> {
  try {
    const { stdout, stderr } = await run("npm", args, {
      cwd,
      maxBuffer: 32 << 20,
      timeout: 600000,
      env: { ...process.env, npm_config_loglevel: "warn" },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, output: (e.stdout ?? "") + e.stderr };
  }
}

/** Lines of npm's output that report a peer problem (ERESOLVE, a conflicting or missing peer). */
function peerTrouble(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /ERESOLVE|peer dep|\bpeer\b.*(missing|invalid)|Conflicting peer/i.test(line));
}

const SMOKE = `
const { createServer } = require("node:http");
const { once } = require("node:events");
const { createClient } = require("redis");
const { createAdapter } = require("@socket.io/redis-adapter");
const { Registry } = require("prom-client");
const { registerMetrics } = require("socketkit/prometheus");
const { io: connect } = require("socket.io-client");

async function main() {
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = createServer();
  // the classic line of socket.io applications
  const io = require("socketkit")(httpServer, { adapter: createAdapter(pub, sub) });
  const registry = new Registry();
  registerMetrics(io, registry);
  io.on("connection", (socket) => socket.on("hello", (name, ack) => ack("hi " + name)));
  httpServer.listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  const client = connect("http://127.0.0.1:" + httpServer.address().port);
  const answer = await client.emitWithAck("hello", "ada");
  const metrics = await registry.metrics();
  client.disconnect();
  await io.close();
  await Promise.all([pub.quit(), sub.quit()]);
  const line = metrics.split("\\n").find((l) => l.startsWith("socketkit_handshakes_total"));
  console.log(JSON.stringify({ answer, line, redis: require("redis/package.json").version }));
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

describeOnline("npm install socketkit next to the latest peers and official adapters", () => {
  let dir = "";
  let project = "";
  let install: Npm;
  let versions: Record<string, string> = {};

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "socketkit-install-"));
    project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "app", private: true, version: "1.0.0" }),
    );
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const names = [...peers, ...ECOSYSTEM, ...SNIPPET_EXTRAS];
    versions = Object.fromEntries(
      await Promise.all(names.map(async (name) => [name, await latest(name)] as const)),
    );
    // the application's own dependencies first, at today's latest (what `npm install x` takes)
    const first = await npm(
      ["install", "--no-audit", "--no-fund", ...names.map((n) => `${n}@${versions[n]}`)],
      project,
    );
    if (first.code !== 0) throw new Error(`installing the latest peers failed:\n${first.output}`);
    const packed = await npm(
      ["pack", "--json", "--pack-destination", dir, "--ignore-scripts"],
      ROOT,
    );
    const { filename } = (
      JSON.parse(packed.output.slice(packed.output.indexOf("["))) as {
        filename: string;
      }[]
    )[0]!;
    install = await npm(["install", "--no-audit", "--no-fund", join(dir, filename)], project);
  }, 900000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("covers the registry's current major of every optional peer", () => {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const major = versions[name]!.split(".")[0];
      const majors = range.split("||").map((part) => part.trim().replace(/^\^/, "").split(".")[0]);
      expect({ name, major, covered: majors.includes(major) }).toEqual({
        name,
        major,
        covered: true,
      });
    }
  });

  it("installs with a plain npm install: exit 0, no ERESOLVE, no peer warning", () => {
    expect(peerTrouble(install.output)).toEqual([]);
    expect(install.code).toBe(0);
  });

  it("type-checks the README snippets against the latest majors (strict, no skipLibCheck)", async () => {
    const check = join(project, "readme");
    mkdirSync(check);
    writeFileSync(join(check, "package.json"), JSON.stringify({ type: "commonjs" }));
    writeFileSync(
      join(check, "tsconfig.json"),
      strictTsconfig({ module: "NodeNext", moduleResolution: "NodeNext", esModuleInterop: true }),
    );
    readmeSnippets(ROOT).forEach((snippet, i) =>
      writeFileSync(join(check, `readme-${i}.ts`), toModule(snippet)),
    );
    // the compiler is the repository's (the application's own TypeScript is its business)
    symlinkSync(
      join(ROOT, "node_modules", "typescript"),
      join(project, "node_modules", "typescript"),
      "dir",
    );
    let output = "";
    try {
      await run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", check], {
        cwd: project,
        maxBuffer: 16 << 20,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
    expect(output).toBe("");
  }, 300000);

  it('runs require("socketkit")(httpServer) with the latest redis, adapter, prom-client and client', async () => {
    writeFileSync(join(project, "smoke.cjs"), SMOKE);
    const { stdout } = await run(process.execPath, ["smoke.cjs"], {
      cwd: project,
      timeout: 60000,
      env: { ...process.env, REDIS_URL },
    });
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as {
      answer: string;
      line: string;
      redis: string;
    };
    expect(result.answer).toBe("hi ada");
    expect(result.redis).toBe(versions["redis"]);
    expect(result.line).toBe("socketkit_handshakes_total 1");
  }, 120000);
});
