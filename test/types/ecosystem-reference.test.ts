/**
 * The reference for test/types/ecosystem.ts: the same application file, with its import changed
 * back to `socket.io` (and the socketkit-only line removed), compiles against socket.io 4.8
 * strict, without skipLibCheck. Together with the in-repo type check (against socketkit's
 * sources) and test/package (against the packed declarations, `ecosystem-app.ts`), this backs
 * README's claim: the file compiles against both with only the import changed.
 */
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
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

let project: string | undefined;

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

it("test/types/ecosystem.ts compiles against socket.io itself, its import changed back", () => {
  project = mkdtempSync(join(tmpdir(), "socket.io-reference-"));
  mkdirSync(join(project, "node_modules"));
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name === ".bin") continue;
    symlinkSync(join(root, "node_modules", name), join(project, "node_modules", name), "dir");
  }
  const original = readFileSync(join(root, "test", "types", "ecosystem.ts"), "utf8")
    .replace('"../../core/index"', '"socket.io"')
    .split("\n")
    .filter((line) => !line.includes("integrations/ecosystem") && !line.includes("socketkit only"))
    .join("\n");
  expect(original).toContain('from "socket.io"');
  expect(original).not.toContain("../../");
  writeFileSync(join(project, "app.ts"), original);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "node16",
        moduleResolution: "node16",
        types: ["node"],
        esModuleInterop: true,
        skipLibCheck: false,
      },
      files: ["app.ts"],
    }),
  );
  const run = spawnSync(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], {
    encoding: "utf8",
  });
  expect(`${run.stdout}${run.stderr}`.trim()).toBe("");
  expect(run.status).toBe(0);
}, 120_000);
