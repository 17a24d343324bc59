/**
 * The demo in a real Chromium (puppeteer-core): pages chatting over WebSocket, a polling-only
 * page on the bundle the server serves, presence and typing, rooms with their own history,
 * connection state recovery after a cut, and a screenshot of the finished page.
 *
 * SAVE_DEMO_SCREENSHOT=1 also writes the screenshot to docs/demo.png; DEMO_URL points that test
 * at a running demo instead (docs/demo.png: `npm start`, wait a minute for the charts, then
 * `DEMO_URL=http://127.0.0.1:3000 SAVE_DEMO_SCREENSHOT=1 npx jest test/browser -t screenshot`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HTTPResponse, Page } from "puppeteer-core";
import type { Socket } from "../../core/index";
import {
  click,
  describeInBrowser,
  messageTexts,
  noticeTexts,
  say,
  startDemo,
  textOf,
  useDemoSession,
  waitForContains,
  waitForState,
  waitForText,
  waitForTransport,
  type DemoGlobal,
} from "./support";

// The page's globals, as the functions handed to puppeteer use them in the page (this project
// compiles without the DOM lib; these declarations are local to this file).
interface PageNode {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  hidden: boolean;
  getAttribute(name: string): string | null;
}
declare const document: {
  getElementById(id: string): PageNode | null;
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): ArrayLike<PageNode> & Iterable<PageNode>;
};
declare const window: { demo?: DemoGlobal };

describeInBrowser("the demo in Chromium", () => {
  const session = useDemoSession(() => startDemo());
  const open = (query: string, beforeLoad?: (page: Page) => void): Promise<Page> =>
    session.open(query, beforeLoad);

  const { signIn, serverSocket } = session;

  const socketOf = (page: Page): Promise<DemoGlobal["socket"]> =>
    page.evaluate(() => {
      const { socket } = window.demo!;
      return {
        id: socket.id,
        connected: socket.connected,
        recovered: socket.recovered,
        io: {
          engine: {
            transport: { name: socket.io.engine.transport.name },
            transports: [...socket.io.engine.transports],
          },
        },
      };
    });

  test("two pages chat over WebSocket: one copy of each message, receipts, no news of yourself", async () => {
    const ada = await signIn("Ada");
    const grace = await signIn("Grace");
    await waitForTransport(ada, "websocket");
    await waitForTransport(grace, "websocket");
    expect(serverSocket("Ada").conn.transport.name).toBe("websocket");
    expect(serverSocket("Grace").conn.transport.name).toBe("websocket");

    await say(ada, "hello from Ada");
    await waitForText(grace, "#log .msg .text", "hello from Ada");
    // the sender's own message: shown once, then acknowledged, then delivered to Grace
    await waitForText(ada, "#log .msg.mine .receipt", "✓✓ delivered to 1");
    expect(await messageTexts(ada)).toEqual(["hello from Ada"]);

    await say(grace, "hi Ada");
    await waitForText(ada, "#log .msg .text", "hi Ada");
    await waitForText(grace, "#log .msg.mine .receipt", "✓✓ delivered to 1");
    expect(await messageTexts(ada)).toEqual(["hello from Ada", "hi Ada"]);
    expect(await messageTexts(grace)).toEqual(["hello from Ada", "hi Ada"]);

    // Ada hears of Grace's arrival; nobody is told about their own
    expect(await noticeTexts(ada)).toContain("Grace joined #general");
    expect((await noticeTexts(ada)).some((n) => n.includes("Ada joined"))).toBe(false);
    expect((await noticeTexts(grace)).some((n) => n.includes("joined"))).toBe(false);

    // a friendly status: who and how, no raw socket id
    const { id } = await socketOf(grace);
    expect(await textOf(grace, "#status")).toBe("Connected");
    expect(await textOf(grace, "#status-detail")).toBe("over WebSocket");
    expect(await textOf(grace, "#me")).toBe("Grace");
    expect(await textOf(grace, ".conn")).not.toContain(String(id));
  });

  test("presence, typing, and rooms that keep their own history", async () => {
    const ada = await signIn("Ada");
    const grace = await signIn("Grace");
    await waitForText(ada, "#members li", "Grace");
    await waitForText(grace, "#members li", "Grace (you)");
    expect(await grace.$$eval("#members li", (l) => l.map((n) => n.textContent))).toEqual([
      "Ada",
      "Grace (you)",
    ]);
    expect(await textOf(grace, '[data-room="general"] .count')).toBe("2");

    // typing: shown to the others while typing, gone when the message arrives
    await grace.bringToFront();
    await grace.type("#input", "thinking");
    await waitForText(ada, "#typing", "Grace is typing…");
    expect(await textOf(grace, "#typing")).toBe("");
    await grace.keyboard.press("Enter");
    await waitForText(ada, "#log .msg .text", "thinking");
    await waitForText(ada, "#typing", "");

    await say(ada, "general talk");
    await waitForText(grace, "#log .msg .text", "general talk");

    // Ada moves to #random: its own (empty) history, presence follows her
    await ada.bringToFront();
    await click(ada, '[data-room="random"]');
    await waitForText(ada, "#room-title", "#random");
    await waitForContains(ada, "#log", "This is the start of #random");
    expect(await messageTexts(ada)).toEqual([]);
    await waitForText(grace, "#members li", "Grace (you)");
    await grace.waitForFunction(() => document.querySelectorAll("#members li").length === 1, {
      polling: 50,
      timeout: 10_000,
    });
    await waitForText(grace, '[data-room="random"] .count', "1");
    expect(await noticeTexts(grace)).toContain("Ada moved to #random");
    await say(ada, "random thought");

    // Grace's next #general message does not reach #random; once Grace joins #random she gets
    // its history, and her message there reaches Ada (ordered after the #general one)
    await say(grace, "still in general");
    await waitForText(grace, "#log .msg.mine .receipt", "✓ sent · nobody else is here yet");
    await click(grace, '[data-room="random"]');
    await waitForText(grace, "#room-title", "#random");
    expect(await messageTexts(grace)).toEqual(["random thought"]);
    await say(grace, "joining you");
    await waitForText(ada, "#log .msg .text", "joining you");
    expect(await messageTexts(ada)).toEqual(["random thought", "joining you"]);

    // back to #general: its history is there
    await click(ada, '[data-room="general"]');
    await waitForText(ada, "#room-title", "#general");
    expect(await messageTexts(ada)).toEqual(["thinking", "general talk", "still in general"]);
  });

  test("a polling-only page, built from the served /socket.io/socket.io.js, chats with a WebSocket page", async () => {
    // the first page of a fresh profile: the bundle comes whole (200), not revalidated (304)
    const bundles: HTTPResponse[] = [];
    const linusPage = await open("/?name=Linus&transport=polling", (page) =>
      page.on("response", (res) => {
        if (new URL(res.url()).pathname === "/socket.io/socket.io.js") bundles.push(res);
      }),
    );
    await waitForState(linusPage, "online");
    expect(bundles).toHaveLength(1);
    expect(bundles[0].status()).toBe(200);
    expect(bundles[0].headers()["content-type"]).toMatch(/javascript/);
    const ada = await signIn("Ada", "websocket");

    const linus = await socketOf(linusPage);
    expect(linus.io.engine.transports).toEqual(["polling"]);
    expect(linus.io.engine.transport.name).toBe("polling");
    expect(await textOf(linusPage, "#status-detail")).toBe("over HTTP long-polling");

    await say(linusPage, "from the polling side");
    await waitForText(ada, "#log .msg .text", "from the polling side");
    await say(ada, "from the WebSocket side");
    await waitForText(linusPage, "#log .msg .text", "from the WebSocket side");
    await waitForText(linusPage, "#log .msg.mine .receipt", "✓✓ delivered to 1");

    // it never upgraded, on either end
    expect((await socketOf(linusPage)).io.engine.transport.name).toBe("polling");
    expect(serverSocket("Linus").conn.transport.name).toBe("polling");

    // the live panel counts the connections by transport, as the server sees them
    await waitForText(ada, "#m-polling", "1");
    await waitForText(ada, "#m-websocket", "1");
    await waitForText(ada, "#m-connections", "2");
    expect(await ada.$$eval("#c-connections polyline", (l) => l.length)).toBe(2);
  });

  test.each(["websocket", "polling"] as const)(
    "recovery over %s: messages sent during a cut arrive after it, tagged, and the cut page's queued message goes out",
    async (transport) => {
      const ada = await signIn("Ada");
      const grace = await signIn("Grace", transport === "polling" ? "polling" : undefined);
      await waitForTransport(grace, transport);
      const before = await socketOf(grace);
      const recovered: Socket[] = [];
      session.demo.io.on("connection", (s) => {
        if (s.recovered) recovered.push(s);
      });

      await grace.bringToFront();
      await click(grace, "#cut");
      await waitForState(grace, "cut");
      expect(await textOf(grace, "#cut")).toBe("↻ Restore connection");
      // the server has seen her go (the notice is sent from her disconnect handler)
      await waitForText(ada, "#log .notice", "Grace went offline");
      await waitForText(ada, "#members li", "Ada (you)");
      expect(await ada.$$eval("#members li", (l) => l.length)).toBe(1);

      await say(ada, "missed one");
      await say(ada, "missed two");
      await waitForText(ada, "#log .msg.mine .receipt", "✓ sent · nobody else is here yet");
      await ada.waitForFunction(
        () =>
          [...document.querySelectorAll("#log .msg.mine .receipt")].filter((r) =>
            (r.textContent ?? "").startsWith("✓ sent"),
          ).length === 2,
        { polling: 50, timeout: 10_000 },
      );
      await say(grace, "written offline");
      await waitForText(
        grace,
        "#log .msg.mine .receipt",
        "queued: sent when the connection is back",
      );
      expect(await messageTexts(grace)).toEqual(["written offline"]);

      await click(grace, "#cut");
      await waitForState(grace, "online");
      expect(await messageTexts(grace)).toEqual(["written offline", "missed one", "missed two"]);
      expect(await grace.$$eval("#log .msg .tag", (l) => l.map((n) => n.textContent))).toEqual([
        "recovered",
        "recovered",
      ]);
      expect(await textOf(grace, "#status-detail")).toContain("recovered 2 missed messages");
      const after = await socketOf(grace);
      expect(after.recovered).toBe(true);
      expect(after.id).toBe(before.id);
      expect(recovered.map((s) => s.data.name)).toEqual(["Grace"]);
      // she is not told about her own absence, and the log was not reloaded
      expect((await noticeTexts(grace)).some((n) => n.includes("Grace"))).toBe(false);

      // the queued message went out, and the recovered ones were acknowledged to their sender
      await waitForText(ada, "#log .msg .text", "written offline");
      await waitForText(grace, "#log .msg.mine .receipt", "✓✓ delivered to 1");
      await ada.waitForFunction(
        () =>
          [...document.querySelectorAll("#log .msg.mine .receipt")].every(
            (r) => r.textContent === "✓✓ delivered to 1",
          ),
        { polling: 50, timeout: 10_000 },
      );
      await waitForContains(ada, "#log", "Grace is back");
      await waitForText(ada, "#members li", "Grace");
      expect((await socketOf(grace)).io.engine.transport.name).toBe(transport);
    },
  );

  test("the name picker replaces prompt(); the page has its favicon", async () => {
    const connectionsBefore = session.demo.io.engine.clientsCount;
    const page = await open("/");
    await page.waitForSelector("#picker:not([hidden])");
    expect(await page.evaluate(() => "demo" in window)).toBe(false);
    expect(session.demo.io.engine.clientsCount).toBe(connectionsBefore);

    // an empty name is refused on the page, a name joins
    await click(page, "#pick button");
    await waitForContains(page, "#pick-error", "A name, please");
    await page.type("#pick-name", "Barbara");
    await click(page, "#pick button");
    await waitForState(page, "online");
    expect(await page.$eval("#picker", (n) => (n as unknown as PageNode).hidden)).toBe(true);
    expect(await textOf(page, "#me")).toBe("Barbara");

    const icon = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="icon"]')?.getAttribute("href");
      const res = await fetch(href ?? "/missing");
      return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
    });
    expect(icon.status).toBe(200);
    expect(icon.type).toBe("image/svg+xml");
    expect(icon.body).toContain("<svg");
  });

  test("a screenshot of the finished page is a non-empty PNG", async () => {
    // docs/demo.png is taken against `npm start` (DEMO_URL), whose panel shows its own process
    if (process.env.DEMO_URL) session.url = process.env.DEMO_URL.replace(/\/$/, "");
    const ada = await signIn("Ada");
    const grace = await signIn("Grace");
    const linus = await signIn("Linus", "polling");
    await say(grace, "Hi all! Is the new server live?");
    await waitForText(ada, "#log .msg .text", "Hi all! Is the new server live?");
    await say(ada, "It is: same client, one import changed.");
    await waitForText(grace, "#log .msg .text", "It is: same client, one import changed.");
    await say(linus, "I am on long-polling and it just works.");
    await waitForText(grace, "#log .msg .text", "I am on long-polling and it just works.");
    await say(grace, "Let me cut my connection for a moment.");
    await waitForText(ada, "#log .msg .text", "Let me cut my connection for a moment.");
    await click(grace, "#cut");
    await waitForState(grace, "cut");
    await waitForText(ada, "#log .notice", "Grace went offline");
    await say(ada, "Grace, this one was sent while you were away.");
    await say(linus, "And this one too.");
    await waitForText(ada, "#log .msg .text", "And this one too.");
    await grace.bringToFront();
    await click(grace, "#cut");
    await waitForState(grace, "online");
    await waitForText(grace, "#log .msg .text", "And this one too.");
    await linus.bringToFront();
    await linus.type("#input", "Nice");
    await waitForText(grace, "#typing", "Linus is typing…");
    // some samples in the charts; a full minute of them for docs/demo.png
    await grace.waitForFunction(
      (wanted) => (window.demo?.state.samples.length ?? 0) >= wanted,
      { polling: 100, timeout: 20_000 },
      process.env.SAVE_DEMO_SCREENSHOT ? 60 : 5,
    );
    // the last sample counts all three pages (more when DEMO_URL has other visitors)
    await grace.waitForFunction(
      () => Number(document.getElementById("m-connections")?.textContent) >= 3,
      { polling: 100, timeout: 10_000 },
    );
    await grace.bringToFront();

    const png = Buffer.from(await grace.screenshot({ type: "png" }));
    // the PNG signature, then the IHDR chunk with the viewport's size
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 760]);
    // a blank or near-blank page compresses to a few KB
    expect(png.length).toBeGreaterThan(40_000);

    if (process.env.SAVE_DEMO_SCREENSHOT) {
      const dir = join(__dirname, "../../docs");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "demo.png"), png);
    }
  }, 45_000);
});
