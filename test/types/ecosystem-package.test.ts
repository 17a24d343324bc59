/**
 * The published declarations, as a consumer sees them: socketkit's declarations are emitted into
 * a consumer project's node_modules, and an application file using the ecosystem's typings
 * (test/types/ecosystem.ts, importing "socketkit" and "socketkit/ecosystem") compiles strict,
 * WITHOUT skipLibCheck, under node16 and bundler resolution. This catches what the in-repo type
 * check cannot: a module augmentation that the emitted `.d.ts` no longer anchors, an import the
 * declarations need but a consumer cannot resolve.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

let consumer: string;

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "socketkit-consumer-"));
  const modules = join(consumer, "node_modules");
  const pkg = join(modules, "socketkit");
  // the consumer's dependencies: the repository's installed packages, socketkit excepted
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name === ".bin" || name === "socketkit") continue;
    symlinkSync(join(root, "node_modules", name), join(modules, name), "junction");
  }
  const build = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      join(root, "tsconfig.build.json"),
      "--emitDeclarationOnly",
      "--outDir",
      join(pkg, "dist"),
    ],
    { encoding: "utf8" },
  );
  if (build.status !== 0)
    throw new Error(`declaration build failed:\n${build.stdout}${build.stderr}`);
  const app = readFileSync(join(root, "test", "types", "ecosystem.ts"), "utf8")
    .replace('"../../core/index"', '"socketkit"')
    .replace('"../../integrations/ecosystem"', '"socketkit/ecosystem"');
  writeFileSync(join(consumer, "app.ts"), app);
  // the same application written for socket.io: its import, without the socketkit-only line
  const original = app
    .replace('"socketkit"', '"socket.io"')
    .split("\n")
    .filter((line) => !line.includes("socketkit"))
    .join("\n");
  writeFileSync(join(consumer, "app-socket.io.ts"), original);
}, 120_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

function compile(module: string, moduleResolution: string, file = "app.ts"): string {
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module,
        moduleResolution,
        types: ["node"],
        esModuleInterop: true,
        skipLibCheck: false,
      },
      files: [file],
    }),
  );
  const run = spawnSync(process.execPath, [tsc, "-p", join(consumer, "tsconfig.json")], {
    encoding: "utf8",
  });
  return `${run.stdout}${run.stderr}`.trim();
}

describe("the ecosystem's typings against the published declarations", () => {
  it("compile strict without skipLibCheck (node16)", () => {
    expect(compile("node16", "node16")).toBe("");
  }, 120_000);

  it("compile strict without skipLibCheck (bundler)", () => {
    expect(compile("preserve", "bundler")).toBe("");
  }, 120_000);

  it("compile against socket.io itself, the import changed back (the reference)", () => {
    const app = readFileSync(join(consumer, "app-socket.io.ts"), "utf8");
    expect(app).toContain('from "socket.io"');
    expect(app).not.toContain("socketkit");
    expect(compile("node16", "node16", "app-socket.io.ts")).toBe("");
  }, 120_000);
});
