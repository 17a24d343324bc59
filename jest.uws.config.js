/**
 * The uWS run (`npm run test:uws`, part of `npm test`): the e2e suites of test/e2e/engine and
 * test/e2e/socketio and the hostile suites (test/hostile) once more, their servers on a
 * µWebSockets.js app instead of an http.Server (SOCKETKIT_HOST=uws, read by
 * test/support/uws.ts), plus the tests of the uWS host itself.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: "uWS host",
  testMatch: [
    "<rootDir>/test/e2e/engine/**/*.test.ts",
    "<rootDir>/test/e2e/socketio/**/*.test.ts",
    "<rootDir>/test/hostile/**/*.test.ts",
  ],
  // suites that never use the harnesses' host (their own http.Server, TLS, the built package)
  testPathIgnorePatterns: [
    "/host-seam\\.test\\.ts$",
    "/tls\\.test\\.ts$",
    "/callable-export\\.test\\.ts$",
  ],
  setupFiles: ["<rootDir>/test/support/uws.setup.ts"],
};
