import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import {
  emitterFields,
  listenerTable,
  webSocketRemoteAddress,
} from "../../../core/util/private-fields";

/**
 * The private fields of other libraries that core/util/private-fields.ts reads: each test here
 * fails when node or ws changes the field, before anything in production does.
 */
describe("node EventEmitter private fields (read by LazyEventEmitter)", () => {
  it("a new emitter has _events, _eventsCount and _maxListeners of its own, in that order", () => {
    const e = new EventEmitter();
    const own = Object.keys(e).filter((k) => k.startsWith("_"));
    expect(own.slice(0, 3)).toEqual(["_events", "_eventsCount", "_maxListeners"]);
    const f = emitterFields(e);
    expect(f._eventsCount).toBe(0);
    expect(f._maxListeners).toBeUndefined();
    expect(typeof f._events).toBe("object");
  });

  it("the table maps an event to its listener, then to an array of listeners", () => {
    const e = new EventEmitter();
    const a = (): void => {};
    const b = (): void => {};
    e.on("x", a);
    expect(listenerTable(e)?.x).toBe(a);
    expect(emitterFields(e)._eventsCount).toBe(1);
    e.on("x", b);
    expect(listenerTable(e)?.x).toEqual([a, b]);
    e.off("x", a);
    e.off("x", b);
    expect(listenerTable(e)?.x).toBeUndefined();
    expect(emitterFields(e)._eventsCount).toBe(0);
  });

  it("node's methods accept an emitter whose _events is missing (they create the table)", () => {
    const e = new EventEmitter();
    emitterFields(e)._events = undefined;
    expect(e.emit("x")).toBe(false);
    expect(e.listenerCount("x")).toBe(0);
    e.removeAllListeners();
    emitterFields(e)._events = undefined;
    const fired: number[] = [];
    EventEmitter.prototype.once.call(e, "x", (n: number) => fired.push(n));
    e.emit("x", 1);
    e.emit("x", 2);
    expect(fired).toEqual([1]);
  });
});

describe("ws WebSocket private field _socket (read for the remote address)", () => {
  let http: Server;
  let wss: WebSocketServer;

  beforeEach(async () => {
    http = createServer();
    wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it("is the TCP socket of the upgrade, with its remote address", async () => {
    const accepted = new Promise<{ ws: WebSocket; tcp: unknown }>((resolve) => {
      http.on("upgrade", (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => resolve({ ws, tcp: socket }));
      });
    });
    const { port } = http.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const { ws, tcp } = await accepted;
    expect((ws as unknown as { _socket: unknown })._socket).toBe(tcp);
    expect(webSocketRemoteAddress(ws)).toBe("127.0.0.1");
    const closed = new Promise((resolve) => client.once("close", resolve));
    ws.terminate();
    await closed;
  });

  it("answers undefined for anything without it", () => {
    expect(webSocketRemoteAddress(undefined)).toBeUndefined();
    expect(webSocketRemoteAddress({})).toBeUndefined();
  });
});

describe("reads of private fields stay in one place", () => {
  it("no core or integration file but private-fields.ts (and the emitter it serves) names them", () => {
    const { readdirSync, readFileSync } = require("node:fs") as typeof import("node:fs");
    const { join, relative } = require("node:path") as typeof import("node:path");
    const root = join(__dirname, "../../..");
    const allowed = new Set(["core/util/private-fields.ts", "core/util/event-emitter.ts"]);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules") walk(path);
        } else if (entry.name.endsWith(".ts")) {
          const rel = relative(root, path).split("\\").join("/");
          if (allowed.has(rel)) continue;
          if (/\._(socket|events|eventsCount|maxListeners)\b/.test(readFileSync(path, "utf8"))) {
            offenders.push(rel);
          }
        }
      }
    };
    walk(join(root, "core"));
    walk(join(root, "integrations"));
    expect(offenders).toEqual([]);
  });
});
