/**
 * drainOnClose in NestJS: the application's shutdown (app.close(), or a signal with
 * enableShutdownHooks) closes SocketkitModule's Server, which drains first: it waits for the
 * pending acknowledgement, and the client is closed as a lost connection (it would reconnect).
 */
import "reflect-metadata";
import { Server, type Socket } from "../../core/index";
import { SocketkitModule } from "../../integrations/nestjs/index";
import { PLATFORMS, closeNest, createClient, startNest } from "./nestjs/support";
import { waitFor, waitUntil } from "../support/wait";

afterEach(closeNest);

describe.each(PLATFORMS)("drainOnClose on %s", (platform) => {
  it("drains in the shutdown hooks before the Server closes", async () => {
    const h = await startNest(
      { imports: [SocketkitModule.forRoot({ drainOnClose: { timeout: 5000 } })] },
      { platform, adapter: null },
    );
    const io = h.app.get(Server);
    const connected = waitFor<[Socket]>(io, "connection");
    const client = createClient({ url: h.url }, "/", { transports: ["websocket"] });
    const [socket] = await connected;
    const asked = waitFor<[(answer: string) => void]>(client, "question");
    const answer = socket.timeout(5000).emitWithAck("question");
    const [reply] = await asked;

    let closed = false;
    const closing = h.app.close().then(() => (closed = true));
    const gone = waitFor<[string]>(client, "disconnect");
    // the shutdown hooks run: the Server starts draining
    await waitUntil(() => io.metrics().draining);
    expect(closed).toBe(false);
    expect(client.connected).toBe(true); // it still owes an answer
    reply("yes");
    expect(await answer).toBe("yes");
    expect((await gone)[0]).toBe("transport close");
    await closing;
  });
});
