/**
 * express-session as an engine middleware (`io.engine.use(session(...))`), on either host of the
 * matrix: the handshake sets the session cookie, a later handshake that sends it back gets the
 * same session, and the socket sees it as `socket.request.session`.
 */
import session from "express-session";
import type { IncomingMessage } from "node:http";
import { startServer } from "../../support/server";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";
import type { Socket } from "../../../core/index";

afterEach(closeAll);

type WithSession = IncomingMessage & { session?: { id: string; visits?: number } };

/** A polling handshake: the open packet's sid and the Set-Cookie headers. */
async function handshake(
  url: string,
  cookie?: string,
): Promise<{ sid: string; cookies: string[] }> {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
    headers: cookie ? { cookie } : {},
  });
  expect(res.status).toBe(200);
  const body = await res.text();
  const { sid } = JSON.parse(body.slice(1)) as { sid: string };
  return { sid, cookies: res.headers.getSetCookie() };
}

describe("express-session as an engine middleware", () => {
  it("sets the cookie at the handshake and finds the session again with it", async () => {
    const h = await startServer();
    const store = new session.MemoryStore();
    h.io.engine.use(
      session({ secret: "s3cret", resave: false, saveUninitialized: true, store }) as never,
    );
    const seen: string[] = [];
    h.io.engine.use((req: WithSession, _res: unknown, next: () => void) => {
      const s = req.session!;
      s.visits = (s.visits ?? 0) + 1;
      seen.push(s.id);
      next();
    });

    const first = await handshake(h.url);
    const cookie = first.cookies.find((c) => c.startsWith("connect.sid="));
    expect(cookie).toBeDefined();
    const pair = cookie!.split(";")[0];

    // the Socket.IO connection of a second handshake that carries the cookie: the same session
    const connected = waitFor<[Socket]>(h.io, "connection");
    const second = await handshake(h.url, pair);
    expect(second.cookies.some((c) => c.startsWith("connect.sid="))).toBe(false); // unchanged
    const post = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling&sid=${second.sid}`, {
      method: "POST",
      headers: { cookie: pair, "content-type": "text/plain;charset=UTF-8" },
      body: "40",
    });
    expect(await post.text()).toBe("ok");
    const [socket] = await connected;
    const own = (socket.request as WithSession).session!;
    expect(seen[1]).toBe(seen[0]);
    expect(own.id).toBe(seen[0]);
    // saved in the store by the first request, read back by the later ones
    expect(await new Promise((resolve) => store.length((_e, n) => resolve(n)))).toBe(1);
  });
});
