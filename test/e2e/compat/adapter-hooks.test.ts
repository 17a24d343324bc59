/**
 * The socket.io-adapter contract hooks a server calls, as socket.io 4.8 calls them: `init()` when
 * a namespace creates its adapter (dynamic children and `io.adapter(...)` included; a rejected
 * `init()` is caught), `close()` when the server closes and when an empty child namespace is
 * cleaned up, `persistSession()` on a recoverable disconnect, `restoreSession()` on a reconnect
 * with a session id and offset. Recorded with an adapter subclass, through official clients.
 */
import {
  Adapter,
  SessionAwareAdapter,
  type AdapterConstructor,
  type PrivateSessionId,
  type RestoredSession,
  type SessionToPersist,
} from "../../../core/index";
import { connect, startServer } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

interface HookCall {
  hook: string;
  nsp: string;
  arg?: unknown;
}

/** An adapter class whose hooks are recorded in `calls` (a fresh class per test). */
function recordingAdapter(
  calls: HookCall[],
  Base: typeof Adapter = Adapter,
  initResult: () => Promise<void> | void = () => undefined,
): AdapterConstructor {
  class Recording extends Base {
    override init(): Promise<void> | void {
      calls.push({ hook: "init", nsp: this.nsp.name });
      return initResult();
    }
    override close(): Promise<void> | void {
      calls.push({ hook: "close", nsp: this.nsp.name });
    }
    override persistSession(session: SessionToPersist): Promise<void> | void {
      calls.push({ hook: "persistSession", nsp: this.nsp.name, arg: session });
      return super.persistSession(session);
    }
    override restoreSession(
      pid: PrivateSessionId,
      offset: string,
    ): Promise<RestoredSession | null> {
      calls.push({ hook: "restoreSession", nsp: this.nsp.name, arg: { pid, offset } });
      return super.restoreSession(pid, offset);
    }
  }
  return Recording as unknown as AdapterConstructor;
}

function hooks(calls: HookCall[], hook: string): string[] {
  return calls.filter((c) => c.hook === hook).map((c) => c.nsp);
}

describe("adapter hooks", () => {
  it("calls init() once for each namespace, when it creates the adapter", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({ adapter: recordingAdapter(calls) });
    expect(hooks(calls, "init")).toEqual(["/"]);
    h.io.of("/orders");
    h.io.of("/orders"); // the same namespace: no second adapter
    expect(hooks(calls, "init")).toEqual(["/", "/orders"]);
  });

  it("calls init() for the dynamic child namespaces a client creates", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({ adapter: recordingAdapter(calls) });
    h.io.of(/^\/room-\d+$/);
    await connect(h, {}, "/room-1");
    await connect(h, {}, "/room-2");
    expect(hooks(calls, "init")).toEqual(["/", "/room-1", "/room-2"]);
  });

  it("calls init() on the new adapters after io.adapter(...)", async () => {
    const first: HookCall[] = [];
    const second: HookCall[] = [];
    const h = await startServer({ adapter: recordingAdapter(first) });
    h.io.of("/a");
    h.io.adapter(recordingAdapter(second));
    expect(hooks(second, "init")).toEqual(["/", "/a"]);
  });

  it("catches a rejected init(): the namespace keeps working on its node", async () => {
    const calls: HookCall[] = [];
    const failing = recordingAdapter(calls, Adapter, () =>
      Promise.reject(new Error("broker unreachable")),
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const h = await startServer({ adapter: failing });
      const [client, socket] = await connect(h);
      const echoed = waitFor<[string]>(client, "echo");
      socket.emit("echo", "still here");
      expect((await echoed)[0]).toBe("still here");
      // an unhandled rejection is reported after a macrotask turn
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("calls close() on every namespace's adapter when the server closes", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({ adapter: recordingAdapter(calls) });
    h.io.of("/a");
    await h.io.close();
    expect(hooks(calls, "close").sort()).toEqual(["/", "/a"]);
  });

  it("calls close() when an empty child namespace is cleaned up", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({
      adapter: recordingAdapter(calls),
      cleanupEmptyChildNamespaces: true,
    });
    h.io.of(/^\/room-\d+$/);
    const [client] = await connect(h, {}, "/room-7");
    const closed = new Promise<void>((resolve) => {
      const adapter = h.io._nsps.get("/room-7")!.adapter;
      const close = adapter.close.bind(adapter);
      adapter.close = () => {
        const result = close();
        resolve();
        return result;
      };
    });
    client.disconnect();
    await closed;
    expect(hooks(calls, "close")).toEqual(["/room-7"]);
    expect(h.io._nsps.has("/room-7")).toBe(false);
  });

  it("calls persistSession() on a recoverable disconnect and restoreSession() on reconnect", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({
      adapter: recordingAdapter(calls, SessionAwareAdapter as unknown as typeof Adapter),
      connectionStateRecovery: {},
    });
    const [client, socket] = await connect(h, { reconnection: true, reconnectionDelay: 10 });
    socket.join("kept");
    // an offset to resume from: a broadcast carries one
    const got = waitFor(client, "tick");
    h.io.emit("tick");
    await got;
    const reconnected = waitFor<[typeof socket]>(h.io, "connection");
    const persisted = new Promise<void>((resolve) => socket.on("disconnect", () => resolve()));
    (client.io.engine as unknown as { close(): void }).close(); // a transport close
    await persisted;
    const [again] = await reconnected;
    expect(again.recovered).toBe(true);
    expect(again.id).toBe(socket.id);
    const persist = calls.find((c) => c.hook === "persistSession")!;
    expect(persist.nsp).toBe("/");
    expect(persist.arg).toMatchObject({ sid: socket.id, rooms: [socket.id, "kept"] });
    const restore = calls.find((c) => c.hook === "restoreSession")!;
    expect(restore.arg).toMatchObject({ pid: (persist.arg as SessionToPersist).pid });
    client.disconnect();
  });

  it("does not call persistSession() without connection state recovery", async () => {
    const calls: HookCall[] = [];
    const h = await startServer({ adapter: recordingAdapter(calls) });
    const [client, socket] = await connect(h);
    const gone = waitFor(socket, "disconnect");
    (client.io.engine as unknown as { close(): void }).close();
    await gone;
    expect(hooks(calls, "persistSession")).toEqual([]);
  });
});
