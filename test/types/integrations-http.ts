/**
 * Compile-time tests of the Fastify, Express and Koa integrations' typing, checked by
 * `tsc -p tsconfig.json --noEmit` (not run by jest): users get their `Server<...>` generics
 * without casts, either through a typed helper / generic `attach`, or by augmenting the
 * integration's `Socketkit*Types` interface (shown here through `IoFrom`, since an augmentation
 * would apply to the whole test program).
 */
import { createServer } from "node:http";
import Fastify from "fastify";
import express from "express";
import Koa from "koa";
import type { DefaultEventsMap, Server, Socket } from "../../core/index";
import {
  typedIo,
  type FastifyIo,
  type IoFrom as FastifyIoFrom,
} from "../../integrations/fastify/index";
import { attach as attachExpress, type ExpressIo } from "../../integrations/express/index";
import {
  attach as attachKoa,
  KoaEvents,
  type EventContext,
  type KoaIo,
  type IoFrom as KoaIoFrom,
} from "../../integrations/koa/index";

/** `true` only when A and B are identical (not merely mutually assignable). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when given `true`. */
function assert<T extends true>(): T | void {}

interface ClientToServer {
  hello: (name: string, ack: (greeting: string) => void) => void;
}
interface ServerToClient {
  welcome: (id: string) => void;
}
interface SocketData {
  user: string;
}
type TypedServer = Server<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>;

/** What each integration's typed server must allow and refuse. */
function useTypedServer(io: TypedServer): void {
  io.on("connection", (socket) => {
    socket.data.user.toUpperCase();
    socket.on("hello", (name, ack) => ack(name.toUpperCase()));
    socket.emit("welcome", socket.id);
    // @ts-expect-error not an event of ServerToClient
    socket.emit("goodbye");
    // @ts-expect-error wrong payload
    socket.emit("welcome", 42);
    // @ts-expect-error the ack takes a string
    socket.on("hello", (_name, ack) => ack(1));
  });
}

// -- Fastify --------------------------------------------------------------------------------------

const fastify = Fastify();
// a typed helper: no cast at the call site
const fastifyIo = typedIo<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>(fastify);
assert<Equals<typeof fastifyIo, TypedServer>>();
useTypedServer(fastifyIo);
// fastify.io is the augmentable type: `Server` until SocketkitFastifyTypes declares `io`
assert<Equals<(typeof fastify)["io"], FastifyIo>>();
assert<Equals<FastifyIo, Server>>();
assert<Equals<FastifyIoFrom<{ io: TypedServer }>, TypedServer>>();

// -- Express --------------------------------------------------------------------------------------

const app = express();
const expressIo = attachExpress<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>(
  app,
  createServer(app),
  { use: [(_req, _res, next) => next()], cors: { origin: "*" } },
);
assert<Equals<typeof expressIo, TypedServer>>();
useTypedServer(expressIo);
app.get("/", (req, res) => {
  assert<Equals<typeof req.io, ExpressIo>>();
  req.io.emit("anything", 1); // untyped until SocketkitExpressTypes declares `io`
  res.end();
});

// -- Koa ------------------------------------------------------------------------------------------

const koa = new Koa();
const koaIo = attachKoa<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>(koa, {
  handshake: [async (ctx, next) => ((ctx.state.user = "alice"), next())],
});
assert<Equals<typeof koaIo, TypedServer>>();
useTypedServer(koaIo);
koa.use(async (ctx) => {
  assert<Equals<typeof ctx.io, KoaIo>>();
});
assert<Equals<KoaIoFrom<{ io: TypedServer }>, TypedServer>>();

const events = new KoaEvents(koaIo);
events.use(async (ctx, next) => {
  assert<
    Equals<
      typeof ctx,
      EventContext<Socket<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>>
    >
  >();
  ctx.socket.data.user.toUpperCase();
  ctx.socket.emit("welcome", ctx.socket.id);
  // @ts-expect-error not an event of ServerToClient
  ctx.socket.emit("goodbye");
  await next();
});
events.on("hello", (ctx, name: string) => ctx.acknowledge?.(`hi ${name}`));
