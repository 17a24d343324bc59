/**
 * Class 6: deadlines follow the monotonic clock. Steps of the wall clock (NTP, VM resume, a
 * test's fake Date) neither stop the heartbeat, nor drop healthy clients, nor re-arm timers in
 * a loop.
 */
import WebSocket from "ws";
import { startTarget } from "./support";
import { closeHostile } from "./support";
import type { Socket } from "../../core/index";

afterEach(closeHostile);
afterEach(() => jest.restoreAllMocks());

/** A raw client over WebSocket (no clock of its own); counts pings, answers them if `alive`. */
async function rawClient(
  port: number,
  alive: boolean,
): Promise<{ ws: WebSocket; pings(): number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  ws.on("error", () => {});
  let pings = 0;
  await new Promise<void>((resolve) =>
    ws.on("message", (data: Buffer) => {
      const m = data.toString();
      if (m.startsWith("0{")) ws.send("40");
      else if (m.startsWith("40")) resolve();
      else if (m === "2") {
        pings++;
        if (alive) ws.send("3");
      }
    }),
  );
  return { ws, pings: () => pings };
}

/** Waits `ms` on the monotonic clock, polling with setImmediate (no timer of its own). */
function spin(ms: number): Promise<void> {
  const until = performance.now() + ms;
  return new Promise((resolve) => {
    const tick = (): void => (performance.now() >= until ? resolve() : void setImmediate(tick));
    tick();
  });
}

it("heartbeats go on, healthy clients stay and timers stay flat while Date jumps", async () => {
  const h = await startTarget({ pingInterval: 100, pingTimeout: 150 });
  const reasons = new Map<string, string>();
  h.io.on("connection", (socket: Socket) =>
    socket.on("disconnect", (r) => reasons.set(socket.conn.id, r)),
  );
  const healthy = await Promise.all([1, 2, 3, 4].map(() => rawClient(h.port, true)));
  const dead = await rawClient(h.port, false);

  const realNow = Date.now.bind(Date);
  let offset = 0;
  jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  const timers = jest.spyOn(global, "setTimeout");
  // 1.2 s: the wall clock an hour back for 600 ms, then an hour ahead, stepping every 50 ms
  for (let i = 0; i < 24; i++) {
    offset = (i < 12 ? -1 : 1) * 3_600_000 + (i % 2) * 250;
    await spin(50);
  }
  const armed = timers.mock.calls.length;
  jest.restoreAllMocks();

  // every healthy client was pinged all along (about one ping per 100 ms)
  for (const client of healthy) expect(client.pings()).toBeGreaterThanOrEqual(8);
  // only the client that never answers was dropped, for the ping timeout
  expect([...reasons.values()]).toEqual(["ping timeout"]);
  expect(h.io.engine.clientsCount).toBe(4);
  // the shared queues arm a timer per due deadline: a few per interval, not one per tick
  expect(armed).toBeLessThan(100);
  for (const client of [...healthy, dead]) client.ws.terminate();
});
