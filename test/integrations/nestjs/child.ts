/**
 * Helpers for the tests of the built package (dist/): build it when a source is newer, copy it
 * where a fixture resolves it, run a fixture application in a child node process.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = join(__dirname, "..", "..", "..");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build`'s compiler when dist/ is missing or older than core/ or integrations/. */
export function ensureBuilt(): void {
  const built = join(ROOT, "dist", "integrations", "nestjs", "index.js");
  const sources = Math.max(
    newestSource(join(ROOT, "core")),
    newestSource(join(ROOT, "integrations")),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT });
  } catch (err) {
    // type errors are the typecheck's business; tsc emits anyway: only a missing output fails here
    if (!existsSync(built) || statSync(built).mtimeMs < sources) throw err;
  }
}

/** Copies the built package to `<dir>/node_modules/socketkit`, as an install would put it. */
export function installBuiltPackage(dir: string): void {
  const target = join(dir, "node_modules", "socketkit");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(ROOT, "package.json"), join(target, "package.json"));
  cpSync(join(ROOT, "dist"), join(target, "dist"), { recursive: true });
}

export interface ChildApp {
  port: number;
  /** Resolves with the next fact (a JSON line of the fixture) that has `key`. */
  fact(key: string): Promise<Record<string, unknown>>;
  /** Ends stdin (the fixture closes the application), resolves with the exit code. */
  close(): Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Runs `node <entry> ...args` and waits for the port it listens on. */
export async function startChild(entry: string, args: string[] = []): Promise<ChildApp> {
  const child = spawn(process.execPath, [entry, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  const facts: Record<string, unknown>[] = [];
  const waiting: { key: string; resolve: (fact: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const fact = JSON.parse(line) as Record<string, unknown>;
    const i = waiting.findIndex((w) => w.key in fact);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(fact);
    else facts.push(fact);
  });
  const fact = (key: string): Promise<Record<string, unknown>> => {
    const i = facts.findIndex((f) => key in f);
    if (i >= 0) return Promise.resolve(facts.splice(i, 1)[0]!);
    return Promise.race([
      new Promise<Record<string, unknown>>((resolve) => waiting.push({ key, resolve })),
      exited.then((code) => {
        throw new Error(`${entry} exited (${code}) before "${key}": ${stderr}`);
      }),
    ]);
  };
  const { port } = (await fact("port")) as { port: number };
  return {
    port,
    fact,
    close: () => {
      child.stdin!.end();
      return exited;
    },
  };
}

/** Kills the children a test left running. Call from afterEach. */
export function killChildren(): void {
  for (const child of children) child.kill();
  children.clear();
}
