/**
 * AsyncAPI 3.0 from an event contract: one channel (the namespace), one message per event and
 * per acknowledgement, a `receive` operation per client → server event and a `send` operation
 * per server → client event, acks as the operations' replies. Payloads are the JSON Schema of
 * the schemas' input (the wire shape), read through the Standard JSON Schema interface
 * (`~standard.jsonSchema`: zod 4, arktype 2) or a converter the caller passes (valibot:
 * `@valibot/to-json-schema`'s `toJsonSchema`; socketkit does not import it). A schema that
 * converts neither way is named in `info["x-unconvertible-schemas"]` and its payload item says so.
 */
import type { ContractDefinition, EventSchemas, EventSchemasMap } from "./contract";
import type { StandardSchemaV1 } from "./standard-schema";

export interface AsyncAPIOptions {
  /** The namespace the contract is attached to ("/"). */
  namespace?: string;
  /** `info.title` ("socketkit namespace <namespace>"). */
  title?: string;
  /** `info.version` ("1.0.0"). */
  version?: string;
  /** `info.description`. */
  description?: string;
  /**
   * A JSON Schema converter for schemas without `~standard.jsonSchema` (e.g. valibot's
   * `toJsonSchema` from `@valibot/to-json-schema`, passed as it is); tried after the schema's
   * own interface. (Method syntax on purpose: a converter typed for its library's schemas fits.)
   */
  jsonSchema?(schema: StandardSchemaV1): object;
}

type Json = Record<string, unknown>;

interface Converter {
  readonly input: (options: { target: string }) => Json;
}

/** A message or operation key AsyncAPI accepts (letters, digits, `.`, `-`, `_`). */
function key(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

function withoutDialect(schema: Json): Json {
  const copy = { ...schema };
  delete copy.$schema;
  return copy;
}

class DocumentBuilder {
  readonly unconvertible: string[] = [];
  readonly #convert: ((schema: StandardSchemaV1) => object) | undefined;

  constructor(convert: ((schema: StandardSchemaV1) => object) | undefined) {
    this.#convert = convert;
  }

  schema(where: string, schema: StandardSchemaV1): Json {
    const props = schema["~standard"] as { jsonSchema?: Converter; vendor: string };
    let reason = "no ~standard.jsonSchema and no jsonSchema converter given";
    try {
      if (props.jsonSchema !== undefined) {
        return withoutDialect(props.jsonSchema.input({ target: "draft-07" }));
      }
    } catch (err) {
      reason = (err as Error)?.message ?? String(err);
    }
    if (this.#convert !== undefined) {
      try {
        return withoutDialect(this.#convert(schema) as Json);
      } catch (err) {
        reason = (err as Error)?.message ?? String(err);
      }
    }
    this.unconvertible.push(`${where} (${props.vendor}): ${reason}`);
    return { description: `not convertible to JSON Schema: ${reason}`, "x-unconvertible": true };
  }

  /** The payload of a list of arguments: a JSON array with one item per schema. */
  payload(where: string, schemas: readonly StandardSchemaV1[]): Json {
    // (an empty tuple is no valid `items`: no argument is an array of at most 0 items)
    if (schemas.length === 0) return { type: "array", maxItems: 0 };
    return {
      type: "array",
      items: schemas.map((s, i) => this.schema(`${where}[${i}]`, s)),
      additionalItems: false,
    };
  }
}

/**
 * The AsyncAPI 3.0 document of a contract, as a plain JSON-serializable object.
 *
 * @example
 * import { toJsonSchema } from "@valibot/to-json-schema";
 * const doc = toAsyncAPI(chat, { namespace: "/chat", title: "Chat", jsonSchema: toJsonSchema });
 * writeFileSync("asyncapi.json", JSON.stringify(doc, null, 2));
 */
export function toAsyncAPI(contract: ContractDefinition, opts: AsyncAPIOptions = {}): Json {
  const namespace = opts.namespace ?? "/";
  const channelKey = key(namespace === "/" ? "main" : namespace.slice(1)) || "main";
  const channelRef = { $ref: `#/channels/${channelKey}` };
  const builder = new DocumentBuilder(opts.jsonSchema?.bind(opts));
  const messages: Json = {};
  const operations: Json = {};
  const directions: [string, "receive" | "send", EventSchemasMap | undefined][] = [
    ["clientToServer", "receive", contract.clientToServer],
    ["serverToClient", "send", contract.serverToClient],
  ];
  for (const [direction, action, events] of directions) {
    if (events === undefined) continue;
    for (const [event, spec] of Object.entries(events) as [string, EventSchemas][]) {
      const where = `${direction}.${event}`;
      const messageKey = key(where);
      messages[messageKey] = {
        name: event,
        title: event,
        summary: `"${event}" (${direction === "clientToServer" ? "client → server" : "server → client"}), its arguments as a JSON array`,
        payload: builder.payload(`${where}.args`, spec.args),
      };
      const operation: Json = {
        action,
        channel: channelRef,
        messages: [{ $ref: `#/channels/${channelKey}/messages/${messageKey}` }],
      };
      if (spec.ack !== undefined) {
        const ackKey = key(`${where}.ack`);
        messages[ackKey] = {
          name: `${event} ack`,
          title: `${event} (acknowledgement)`,
          summary: `the acknowledgement of "${event}", its arguments as a JSON array`,
          payload: builder.payload(`${where}.ack`, spec.ack),
        };
        operation.reply = {
          channel: channelRef,
          messages: [{ $ref: `#/channels/${channelKey}/messages/${ackKey}` }],
        };
      }
      operations[key(`${action}.${event}`)] = operation;
    }
  }
  const info: Json = {
    title: opts.title ?? `socketkit namespace ${namespace}`,
    version: opts.version ?? "1.0.0",
  };
  if (opts.description !== undefined) info.description = opts.description;
  if (builder.unconvertible.length > 0) info["x-unconvertible-schemas"] = builder.unconvertible;
  return {
    asyncapi: "3.0.0",
    info,
    defaultContentType: "application/json",
    channels: {
      [channelKey]: {
        address: namespace,
        title: `Socket.IO namespace ${namespace}`,
        messages,
      },
    },
    operations,
  };
}
