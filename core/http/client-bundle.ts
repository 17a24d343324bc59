/**
 * Serving the browser client (`serveClient: true`): `<path>/socket.io.js`, `socket.io.min.js`,
 * `socket.io.esm.min.js`, `socket.io.msgpack.min.js` and their `.map` files, taken from the
 * installed `socket.io-client` package's `dist/` folder (socket.io ships the same files as
 * `client-dist/`).
 *
 * Answers as socket.io 4.8's `serve()`/`sendFile()` do: `ETag: "<version>"`, 304 when
 * `If-None-Match` is that tag or its weak form, `Cache-Control: public, max-age=0`,
 * `Content-Type: application/javascript` (`application/json` for maps) with `charset=utf-8`, and
 * a br/gzip/deflate body chosen from `Accept-Encoding` as the `accepts` package chooses it.
 * Unlike socket.io, each file is read and compressed once (lazily, on first request) and kept in
 * memory, and responses carry a `Content-Length`.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, deflate, gzip } from "node:zlib";
import { createDebug } from "../util/debug";
import { negotiateEncoding } from "../util/negotiate-encoding";
import { createError } from "../errors";

const debug = createDebug("socket.io:server");

/** The files served, by name relative to the server path. */
export const CLIENT_BUNDLE_FILES = [
  "socket.io.js",
  "socket.io.js.map",
  "socket.io.min.js",
  "socket.io.min.js.map",
  "socket.io.esm.min.js",
  "socket.io.esm.min.js.map",
  "socket.io.msgpack.min.js",
  "socket.io.msgpack.min.js.map",
] as const;

/** One of {@link CLIENT_BUNDLE_FILES}. */
export type ClientBundleFile = (typeof CLIENT_BUNDLE_FILES)[number];

/** A response body encoding, as negotiated from `Accept-Encoding`. */
export type ContentEncoding = "br" | "gzip" | "deflate" | "identity";

const FILES_BY_NAME: ReadonlyMap<string, ClientBundleFile> = new Map(
  CLIENT_BUNDLE_FILES.map((name) => [name, name]),
);

const SLASH = 0x2f;
const LOWER_S = 115; // "s"

/**
 * The bundle file named by `relativePath` (the request path after `<server path>/`, query
 * string allowed), or `undefined`: a table lookup, no regex.
 *
 * @example
 * clientBundleFile("socket.io.min.js?v=1"); // "socket.io.min.js"
 * clientBundleFile("?EIO=4&transport=polling"); // undefined
 */
export function clientBundleFile(relativePath: string): ClientBundleFile | undefined {
  const query = relativePath.indexOf("?");
  return FILES_BY_NAME.get(query === -1 ? relativePath : relativePath.slice(0, query));
}

/**
 * The bundle file that `url` (a request's `req.url`) names under the server path `path`
 * (`"/socket.io"`; a trailing slash is ignored), or `undefined`.
 */
export function clientBundleFileFromUrl(url: string, path: string): ClientBundleFile | undefined {
  const baseLength = path.charCodeAt(path.length - 1) === SLASH ? path.length - 1 : path.length;
  // every bundle name starts with "socket.io": engine requests ("<path>/?EIO=...") end here,
  // before any string is cut (this runs for every HTTP request of the server)
  if (
    url.charCodeAt(baseLength + 1) !== LOWER_S ||
    url.charCodeAt(baseLength) !== SLASH ||
    !url.startsWith(baseLength === path.length ? path : path.slice(0, baseLength))
  ) {
    return undefined;
  }
  return clientBundleFile(url.slice(baseLength + 1));
}

/** Encodings offered, in socket.io's order of preference for equal client preferences. */
const OFFERED = ["br", "gzip", "deflate"] as const;

const compress: Record<Exclude<ContentEncoding, "identity">, (data: Buffer) => Promise<Buffer>> = {
  br: promisify(brotliCompress),
  gzip: promisify(gzip),
  deflate: promisify(deflate),
};

/** Where the client lives and the tags derived from its version. */
interface ClientPackage {
  dist: string;
  etag: string;
  weakEtag: string;
}

export interface ClientBundleOptions {
  /**
   * The folder of the socket.io-client package (with `package.json` and `dist/`). Default: found
   * with `require.resolve("socket.io-client/package.json")` on first use.
   */
  packageDir?: string;
}

/**
 * The client files with their caches. One shared instance, {@link clientBundle}, serves every
 * server of the process.
 *
 * @example
 * const file = clientBundleFileFromUrl(req.url ?? "", "/socket.io");
 * if (file !== undefined) clientBundle.serve(req, res, file);
 */
export class ClientBundle {
  readonly #packageDir: string | undefined;
  #package: ClientPackage | Error | undefined;
  /** per file, per encoding: the body, read/compressed once */
  readonly #bodies = new Map<string, Promise<Buffer>>();

  constructor(options: ClientBundleOptions = {}) {
    this.#packageDir = options.packageDir;
  }

  /**
   * Serves the file named by `relativePath` (see {@link clientBundleFile}) and returns `true`;
   * returns `false`, without touching `res`, when the path names no bundle file.
   */
  handle(req: IncomingMessage, res: ServerResponse, relativePath: string): boolean {
    const file = clientBundleFile(relativePath);
    if (file === undefined) return false;
    this.serve(req, res, file);
    return true;
  }

  /** Answers `req` with `file`: 304 on a matching `If-None-Match`, else 200 with the body. */
  serve(req: IncomingMessage, res: ServerResponse, file: ClientBundleFile): void {
    const pkg = this.#resolve();
    if (pkg instanceof Error) {
      debug("cannot serve client: %s", pkg.message);
      res.writeHead(500);
      res.end();
      return;
    }
    const isMap = file.endsWith(".map");
    const type = isMap ? "map" : "source";
    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch === pkg.etag || ifNoneMatch === pkg.weakEtag) {
      debug("serve client %s 304", type);
      res.writeHead(304);
      res.end();
      return;
    }
    debug("serve client %s", type);
    res.setHeader("Cache-Control", "public, max-age=0");
    res.setHeader(
      "Content-Type",
      isMap ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8",
    );
    res.setHeader("ETag", pkg.etag);
    const encoding: ContentEncoding =
      negotiateEncoding(req.headers["accept-encoding"], OFFERED) ?? "identity";
    this.#body(pkg, file, encoding).then(
      (body) => {
        if (res.destroyed) return;
        res.writeHead(
          200,
          encoding === "identity"
            ? { "content-length": body.length }
            : { "content-encoding": encoding, "content-length": body.length },
        );
        res.end(body);
      },
      (err: unknown) => {
        debug("cannot serve client %s: %s", file, err instanceof Error ? err.message : err);
        if (res.destroyed) return;
        if (!res.headersSent) {
          res.removeHeader("Cache-Control");
          res.removeHeader("Content-Type");
          res.removeHeader("ETag");
          res.writeHead(500);
        }
        res.end();
      },
    );
  }

  /** The package folder and version, resolved once (a failure is kept, not retried). */
  #resolve(): ClientPackage | Error {
    if (this.#package === undefined) {
      try {
        const dir = this.#packageDir ?? dirname(require.resolve("socket.io-client/package.json"));
        const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          version?: unknown;
        };
        if (typeof version !== "string") throw createError("CLIENT_BUNDLE_VERSION", { dir });
        const etag = `"${version}"`; // ETags are quoted (RFC 7232, 2.3)
        this.#package = { dist: join(dir, "dist"), etag, weakEtag: `W/${etag}` };
      } catch (err) {
        this.#package =
          err instanceof Error ? err : createError("CLIENT_BUNDLE_UNREADABLE", { error: err });
      }
    }
    return this.#package;
  }

  /** The body of `file` in `encoding`, from the cache (a failed read is evicted, retried). */
  #body(pkg: ClientPackage, file: ClientBundleFile, encoding: ContentEncoding): Promise<Buffer> {
    const key = `${encoding}:${file}`;
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body =
        encoding === "identity"
          ? readFile(join(pkg.dist, file))
          : this.#body(pkg, file, "identity").then(compress[encoding]);
      body.catch(() => this.#bodies.delete(key));
      this.#bodies.set(key, body);
    }
    return body;
  }
}

/** The instance shared by every server of the process (nothing is read before a request). */
export const clientBundle = new ClientBundle();
