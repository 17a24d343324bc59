import { request } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";
import type { EngineSocket } from "../../../core/index";
import {
  engineClient,
  rawHandshake,
  rawPoll,
  rawPush,
  rawRequest,
  startEngine,
  type EngineHarness,
  pollingSession,
} from "../../support/engine";
import { closeAll } from "../../support/close-all";
import { waitFor, waitUntil } from "../../support/wait";
import { UWS_HOST } from "../../support/uws";

afterEach(closeAll);

/** GET with node's http client: the raw body bytes and headers (no automatic decompression). */
function rawGet(
  h: EngineHarness,
  query: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(h.url(query), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("engine polling", () => {
  it("delivers the packets of a \\x1e payload in order", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    const res = await rawPush(h, sid, "4a\x1e4b\x1ebAQID\x1e4c");
    expect(res).toEqual({ status: 200, body: "ok" });
    expect(messages).toEqual(["a", "b", Buffer.from([1, 2, 3]), "c"]);
  });

  it("answers a POST with 200 ok as text/html", async () => {
    const h = await startEngine();
    const { sid } = await pollingSession(h);
    const res = await fetch(h.url(`EIO=4&transport=polling&sid=${sid}`), {
      method: "POST",
      body: "4x",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.headers.get("content-length")).toBe("2");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe("ok");
  });

  it("sends buffered packets in one payload", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send("a");
    socket.send("b");
    const res = await rawPoll(h, sid);
    expect(res.status).toBe(200);
    expect(res.body).toBe("4a\x1e4b");
    expect(res.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
  });

  it("sends binary data from the server as a base64 b packet", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(Buffer.from([1, 2, 3]));
    socket.send(new Uint8Array([4, 5]) as unknown as Buffer);
    expect((await rawPoll(h, sid)).body).toBe("bAQID\x1ebBAU=");
  });

  it("receives binary data from the official client over polling", async () => {
    const h = await startEngine();
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { transports: ["polling"] });
    const [socket] = await conn;
    await waitFor(client, "open");
    client.send(new Uint8Array([9, 8, 7]));
    const [data] = await waitFor<[Buffer]>(socket, "message");
    expect(data).toEqual(Buffer.from([9, 8, 7]));
    socket.send(Buffer.from([1, 2]));
    const [back] = await waitFor<[ArrayBuffer]>(client, "message");
    expect(Buffer.from(back)).toEqual(Buffer.from([1, 2]));
  });

  it("closes the session with 'transport error' on a second concurrent GET", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const first = rawPoll(h, sid);
    await waitUntil(() => socket.transport.writable);
    const closed = waitFor(socket, "close");
    const second = await rawPoll(h, sid);
    expect(second.status).toBe(400);
    const [reason] = await closed;
    expect(reason).toBe("transport error");
    // the pending poll is answered with the close packet
    expect((await first).body).toBe("1");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("closes the session with 'transport error' on overlapping POSTs", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    // a POST whose body never ends
    const pending = request(h.url(`EIO=4&transport=polling&sid=${sid}`), { method: "POST" });
    pending.on("error", () => {});
    pending.write("4a");
    // the POST reached the session's transport
    await waitUntil(() => Boolean((socket.transport as { dataReq?: unknown }).dataReq));
    const closed = waitFor<[string, Error]>(socket, "close");
    const second = await rawPush(h, sid, "4b");
    expect(second.status).toBe(400);
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("data request overlap from client");
    pending.destroy();
  });

  it("closes the session with 'transport error' when a POST is aborted mid-body", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const pending = request(h.url(`EIO=4&transport=polling&sid=${sid}`), {
      method: "POST",
      headers: { "Content-Length": "100" },
    });
    pending.on("error", () => {});
    pending.write("4a");
    // the POST reached the session's transport
    await waitUntil(() => Boolean((socket.transport as { dataReq?: unknown }).dataReq));
    const closed = waitFor<[string, Error]>(socket, "close");
    pending.destroy();
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("data request connection closed prematurely");
  });

  it("aborts a data request still in progress when the session closes", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const pending = request(h.url(`EIO=4&transport=polling&sid=${sid}`), {
      method: "POST",
      headers: { "Content-Length": "100" },
    });
    let answered = false;
    pending.on("response", () => (answered = true));
    const ended = new Promise<void>((resolve) => pending.on("error", () => resolve()));
    pending.write("4a");
    // the POST reached the session's transport
    await waitUntil(() => Boolean((socket.transport as { dataReq?: unknown }).dataReq));
    socket.close();
    await ended; // the server dropped the half-sent request instead of waiting for its body
    expect(answered).toBe(false);
    expect(socket.readyState).toBe("closed");
  });

  it("answers 413 to a POST over maxHttpBufferSize", async () => {
    const h = await startEngine({ maxHttpBufferSize: 100 });
    const { sid, socket } = await pollingSession(h);
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    const res = await rawPush(h, sid, "4" + "a".repeat(200));
    expect(res.status).toBe(413);
    expect(messages).toEqual([]);
    // a payload at the limit still goes through
    expect((await rawPush(h, sid, "4" + "b".repeat(99))).status).toBe(200);
    expect(messages).toEqual(["b".repeat(99)]);
  });

  it("answers 400 to a POST with application/octet-stream on v4 and closes the session", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const closed = waitFor(socket, "close");
    const res = await rawPush(h, sid, Buffer.from([4, 1, 2]), undefined, {
      "Content-Type": "application/octet-stream",
    });
    expect(res.status).toBe(400);
    expect((await closed)[0]).toBe("transport error");
  });

  it("answers 500 to an unknown method on a session", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const res = await rawRequest(h, `EIO=4&transport=polling&sid=${sid}`, {
      method: "PUT",
      body: "4a",
    });
    expect(res.status).toBe(500);
    expect(res.body).toBe("");
    expect(socket.readyState).toBe("open");
  });

  it("closes the session with 'transport error' when the pending poll is aborted", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const controller = new AbortController();
    const poll = fetch(h.url(`EIO=4&transport=polling&sid=${sid}`), {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitUntil(() => socket.transport.writable);
    const closed = waitFor<[string, Error]>(socket, "close");
    controller.abort();
    const [reason, description] = await closed;
    expect(reason).toBe("transport error");
    expect(description.message).toBe("poll connection closed prematurely");
    await poll;
  });

  it("closes the session with 'transport close' on a close packet", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const closed = waitFor(socket, "close");
    expect((await rawPush(h, sid, "1")).status).toBe(200);
    expect((await closed)[0]).toBe("transport close");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("delivers the packets before a close packet, and none after", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    await rawPush(h, sid, "4a\x1e1\x1e4b");
    expect(messages).toEqual(["a"]);
    expect(socket.readyState).toBe("closed");
  });

  it("closes the session with 'parse error' on a garbage packet", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const closed = waitFor(socket, "close");
    await rawPush(h, sid, "garbage");
    expect((await closed)[0]).toBe("parse error");
  });

  it("answers the pending poll with a close packet when the server closes the socket", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    const poll = rawPoll(h, sid);
    await waitUntil(() => socket.transport.writable);
    socket.close();
    expect((await poll).body).toBe("1");
    expect(h.engine.clientsCount).toBe(0);
  });

  it("sends the close packet with a later poll when none is pending", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send("bye");
    const closed = waitFor(socket, "close");
    socket.close();
    expect(socket.readyState).toBe("closing");
    // the buffered packets drain first, then the close packet goes with the following poll
    expect((await rawPoll(h, sid)).body).toBe("4bye");
    expect(socket.readyState).toBe("closing");
    expect((await rawPoll(h, sid)).body).toBe("6\x1e1");
    expect((await closed)[0]).toBe("forced close");
  });

  it("serves a path without trailing slash when addTrailingSlash is false", async () => {
    const h = await startEngine({}, { addTrailingSlash: false });
    const res = await fetch(`${h.origin}/engine.io?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect((await res.text()).startsWith("0{")).toBe(true);
  });

  it("serves a custom path", async () => {
    const h = await startEngine({}, { path: "/custom" });
    const res = await fetch(`${h.origin}/custom/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    const conn = waitFor<[EngineSocket]>(h.engine, "connection");
    const client = engineClient(h, { path: "/custom", transports: ["polling"] });
    await waitFor(client, "open");
    await conn;
  });
});

describe("engine polling compression", () => {
  const big = "x".repeat(2000);

  it("gzips a response over the threshold when the client accepts gzip", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(big);
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip, deflate",
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    // node:http streams the gzip body (chunked); uWS writes it whole, with its length
    if (UWS_HOST) expect(Number(res.headers["content-length"])).toBe(res.body.length);
    else expect(res.headers["content-length"]).toBeUndefined();
    expect(gunzipSync(res.body).toString()).toBe("4" + big);
  });

  it("deflates a response when the client prefers deflate", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(big);
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "deflate",
    });
    expect(res.headers["content-encoding"]).toBe("deflate");
    expect(inflateSync(res.body).toString()).toBe("4" + big);
  });

  it("follows the client's order and qualities like `accepts`", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(big);
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "*;q=0.5, gzip;q=0",
    });
    expect(res.headers["content-encoding"]).toBe("deflate");
  });

  it("does not compress under the threshold", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send("small");
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip",
    });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.toString()).toBe("4small");
  });

  it("uses a custom threshold", async () => {
    const h = await startEngine({ httpCompression: { threshold: 5 } });
    const { sid, socket } = await pollingSession(h);
    socket.send("small");
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip",
    });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(res.body).toString()).toBe("4small");
  });

  it("compresses every size with httpCompression: true", async () => {
    const h = await startEngine({ httpCompression: true });
    const { sid, socket } = await pollingSession(h);
    socket.send("small");
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip",
    });
    expect(res.headers["content-encoding"]).toBe("gzip");
  });

  it("does not compress with httpCompression: false", async () => {
    const h = await startEngine({ httpCompression: false });
    const { sid, socket } = await pollingSession(h);
    socket.send(big);
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip",
    });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers["content-length"]).toBe(String(big.length + 1));
  });

  it("does not compress packets sent with compress: false", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(big, { compress: false });
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {
      "Accept-Encoding": "gzip",
    });
    expect(res.headers["content-encoding"]).toBeUndefined();
  });

  it("does not compress without Accept-Encoding", async () => {
    const h = await startEngine();
    const { sid, socket } = await pollingSession(h);
    socket.send(big);
    const res = await rawGet(h, `EIO=4&transport=polling&sid=${sid}`, {});
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.toString()).toBe("4" + big);
  });
});
