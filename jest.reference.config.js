/**
 * The reference runs (`npm run test:reference`, part of `npm test`): suites whose expectations
 * must be the official servers' own run once more against them, with the tests of behaviour where
 * socketkit deliberately differs skipped (`ours`).
 * - engine.io: test/e2e/engine with ENGINE_REFERENCE=1 (test/support/engine.ts builds
 *   engine.io's Server);
 * - socket.io: test/e2e/socketio/server-api.test.ts with SIO_REFERENCE=1 and core/index mapped to
 *   socket.io, socket.io-adapter and engine.io (test/support/reference/socket-io.ts).
 */
const { testTimeout, maxWorkers, ...base } = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  testTimeout,
  maxWorkers,
  projects: [
    {
      ...base,
      displayName: "engine.io reference",
      testMatch: ["<rootDir>/test/e2e/engine/**/*.test.ts"],
      setupFiles: ["<rootDir>/test/support/reference/engine-io.setup.ts"],
    },
    {
      ...base,
      displayName: "socket.io reference",
      testMatch: ["<rootDir>/test/e2e/socketio/server-api.test.ts"],
      setupFiles: ["<rootDir>/test/support/reference/socket-io.setup.ts"],
      moduleNameMapper: {
        "^(\\.\\./)+core/index$": "<rootDir>/test/support/reference/socket-io.ts",
        ...base.moduleNameMapper,
      },
    },
  ],
};
