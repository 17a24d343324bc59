"use strict";
/**
 * Instructions per operation, the method of docs/performance.md: the server process runs under
 * `valgrind --tool=callgrind` while this process does N operations; the cost of one is
 * (Ir at N2 - Ir at N1) / (N2 - N1), which cancels start-up and warm-up. Counts, not seconds:
 * the same for the same build and work whatever else the machine does.
 *
 *   node bench/instructions/run.js [--ops=connect,polling,echo] [--servers=socketkit,raw-ws]
 *
 * - connect: websocket handshake, CONNECT "40" -> "40{sid}", close (16 lanes; N 200 / 1,200)
 * - polling: a polling session upgraded to websocket with one echo (16 lanes; N 100 / 600)
 * - echo: an acked echo over websocket (8 clients, one in flight each; N 1,000 / 6,000)
 * Needs `npm run build` and valgrind.
 */
const { spawn } = require("node:child_process");
const { readFileSync, mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");
const { connectSio, closeConn, pool, readUint, HttpConn } = require("../lib/wire");
const { pollingSession } = require("../scenarios/connections");

const arg = (name, def) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3).split(",") : def;
};

const PAYLOAD = '{"user":"alice","text":"hello, world","n":42}';

const OPS = {
  connect: {
    n: [200, 1200],
    async run(port, n) {
      await pool(n, 16, async () => closeConn(await connectSio(port)));
    },
  },
  polling: {
    n: [100, 600],
    async run(port, n) {
      const https = [];
      let next = 0;
      await pool(16, 16, async (lane) => {
        const http = (https[lane] = new HttpConn(port));
        while (next < n) {
          next++;
          await pollingSession(http, port);
        }
      });
      for (const h of https) h.close();
    },
  },
  echo: {
    n: [1000, 6000],
    async run(port, n) {
      const conns = await pool(8, 8, () => connectSio(port));
      let left = n;
      await Promise.all(
        conns.map(
          (conn) =>
            new Promise((resolve, reject) => {
              let id = 0;
              const send = () => conn.send(`42${id}["echo",${PAYLOAD}]`);
              conn.onText = (buf) => {
                if (buf[1] !== 0x33 || readUint(buf, 2) !== id) {
                  reject(new Error(`unexpected ${buf.toString().slice(0, 60)}`));
                  return;
                }
                id++;
                if (--left > 0) send();
                else resolve();
              };
              if (left > 0) send();
            }),
        ),
      );
      await pool(conns.length, 8, (i) => closeConn(conns[i]));
    },
  },
};

/** Total instructions (Ir) of one server process that served `n` operations of `op`. */
async function count(impl, op, n) {
  const dir = mkdtempSync(path.join(tmpdir(), "socketkit-callgrind-"));
  const out = path.join(dir, "callgrind.out");
  const server = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      `--callgrind-out-file=${out}`,
      process.execPath,
      path.join(__dirname, "server.js"),
      impl,
    ],
    { stdio: ["pipe", "pipe", "ignore"] },
  );
  const port = await new Promise((resolve, reject) => {
    let text = "";
    server.stdout.on("data", (d) => {
      text += d;
      const m = /port (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    server.once("exit", (code) => reject(new Error(`server exited (${code})`)));
  });
  await OPS[op].run(port, n);
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.stdin.write("exit\n");
  await exited;
  const summary = /^summary:\s+(\d+)/m.exec(readFileSync(out, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  if (!summary) throw new Error("no summary line in the callgrind output");
  return Number(summary[1]);
}

async function main() {
  const ops = arg("ops", ["connect", "polling", "echo"]);
  const servers = arg("servers", ["socketkit", "raw-ws"]);
  for (const op of ops) {
    const [n1, n2] = OPS[op].n;
    for (const impl of servers) {
      const ir1 = await count(impl, op, n1);
      const ir2 = await count(impl, op, n2);
      const each = Math.round((ir2 - ir1) / (n2 - n1));
      console.log(
        `${op} ${impl}: ${each.toLocaleString("en-US")} instructions each (N ${n1} / ${n2})`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
