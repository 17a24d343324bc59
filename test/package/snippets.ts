/**
 * README.md's TypeScript snippets as compilable files: each ```ts block becomes a module whose
 * triple-slash directives, imports (and `declare module` augmentations) stay at the top and
 * whose statements run inside `export async function main()`, so that the same file compiles
 * as CommonJS (no top-level await) and ESM. The names a snippet uses without defining (an
 * `AppModule`, a session `store`) get a declaration from PRELUDE.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Declarations for the names README snippets take from their surroundings. */
const PRELUDE: Record<string, string> = {
  AppModule: "class AppModule {}",
  // eslint-disable-next-line -- the store's shape is koa-session's business here
  store: "declare const store: any;",
  io: 'declare const io: import("socketkit").Server;',
  httpServer: 'declare const httpServer: import("node:http").Server;',
  app: 'declare const app: import("fastify").FastifyInstance;',
  Server: 'import { Server } from "socketkit";',
  KoaEvents: 'import { KoaEvents } from "socketkit/koa";',
  typedIo: 'import { typedIo } from "socketkit/fastify";',
  ClientToServerEvents: "interface ClientToServerEvents { hello: (name: string) => void }",
  // (an augmentation of socketkit/fastify applies to every file of the program: the events of
  // the other snippets must type-check with it)
  ServerToClientEvents:
    "interface ServerToClientEvents { hello: () => void; news: (headline: string) => void }",
  InterServerEvents: "interface InterServerEvents { ping: () => void }",
  SocketData: "interface SocketData { user?: string }",
};

export interface Snippet {
  /** The README section the block is in. */
  heading: string;
  source: string;
}

export function readmeSnippets(root: string): Snippet[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const snippets: Snippet[] = [];
  let heading = "";
  let block: string[] | undefined;
  for (const line of lines) {
    if (block) {
      if (line.startsWith("```")) {
        snippets.push({ heading, source: block.join("\n") });
        block = undefined;
      } else {
        block.push(line);
      }
    } else if (line.startsWith("#")) {
      heading = line.replace(/^#+\s*/, "");
    } else if (/^```(ts|typescript)\s*$/.test(line)) {
      block = [];
    }
  }
  return snippets;
}

const defines = (source: string, name: string): boolean =>
  new RegExp(
    `\\b(const|let|var|class|function|interface|type)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from`,
  ).test(source);

/** The snippet as a module that type-checks as CommonJS and as ESM. */
export function toModule(snippet: Snippet): string {
  const top: string[] = [];
  const body: string[] = [];
  const lines = snippet.source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\/\/\/ <reference /.test(line)) {
      // a triple-slash directive (a browser client's `lib="dom"`) only works at the top
      top.push(line);
    } else if (/^import\s/.test(line)) {
      // an import may span lines: up to its `from "..."` (a trailing comment allowed)
      const end = /(from\s+["'][^"']+["']|^import\s+["'][^"']+["']);?\s*(\/\/.*)?$/;
      while (i < lines.length - 1 && !end.test(lines[i]!)) {
        top.push(lines[i]!);
        i++;
      }
      if (!end.test(lines[i]!)) throw new Error(`unterminated import in a README snippet: ${line}`);
      top.push(lines[i]!);
    } else if (/^declare module\s/.test(line)) {
      while (lines[i] !== "}") top.push(lines[i++]!);
      top.push("}");
    } else {
      body.push(line);
    }
  }
  const prelude = Object.entries(PRELUDE)
    // a name used as itself (not `app.io`, `socket.io`, words in comments are rare enough)
    .filter(([name]) => new RegExp(`(?<![.\\w/"])${name}\\b`).test(snippet.source))
    .filter(([name]) => !defines(snippet.source, name))
    .map(([, declaration]) => declaration);
  return [
    `// README.md: ${snippet.heading}`,
    ...prelude.filter((d) => d.startsWith("import")),
    ...top,
    ...prelude.filter((d) => !d.startsWith("import")),
    "export async function main(): Promise<void> {",
    ...body.map((line) => (line ? "  " + line : line)),
    "}",
    "",
  ].join("\n");
}
