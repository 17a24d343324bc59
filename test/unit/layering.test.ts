/**
 * The layering of docs/architecture.md, enforced: a lower layer never imports a higher one (not
 * even a type), only core/http touches node:http and ws, integrations import only core/index.ts,
 * and no files import each other in a cycle (type imports included) beyond the known ones below.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";

const root = resolve(__dirname, "../..");

function files(dir: string): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (path.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static, dynamic, require). */
function imports(source: string): { spec: string; typeOnly: boolean }[] {
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const m of source.matchAll(
    /(?:^|\n)\s*(import|export)\s+(type\s)?[^;]*?from\s+["']([^"']+)["']/g,
  )) {
    found.push({ spec: m[3], typeOnly: m[2] !== undefined });
  }
  const others = [
    /(?:^|\n)\s*import\s+["']([^"']+)["']/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of others) {
    for (const m of source.matchAll(pattern)) found.push({ spec: m[1], typeOnly: false });
  }
  return found;
}

function specifiers(source: string): string[] {
  return imports(source).map((i) => i.spec);
}

/** The layer of a file under core/ ("util", "engine", ...), or the file name for single files. */
function layerOf(file: string): string {
  const rel = relative(join(root, "core"), file).split(/[\\/]/);
  if (rel.length === 1) return rel[0].replace(/\.ts$/, "");
  return rel[0];
}

const allowed: Record<string, readonly string[]> = {
  errors: [],
  types: [],
  util: ["util"],
  parser: ["parser", "util", "errors", "types"],
  adapter: ["adapter", "parser", "util", "errors", "types"],
  engine: ["engine", "util", "errors", "types"],
  http: ["http", "engine", "ops", "util", "errors", "types"],
  ops: ["ops", "engine", "util", "errors", "types"],
  server: ["server", "engine", "http", "parser", "adapter", "ops", "util", "errors", "types"],
  index: ["server", "engine", "http", "parser", "adapter", "ops", "util", "errors", "types"],
};

const nodeHttpModules = new Set([
  "http",
  "node:http",
  "https",
  "node:https",
  "http2",
  "node:http2",
  "ws",
]);

describe("layering (docs/architecture.md)", () => {
  const coreFiles = files(join(root, "core"));

  it("finds the core sources", () => {
    expect(coreFiles.length).toBeGreaterThan(10);
  });

  it.each(coreFiles.map((f) => [relative(root, f), f]))(
    "%s imports only from its own or lower layers",
    (_name, file) => {
      const layer = layerOf(file);
      const ok = allowed[layer];
      expect(ok).toBeDefined();
      for (const { spec, typeOnly } of imports(readFileSync(file, "utf8"))) {
        if (spec.startsWith(".")) {
          const target = resolve(dirname(file), spec);
          const targetLayer = layerOf(target.endsWith(".ts") ? target : target + ".ts");
          expect({ file: relative(root, file), imports: spec, layer: targetLayer }).toEqual({
            file: relative(root, file),
            imports: spec,
            layer: ok.includes(targetLayer) ? targetLayer : `(forbidden for ${layer})`,
          });
        } else if (nodeHttpModules.has(spec) && !typeOnly) {
          expect({ file: relative(root, file), imports: spec }).toEqual({
            file: relative(root, file),
            imports: layer === "http" ? spec : "(only core/http may)",
          });
        }
      }
    },
  );

  const integrationFiles = files(join(root, "integrations"));
  it.each(
    integrationFiles.length
      ? integrationFiles.map((f) => [relative(root, f), f])
      : [["(none)", ""]],
  )("%s imports the core only through core/index.ts", (_name, file) => {
    if (!file) return;
    const own = relative(join(root, "integrations"), file).split(/[\\/]/)[0];
    for (const spec of specifiers(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = relative(root, resolve(dirname(file), spec));
      const fine =
        target === join("core", "index") ||
        target.startsWith(join("integrations", own) + "/") ||
        target === join("integrations", own);
      expect({ file: relative(root, file), imports: spec, fine }).toEqual({
        file: relative(root, file),
        imports: spec,
        fine: true,
      });
    }
  });

  it("has no import cycles but the API's type-only back-pointers and the listed ones", () => {
    expect(importCycles()).toEqual([...KNOWN_CYCLES].sort());
  });
});

/**
 * The API's own object graphs may point back at themselves, with type imports only: core's
 * Server, Namespace, ParentNamespace, Socket and Client, and the 2.x API's Server, Namespace and
 * Socket (integrations/v2). These edges do not count as cycles; a value import among them does.
 */
const API_GRAPH = new Set([
  ...["server.ts", "namespace.ts", "parent-namespace.ts", "socket.ts", "client.ts"].map((f) =>
    join("core", "server", f),
  ),
  ...["server.ts", "namespace.ts", "socket.ts"].map((f) => join("integrations", "v2", f)),
]);

/**
 * Cycles not removed yet, each as its files (sorted, joined with " <-> "). This list may only
 * shrink: the test fails on a new cycle and on a listed one that is gone (then delete it here).
 * It is empty: keep it so.
 */
const KNOWN_CYCLES: readonly string[] = [];

/** The cycles among core/ and integrations/: strongly connected components of >1 file. */
function importCycles(): string[] {
  const all = [...files(join(root, "core")), ...files(join(root, "integrations"))].map((f) =>
    relative(root, f),
  );
  const known = new Set(all);
  const edges = new Map<string, string[]>();
  for (const file of all) {
    const out: string[] = [];
    for (const { spec, typeOnly } of imports(readFileSync(join(root, file), "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const base = relative(root, resolve(root, dirname(file), spec));
      const target = [base + ".ts", join(base, "index.ts"), base].find((t) => known.has(t));
      if (target === undefined || target === file) continue;
      if (typeOnly && API_GRAPH.has(file) && API_GRAPH.has(target)) continue;
      out.push(target);
    }
    edges.set(file, out);
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort().join(" <-> "));
    }
  };
  for (const file of all) if (!index.has(file)) visit(file);
  return cycles.sort();
}
