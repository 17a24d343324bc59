/**
 * toAsyncAPI(): the AsyncAPI 3.0 document of a contract passes @asyncapi/parser without errors;
 * zod 4 and arktype 2 schemas convert through `~standard.jsonSchema`, valibot 1 through the
 * converter the caller passes (@valibot/to-json-schema); a schema that converts neither way is
 * named in `info["x-unconvertible-schemas"]` and keeps its place in the payload.
 */
import { z } from "zod";
import * as v from "valibot";
import { type } from "arktype";
import { toJsonSchema } from "@valibot/to-json-schema";
import { Parser } from "@asyncapi/parser";
import { defineContract, toAsyncAPI } from "../../../core/index";

const contract = defineContract({
  clientToServer: {
    send: { args: [z.object({ text: z.string() })], ack: [z.object({ id: z.number() })] },
    vote: { args: [v.number(), v.optional(v.string())] },
    upload: { args: [z.instanceof(Buffer)] },
  },
  serverToClient: {
    message: { args: [type({ id: "number", text: "string" })] },
    "needs ack!": { args: [], ack: [z.boolean()] },
  },
});

const errorsOf = async (doc: object): Promise<string[]> => {
  const diagnostics = await new Parser().validate(JSON.stringify(doc));
  return diagnostics
    .filter((d) => d.severity === 0)
    .map((d) => `${d.path.join(".")}: ${d.message}`);
};

describe("toAsyncAPI", () => {
  it("builds a document the AsyncAPI parser accepts", async () => {
    const doc = toAsyncAPI(contract, {
      namespace: "/chat",
      title: "Chat",
      version: "2.0.0",
      jsonSchema: toJsonSchema,
    });
    expect(await errorsOf(doc)).toEqual([]);
    const { document } = await new Parser().parse(JSON.stringify(doc));
    expect(document?.channels().get("chat")?.address()).toBe("/chat");
    expect(
      document
        ?.operations()
        .all()
        .map((o) => `${o.action()} ${o.id()}`)
        .sort(),
    ).toEqual([
      "receive receive.send",
      "receive receive.upload",
      "receive receive.vote",
      "send send.message",
      "send send.needs_ack_",
    ]);
  });

  it("converts each library's schemas into the payload (the arguments as an array)", () => {
    const doc = toAsyncAPI(contract, {
      namespace: "/chat",
      jsonSchema: toJsonSchema,
    }) as {
      channels: { chat: { messages: Record<string, { payload: { items: object[] } }> } };
      operations: Record<string, { reply?: unknown }>;
    };
    const messages = doc.channels.chat.messages;
    expect(messages["clientToServer.send"].payload.items[0]).toEqual({
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
    });
    expect(messages["clientToServer.vote"].payload.items).toEqual([
      { type: "number" },
      { type: "string" },
    ]);
    expect(messages["serverToClient.message"].payload.items[0]).toMatchObject({
      type: "object",
      required: ["id", "text"],
    });
    expect(messages["clientToServer.send.ack"]).toBeDefined();
    expect(doc.operations["receive.send"].reply).toEqual({
      channel: { $ref: "#/channels/chat" },
      messages: [{ $ref: "#/channels/chat/messages/clientToServer.send.ack" }],
    });
  });

  it("names the schemas that cannot convert instead of dropping them", async () => {
    // without the valibot converter, and with a zod custom type (Buffer) that zod cannot convert
    const doc = toAsyncAPI(contract, { namespace: "/chat" }) as {
      info: { "x-unconvertible-schemas": string[] };
      channels: { chat: { messages: Record<string, { payload: { items: object[] } }> } };
    };
    expect(doc.info["x-unconvertible-schemas"]).toEqual([
      "clientToServer.vote.args[0] (valibot): no ~standard.jsonSchema and no jsonSchema converter given",
      "clientToServer.vote.args[1] (valibot): no ~standard.jsonSchema and no jsonSchema converter given",
      "clientToServer.upload.args[0] (zod): Custom types cannot be represented in JSON Schema",
    ]);
    expect(doc.channels.chat.messages["clientToServer.upload"].payload.items).toEqual([
      expect.objectContaining({ "x-unconvertible": true }),
    ]);
    expect(await errorsOf(doc)).toEqual([]);
  });
});
