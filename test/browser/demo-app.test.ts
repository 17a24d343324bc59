/**
 * The demo's server side (examples/demo/chat.js, stats.js) through the official Node client:
 * the protocol the page relies on, checked without a browser so that it runs everywhere.
 */
import { once } from "node:events";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { startDemo, type Demo } from "./support";
import { waitFor } from "../support/wait";

interface Message {
  id: number;
  room: string;
  from: string;
  text: string;
  at: number;
}
interface Welcome {
  name: string;
  room: string;
  recovered: boolean;
  history: Message[];
  presence: Record<string, string[]>;
  rooms: { name: string; topic: string }[];
}
interface ChatAck {
  ok: boolean;
  error?: string;
  message: Message;
  recipients: number;
}
interface JoinAck {
  ok: boolean;
  error?: string;
  room: string;
  history: Message[];
  members: string[];
}

let demo: Demo;
let url: string;
const clients: ClientSocket[] = [];

beforeEach(async () => {
  ({ demo, url } = await startDemo({ statsInterval: 50 }));
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await demo.close();
});

interface User {
  c: ClientSocket;
  welcome: Welcome;
  /** every event the client got, in order */
  seen: [string, unknown[]][];
}

/** Resolves with the `n`th `event` a user got (1-based), whether it came already or comes later. */
function nth(u: Pick<User, "c" | "seen">, event: string, n = 1): Promise<unknown[]> {
  const found = (): unknown[] | undefined => events(u.seen, event)[n - 1];
  return new Promise((resolve, reject) => {
    const now = found();
    if (now) return resolve(now);
    const timer = setTimeout(() => {
      u.c.offAny(check);
      reject(new Error(`no ${event} #${n}`));
    }, 5000);
    function check(): void {
      const args = found();
      if (!args) return;
      clearTimeout(timer);
      u.c.offAny(check);
      resolve(args);
    }
    u.c.onAny(check);
  });
}

/** A client signed in as `name`, with its welcome; `seen` records every event it gets. */
async function user(name: string | undefined): Promise<User> {
  const c = ioc(url, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    auth: name === undefined ? {} : { name },
  });
  clients.push(c);
  const seen: [string, unknown[]][] = [];
  c.onAny((event: string, ...args: unknown[]) => seen.push([event, args]));
  const [welcome] = (await nth({ c, seen }, "welcome")) as [Welcome];
  return { c, welcome, seen };
}

const events = (seen: [string, unknown[]][], name: string): unknown[][] =>
  seen.filter(([e]) => e === name).map(([, args]) => args);

test("a name is required, trimmed and cut at 24 characters", async () => {
  const c = ioc(url, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    auth: { name: "   " },
  });
  clients.push(c);
  const [err] = await waitFor<[Error & { data?: unknown }]>(c, "connect_error");
  expect(err.message).toBe("pick a name first");
  expect(err.data).toEqual({ field: "name" });

  const { welcome } = await user("  " + "x".repeat(40) + "  ");
  expect(welcome.name).toBe("x".repeat(24));
});

test("welcome: the rooms, #general's history and who is where", async () => {
  const ada = await user("Ada");
  expect(ada.welcome).toMatchObject({
    name: "Ada",
    room: "general",
    recovered: false,
    history: [],
    presence: { general: ["Ada"], random: [], help: [] },
  });
  expect(ada.welcome.rooms.map((r) => r.name)).toEqual(["general", "random", "help"]);

  const grace = await user("Grace");
  expect(grace.welcome.presence.general).toEqual(["Ada", "Grace"]);
  // Ada's first presence came with her own arrival, the second with Grace's
  expect(((await nth(ada, "presence", 2))[0] as Record<string, string[]>).general).toEqual([
    "Ada",
    "Grace",
  ]);
  const [notice] = await nth(ada, "notice");
  expect(notice).toEqual({ room: "general", text: "Grace joined #general" });
  // Grace is not told about herself (the welcome came after anything sent to her on connect)
  expect(events(grace.seen, "notice")).toEqual([]);
});

test("a message goes to the others in the room, not back to its sender; the ack carries it", async () => {
  const ada = await user("Ada");
  const grace = await user("Grace");
  const ack = (await ada.c.emitWithAck("chat", "  hello  ")) as ChatAck;
  expect(ack).toMatchObject({ ok: true, recipients: 1 });
  expect(ack.message).toMatchObject({ room: "general", from: "Ada", text: "hello" });
  expect((await nth(grace, "chat"))[0]).toEqual(ack.message);

  expect(await ada.c.emitWithAck("chat", "   ")).toEqual({ ok: false, error: "empty" });
  expect(await ada.c.emitWithAck("chat", 42)).toEqual({ ok: false, error: "empty" });
  const long = (await ada.c.emitWithAck("chat", "y".repeat(600))) as ChatAck;
  expect(long.message.text).toHaveLength(500);

  // a round trip of Grace's after Ada's messages: none of them came back to Ada
  await grace.c.emitWithAck("chat", "barrier");
  await nth(ada, "chat");
  expect(events(ada.seen, "chat").map(([m]) => (m as Message).text)).toEqual(["barrier"]);
});

test("delivery receipts: each recipient counted once, the sender's own ignored", async () => {
  const ada = await user("Ada");
  const grace = await user("Grace");
  const linus = await user("Linus");
  const { message } = (await ada.c.emitWithAck("chat", "count me")) as ChatAck;

  grace.c.emit("received", message.id);
  expect((await nth(ada, "delivered", 1))[0]).toEqual({ id: message.id, count: 1 });
  grace.c.emit("received", message.id);
  expect((await nth(ada, "delivered", 2))[0]).toEqual({ id: message.id, count: 1 });
  ada.c.emit("received", message.id);
  linus.c.emit("received", message.id);
  expect((await nth(ada, "delivered", 3))[0]).toEqual({ id: message.id, count: 2 });
  expect(events(ada.seen, "delivered")).toHaveLength(3);
  // unknown ids are ignored
  grace.c.emit("received", 999_999);
  grace.c.emit("received", "x");
  await grace.c.emitWithAck("chat", "barrier");
  expect(events(ada.seen, "delivered")).toHaveLength(3);
});

test("rooms: own history (the last 50), presence and notices follow a move, typing stays in the room", async () => {
  const ada = await user("Ada");
  const grace = await user("Grace");
  for (let i = 1; i <= 55; i++) await grace.c.emitWithAck("chat", `m${i}`);

  expect(await ada.c.emitWithAck("join", "nowhere")).toEqual({ ok: false, error: "no such room" });
  const joined = (await ada.c.emitWithAck("join", "random")) as JoinAck;
  expect(joined).toEqual({ ok: true, room: "random", history: [], members: ["Ada"] });
  expect((await nth(grace, "notice"))[0]).toEqual({
    room: "general",
    text: "Ada moved to #random",
  });
  // from here on, what reaches Ada in #random
  ada.seen.length = 0;

  // typing in #general does not reach #random; in #random it reaches #random only
  grace.c.emit("typing", true);
  await grace.c.emitWithAck("chat", "m56");
  const linus = await user("Linus");
  await linus.c.emitWithAck("join", "random");
  ada.c.emit("typing", true);
  expect((await nth(linus, "typing", 1))[0]).toEqual({ name: "Ada", typing: true });
  ada.c.emit("typing", "yes please");
  expect((await nth(linus, "typing", 2))[0]).toEqual({ name: "Ada", typing: false });
  await ada.c.emitWithAck("chat", "barrier");
  await nth(linus, "chat");
  expect(events(ada.seen, "typing")).toEqual([]);
  expect(events(ada.seen, "chat")).toEqual([]);
  expect(events(ada.seen, "notice").map(([n]) => n)).toEqual([
    { room: "random", text: "Linus joined #random" },
  ]);

  const back = (await ada.c.emitWithAck("join", "general")) as JoinAck;
  expect(back.history.map((m) => m.text)).toEqual(
    Array.from({ length: 50 }, (_, i) => `m${i + 7}`),
  );
  expect(back.members).toEqual(["Ada", "Grace"]);
});

test("recovery: the same socket comes back with its room and the messages it missed", async () => {
  const ada = await user("Ada");
  await ada.c.emitWithAck("join", "help");
  const grace = await user("Grace");
  await grace.c.emitWithAck("join", "help");
  const adaId = ada.c.id;

  grace.seen.length = 0;
  ada.c.io.engine.close(); // abrupt: no disconnect packet
  expect((await nth(grace, "notice"))[0]).toEqual({ room: "help", text: "Ada went offline" });
  await grace.c.emitWithAck("chat", "while you were away");

  ada.c.connect();
  const [welcome] = (await nth(ada, "welcome", 2)) as [Welcome];
  expect(welcome).toMatchObject({ recovered: true, room: "help", history: [] });
  expect(ada.c.recovered).toBe(true);
  expect(ada.c.id).toBe(adaId);
  expect((await nth(grace, "notice", 2))[0]).toEqual({ room: "help", text: "Ada is back" });
  const texts = events(ada.seen, "chat").map(([m]) => (m as Message).text);
  expect(texts).toEqual(["while you were away"]);
  // her own "went offline" notice was not kept for her
  expect(
    events(ada.seen, "notice").some(([n]) => (n as { text: string }).text.includes("Ada")),
  ).toBe(false);
});

test("stats: connections by transport, messages per second, memory, pushed to every page", async () => {
  const ada = await user("Ada");
  await user("Grace");
  await ada.c.emitWithAck("chat", "traffic");

  interface Sample {
    connections: number;
    websocket: number;
    polling: number;
    messagesIn: number;
    messagesOut: number;
    heapUsed: number;
    rss: number;
    bytesPerConnection: number;
  }
  let sample: Sample;
  do {
    [sample] = await waitFor<[Sample]>(ada.c, "stats");
  } while (sample.connections !== 2);
  // (polling is counted in the browser test, where a polling page is torn down cleanly)
  expect(sample).toMatchObject({ connections: 2, websocket: 2, polling: 0 });
  expect(sample.heapUsed).toBeGreaterThan(0);
  expect(sample.rss).toBeGreaterThanOrEqual(sample.heapUsed);
  expect(sample.bytesPerConnection).toBeGreaterThanOrEqual(0);
  expect(sample.messagesIn).toBeGreaterThanOrEqual(0);
  expect(sample.messagesOut).toBeGreaterThan(0); // the stats themselves, at least

  // a new page gets the recent samples at once
  const linus = await user("Linus");
  const history = events(linus.seen, "stats:history")[0][0] as Sample[];
  expect(history.length).toBeGreaterThan(0);
  expect(history.length).toBeLessThanOrEqual(60);
});
