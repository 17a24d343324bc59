/**
 * Lets a plain Node process started by a test (a node:cluster worker, a child process) require
 * the TypeScript sources: `.ts` files are compiled by @swc/core when loaded, as jest's transform
 * compiles them for the tests themselves.
 */
"use strict";
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    filename,
    jsc: { target: "es2022", parser: { syntax: "typescript" } },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  });
  module._compile(code, filename);
};
