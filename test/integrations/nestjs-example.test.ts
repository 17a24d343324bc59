/** examples/nestjs: the chat gateway and the announcing route, as a client sees them. */
import "reflect-metadata";
import { AppModule } from "../../examples/nestjs/app.module";
import { closeNest, createClient, startNest } from "./nestjs/support";
import { waitFor } from "../support/wait";

afterEach(closeNest);

it("runs the example: rooms, validated messages, broadcasts from an HTTP route", async () => {
  jest.spyOn(console, "log").mockImplementation(() => undefined);
  const h = await startNest({ imports: [AppModule] }, { adapter: null });
  const alice = createClient(h, "/", { auth: { name: "alice" } });
  const bob = createClient(h, "/", { auth: { name: "bob" } });
  expect(await alice.emitWithAck("join", "lobby")).toBe(1);
  const joined = waitFor(alice, "joined");
  expect(await bob.emitWithAck("join", "lobby")).toBe(2);
  expect(await joined).toEqual(["bob"]);

  const received = waitFor(alice, "message");
  const { at } = (await bob.emitWithAck("message", { room: "lobby", text: "hello" })) as {
    at: number;
  };
  expect(await received).toEqual([{ from: "bob", text: "hello", at }]);

  const exception = waitFor(bob, "exception");
  bob.emit("message", { room: "lobby", text: "" });
  expect((await exception)[0]).toMatchObject({
    status: "error",
    message: "text must be longer than or equal to 1 characters",
  });

  const announcement = Promise.all([waitFor(alice, "announcement"), waitFor(bob, "announcement")]);
  const res = await fetch(`${h.url}/announce`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "maintenance at noon" }),
  });
  expect(await res.json()).toEqual({ clients: 2 });
  expect(await announcement).toEqual([["maintenance at noon"], ["maintenance at noon"]]);
});
