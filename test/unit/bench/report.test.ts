/**
 * The benchmark report (bench/lib/report.js) that `npm run bench` writes into README.md: both raw
 * columns, one line per target met or missed and by how much, the cluster hop, before/after.
 * Rendered here from made-up medians, so the lead's full run cannot fail at the last step.
 */
interface Metric {
  key: string;
  label: string;
  higher: boolean;
  target?: number;
  digits?: number;
}
interface Scenario {
  name: string;
  title: string;
  metrics: Metric[];
  cluster?: number;
  single?: string;
  describe: string;
}
interface Unit {
  metrics: Record<string, number>;
  serverCpuPct: number;
  clientCpuPct: number;
  errors: number;
  samples: string[];
  native?: { ws: string[]; bufferutil: string | null; utf8: string };
}
interface Result {
  scenario: Scenario;
  runs: Record<string, (Unit | null)[]>;
}
interface Report {
  render(results: Result[], info: Record<string, unknown>): string;
  renderReadme(results: Result[], info: Record<string, unknown>, before: unknown): string;
  medians(
    results: Result[],
    impls: string[],
  ): Record<string, Record<string, Record<string, number>>>;
}
const report = require("../../../bench/lib/report") as Report;
const { SCENARIOS } = require("../../../bench/scenarios/index") as { SCENARIOS: Scenario[] };

const NATIVE = { ws: ["8.18.3"], bufferutil: "4.1.0", utf8: "buffer.isUtf8" };

function unit(metrics: Record<string, number>, native = NATIVE): Unit {
  return { metrics, serverCpuPct: 99, clientCpuPct: 50, errors: 0, samples: [], native };
}

function scenario(name: string): Scenario {
  const sc = SCENARIOS.find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario ${name}`);
  return sc;
}

const IMPLS = ["socketkit", "socket.io", "raw-ws", "raw-ws-naive"];

function results(): Result[] {
  return [
    {
      scenario: scenario("echo"),
      runs: {
        socketkit: [unit({ acksPerSec: 1500, p50: 2, p99: 3 })],
        "socket.io": [unit({ acksPerSec: 500, p50: 4, p99: 6 })],
        "raw-ws": [unit({ acksPerSec: 2000, p50: 1.5, p99: 2 })],
        "raw-ws-naive": [unit({ acksPerSec: 1000, p50: 3, p99: 4 })],
      },
    },
    {
      scenario: scenario("room"),
      runs: {
        socketkit: [unit({ msgsPerSec: 1000, deliverMs: 10, fanoutP50: 1 })],
        "socket.io": [unit({ msgsPerSec: 200, deliverMs: 50, fanoutP50: 5 })],
        "raw-ws": [unit({ msgsPerSec: 2000, deliverMs: 5, fanoutP50: 0.5 })],
        "raw-ws-naive": [unit({ msgsPerSec: 900, deliverMs: 11, fanoutP50: 1.1 })],
      },
    },
    {
      scenario: scenario("cluster-room"),
      runs: {
        socketkit: [unit({ msgsPerSec: 800, deliverMs: 12, fanoutP50: 2 })],
        "socket.io": [unit({ msgsPerSec: 100, deliverMs: 100, fanoutP50: 9 })],
      },
    },
  ];
}

const INFO = {
  mode: "full",
  runs: 1,
  impls: IMPLS,
  pinned: true,
  startedAt: new Date("2026-12-04T20:00:00Z"),
  elapsedS: 60,
  warnings: [],
  clusterCpus: "0",
};

describe("bench report", () => {
  it("shows both raw servers and one line per target, met or missed by how much", () => {
    const md = report.renderReadme(results(), INFO, null);
    expect(md).toContain("| raw ws | raw ws, naive |");
    expect(md).toContain(
      "| echo + ack | acks/s | 1,500 | 500 | 2,000 | 1,000 | 3.00x | 0.75x | ≥ 0.7x ✅ |",
    );
    expect(md).toContain(
      "- ✅ echo + ack, acks/s: 0.75x raw ws (target ≥ 0.7x): met by 0.05x (7%)",
    );
    expect(md).toContain(
      "- ❌ room broadcast, delivered msgs/s: 0.50x raw ws (target ≥ 0.6x): missed by 0.10x (17%)",
    );
    // the cluster scenario: no raw figures, compared with the single process
    expect(md).toContain(
      "| room broadcast, 2 workers | delivered msgs/s | 800 | 100 | — | — | 8.00x | — |",
    );
    expect(md).toMatch(
      /room broadcast, 2 workers, socketkit: 800 delivered msgs\/s .*0\.80x the single process \(1,000\), so the cross-process hop costs 20% of the throughput/,
    );
    expect(md).toContain("native helpers");
    expect(md).toContain("socketkit: bufferutil 4.1.0, UTF-8 by buffer.isUtf8 (ws 8.18.3)");
  });

  it("compares with the medians of an earlier run, whose raw ws may be the naive one", () => {
    const echo = scenario("echo") as Scenario & { params: { full: unknown } };
    const before = {
      label: "an earlier run",
      // the parameters of that run: the same echo shape, so its figures compare
      params: { echo: echo.params.full },
      medians: {
        echo: { acksPerSec: { socketkit: 1000, "socket.io": 500, "raw-ws-naive": 1250 } },
      },
    };
    const md = report.renderReadme(results(), INFO, before);
    expect(md).toContain("Before: an earlier run. After: this run.");
    expect(md).toContain("| echo + ack | acks/s | 1,000 | 1,500 | 2.00x | 3.00x | 0.80x | 0.75x |");
    expect(md).toContain(
      "| room broadcast | delivered msgs/s | n/a | 1,000 | n/a | 5.00x | n/a | 0.50x |",
    );
  });

  it("does not compare a scenario whose shape changed since the earlier run", () => {
    // a medians.json without parameters predates the 8-in-flight echo: its echo was echo-4's
    const before = {
      label: "an older run",
      medians: {
        echo: { acksPerSec: { socketkit: 1000, "socket.io": 500, "raw-ws-naive": 1250 } },
      },
    };
    const md = report.renderReadme(results(), INFO, before);
    expect(md).toContain("| echo + ack | acks/s | n/a | 1,500 | n/a | 3.00x | n/a | 0.75x |");
    expect(md).toContain('No "before" for echo + ack: its shape changed since that run.');
  });

  it("keeps the medians of every server for the next run's before/after", () => {
    const m = report.medians(results(), IMPLS);
    expect(m.echo.acksPerSec).toEqual({
      socketkit: 1500,
      "socket.io": 500,
      "raw-ws": 2000,
      "raw-ws-naive": 1000,
    });
    expect(m["cluster-room"].msgsPerSec["raw-ws"]).toBeNaN();
  });

  it("warns when the servers did not load the same bufferutil", () => {
    const r = results();
    const raw = r[0].runs["raw-ws"][0] as Unit;
    raw.native = { ...NATIVE, bufferutil: null };
    const md = report.render(r, INFO);
    expect(md).toContain("⚠ the servers did not all load the same bufferutil");
    expect(md).toContain("no bufferutil (JavaScript masking)");
  });

  it("has the scenarios and targets of issue 12", () => {
    const target = (name: string, key: string) =>
      scenario(name).metrics.find((m) => m.key === key)?.target;
    expect(target("echo", "acksPerSec")).toBe(0.7);
    expect(target("room", "msgsPerSec")).toBe(0.6);
    expect(target("emit", "msgsPerSec")).toBe(0.6);
    for (const name of ["binary", "binary-50", "binary-200"]) {
      expect(target(name, "acksPerSec")).toBe(0.9);
    }
    expect(target("connect-ws", "connectsPerSec")).toBe(0.9);
    expect(target("connect-polling", "sessionsPerSec")).toBe(0.9);
    expect(target("idle", "rssPerConn")).toBe(1.2);
    expect(scenario("cluster-room").cluster).toBe(2);
    expect(scenario("cluster-emit").cluster).toBe(2);
  });
});
