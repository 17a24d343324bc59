/**
 * `node examples/demo/server.js` as `npm start` runs it (on the built package, `dist/`): where it
 * listens, what it prints, what it serves, and that it stops on SIGTERM.
 *
 * It needs `npm run build` first (CI builds before testing): without dist/ the suite is skipped
 * with a loud warning, and fails under CI=true.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { waitFor } from "../support/wait";

const root = join(__dirname, "../..");
const BUILT = existsSync(join(root, "dist/core/index.js"));
const IN_CI = process.env.CI === "true";

if (!BUILT && !IN_CI) {
  console.warn(
    "\n*** NO dist/: the `npm start` demo server tests are SKIPPED. Run `npm run build` first; " +
      "under CI=true they fail. ***\n",
  );
}

const suite = BUILT || IN_CI ? describe : describe.skip;

interface Started {
  child: ChildProcess;
  /** the address the server printed */
  url: string;
  output: () => string;
}

const children = new Set<ChildProcess>();

/** Starts server.js with `env`, resolving once it prints its address. */
async function start(env: Record<string, string>): Promise<Started> {
  if (!BUILT) throw new Error("dist/ is missing: run `npm run build` before the tests");
  const child = spawn(process.execPath, [join(root, "examples/demo/server.js")], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1].replace(/\/$/, ""));
    });
    child.once("exit", (code) => reject(new Error(`server.js exited (${code}): ${out}`)));
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  children.delete(child);
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

suite("npm start: examples/demo/server.js", () => {
  const clients: ClientSocket[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await Promise.all([...children].map(stop));
  });

  test("listens on 127.0.0.1 by default and prints the real address", async () => {
    const { url } = await start({ PORT: "0", HOST: "" });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);

    const page = await fetch(url + "/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/socket.io/socket.io.js"></script>');
    const bundle = await fetch(url + "/socket.io/socket.io.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/javascript/);
    const icon = await fetch(url + "/favicon.svg");
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect((await fetch(url + "/nope")).status).toBe(404);
  });

  test("HOST and PORT choose the address; a client with a name is welcomed, one without is told why", async () => {
    const { url } = await start({ HOST: "127.0.0.2", PORT: "0" });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);

    const named = ioc(url, { auth: { name: "Ada" }, forceNew: true, reconnection: false });
    clients.push(named);
    const [welcome] = await waitFor<[{ name: string; room: string; recovered: boolean }]>(
      named,
      "welcome",
    );
    expect(welcome).toMatchObject({ name: "Ada", room: "general", recovered: false });

    const anonymous = ioc(url, { forceNew: true, reconnection: false });
    clients.push(anonymous);
    const [err] = await waitFor<[Error & { data?: unknown }]>(anonymous, "connect_error");
    expect(err.message).toBe("pick a name first");
    expect(err.data).toEqual({ field: "name" });
  });

  test("stops on SIGTERM with exit code 0, connected clients or not", async () => {
    const { child, url } = await start({ PORT: "0" });
    // over WebSocket from the start: a SIGTERM during the polling -> WebSocket upgrade would cut
    // a pending poll, which the client reports as "transport error" instead
    const client = ioc(url, {
      auth: { name: "Ada" },
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
    });
    clients.push(client);
    await waitFor(client, "welcome");
    const gone = waitFor<[string]>(client, "disconnect");
    expect(await stop(child)).toBe(0);
    // io.close() closes each connection (a close packet / frame): no error on the client
    expect((await gone)[0]).toBe("transport close");
  });

  test("DEMO_HOST=uws: the page, the bundle and Socket.IO on µWebSockets.js; SIGTERM stops it", async () => {
    const { child, url, output } = await start({ PORT: "0", HOST: "", DEMO_HOST: "uws" });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect(output()).toContain("(µWebSockets.js)");
    const page = await fetch(url + "/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/socket.io/socket.io.js"></script>');
    expect((await fetch(url + "/socket.io/socket.io.js")).status).toBe(200);
    expect((await fetch(url + "/nope")).status).toBe(404);
    const client = ioc(url, { auth: { name: "Ada" }, forceNew: true, reconnection: false });
    clients.push(client);
    const [welcome] = await waitFor<[{ name: string }]>(client, "welcome");
    expect(welcome.name).toBe("Ada");
    expect(await stop(child)).toBe(0);
  });

  test("a port in use: a clear message and exit code 1", async () => {
    const first = await start({ PORT: "0" });
    const port = new URL(first.url).port;
    const child = spawn(process.execPath, [join(root, "examples/demo/server.js")], {
      cwd: root,
      env: { ...process.env, PORT: port },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(1);
    expect(err).toContain(`cannot listen on 127.0.0.1:${port}`);
  });
});
