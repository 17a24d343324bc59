/**
 * The built package (dist/) in child processes: an ESM application on Nest 12 (ESM only)
 * importing "socketkit/nestjs", and a CommonJS application on Nest 11 (installed under
 * test/integrations/nest11: `npm ci --prefix test/integrations/nest11`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "../support/server";
import {
  ROOT,
  ensureBuilt,
  installBuiltPackage,
  killChildren,
  startChild,
  type ChildApp,
} from "./nestjs/child";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

const NEST11 = join(ROOT, "test", "integrations", "nest11");
const nest11Installed = existsSync(join(NEST11, "node_modules", "@nestjs", "core"));

beforeAll(() => ensureBuilt(), 60000);

afterEach(async () => {
  await closeAll();
  killChildren();
});

/** What every fixture application must do, whatever Nest and module system it runs on. */
async function exercise(app: ChildApp, nestMajor: string, shared: boolean | null = true) {
  const client = createClient({ url: `http://127.0.0.1:${app.port}` });
  expect(await client.emitWithAck("echo", { a: [1, 2] })).toEqual({ a: [1, 2] });
  const reply = waitFor(client, "reply");
  client.emit("event", "hi");
  expect(await reply).toEqual(["hi"]);
  expect(await client.emitWithAck("manual", "x")).toEqual({ manual: "x" });
  const facts = (await client.emitWithAck("facts")) as { nest: string };
  expect(facts).toEqual({ server: true, shared, nest: expect.any(String) });
  expect(facts.nest.split(".")[0]).toBe(nestMajor);
  const gone = waitFor(client, "disconnect");
  expect(await app.close()).toBe(0);
  await gone;
  expect(await app.fact("closed")).toEqual({ closed: true });
}

describe("Nest 12, ESM application importing socketkit/nestjs", () => {
  const entry = join(ROOT, "test", "integrations", "nestjs", "esm-app.mjs");

  it.each(["use-adapter", "module-adapter"])("serves a gateway (%s)", async (mode) => {
    const app = await startChild(entry, [mode]);
    await exercise(app, "12");
  });

  // README's first NestJS snippet, through NestFactory: the adapter without SocketkitModule must
  // not end the process (Nest's exception zone exits on any throw from app.get)
  it.each([
    ["no-module", "express"],
    ["no-module", "fastify"],
    ["use-adapter", "fastify"],
    ["module-adapter", "fastify"],
  ])("serves a gateway (%s, %s platform)", async (mode, platform) => {
    const app = await startChild(entry, [mode, platform]);
    await exercise(app, "12", mode === "no-module" ? null : true);
  });

  it("tells handleDisconnect the reason", async () => {
    const app = await startChild(entry);
    const client = createClient({ url: `http://127.0.0.1:${app.port}` });
    await waitFor(client, "connect");
    client.disconnect();
    expect(await app.fact("disconnect")).toEqual({ disconnect: "client namespace disconnect" });
    expect(await app.close()).toBe(0);
  });
});

const CI = process.env.CI === "true";
const describeNest11 = nest11Installed || CI ? describe : describe.skip;
if (!nest11Installed && !CI) {
  console.warn("Nest 11 tests skipped: run `npm ci --prefix test/integrations/nest11` first");
}

describeNest11("Nest 11, CommonJS application requiring socketkit/nestjs", () => {
  const entry = join(NEST11, "app.cjs");

  beforeAll(() => installBuiltPackage(NEST11));

  it.each(["use-adapter", "module-adapter", "no-module"])("serves a gateway (%s)", async (mode) => {
    const app = await startChild(entry, [mode]);
    await exercise(app, "11", mode === "no-module" ? null : true);
  });

  it("runs a subclass of the adapter overriding createIOServer", async () => {
    const app = await startChild(entry, ["subclass"]);
    await exercise(app, "11", null);
  });
});

// The application's @nestjs/core (11, under test/integrations/nest11) is not the copy socketkit
// resolves (the repository's Nest 12): looking HttpAdapterHost up with app.get() would throw
// "Nest could not find HttpAdapterHost element" and Nest's exception zone would end the process.
describeNest11("an application whose @nestjs/core is another copy than socketkit's", () => {
  const entry = join(NEST11, "linked-app.cjs");

  it("loads two copies of @nestjs/core", () => {
    const own = require.resolve("@nestjs/core/package.json", { paths: [NEST11] });
    const ours = require.resolve("@nestjs/core/package.json", { paths: [ROOT] });
    expect(own).not.toBe(ours);
  });

  it("serves a gateway with the adapter alone", async () => {
    const app = await startChild(entry, ["no-module"]);
    await exercise(app, "11", null);
  });

  it("serves a gateway through a subclass overriding createIOServer (Nest's adapter recipe)", async () => {
    const app = await startChild(entry, ["subclass"]);
    expect(await app.fact("subclass")).toEqual({ subclass: "/socket.io" });
    await exercise(app, "11", null);
  });
});
