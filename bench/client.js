"use strict";
/**
 * Load generator process: `node bench/client.js`, driven over IPC by run.js:
 * - setup { scenario, port, params }: loads scenarios/<scenario>.js, connects its clients
 * - warmup: runs the load without recording
 * - measure: runs the recorded phase; returns its metrics, this process's CPU (% of one core
 *   over the phase) and the error count so far
 * - teardown: closes everything; returns the final error count and samples
 */
const { serve, ownFdLimit } = require("./lib/ipc");
const { errors } = require("./lib/wire");

let scenario = null;

serve({
  async setup({ file, port, params }) {
    errors.reset();
    scenario = require(`./scenarios/${file}`).create(port, params);
    await scenario.setup();
    return { errors: errors.count };
  },
  async warmup() {
    await scenario.warmup();
    return { errors: errors.count };
  },
  async measure() {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const metrics = await scenario.measure();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    return {
      metrics,
      cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      sysPct: (cpu.system / 1000 / wallMs) * 100,
      wallMs,
    };
  },
  async teardown() {
    await scenario.teardown();
    scenario = null;
    return { errors: errors.count, samples: errors.samples };
  },
});

process.send({ ready: { fdLimit: ownFdLimit() } });
