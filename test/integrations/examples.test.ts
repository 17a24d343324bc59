/**
 * Every example under examples/ (but the demo, which has its browser tests) started with the
 * command of its npm script, as README.md gives it, in a child process: it listens where it says
 * it listens, and a socket.io client gets through to it. The build step of the scripts is
 * ensureBuilt()'s (the examples import "socketkit" by name: the built package, by self-reference).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createClient } from "../support/server";
import { ensureBuilt, ROOT } from "./nestjs/child";
import { connect, connectError, http } from "./helpers";
import { closeAll } from "../support/close-all";
import { waitFor } from "../support/wait";

const scripts = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

const running = new Set<ChildProcess>();

beforeAll(() => ensureBuilt(), 60000);

afterEach(async () => {
  await closeAll();
  for (const child of running) {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  }
  running.clear();
});

/** The node arguments of `npm run <script>`, after its build step. */
function command(script: string): string[] {
  const text = scripts[script];
  if (!text) throw new Error(`no npm script ${script}`);
  const [build, run] = text.split(" && ");
  expect(build).toBe("npm run build");
  const [bin, ...args] = run!.split(" ");
  expect(bin).toBe("node");
  return args;
}

/** Starts an example (PORT=0) and resolves with the URL it says it listens on. */
async function start(script: string): Promise<string> {
  const child = spawn(process.execPath, command(script), {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${stderr}`)));
  });
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return url;
}

/** Logs in over HTTP; resolves with the session cookie. */
async function login(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json", connection: "close" },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { user: string }).user).toBe(name);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  expect(cookie).not.toBe("");
  return cookie;
}

describe.each(["express", "fastify", "koa"])("npm run example:%s", (name) => {
  it("serves its page, refuses anonymous sockets, and shares the HTTP session with sockets", async () => {
    const url = await start(`example:${name}`);
    expect((await http(url)).body).toContain("<html");
    await connectError(url);
    const cookie = await login(url, "ann");
    const client = await connect(url, { extraHeaders: { cookie } });
    expect(await client.emitWithAck("whoami")).toBe("ann");
  });
});

it("npm run example:koa: a handshake refused with ctx.throw(401, msg) answers as Koa would", async () => {
  const url = await start("example:koa");
  const refused = await http(`${url}/socket.io/?EIO=4&transport=polling`);
  expect(refused.status).toBe(401);
  expect(refused.body).toBe("log in first");
  expect(refused.headers["content-type"]).toMatch(/^text\/plain/);
});

it("npm run example:nestjs: the chat gateway and the announcing route", async () => {
  const url = await start("example:nestjs");
  const ann = createClient({ url }, "/", { auth: { name: "ann" } });
  expect(await ann.emitWithAck("join", "lobby")).toBe(1);
  const announcement = waitFor(ann, "announcement");
  const res = await fetch(`${url}/announce`, {
    method: "POST",
    headers: { "content-type": "application/json", connection: "close" },
    body: JSON.stringify({ text: "maintenance at noon" }),
  });
  expect(await res.json()).toEqual({ clients: 1 });
  expect(await announcement).toEqual(["maintenance at noon"]);
});

it("npm run example:v2: a socket.io 2.x server, with a 2.x client", async () => {
  const url = await start("example:v2");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ioV2 = require("socket.io-client-v2") as (
    uri: string,
    opts: object,
  ) => {
    once(event: string, fn: (...args: unknown[]) => void): void;
    emit(event: string, ...args: unknown[]): void;
    close(): void;
  };
  const client = ioV2(`${url}?name=ann`, { forceNew: true, reconnection: false });
  try {
    const [name, count] = await waitFor(client, "welcome");
    expect([name, count]).toEqual(["ann", 1]);
    const rooms = await new Promise((resolve) => client.emit("chat", "hi", resolve));
    expect(Object.values(rooms as string[])).toContain("lobby");
  } finally {
    client.close();
  }
});
