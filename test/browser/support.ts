/**
 * Helpers for the browser tests: Debian's Chromium driven by puppeteer-core, against the demo
 * (examples/demo/app.js) running in this process on the sources' Server.
 *
 * Without a browser: outside CI the suites are skipped with a loud warning; with CI=true they
 * fail (`.ci/run` installs Debian's `chromium`).
 */
import { existsSync } from "node:fs";
import { once } from "node:events";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";
import { Server, type Socket } from "../../core/index";
import { loadUws } from "../support/uws";

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

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAS_BROWSER = existsSync(CHROMIUM);
const IN_CI = process.env.CI === "true";

/**
 * `describe` when Chromium is installed; otherwise a skipped suite with a loud warning, or under
 * CI=true a suite whose one test fails.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (HAS_BROWSER) {
    describe(name, fn);
  } else if (IN_CI) {
    describe(name, () => {
      test("needs Chromium", () => {
        throw new Error(
          `CI=true but no browser at ${CHROMIUM}: install Debian's chromium (.ci/run does) ` +
            "or set CHROMIUM_PATH",
        );
      });
    });
  } else {
    console.warn(
      `\n*** NO BROWSER at ${CHROMIUM}: the browser tests "${name}" are SKIPPED. Install ` +
        "Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; under CI=true they " +
        "fail. ***\n",
    );
    describe.skip(name, fn);
  }
}

/** Headless Chromium; pages in background tabs keep their timers running. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    protocolTimeout: 15_000,
    args: [
      "--no-sandbox", // the tests run as root in CI containers
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--font-render-hinting=none",
    ],
  });
}

/** What app.js exports (it is plain JavaScript, run as `npm start` runs it). */
export interface Demo {
  httpServer: HttpServer;
  io: Server;
  close(): Promise<void>;
}
type CreateDemo = (
  server: typeof Server,
  options?: { statsInterval?: number; recoveryMs?: number },
) => Demo;
/** The same demo on a µWebSockets.js app: `listen` resolves with the port. */
export interface UwsDemo {
  io: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}
type CreateDemoOnUws = (
  server: typeof Server,
  uws: unknown,
  options?: { statsInterval?: number; recoveryMs?: number },
) => UwsDemo;
const { createDemo, createDemoOnUws } = require("../../examples/demo/app") as {
  createDemo: CreateDemo;
  createDemoOnUws: CreateDemoOnUws;
};

/** The demo on 127.0.0.1, port 0, with the sources' Server. */
export async function startDemo(
  options: { statsInterval?: number } = {},
): Promise<{ demo: Demo; url: string }> {
  const demo = createDemo(Server, { statsInterval: options.statsInterval ?? 200 });
  demo.httpServer.listen(0, "127.0.0.1");
  await once(demo.httpServer, "listening");
  const { port } = demo.httpServer.address() as AddressInfo;
  return { demo, url: `http://127.0.0.1:${port}` };
}

/** The demo on a µWebSockets.js app (`io.attachApp`), on 127.0.0.1, port 0. */
export async function startDemoOnUws(
  options: { statsInterval?: number } = {},
): Promise<{ demo: UwsDemo; url: string }> {
  const demo = createDemoOnUws(Server, loadUws(), { statsInterval: options.statsInterval ?? 200 });
  const port = await demo.listen(0, "127.0.0.1");
  return { demo, url: `http://127.0.0.1:${port}` };
}

/**
 * A suite's browser and demo: Chromium for the suite, a demo from `start` and a fresh profile
 * (no cache, no localStorage) for each test, and the pages a test opened, whose uncaught and
 * console errors must be none when it ends. `url` may be pointed elsewhere by a test.
 */
export interface DemoSession<D> {
  readonly demo: D;
  url: string;
  /** Opens `url + query` in the test's profile. */
  open(query: string, beforeLoad?: (page: Page) => void): Promise<Page>;
  /** A page signed in as `name`, online; `transport` pins one transport. */
  signIn(
    name: string,
    transport?: "polling" | "websocket",
    beforeLoad?: (page: Page) => void,
  ): Promise<Page>;
  /** The server-side socket of the page signed in as `name`. */
  serverSocket(name: string): Socket;
}

export function useDemoSession<D extends { io: Server; close(): Promise<void> }>(
  start: () => Promise<{ demo: D; url: string }>,
): DemoSession<D> {
  let browser: Browser;
  let context: BrowserContext;
  let pages: DemoPage[] = [];
  let demo: D | undefined;
  const session: DemoSession<D> = {
    get demo(): D {
      if (demo === undefined) throw new Error("no demo outside a test");
      return demo;
    },
    url: "",
    async open(query, beforeLoad) {
      const p = await openPage(context, session.url + query, beforeLoad);
      pages.push(p);
      return p.page;
    },
    async signIn(name, transport, beforeLoad) {
      const query =
        `/?name=${encodeURIComponent(name)}` + (transport ? `&transport=${transport}` : "");
      const page = await session.open(query, beforeLoad);
      await waitForState(page, "online");
      return page;
    },
    serverSocket(name) {
      const found = [...session.demo.io.of("/").sockets.values()].find((s) => s.data.name === name);
      if (!found) throw new Error(`no server socket for ${name}`);
      return found;
    },
  };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const started = await start();
    demo = started.demo;
    session.url = started.url;
    context = await browser.createBrowserContext();
  });
  afterEach(async () => {
    const errors = pages.flatMap((p) => p.errors);
    pages = [];
    await context.close();
    await demo?.close();
    demo = undefined;
    expect(errors).toEqual([]);
  });
  return session;
}

/** A demo page, with its uncaught errors and console errors collected in `errors`. */
export interface DemoPage {
  page: Page;
  errors: string[];
}

export async function openPage(
  browser: Browser | BrowserContext,
  url: string,
  beforeLoad?: (page: Page) => void,
): Promise<DemoPage> {
  const page = await browser.newPage();
  beforeLoad?.(page);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("dialog", (dialog) => {
    errors.push(`unexpected ${dialog.type()}(): ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.setViewport({ width: 1280, height: 760 });
  await page.goto(url, { waitUntil: "load" });
  return { page, errors };
}

const POLL = { polling: 50, timeout: 10_000 };

/** Waits until the page's connection card shows `state` (online, cut, offline, connecting). */
export async function waitForState(page: Page, state: string): Promise<void> {
  await page.waitForFunction(
    (s) => document.getElementById("conn")?.dataset.state === s,
    POLL,
    state,
  );
}

/** Waits until the page's socket runs over `transport` (after the upgrade, for websocket). */
export async function waitForTransport(page: Page, transport: string): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const demo = window.demo;
      return demo?.socket.connected === true && demo.socket.io.engine.transport.name === t;
    },
    POLL,
    transport,
  );
}

/** The page's `window.demo`, as client.js sets it. */
export interface DemoGlobal {
  socket: {
    id: string | undefined;
    connected: boolean;
    recovered: boolean;
    io: { engine: { transport: { name: string }; transports: string[] } };
  };
  state: { room: string; missed: number; samples: unknown[] };
}

/** Types `text` in the composer and sends it (the page is brought to the front first). */
export async function say(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await page.type("#input", text);
  await page.keyboard.press("Enter");
}

/** Clicks `selector` (the page is brought to the front first: background tabs do not lay out). */
export async function click(page: Page, selector: string): Promise<void> {
  await page.bringToFront();
  await page.click(selector);
}

/** Waits until an element matching `selector` has exactly `text` (trimmed). */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel, t) => [...document.querySelectorAll(sel)].some((node) => node.textContent?.trim() === t),
    POLL,
    selector,
    text,
  );
}

/** Waits until the element `selector` contains `text`. */
export async function waitForContains(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel, t) => (document.querySelector(sel)?.textContent ?? "").includes(t),
    POLL,
    selector,
    text,
  );
}

/** The texts of the chat messages in the page's log, in order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.$$eval("#log .msg .text", (nodes) => nodes.map((n) => n.textContent ?? ""));
}

/** The texts of the notices in the page's log. */
export function noticeTexts(page: Page): Promise<string[]> {
  return page.$$eval("#log .notice", (nodes) => nodes.map((n) => n.textContent ?? ""));
}

/** Text of one element. */
export function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (node) => node.textContent?.trim() ?? "");
}
