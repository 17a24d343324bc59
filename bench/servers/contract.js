"use strict";
/**
 * The event contracts of the echo-zod / echo-valibot scenarios: the shape of the echo payload
 * (bench/scenarios/echo.js), as the argument and the ack of "echo". The keys are declared in
 * the payload's order, so the parsed object the handler acks serializes byte for byte as sent.
 */
function contractFor(library, defineContract) {
  if (library === "zod") {
    const { z } = require("zod");
    const Payload = z.object({
      user: z.string(),
      text: z.string(),
      n: z.number(),
      tags: z.array(z.string()),
      ok: z.boolean(),
    });
    return defineContract({ clientToServer: { echo: { args: [Payload], ack: [Payload] } } });
  }
  if (library === "valibot") {
    const v = require("valibot");
    const Payload = v.object({
      user: v.string(),
      text: v.string(),
      n: v.number(),
      tags: v.array(v.string()),
      ok: v.boolean(),
    });
    return defineContract({ clientToServer: { echo: { args: [Payload], ack: [Payload] } } });
  }
  throw new Error(`unknown SOCKETKIT_CONTRACT ${library}`);
}

module.exports = { contractFor };
