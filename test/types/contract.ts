/**
 * Compile-time tests of event contracts (checked by `tsc -p tsconfig.json --noEmit`, strict):
 * the namespace's maps come from the schemas (handlers get the OUTPUT types, emits take the
 * INPUT types), wrong names and shapes do not compile, socket.io-client's `Socket<…>` gets its
 * maps from the same contract, and the vendored Standard Schema type accepts what the spec
 * package's `StandardSchemaV1` accepts.
 */
import { z } from "zod";
import * as v from "valibot";
import { type } from "arktype";
import type { StandardSchemaV1 as SpecSchema } from "@standard-schema/spec";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import {
  Server,
  defineContract,
  type ClientToServerEventsOf,
  type ServerToClientEventsOf,
  type StandardSchemaV1,
} from "../../core/index";

const chat = defineContract({
  clientToServer: {
    send: {
      args: [z.object({ text: z.string(), room: z.string().default("lobby") })],
      ack: [z.object({ id: z.number() })],
    },
    count: { args: [z.string().transform((s) => s.length)] },
    vote: { args: [v.number(), v.optional(v.string())] },
    move: { args: [type({ x: "number" })], ack: [type("boolean")] },
  },
  serverToClient: {
    message: { args: [z.object({ id: z.number(), text: z.string() })] },
    ask: { args: [z.string()], ack: [z.string().transform((s) => s.length)] },
  },
});

export async function serverSide(): Promise<void> {
  const io = new Server();
  const nsp = io.of("/chat").contract(chat);
  nsp.on("connection", async (socket) => {
    socket.on("send", (msg, ack) => {
      // the output type: the default makes `room` a string
      const room: string = msg.room;
      const text: string = msg.text;
      void room;
      void text;
      ack({ id: 1 });
      // @ts-expect-error the ack takes { id: number }
      ack({ id: "1" });
    });
    socket.on("count", (n) => {
      // the output of the transform
      const len: number = n;
      void len;
      // @ts-expect-error not a string any more
      const s: string = n;
      void s;
    });
    socket.on("vote", (n, comment) => {
      const a: number = n;
      const b: string | undefined = comment;
      void a;
      void b;
    });
    socket.on("move", (p, ack) => {
      const x: number = p.x;
      void x;
      ack(true);
    });
    // @ts-expect-error an event the contract does not have
    socket.on("unknown", () => {});
    // @ts-expect-error wrong parameter type
    socket.on("count", (n: boolean) => void n);
    socket.emit("message", { id: 1, text: "hi" });
    // @ts-expect-error wrong shape
    socket.emit("message", { id: "1", text: "hi" });
    // @ts-expect-error client → server events are not emitted by the server
    socket.emit("send", { text: "x" });
    const len: number = await socket.emitWithAck("ask", "?");
    void len;
    socket.timeout(100).emit("ask", "?", (err, answer) => {
      const e: Error | null = err;
      const n: number = answer;
      void e;
      void n;
    });
  });
  nsp.to("room").emit("message", { id: 1, text: "x" });
  // @ts-expect-error broadcasts are typed too
  nsp.to("room").emit("message", { id: 1 });

  // the main namespace, typed as a Server
  const main = new Server().contract(chat);
  main.on("connection", (socket) => socket.on("count", (n) => void (n satisfies number)));
  // @ts-expect-error typed emits on the server
  main.emit("message", 1);
}

export function clientSide(): void {
  const socket: ClientSocket<
    ServerToClientEventsOf<typeof chat>,
    ClientToServerEventsOf<typeof chat>
  > = ioc("http://localhost:3000/chat");
  // the client sends the input (wire) type: `room` is optional, `count` takes the string
  socket.emit("send", { text: "hi" }, (res) => {
    const id: number = res.id;
    void id;
  });
  socket.emit("count", "abc");
  // @ts-expect-error the input of count is a string
  socket.emit("count", 3);
  // @ts-expect-error not an event of the contract
  socket.emit("nope");
  socket.on("message", (m) => {
    const text: string = m.text;
    void text;
  });
  socket.on("ask", (q, ack) => {
    void q;
    ack("answer");
    // @ts-expect-error the client answers with the ack's input
    ack(3);
  });
}

// zod, valibot and arktype schemas are both the spec's StandardSchemaV1 and ours
const zs: StandardSchemaV1 & SpecSchema = z.string();
const vs: StandardSchemaV1 & SpecSchema = v.string();
const as: StandardSchemaV1 & SpecSchema = type("string");
// a spec schema is one of ours
export function fromSpec(s: SpecSchema<string, number>): StandardSchemaV1<string, number> {
  return s;
}
void zs;
void vs;
void as;

// @ts-expect-error a contract's args are schemas
defineContract({ clientToServer: { bad: { args: [1] } } });
