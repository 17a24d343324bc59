/**
 * A consumer project for the packaged-consumer test: `npm pack` the built package, install the
 * tarball into a temporary project offline (npm's cache holds every tarball after `npm ci`), and
 * link the frameworks and `@types` a TypeScript application would have installed itself.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

export const ROOT = join(__dirname, "..", "..");
const run = promisify(execFile);

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** The package's manifest (`exports` drives which subpaths the test covers). */
export const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** Every import specifier the package offers: "socketkit", "socketkit/fastify", ... */
export function subpaths(): string[] {
  return Object.keys(manifest.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** Where node resolves `name` from `from` in a lockfile's flat `packages` map. */
function lockPath(packages: Record<string, LockEntry>, from: string, name: string): string {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? dir + "/" : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) throw new Error(`${name} (needed by ${from || "the root"}) is not in the lockfile`);
    const i = dir.lastIndexOf("/node_modules/");
    dir = i < 0 ? "" : dir.slice(0, i);
  }
}

/**
 * A lockfile for a project depending on the tarball only: the package's runtime dependencies
 * with the versions, tarball URLs and integrity of the repository's lockfile, so that
 * `npm ci --offline` installs them from npm's cache (a range needs the registry's metadata,
 * which the cache does not hold).
 */
function consumerLock(tarball: string, integrity: string): Record<string, unknown> {
  const repoLock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const repo = repoLock.packages;
  const self = `node_modules/${manifest.name}`;
  const packages: Record<string, LockEntry> = {
    "": { name: "consumer", dependencies: { [manifest.name]: `file:${tarball}` } },
    [self]: {
      version: manifest.version,
      resolved: `file:${tarball}`,
      integrity,
      license: "MIT",
      dependencies: manifest.dependencies,
      optionalDependencies: manifest.optionalDependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    },
  };
  const visit = (path: string, optional: boolean): void => {
    if (packages[path]) return;
    const entry = repo[path]!;
    packages[path] = {
      ...entry,
      dev: undefined,
      devOptional: undefined,
      optional: optional || undefined,
    };
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      visit(lockPath(repo, path, name), optional || name in (entry.optionalDependencies ?? {}));
    }
  };
  for (const name of Object.keys(manifest.dependencies)) visit(`node_modules/${name}`, false);
  for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
    visit(`node_modules/${name}`, true);
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

/**
 * What a TypeScript application installs next to socketkit: the frameworks (optional peer
 * dependencies), their `@types`, the compiler's node types. Linked from the repository's
 * node_modules (node and tsc follow the links to the real files).
 */
export const LINKED = [
  "@nestjs/common",
  "@nestjs/core",
  "@nestjs/platform-express",
  "@nestjs/websockets",
  "@types/content-disposition",
  "@types/express",
  "@types/express-session",
  "@types/koa",
  "@types/node",
  "express",
  "express-session",
  "fastify",
  "koa",
  "koa-session",
  "prom-client",
  "@opentelemetry/api",
  "reflect-metadata",
  "rxjs",
  // the socket.io ecosystem (README "Scaling out"; the socketkit/ecosystem subpath)
  "@socket.io/admin-ui",
  "@socket.io/cluster-adapter",
  "@socket.io/postgres-adapter",
  "@socket.io/redis-adapter",
  "@socket.io/redis-streams-adapter",
  "@socket.io/sticky",
  "@types/pg",
  "engine.io",
  "pg",
  "redis",
  // README "Event contracts": the schema libraries (socket.io-client, which types the client
  // there, comes with the package: it serves the client bundle)
  "zod",
  "valibot",
  "@valibot/to-json-schema",
];

export interface Consumer {
  dir: string;
  /** Runs `node args...` in the project; resolves with stdout (rejects on a non-zero exit). */
  node(args: string[], cwd?: string): Promise<string>;
  /** Runs tsc -p on a folder of the project; resolves with its output and exit code. */
  tsc(folder: string): Promise<{ code: number; output: string }>;
  remove(): void;
}

/** Packs the package (built already), installs it offline into a new temporary project. */
export async function createConsumer(): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), "socketkit-consumer-"));
  const npm = async (args: string[], cwd: string): Promise<string> =>
    (await run("npm", args, { cwd, maxBuffer: 16 << 20 })).stdout;
  const packed = JSON.parse(
    await npm(["pack", "--json", "--pack-destination", dir, "--ignore-scripts"], ROOT),
  ) as { filename: string; integrity: string }[];
  const { filename, integrity } = packed[0]!;
  const project = join(dir, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      dependencies: { [manifest.name]: `file:../${filename}` },
    }),
  );
  writeFileSync(
    join(project, "package-lock.json"),
    JSON.stringify(consumerLock(`../${filename}`, integrity), null, 2),
  );
  await npm(["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], project);
  for (const name of LINKED) {
    if (!existsSync(join(ROOT, "node_modules", name))) continue;
    const target = join(project, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), target, "dir");
  }
  const tscBin = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  return {
    dir: project,
    async node(args, cwd = project) {
      return (await run(process.execPath, args, { cwd, maxBuffer: 16 << 20 })).stdout;
    },
    async tsc(folder) {
      try {
        const { stdout } = await run(process.execPath, [tscBin, "-p", join(project, folder)], {
          cwd: project,
          maxBuffer: 16 << 20,
        });
        return { code: 0, output: stdout };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The tsconfig.json of a consumer folder: strict, no skipLibCheck, the files of the folder, and
 * `options` (module and resolution settings) on top.
 */
export function strictTsconfig(options: Record<string, unknown>): string {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ["node"],
      // @types/koa imports "content-disposition", which would resolve to the v2 package
      // express 5 installs (its own types, without the `Options` @types/koa reads): give
      // it the @types package a Koa-only project resolves (not a socketkit matter)
      paths: { "content-disposition": ["../node_modules/@types/content-disposition"] },
      ...options,
    },
    include: ["*.ts"],
  });
}
