/**
 * The demo on µWebSockets.js (`io.attachApp`, examples/demo/app.js's createDemoOnUws) in a real
 * Chromium: a WebSocket page and a polling-only page built from the served bundle chat with each
 * other, and a page that starts on polling upgrades to WebSocket.
 */
import type { HTTPResponse } from "puppeteer-core";
import {
  describeInBrowser,
  messageTexts,
  say,
  startDemoOnUws,
  textOf,
  waitForText,
  waitForTransport,
  useDemoSession,
} from "./support";

describeInBrowser("the demo on µWebSockets.js in Chromium", () => {
  const session = useDemoSession(() => startDemoOnUws());

  const { signIn } = session;
  const serverTransport = (name: string): string => session.serverSocket(name).conn.transport.name;

  test("a polling page on the served bundle and an upgraded page chat, once each message", async () => {
    const bundles: HTTPResponse[] = [];
    const linus = await signIn("Linus", "polling", (page) =>
      page.on("response", (res) => {
        if (new URL(res.url()).pathname === "/socket.io/socket.io.js") bundles.push(res);
      }),
    );
    expect(bundles.map((b) => b.status())).toEqual([200]);
    expect(bundles[0].headers()["content-type"]).toMatch(/javascript/);
    // no transport pinned: starts on polling, upgrades to WebSocket through uWS
    const ada = await signIn("Ada");
    await waitForTransport(ada, "websocket");
    expect(serverTransport("Ada")).toBe("websocket");
    expect(serverTransport("Linus")).toBe("polling");
    expect(await textOf(linus, "#status-detail")).toBe("over HTTP long-polling");

    await say(linus, "from the polling side");
    await waitForText(ada, "#log .msg .text", "from the polling side");
    await say(ada, "from the WebSocket side");
    await waitForText(linus, "#log .msg .text", "from the WebSocket side");
    await waitForText(linus, "#log .msg.mine .receipt", "✓✓ delivered to 1");
    await waitForText(ada, "#log .msg.mine .receipt", "✓✓ delivered to 1");
    expect(await messageTexts(ada)).toEqual(["from the polling side", "from the WebSocket side"]);
    expect(await messageTexts(linus)).toEqual(["from the polling side", "from the WebSocket side"]);

    // the live panel, fed by the server's metrics on this host too
    await waitForText(ada, "#m-polling", "1");
    await waitForText(ada, "#m-websocket", "1");
    await waitForText(ada, "#m-connections", "2");
  });
});
