/**
 * The layering of docs/architecture.md, enforced: a lower layer never imports a higher one (not
 * even a type), only core/http touches node:http and ws, integrations import only core/index.ts.
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
});
