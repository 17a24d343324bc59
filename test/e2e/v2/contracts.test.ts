/**
 * socketkit/v2 and event contracts: the 2.x API is unaffected (its namespaces have no contract
 * unless one is attached: events reach 2.x handlers as sent), and a contract attached to a v2
 * namespace works for socket.io-client 2.x and 4.x alike.
 */
import { z } from "zod";
import { defineContract } from "../../../core/index";
import type { Socket } from "../../../integrations/v2/index";
import { ask, connected, CLIENTS, startApp } from "./helpers";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

const contract = defineContract({
  clientToServer: { add: { args: [z.number(), z.number()], ack: [z.number()] } },
});

describe.each(CLIENTS)("socketkit/v2 with $name", (kind) => {
  it("without a contract, events reach the handlers as sent", async () => {
    const app = await startApp();
    const nsp = app.io.of("/plain");
    const got = new Promise<unknown[]>((resolve) => {
      nsp.on("connection", (socket: Socket) =>
        socket.on("add", (...args: unknown[]) => resolve(args)),
      );
    });
    const c = await connected(kind, `${app.url}/plain`);
    c.emit("add", "1", { two: 2 });
    expect(await got).toEqual(["1", { two: 2 }]);
    expect((nsp as unknown as { contractGate: unknown }).contractGate).toBeNull();
  });

  it("a contract on a v2 namespace: valid events parsed, invalid ones answered", async () => {
    const app = await startApp();
    const nsp = app.io.of("/math");
    nsp.contract(contract);
    const handled: unknown[][] = [];
    nsp.on("connection", (socket: Socket) => {
      socket.on("add", (a: number, b: number, ack: (sum: number) => void) => {
        handled.push([a, b]);
        ack(a + b);
      });
    });
    const conn = waitFor(nsp, "connection");
    const c = await connected(kind, `${app.url}/math`);
    await conn;
    expect(await ask(c, "add", 1, 2)).toEqual([3]);
    const [answer] = await ask<[{ error: { code: string } }]>(c, "add", 1, "2");
    expect(answer.error.code).toBe("SIO_ERR_INVALID_PAYLOAD");
    expect(handled).toEqual([[1, 2]]);
  });
});
