/**
 * `require("socketkit")(srv, opts)`, as `require("socket.io")(srv, opts)`: the CommonJS main
 * export is a function building a Server, with the classes as its properties, and `new` on it
 * throws as on socket.io's (an arrow function). Checked on the built package (dist/, reached by
 * name through the package's self-reference, so through package.json `exports`) in child node
 * processes, from CommonJS and from an ES module (createRequire), and on socket.io 4.8 itself.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureBuilt, ROOT } from "../../integrations/nestjs/child";

const run = promisify(execFile);
const FIXTURES = join(__dirname, "fixtures");

interface Facts {
  type: string;
  name: string;
  length: number;
  hasPrototype: boolean;
  esModuleFlag: boolean;
  keys: string[];
  constructed: string;
  called: { isServer: boolean; attached: boolean; path: string; answer: number };
  optionsOnly: { isServer: boolean; path: string };
  esm?: { named: string[]; sameValues: boolean };
}

async function facts(entry: "cjs" | "mjs", pkg: string): Promise<Facts> {
  const { stdout } = await run(
    process.execPath,
    [join(FIXTURES, `callable-export.${entry}`), pkg],
    { cwd: ROOT, timeout: 15000 },
  );
  return JSON.parse(stdout) as Facts;
}

beforeAll(() => ensureBuilt(), 60000);

/** What socket.io 4.8's export is, and socketkit's must be too. */
const SHAPE = {
  type: "function",
  name: "",
  length: 2,
  hasPrototype: false,
  esModuleFlag: false,
  constructed: "TypeError: true",
  called: { isServer: true, attached: true, path: "/callable", answer: 42 },
  optionsOnly: { isServer: true, path: "/options-only" },
};

describe.each(["cjs", "mjs"] as const)("the CommonJS main export (from %s)", (entry) => {
  it("is callable in socket.io 4.8 (the reference of this test)", async () => {
    const ref = await facts(entry, "socket.io");
    expect(ref).toMatchObject(SHAPE);
    expect(ref.keys).toEqual(["Server", "Namespace", "Socket"]);
  }, 30000);

  it('is callable in socketkit: require("socketkit")(srv, opts) builds an attached Server, new throws', async () => {
    const ours = await facts(entry, "socketkit");
    expect(ours).toMatchObject(SHAPE);
    expect(ours.keys).toEqual(expect.arrayContaining(["Server", "Namespace", "Socket"]));
    expect(ours.keys).toEqual(expect.arrayContaining(["EngineServer", "Adapter", "parser"]));
    if (entry === "mjs") {
      // the ES module named exports are the names the barrel declares, with the same values
      expect(ours.esm!.sameValues).toBe(true);
      expect([...ours.keys].sort()).toEqual([...ours.esm!.named].sort());
    }
  }, 30000);
});

it("keeps the barrel callable for code importing the sources (jest, tsconfig paths)", async () => {
  const barrel = require("../../../core/index") as ((
    srv?: unknown,
    opts?: { path?: string },
  ) => { path(): string; close(): Promise<void> }) & { Server: new (...args: never[]) => object };
  const io = barrel({ path: "/from-sources" });
  expect(io).toBeInstanceOf(barrel.Server);
  expect(io.path()).toBe("/from-sources");
  await io.close();
});
