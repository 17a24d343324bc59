// Nest 12 (ESM only) importing socketkit/nestjs from ESM: see fixture-app.cjs.
import "reflect-metadata";
import { readFileSync } from "node:fs";
import * as common from "@nestjs/common";
import * as core from "@nestjs/core";
import * as websockets from "@nestjs/websockets";
import * as nestjs from "socketkit/nestjs";
import * as socketkit from "socketkit";
import run from "./fixture-app.cjs";

const corePackage = new URL("package.json", import.meta.resolve("@nestjs/core"));
const nestVersion = JSON.parse(readFileSync(corePackage, "utf8")).version;

const [mode, platformName] = process.argv.slice(2);
const platform = platformName === "fastify" ? await import("@nestjs/platform-fastify") : undefined;

await run({ common, core, websockets, nestjs, socketkit, nestVersion, mode, platform });
