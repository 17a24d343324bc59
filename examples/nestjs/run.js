// Runs the NestJS example without a build step: TypeScript files are compiled on require by
// @swc/core (a devDependency) with legacy decorators and their metadata, as Nest expects.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { transformSync } = require("@swc/core");

const options = {
  module: { type: "commonjs" },
  sourceMaps: "inline",
  jsc: {
    target: "es2022",
    parser: { syntax: "typescript", decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
};

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};

require(join(__dirname, "main.ts"));
