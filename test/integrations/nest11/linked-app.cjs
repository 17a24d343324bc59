// Nest 11 (CommonJS) from this directory's node_modules, with socketkit taken from the
// repository's dist/ instead: socketkit then resolves its own @nestjs/core (the repository's
// Nest 12), another copy than the application's, as with linked packages or a monorepo. See
// ../nestjs/fixture-app.cjs.
"use strict";
require("reflect-metadata");
const { readFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const run = require("../nestjs/fixture-app.cjs");

const corePackage = join(dirname(require.resolve("@nestjs/core")), "package.json");
const dist = join(__dirname, "..", "..", "..", "dist");

run({
  common: require("@nestjs/common"),
  core: require("@nestjs/core"),
  websockets: require("@nestjs/websockets"),
  nestjs: require(join(dist, "integrations", "nestjs", "index.js")),
  socketkit: require(join(dist, "core", "index.js")),
  nestVersion: JSON.parse(readFileSync(corePackage, "utf8")).version,
  mode: process.argv[2],
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
