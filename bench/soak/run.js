// The soak of the hardening work (`npm run soak`, after `npm run build`):
//  0. a warm-up of 1,000 cycles, then the baseline reading;
//  1. 20,000 connect/disconnect cycles (50 at a time, websocket and polling alternately);
//  2. 2,000 clients for 60 s (numbered broadcasts every 100 ms, an echo with ack per client per
//     second), 10% of them in a process killed with SIGKILL half-way (abrupt drops);
//  3. everyone leaves: heap + external (after GC) and file descriptors back to the baseline.
// `--uws` runs the server on a µWebSockets.js app (io.attachApp) instead of node:http.
// It prints the readings and exits non-zero when a message is lost or duplicated, an ack is
// unanswered, or the server does not return to its baseline.
"use strict";
const { fork } = require("node:child_process");
const path = require("node:path");
const { io } = require("socket.io-client");

const args = process.argv.slice(2);
const option = (name, def) => {
  const i = args.indexOf(name);
  return i === -1 ? def : Number(args[i + 1]);
};
const CYCLES = option("--cycles", 20_000);
const CLIENTS = option("--clients", 2_000);
const SECONDS = option("--seconds", 60);

let nextId = 0;
function ask(child, msg, type = msg.type) {
  return new Promise((resolve) => {
    const id = ++nextId;
    const onMessage = (reply) => {
      if (reply.type === type && (reply.id === undefined || reply.id === id)) {
        child.off("message", onMessage);
        resolve(reply);
      }
    };
    child.on("message", onMessage);
    child.send({ ...msg, id });
  });
}

async function cycles(port, total) {
  let done = 0;
  let failed = 0;
  const worker = async (w) => {
    while (done < total) {
      done++;
      const transports = done % 2 === 0 ? ["websocket"] : ["polling"];
      await new Promise((resolve) => {
        const s = io(`http://127.0.0.1:${port}`, {
          transports,
          reconnection: false,
          forceNew: true,
        });
        s.once("connect", () => {
          s.disconnect();
          resolve();
        });
        s.once("connect_error", () => {
          failed++;
          resolve();
        });
      });
    }
    return w;
  };
  await Promise.all(Array.from({ length: 50 }, (_, w) => worker(w)));
  return failed;
}

const mib = (n) => (n / 1024 / 1024).toFixed(1) + " MiB";

async function main() {
  const host = args.includes("--uws") ? "uws" : "node";
  const server = fork(path.join(__dirname, "server.js"), [host], { execArgv: ["--expose-gc"] });
  console.log(
    `server host: ${host === "uws" ? "µWebSockets.js (io.attachApp)" : "node:http + ws"}`,
  );
  const { port } = await new Promise((r) => server.once("message", r));
  const cold = await ask(server, { type: "reading" });
  // warm-up (compiled code, pools, caches), then the baseline
  await cycles(port, 1000);
  await new Promise((r) => setTimeout(r, 1000));
  const baseline = await ask(server, { type: "reading" });
  console.log(
    `baseline after a 1000-cycle warm-up: live ${mib(baseline.live)} (cold ${mib(cold.live)}), fds ${baseline.fds}`,
  );

  const t0 = Date.now();
  const failed = await cycles(port, CYCLES);
  await new Promise((r) => setTimeout(r, 1000));
  const afterCycles = await ask(server, { type: "reading" });
  console.log(
    `${CYCLES} connect/disconnect cycles in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failed} failed: ` +
      `live ${mib(afterCycles.live)}, fds ${afterCycles.fds}, clients ${afterCycles.clients}`,
  );

  const dropped = Math.round(CLIENTS / 10);
  const steady = fork(path.join(__dirname, "clients.js"), [port, CLIENTS - dropped]);
  const doomed = fork(path.join(__dirname, "clients.js"), [port, dropped]);
  await ask(steady, { type: "ready?" }, "ready");
  await ask(doomed, { type: "ready?" }, "ready");
  const loaded = await ask(server, { type: "reading" });
  console.log(`${CLIENTS} clients connected: live ${mib(loaded.live)}, fds ${loaded.fds}`);
  await ask(server, { type: "broadcast-start" }, "ok");
  steady.send({ type: "echo-start" });
  doomed.send({ type: "echo-start" });
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
  doomed.kill("SIGKILL");
  console.log(`${dropped} clients dropped abruptly (SIGKILL) at ${SECONDS / 2} s`);
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
  const { last } = await ask(server, { type: "broadcast-stop" }, "ok");
  const report = await ask(steady, { type: "report", last }, "report");
  console.log(
    `steady clients: ${report.received} broadcasts received, ${report.lost} lost, ` +
      `${report.duplicated} duplicated; ${report.sent} echoes, ${report.acked} acked, ` +
      `${report.unanswered} unanswered`,
  );
  steady.send({ type: "close" });
  await new Promise((r) => steady.once("exit", r));
  // the dropped clients' sessions end at the ping timeout (10 s)
  let after;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    after = await ask(server, { type: "reading" });
    if (after.clients === 0 && after.fds <= baseline.fds) break;
  }
  console.log(`after: live ${mib(after.live)}, fds ${after.fds}, clients ${after.clients}`);
  server.send({ type: "exit" });

  const problems = [];
  if (failed > 0) problems.push(`${failed} connect cycles failed`);
  if (report.lost > 0 || report.duplicated > 0) problems.push("broadcasts lost or duplicated");
  if (report.unanswered > 0) problems.push("unanswered acks");
  if (after.clients !== 0) problems.push("sessions left");
  if (after.fds > baseline.fds) problems.push("file descriptors not back to baseline");
  if (after.live > baseline.live + 4 * 1024 * 1024) problems.push("heap not back to baseline");
  console.log(problems.length === 0 ? "soak: OK" : "soak: FAILED: " + problems.join("; "));
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
