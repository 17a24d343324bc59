/**
 * The engine cluster's seams without a broker: the request/reply framing of PubSubDriver over an
 * in-memory bus (answers, time-outs, nobody listening, close), the cost when the option is off,
 * and the core barrel loading no driver (neither `redis` nor `node:cluster`).
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { EngineBaseServer, PubSubDriver, SocketkitError } from "../../../core/index";

/** An in-memory broker shared by the drivers of one test. */
class MemoryBus {
  readonly channels = new Map<string, Set<(data: Buffer) => void>>();
}

class MemoryDriver extends PubSubDriver {
  constructor(readonly bus: MemoryBus) {
    super();
  }
  protected async send(channel: string, data: Buffer): Promise<number> {
    const listeners = [...(this.bus.channels.get(channel) ?? [])];
    queueMicrotask(() => listeners.forEach((l) => l(data)));
    return listeners.length;
  }
  protected async listen(channel: string, listener: (data: Buffer) => void): Promise<void> {
    let set = this.bus.channels.get(channel);
    if (set === undefined) this.bus.channels.set(channel, (set = new Set()));
    set.add(listener);
  }
  protected async unlisten(channel: string): Promise<void> {
    this.bus.channels.delete(channel);
  }
}

describe("PubSubDriver (request/reply over publish/subscribe)", () => {
  it("delivers plain messages without a reply function, and answers requests", async () => {
    const bus = new MemoryBus();
    const a = new MemoryDriver(bus);
    const b = new MemoryDriver(bus);
    const got: [string, boolean][] = [];
    await b.subscribe("node-b", (message, reply) => {
      got.push([message.toString(), reply !== undefined]);
      reply?.(Buffer.from("re:" + message.toString()));
    });
    await a.publish("node-b", Buffer.from("hello"));
    expect((await a.request("node-b", Buffer.from("ping"), 1000)).toString()).toBe("re:ping");
    expect(got).toEqual([
      ["hello", false],
      ["ping", true],
    ]);
    await Promise.all([a.close(), b.close()]);
  });

  it("rejects at once when nobody listens (publish and request), after the timeout when nobody answers", async () => {
    const bus = new MemoryBus();
    const a = new MemoryDriver(bus);
    await expect(a.request("nobody", Buffer.from("x"), 5000)).rejects.toMatchObject({
      code: "SIO_ERR_CLUSTER_UNREACHABLE",
    });
    await expect(a.publish("nobody", Buffer.from("x"))).rejects.toMatchObject({
      code: "SIO_ERR_CLUSTER_UNREACHABLE",
    });
    const silent = new MemoryDriver(bus);
    await silent.subscribe("silent", () => undefined);
    await expect(a.request("silent", Buffer.from("x"), 50)).rejects.toMatchObject({
      code: "SIO_ERR_CLUSTER_TIMEOUT",
    });
    await Promise.all([a.close(), silent.close()]);
  });

  it("fails pending requests on close, and refuses new ones", async () => {
    const bus = new MemoryBus();
    const a = new MemoryDriver(bus);
    const silent = new MemoryDriver(bus);
    await silent.subscribe("silent", () => undefined);
    const pending = a.request("silent", Buffer.from("x"), 60000);
    await new Promise((r) => setImmediate(r));
    await a.close();
    await expect(pending).rejects.toBeInstanceOf(SocketkitError);
    await expect(pending).rejects.toMatchObject({ code: "SIO_ERR_CLUSTER_CLOSED" });
    await expect(a.request("silent", Buffer.from("x"), 10)).rejects.toMatchObject({
      code: "SIO_ERR_CLUSTER_CLOSED",
    });
    await silent.close();
  });
});

describe("engine cluster option", () => {
  it("is off by default: no router, plain 20-character session ids", () => {
    const engine = new EngineBaseServer();
    expect(engine.cluster).toBeUndefined();
    engine.close();
  });

  it("prefixes session ids with the node's random tag, the same on every session", async () => {
    const bus = new MemoryBus();
    const engine = new EngineBaseServer({ cluster: { driver: new MemoryDriver(bus) } });
    await engine.cluster!.ready;
    const tag = engine.cluster!.tag;
    expect(tag).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(engine.cluster!.sessionId("x".repeat(20))).toBe(tag + "x".repeat(20));
    expect([...bus.channels.keys()]).toEqual([`socketkit-engine#${tag}`]);
    engine.close();
    await new Promise((r) => setImmediate(r));
    expect(bus.channels.size).toBe(0);
  });

  it("checks the option up front", () => {
    const driver = new MemoryDriver(new MemoryBus());
    const bad: [unknown, string][] = [
      [{}, 'invalid option "cluster.driver": expected a ClusterDriver'],
      [{ driver: { publish() {} } }, 'invalid option "cluster.driver"'],
      [
        { driver, requestTimeout: 0 },
        'invalid option "cluster.requestTimeout": expected a number > 0, got 0',
      ],
      [{ driver, channelPrefix: "" }, 'invalid option "cluster.channelPrefix"'],
    ];
    for (const [cluster, message] of bad) {
      expect(() => new EngineBaseServer({ cluster } as never)).toThrow(message);
      expect(() => new EngineBaseServer({ cluster } as never)).toThrow(
        expect.objectContaining({ code: "SIO_ERR_INVALID_OPTION" }),
      );
    }
  });

  it("the core barrel loads no driver: neither redis nor node:cluster", () => {
    const root = resolve(__dirname, "../../..");
    const script = `
      require(${JSON.stringify(join(root, "test/support/ts-require.js"))});
      require(${JSON.stringify(join(root, "core/index.ts"))});
      const loaded = Object.keys(require.cache).filter((k) =>
        /cluster[\\\\/](node|redis)\\.ts$|node_modules[\\\\/](redis|@redis)[\\\\/]/.test(k));
      console.log(JSON.stringify(loaded));`;
    const out = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: root });
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toEqual([]);
  });
});
