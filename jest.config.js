/** NestJS tests: decorators with metadata (legacy, as `experimentalDecorators` + `emitDecoratorMetadata`). */
const nestTs = [
  "@swc/jest",
  {
    jsc: {
      target: "es2022",
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "/test/integrations/nestjs[^/]*\\.ts$": nestTs,
    "/test/integrations/nestjs/.+\\.ts$": nestTs,
    "/examples/nestjs/.+\\.ts$": nestTs,
    // Nest 12 ships ESM only, which jest (on Node < 24.9) cannot require: compile it to CommonJS.
    "/node_modules/@nestjs/.+\\.js$": ["@swc/jest", { jsc: { target: "es2022" } }],
    // arktype 2 (event contract tests) ships ESM only as well
    "/node_modules/(arktype|@ark/[^/]+|arkregex)/.+\\.js$": [
      "@swc/jest",
      { jsc: { target: "es2022" } },
    ],
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!@nestjs/|arktype/|@ark/|arkregex/)"],
  // examples import the package by its name: in jest, that is the sources (as tsconfig's paths)
  moduleNameMapper: {
    "^socketkit$": "<rootDir>/core/index.ts",
    "^socketkit/(fastify|express|koa|nestjs|prometheus|opentelemetry|v2)$":
      "<rootDir>/integrations/$1/index.ts",
    "^socketkit/cluster-(redis|node)$": "<rootDir>/core/engine/cluster/$1.ts",
  },
  testTimeout: 20000,
  maxWorkers: 2,
};
