/**
 * The package as a user gets it: `npm pack`, the tarball installed offline into a temporary
 * project next to the frameworks and their `@types`, then
 * - every README.md TypeScript snippet compiles with `tsc --strict`, without `skipLibCheck`, under
 *   NodeNext (ESM and CommonJS), commonjs + node10 resolution and bundler resolution;
 * - every subpath of package.json `exports` resolves and type-checks under each of them;
 * - mistakes stay compile errors (`@ts-expect-error` fails the build when the line compiles);
 * - the ESM and CommonJS entry points of every subpath load and export the same names, and the
 *   core and the Fastify plugin work from both.
 */
import { writeFileSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt } from "../integrations/nestjs/child";
import {
  createConsumer,
  manifest,
  strictTsconfig,
  subpaths,
  ROOT,
  type Consumer,
} from "./consumer";
import { readmeSnippets, toModule } from "./snippets";

let consumer: Consumer;

beforeAll(async () => {
  ensureBuilt();
  consumer = await createConsumer();
}, 180000);

afterAll(() => consumer?.remove());

/** The compiler setups a TypeScript user may have. */
const SETUPS: Record<string, { type: "module" | "commonjs"; options: Record<string, unknown> }> = {
  "nodenext-esm": { type: "module", options: { module: "NodeNext", moduleResolution: "NodeNext" } },
  "nodenext-cjs": {
    type: "commonjs",
    options: { module: "NodeNext", moduleResolution: "NodeNext", esModuleInterop: true },
  },
  node10: {
    type: "commonjs",
    options: { module: "commonjs", moduleResolution: "node10", esModuleInterop: true },
  },
  bundler: { type: "module", options: { module: "ESNext", moduleResolution: "bundler" } },
};

const NEGATIVE = `import { Server } from "socketkit";
import Fastify from "fastify";
import socketkit from "socketkit/fastify";

interface ClientToServer {
  hello: (name: string, ack: (greeting: string) => void) => void;
}
interface ServerToClient {
  news: (headline: string) => void;
}

export async function negative(): Promise<void> {
  const io = new Server<ClientToServer, ServerToClient>();
  // @ts-expect-error unknown event name
  io.emit("newz", "headline");
  // @ts-expect-error wrong argument type
  io.emit("news", 42);
  io.on("connection", (socket) => {
    // @ts-expect-error unknown client event
    socket.on("helo", () => undefined);
    // @ts-expect-error the ack takes a string
    socket.on("hello", (_name, ack) => ack(1));
  });
  // @ts-expect-error a CORS origin is a boolean, string, RegExp, an array of them or a function
  new Server({ cors: { origin: 5 } });
  // @ts-expect-error unknown option type
  new Server({ pingInterval: "fast" });
  const app = Fastify();
  // @ts-expect-error the plugin's options are the Server options
  await app.register(socketkit, { transports: ["carrier-pigeon"] });
}
`;

function writeSetups(): void {
  const snippets = readmeSnippets(ROOT);
  const imports = subpaths()
    .map((spec, i) => `import * as m${i} from "${spec}";`)
    .join("\n");
  const all = `${imports}\nexport const modules = [${subpaths()
    .map((_, i) => `m${i}`)
    .join(", ")}];\n`;
  for (const [name, setup] of Object.entries(SETUPS)) {
    const dir = join(consumer.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: setup.type }));
    writeFileSync(join(dir, "tsconfig.json"), strictTsconfig(setup.options));
    snippets.forEach((snippet, i) => writeFileSync(join(dir, `readme-${i}.ts`), toModule(snippet)));
    writeFileSync(join(dir, "subpaths.ts"), all);
    writeFileSync(join(dir, "negative.ts"), NEGATIVE);
    writeFileSync(join(dir, "ecosystem-app.ts"), ecosystemApp());
  }
}

/**
 * test/types/ecosystem.ts as an application has it: the socket.io ecosystem's typings (adapters,
 * admin-ui, sticky, engine.io) used with socketkit's Server, imported by package name.
 */
function ecosystemApp(): string {
  return readFileSync(join(ROOT, "test", "types", "ecosystem.ts"), "utf8")
    .replace('"../../core/index"', '"socketkit"')
    .replace('"../../integrations/ecosystem"', '"socketkit/ecosystem"');
}

describe("TypeScript consumers", () => {
  beforeAll(writeSetups);

  it("finds README snippets for the core and every integration", () => {
    const sources = readmeSnippets(ROOT).map((s) => s.source);
    for (const spec of subpaths()) {
      if (spec.endsWith("/v2") || spec.endsWith("/prometheus")) continue; // no snippet required
      const imported = (source: string): boolean =>
        source.includes(`from "${spec}"`) || source.includes(`import "${spec}";`);
      expect(sources.some(imported)).toBe(true);
    }
  });

  it.each(Object.keys(SETUPS))(
    "compiles the README snippets, every subpath and the negative cases (%s)",
    async (setup) => {
      const { code, output } = await consumer.tsc(setup);
      expect(output).toBe("");
      expect(code).toBe(0);
    },
    60000,
  );

  it("maps every exported subpath for node10 resolution (typesVersions)", () => {
    const mapped = manifest.typesVersions?.["*"] ?? {};
    for (const [key, target] of Object.entries(manifest.exports)) {
      if (key === "." || key === "./package.json") continue;
      const types = (target as { types: string }).types.replace(/^\.\//, "");
      expect(mapped[key.slice(2)]).toEqual([types]);
    }
  });
});

/** Subpaths that hold types only (an empty module at run time). */
const TYPES_ONLY = new Set([`${manifest.name}/ecosystem`]);

describe("the installed package", () => {
  it("ships no @internal members, and source maps with their sources", () => {
    const pkg = join(consumer.dir, "node_modules", manifest.name, "dist");
    const index = readFileSync(join(pkg, "core", "server", "server.d.ts"), "utf8");
    expect(index).not.toContain("@internal");
    const map = JSON.parse(readFileSync(join(pkg, "core", "index.js.map"), "utf8")) as {
      sourcesContent?: string[];
    };
    expect(map.sourcesContent?.[0]).toContain("export");
    expect(existsSync(join(pkg, "..", "esm", "fastify.mjs"))).toBe(true);
  });

  it.each(subpaths())(
    "loads %s from CommonJS and ESM with the same exports",
    async (spec) => {
      const cjs = JSON.parse(
        await consumer.node(["-e", `console.log(JSON.stringify(Object.keys(require("${spec}"))))`]),
      ) as string[];
      const esm = JSON.parse(
        await consumer.node([
          "--input-type=module",
          "-e",
          `console.log(JSON.stringify(Object.keys(await import("${spec}"))))`,
        ]),
      ) as string[];
      const named = cjs.filter((name) => name !== "__esModule" && name !== "default");
      if (TYPES_ONLY.has(spec)) {
        // declarations only (module augmentations): it loads, empty, from both
        expect(named).toEqual([]);
        return;
      }
      expect(named.length).toBeGreaterThan(0);
      expect(esm).toEqual(expect.arrayContaining(named));
    },
    30000,
  );

  const SMOKE = (load: string): string => `${load}
const http = await import("node:http");
const httpServer = http.createServer();
const io = new Server(httpServer);
await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
const res = await fetch("http://127.0.0.1:" + httpServer.address().port + "/socket.io/socket.io.min.js");
const app = Fastify();
await app.register(plugin);
await app.ready();
console.log(JSON.stringify({ bundle: res.status, length: (await res.text()).length, io: typeof app.io.emit }));
await app.close();
await io.close();
`;

  it("serves the client bundle and registers the Fastify plugin from ESM (default import)", async () => {
    const load = `import { Server } from "socketkit";
import plugin from "socketkit/fastify";
import Fastify from "fastify";`;
    writeFileSync(join(consumer.dir, "smoke.mjs"), SMOKE(load));
    const out = JSON.parse(await consumer.node(["smoke.mjs"])) as Record<string, unknown>;
    expect(out).toEqual({ bundle: 200, length: expect.any(Number), io: "function" });
  });

  it("serves the client bundle and registers the Fastify plugin from CommonJS", async () => {
    const load = `const { Server } = require("socketkit");
const plugin = require("socketkit/fastify");
const Fastify = require("fastify");
(async () => {`;
    writeFileSync(join(consumer.dir, "smoke.cjs"), SMOKE(load) + "})();\n");
    const out = JSON.parse(await consumer.node(["smoke.cjs"])) as Record<string, unknown>;
    expect(out).toEqual({ bundle: 200, length: expect.any(Number), io: "function" });
  });
});
