"use strict";
/**
 * Request/response over the Node IPC channel, both sides.
 * - child side: `serve(handlers)` answers `{ id, cmd, arg }` with `{ id, ok, result | error }`.
 * - parent side: `spawnWorker(script, opts)` starts a child (pinned with taskset, `ulimit -n`
 *   raised in the spawning shell) and returns `{ request(cmd, arg, timeoutMs), stop() }`.
 */
const { spawn, execFileSync } = require("node:child_process");
const path = require("node:path");

/** Child side: dispatch IPC requests to `handlers[cmd](arg)` (sync or async). */
function serve(handlers, onExit) {
  process.on("message", async (msg) => {
    if (!msg || typeof msg.id !== "number") return;
    const fn = handlers[msg.cmd];
    try {
      if (!fn) throw new Error(`unknown command ${msg.cmd}`);
      const result = await fn(msg.arg);
      process.send({ id: msg.id, ok: true, result });
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: String((err && err.stack) || err) });
    }
  });
  process.on("disconnect", async () => {
    try {
      if (onExit) await onExit();
    } finally {
      process.exit(0);
    }
  });
}

let tasksetPath;
/** The path of taskset when it exists and works here, else null. */
function taskset() {
  if (tasksetPath !== undefined) return tasksetPath;
  tasksetPath = null;
  for (const p of ["/usr/bin/taskset", "/bin/taskset", "/usr/local/bin/taskset"]) {
    try {
      execFileSync(p, ["-c", "0", "true"], { stdio: "ignore" });
      tasksetPath = p;
      break;
    } catch {
      /* absent or not allowed */
    }
  }
  return tasksetPath;
}

/** The hard limit of open files in a fresh shell (what `ulimit -n` may be raised to). */
function hardFdLimit() {
  try {
    const out = execFileSync("/bin/sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim();
    return out === "unlimited" ? Infinity : Number(out);
  } catch {
    return 1024;
  }
}

/** This process's soft open-files limit, from /proc (Linux), or null. */
function ownFdLimit() {
  try {
    const text = require("node:fs").readFileSync("/proc/self/limits", "utf8");
    const m = /Max open files\s+(\d+|unlimited)/.exec(text);
    return m ? (m[1] === "unlimited" ? Infinity : Number(m[1])) : null;
  } catch {
    return null;
  }
}

/**
 * Starts `node [nodeArgs] script [args]` pinned to `cpu`, with `ulimit -n` raised to `fds`
 * (or as far as allowed). Resolves once the child sent `{ ready: ... }`.
 */
function spawnWorker(script, { cpu, nodeArgs = [], args = [], fds = 65536, env } = {}) {
  const ts = cpu === undefined ? null : taskset();
  const pin = ts ? `${ts} -c ${cpu} ` : "";
  const shell =
    `ulimit -n ${fds} 2>/dev/null || ulimit -n $(ulimit -Hn) 2>/dev/null; ` + `exec ${pin}"$@"`;
  const child = spawn(
    "/bin/sh",
    [
      "-c",
      shell,
      "sh",
      process.execPath,
      ...nodeArgs,
      path.resolve(__dirname, "..", script),
      ...args,
    ],
    { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, ...env } },
  );
  let nextId = 1;
  const pending = new Map();
  let exited = false;
  let onReady;
  let onReadyFail;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    onReadyFail = reject;
  });
  child.on("message", (msg) => {
    if (msg && msg.ready !== undefined) return onReady(msg.ready);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${script} ${p.cmd}: ${msg.error}`));
  });
  child.on("exit", (code, signal) => {
    exited = true;
    const err = new Error(`${script} exited (code ${code}, signal ${signal})`);
    onReadyFail(err);
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    pending.clear();
  });
  const worker = {
    pid: child.pid,
    pinned: Boolean(ts),
    ready,
    request(cmd, arg, timeoutMs = 120000) {
      if (exited) return Promise.reject(new Error(`${script} already exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script} ${cmd}: no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, cmd });
        child.send({ id, cmd, arg });
      });
    },
    /** Asks the child to exit (so profiles get written), kills it after `graceMs`. */
    stop(graceMs = 5000) {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          child.disconnect();
        } catch {
          child.kill("SIGKILL");
        }
      });
    },
  };
  return worker;
}

module.exports = { serve, spawnWorker, taskset, hardFdLimit, ownFdLimit };
