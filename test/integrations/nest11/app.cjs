// Nest 11 (CommonJS) requiring socketkit/nestjs, both from this directory's node_modules (the
// test copies the built package into node_modules/socketkit): see ../nestjs/fixture-app.cjs.
"use strict";
require("reflect-metadata");
const { readFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const run = require("../nestjs/fixture-app.cjs");

const corePackage = join(dirname(require.resolve("@nestjs/core")), "package.json");

run({
  common: require("@nestjs/common"),
  core: require("@nestjs/core"),
  websockets: require("@nestjs/websockets"),
  nestjs: require("socketkit/nestjs"),
  socketkit: require("socketkit"),
  nestVersion: JSON.parse(readFileSync(corePackage, "utf8")).version,
  mode: process.argv[2],
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
