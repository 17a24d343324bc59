import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import {
  CLIENT_BUNDLE_FILES,
  ClientBundle,
  clientBundle,
  clientBundleFile,
  clientBundleFileFromUrl,
} from "../../../core/http/client-bundle";

const clientDir = dirname(require.resolve("socket.io-client/package.json"));
const clientVersion = (
  JSON.parse(readFileSync(join(clientDir, "package.json"), "utf8")) as {
    version: string;
  }
).version;
const distFile = (name: string) => readFileSync(join(clientDir, "dist", name));

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server | undefined;

/** Starts a server that serves `bundle` under /socket.io and answers 404 "not handled" else. */
async function start(bundle: ClientBundle = clientBundle): Promise<number> {
  server = createServer((req, res) => {
    const url = req.url ?? "";
    const prefix = "/socket.io/";
    if (url.startsWith(prefix) && bundle.handle(req, res, url.slice(prefix.length))) return;
    res.writeHead(404);
    res.end("not handled");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

afterEach(async () => {
  const current = server;
  server = undefined;
  if (current) {
    current.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      current.close((err) => (err ? reject(err) : resolve())),
    );
  }
});

describe("clientBundleFile", () => {
  it.each(CLIENT_BUNDLE_FILES)("names %s", (name) => {
    expect(clientBundleFile(name)).toBe(name);
    expect(clientBundleFile(`${name}?v=${clientVersion}`)).toBe(name);
  });

  it.each([
    "",
    "?EIO=4&transport=polling",
    "socket.io",
    "socket.io.JS",
    "socket.io.msgpack.js",
    "socket.io.esm.js",
    "/socket.io.js",
    "socket.io.js/",
    "socket.io.js.map.map",
    "../socket.io.js",
  ])("names no file for %j", (path) => {
    expect(clientBundleFile(path)).toBeUndefined();
  });

  it("finds the file under the server path of a request URL", () => {
    expect(clientBundleFileFromUrl("/socket.io/socket.io.js", "/socket.io")).toBe("socket.io.js");
    expect(clientBundleFileFromUrl("/socket.io/socket.io.js?x=1", "/socket.io/")).toBe(
      "socket.io.js",
    );
    expect(clientBundleFileFromUrl("/custom/socket.io.min.js.map", "/custom")).toBe(
      "socket.io.min.js.map",
    );
    expect(clientBundleFileFromUrl("/socket.io.js", "")).toBe("socket.io.js");
    expect(clientBundleFileFromUrl("/socket.io/?EIO=4&transport=polling", "/socket.io")).toBe(
      undefined,
    );
    expect(clientBundleFileFromUrl("/socket.iosocket.io.js", "/socket.io")).toBeUndefined();
    expect(clientBundleFileFromUrl("/other/socket.io.js", "/socket.io")).toBeUndefined();
    expect(clientBundleFileFromUrl("/socket.io", "/socket.io")).toBeUndefined();
  });
});

describe("ClientBundle", () => {
  it.each(CLIENT_BUNDLE_FILES)("serves %s as socket.io does", async (name) => {
    const port = await start();
    const reply = await get(port, `/socket.io/${name}`);

    expect(reply.status).toBe(200);
    expect(reply.body.equals(distFile(name))).toBe(true);
    expect(reply.headers["cache-control"]).toBe("public, max-age=0");
    expect(reply.headers["content-type"]).toBe(
      name.endsWith(".map")
        ? "application/json; charset=utf-8"
        : "application/javascript; charset=utf-8",
    );
    expect(reply.headers.etag).toBe(`"${clientVersion}"`);
    expect(reply.headers["content-encoding"]).toBeUndefined();
    expect(reply.headers["content-length"]).toBe(String(reply.body.length));
  });

  it("serves a path with a query string", async () => {
    const port = await start();
    const reply = await get(port, `/socket.io/socket.io.min.js?v=${clientVersion}`);
    expect(reply.status).toBe(200);
    expect(reply.body.equals(distFile("socket.io.min.js"))).toBe(true);
  });

  it.each([`"${clientVersion}"`, `W/"${clientVersion}"`])(
    "answers 304 without body to If-None-Match: %s",
    async (etag) => {
      const port = await start();
      const reply = await get(port, "/socket.io/socket.io.js", { "If-None-Match": etag });
      expect(reply.status).toBe(304);
      expect(reply.body.length).toBe(0);
      expect(reply.headers.etag).toBeUndefined();
    },
  );

  it("answers 200 to an If-None-Match of another version", async () => {
    const port = await start();
    const reply = await get(port, "/socket.io/socket.io.js", { "If-None-Match": '"0.0.1"' });
    expect(reply.status).toBe(200);
    expect(reply.body.equals(distFile("socket.io.js"))).toBe(true);
  });

  it.each([
    ["gzip", gunzipSync],
    ["deflate", inflateSync],
    ["br", brotliDecompressSync],
  ] as const)("compresses with %s when accepted", async (encoding, decompress) => {
    const port = await start();
    const reply = await get(port, "/socket.io/socket.io.esm.min.js", {
      "Accept-Encoding": encoding,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-encoding"]).toBe(encoding);
    expect(reply.headers["content-length"]).toBe(String(reply.body.length));
    expect(reply.headers.etag).toBe(`"${clientVersion}"`);
    expect(decompress(reply.body).equals(distFile("socket.io.esm.min.js"))).toBe(true);
  });

  it("prefers gzip for a browser's Accept-Encoding", async () => {
    const port = await start();
    const reply = await get(port, "/socket.io/socket.io.min.js.map", {
      "Accept-Encoding": "gzip, deflate, br, zstd",
    });
    expect(reply.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(reply.body).equals(distFile("socket.io.min.js.map"))).toBe(true);
  });

  it("leaves other paths to the next handler", async () => {
    const port = await start();
    for (const path of ["/socket.io/?EIO=4&transport=polling", "/socket.io/socket.io.msgpack.js"]) {
      const reply = await get(port, path);
      expect(reply.status).toBe(404);
      expect(reply.body.toString()).toBe("not handled");
    }
  });

  describe("with a copy of the package", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "socketkit-client-"));
      cpSync(join(clientDir, "package.json"), join(dir, "package.json"));
      cpSync(join(clientDir, "dist"), join(dir, "dist"), { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("reads each file once and serves it from memory afterwards", async () => {
      const port = await start(new ClientBundle({ packageDir: dir }));
      const first = await get(port, "/socket.io/socket.io.js");
      writeFileSync(join(dir, "dist", "socket.io.js"), "changed");
      const second = await get(port, "/socket.io/socket.io.js");
      expect(second.body.equals(first.body)).toBe(true);
      expect(second.body.equals(distFile("socket.io.js"))).toBe(true);
    });

    it("answers 500 when a file is missing", async () => {
      rmSync(join(dir, "dist", "socket.io.min.js"));
      const port = await start(new ClientBundle({ packageDir: dir }));
      const reply = await get(port, "/socket.io/socket.io.min.js");
      expect(reply.status).toBe(500);
      expect(reply.headers.etag).toBeUndefined();
      expect(reply.body.length).toBe(0);
    });

    it("answers 500 when the package cannot be found", async () => {
      const port = await start(new ClientBundle({ packageDir: join(dir, "missing") }));
      const reply = await get(port, "/socket.io/socket.io.js");
      expect(reply.status).toBe(500);
    });
  });
});
