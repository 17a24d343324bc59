/**
 * The uWS host corks its writes: a WebSocket's sends of one tick go out in one `cork()`, an
 * HTTP answer (status, headers, body) in one `cork()`, and nothing is written to a response
 * after uWS reported it aborted. Checked on recording stand-ins of uWS's objects.
 */
import { UwsSocketAdapter, type UwsSocketData } from "../../../core/http/uws/websocket";
import { UwsResponse } from "../../../core/http/uws/response";
import type { UwsHttpResponse, UwsWebSocket } from "../../../core/http/uws/types";

function fakeWebSocket(log: string[], buffered = () => 0): UwsWebSocket<UwsSocketData> {
  let corked = false;
  return {
    send: (message, isBinary) => {
      log.push(`${corked ? "corked " : ""}send ${String(message)} ${isBinary ? "bin" : "text"}`);
      return 1;
    },
    getBufferedAmount: buffered,
    end: () => log.push("end"),
    close: () => log.push("close"),
    cork: (cb) => {
      log.push("cork");
      corked = true;
      cb();
      corked = false;
    },
    getUserData: () => ({ socket: null, opening: null }),
  };
}

function fakeResponse(log: string[]): UwsHttpResponse & { abort(): void } {
  let aborted: (() => void) | undefined;
  let corked = false;
  const res = {
    writeStatus: (s: string) => (log.push(`${corked ? "corked " : ""}status ${s}`), res),
    writeHeader: (k: string, v: string) => (log.push(`${corked ? "corked " : ""}${k}: ${v}`), res),
    end: (body?: unknown) => (log.push(`${corked ? "corked " : ""}end ${String(body ?? "")}`), res),
    close: () => (log.push("close"), res),
    cork: (cb: () => void) => {
      corked = true;
      cb();
      corked = false;
      return res;
    },
    onAborted: (fn: () => void) => ((aborted = fn), res),
    onData: () => res,
    getRemoteAddressAsText: () => new TextEncoder().encode("127.0.0.1").buffer,
    upgrade: () => {},
    abort: () => aborted?.(),
  };
  return res as unknown as UwsHttpResponse & { abort(): void };
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe("uWS WebSocket adapter", () => {
  it("writes the sends of one tick in one cork, in order, then calls their callbacks", async () => {
    const log: string[] = [];
    const socket = new UwsSocketAdapter(fakeWebSocket(log), "127.0.0.1", false);
    const done: number[] = [];
    socket.send("a", { binary: false }, () => done.push(1));
    socket.send(Buffer.from("b"), { binary: true }, () => done.push(2));
    socket.send("c", { binary: false });
    expect(log).toEqual([]);
    await tick();
    expect(log).toEqual(["cork", "corked send a text", "corked send b bin", "corked send c text"]);
    expect(done).toEqual([1, 2]);
  });

  it("writes what a callback sends in the same cork", async () => {
    const log: string[] = [];
    const socket = new UwsSocketAdapter(fakeWebSocket(log), "127.0.0.1", false);
    socket.send("a", { binary: false }, () => socket.send("b", { binary: false }));
    await tick();
    await tick();
    expect(log).toEqual(["cork", "corked send a text", "corked send b text"]);
  });

  it("holds callbacks while uWS buffers, until the drain that empties it", async () => {
    const log: string[] = [];
    let buffered = 10;
    const socket = new UwsSocketAdapter(
      fakeWebSocket(log, () => buffered),
      "127.0.0.1",
      false,
    );
    const done = jest.fn();
    socket.send("a", { binary: false }, done);
    await tick();
    expect(done).not.toHaveBeenCalled();
    expect(socket.bufferedAmount).toBe(10);
    socket.drained();
    expect(done).not.toHaveBeenCalled();
    buffered = 0;
    socket.drained();
    expect(done).toHaveBeenCalledTimes(1);
  });

  it("uses nothing of the uWS socket after its close handler ran", async () => {
    const log: string[] = [];
    const socket = new UwsSocketAdapter(fakeWebSocket(log), "127.0.0.1", false);
    const failed = jest.fn();
    socket.send("a", { binary: false }, failed);
    socket.closed(1000, new ArrayBuffer(0));
    socket.send("b", { binary: false }, failed);
    socket.close();
    socket.terminate();
    await tick();
    await tick();
    expect(log).toEqual([]);
    expect(failed).toHaveBeenCalledTimes(2);
  });
});

describe("uWS HTTP response", () => {
  it("writes status, headers and body in one cork at end()", () => {
    const log: string[] = [];
    const res = new UwsResponse(fakeResponse(log));
    res.setHeader("X-One", "1");
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "2" });
    res.write("o");
    expect(log).toEqual([]);
    res.end("k");
    expect(log).toEqual([
      "corked status 200 OK",
      "corked X-One: 1",
      "corked Content-Type: text/plain",
      "corked end ok",
    ]);
  });

  it("writes nothing after uWS reported the response aborted", () => {
    const log: string[] = [];
    const raw = fakeResponse(log);
    const res = new UwsResponse(raw);
    const closed = jest.fn();
    res.on("close", closed);
    raw.abort();
    res.writeHead(200).end("late");
    res.destroy();
    expect(log).toEqual([]);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(res.writableEnded).toBe(false);
  });
});
