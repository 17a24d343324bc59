/**
 * The client bundle served by the Server (`serveClient`, true by default) on a real http.Server:
 * the files socket.io 4.8 serves from `client-dist/`, with its headers, ETag/304 and compression.
 */
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type Server as HttpServer,
} from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { createClient, startServer } from "../../support/server";
import { Server, type ServerOptions } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

const clientDir = dirname(require.resolve("socket.io-client/package.json"));
const clientVersion = (
  JSON.parse(readFileSync(join(clientDir, "package.json"), "utf8")) as { version: string }
).version;
const ETAG = `"${clientVersion}"`;

const FILES = [
  "socket.io.js",
  "socket.io.min.js",
  "socket.io.esm.min.js",
  "socket.io.msgpack.min.js",
  "socket.io.js.map",
  "socket.io.min.js.map",
  "socket.io.esm.min.js.map",
  "socket.io.msgpack.min.js.map",
];

function fileContent(name: string): Buffer {
  return readFileSync(join(clientDir, "dist", name));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** An http.Server whose own handler answers 404 "not here", with a Server attached. */
async function startWithHandler(
  opts: Partial<ServerOptions> = {},
): Promise<{ io: Server; http: HttpServer; url: string }> {
  const http = createServer((req, res) => {
    if (req.url === "/other") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("other");
      return;
    }
    res.writeHead(404);
    res.end("not here");
  });
  const io = new Server(http, opts);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  opened.push({ io, http });
  return { io, http, url };
}

const opened: { io: Server; http: HttpServer }[] = [];

afterEach(async () => {
  for (const { io, http } of opened.splice(0)) {
    http.closeAllConnections();
    await io.close();
  }
  await closeAll();
});

describe("served client bundle", () => {
  it.each(FILES)("serves %s as socket.io does", async (name) => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/${name}`);
    expect(res.status).toBe(200);
    const isMap = name.endsWith(".map");
    expect(res.headers["content-type"]).toBe(
      isMap ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8",
    );
    expect(res.headers["cache-control"]).toBe("public, max-age=0");
    expect(res.headers.etag).toBe(ETAG);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.equals(fileContent(name))).toBe(true);
  });

  it("is the socket.io-client build of the same version", async () => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/socket.io.js`);
    expect(res.body.toString("utf8", 0, 40)).toContain(`Socket.IO v${clientVersion}`);
  });

  it("ignores the query string", async () => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/socket.io.min.js?v=${clientVersion}&x=1`);
    expect(res.status).toBe(200);
    expect(res.body.equals(fileContent("socket.io.min.js"))).toBe(true);
  });

  it.each([ETAG, `W/${ETAG}`])("answers 304 to If-None-Match: %s", async (tag) => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/socket.io.js`, { "If-None-Match": tag });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
  });

  it("answers 200 to a stale If-None-Match", async () => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/socket.io.js`, { "If-None-Match": '"1.0.0"' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(ETAG);
  });

  it.each([
    ["gzip", gunzipSync],
    ["deflate", inflateSync],
    ["br", brotliDecompressSync],
  ] as const)("compresses with %s when accepted", async (encoding, decompress) => {
    const h = await startServer();
    const res = await get(`${h.url}/socket.io/socket.io.min.js`, { "Accept-Encoding": encoding });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe(encoding);
    expect(res.headers.etag).toBe(ETAG);
    expect(decompress(res.body).equals(fileContent("socket.io.min.js"))).toBe(true);
  });

  it("negotiates the encoding as the accepts package does (header order, then q)", async () => {
    const h = await startServer();
    const url = `${h.url}/socket.io/socket.io.js`;
    const all = await get(url, { "Accept-Encoding": "gzip, deflate, br" });
    expect(all.headers["content-encoding"]).toBe("gzip");
    const brFirst = await get(url, { "Accept-Encoding": "br, gzip" });
    expect(brFirst.headers["content-encoding"]).toBe("br");
    const weighted = await get(url, { "Accept-Encoding": "br;q=0.5, gzip;q=0.9" });
    expect(weighted.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(weighted.body).equals(fileContent("socket.io.js"))).toBe(true);
    const identity = await get(url, { "Accept-Encoding": "identity" });
    expect(identity.headers["content-encoding"]).toBeUndefined();
    expect(identity.body.equals(fileContent("socket.io.js"))).toBe(true);
  });

  it("leaves other requests to the http server's own listeners", async () => {
    const { url } = await startWithHandler();
    const other = await get(`${url}/other`);
    expect(other.status).toBe(200);
    expect(other.body.toString()).toBe("other");
    const missing = await get(`${url}/socket.io.js`);
    expect(missing.status).toBe(404);
    const bundle = await get(`${url}/socket.io/socket.io.js`);
    expect(bundle.status).toBe(200);
  });

  it("still serves Engine.IO under the same path, and the client connects", async () => {
    const h = await startServer();
    const handshake = await get(`${h.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    expect(handshake.body.toString()[0]).toBe("0");
    const client = createClient(h);
    await waitFor(client, "connect");
  });
});

describe("served client bundle: options", () => {
  it("does not serve the bundle with serveClient: false (the engine answers the path)", async () => {
    const { url } = await startWithHandler({ serveClient: false });
    const res = await get(`${url}/socket.io/socket.io.js`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 0, message: "Transport unknown" });
    const other = await get(`${url}/other`);
    expect(other.status).toBe(200);
  });

  it("serveClient(false) before attach() has the same effect", async () => {
    const http = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const io = new Server();
    expect(io.serveClient()).toBe(true);
    expect(io.serveClient(false)).toBe(io);
    expect(io.serveClient()).toBe(false);
    io.attach(http);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    opened.push({ io, http });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const res = await get(`${url}/socket.io/socket.io.js`);
    expect(res.status).toBe(400);
  });

  it("serves under a custom path, and nothing under the default one", async () => {
    const { io, url } = await startWithHandler({ path: "/my-path/" });
    expect(io.path()).toBe("/my-path");
    const res = await get(`${url}/my-path/socket.io.esm.min.js`);
    expect(res.status).toBe(200);
    expect(res.body.equals(fileContent("socket.io.esm.min.js"))).toBe(true);
    const old = await get(`${url}/socket.io/socket.io.js`);
    expect(old.status).toBe(404);
    expect(old.body.toString()).toBe("not here");
  });

  it("sends CORS headers on the bundle when `cors` is set", async () => {
    const { url } = await startWithHandler({
      cors: { origin: "https://app.example.com", credentials: true },
    });
    const res = await get(`${url}/socket.io/socket.io.js`, { Origin: "https://app.example.com" });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers.vary).toBe("Origin");
    const preflight = await get(
      `${url}/socket.io/socket.io.js`,
      { Origin: "https://app.example.com", "Access-Control-Request-Method": "GET" },
      "OPTIONS",
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(preflight.body.length).toBe(0);
  });

  it("sends no CORS headers without `cors`", async () => {
    const { url } = await startWithHandler();
    const res = await get(`${url}/socket.io/socket.io.js`, { Origin: "https://app.example.com" });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
