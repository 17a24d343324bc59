/**
 * Helpers for the NestJS tests: a real Nest application (Express or Fastify) on 127.0.0.1, port 0,
 * with the SocketkitAdapter, closed by closeNest().
 */
import "reflect-metadata";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type {
  INestApplication,
  ModuleMetadata,
  NestApplicationOptions,
  WebSocketAdapter,
} from "@nestjs/common";
import { Test, type TestingModule } from "@nestjs/testing";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { SocketkitAdapter } from "../../../integrations/nestjs/index";
import { closeAll } from "../../support/close-all";

export { createClient } from "../../support/server";

export type Platform = "express" | "fastify";
export const PLATFORMS: Platform[] = ["express", "fastify"];

export interface NestHarness {
  app: INestApplication;
  moduleRef: TestingModule;
  port: number;
  url: string;
}

export interface StartOptions {
  platform?: Platform;
  /** The WebSocket adapter to use (a SocketkitAdapter by default); null: none (SocketkitModule's). */
  adapter?: ((app: INestApplication) => WebSocketAdapter) | null;
  appOptions?: NestApplicationOptions;
}

const apps = new Set<INestApplication>();

/** Compiles `metadata` into a Nest application listening on 127.0.0.1, port 0. */
export async function startNest(
  metadata: ModuleMetadata,
  { platform = "express", adapter, appOptions = {} }: StartOptions = {},
): Promise<NestHarness> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const httpAdapter = platform === "fastify" ? new FastifyAdapter() : new ExpressAdapter();
  const app = moduleRef.createNestApplication(httpAdapter, { logger: false, ...appOptions });
  apps.add(app);
  if (adapter !== null) app.useWebSocketAdapter(adapter ? adapter(app) : new SocketkitAdapter(app));
  await app.listen(0, "127.0.0.1");
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, moduleRef, port, url: `http://127.0.0.1:${port}` };
}

/** Closes the clients, then every application a test started. Call from afterEach. */
export async function closeNest(): Promise<void> {
  await closeAll();
  const open = [...apps];
  apps.clear();
  for (const app of open) await app.close();
}

/** A port that was free a moment ago (for gateways that listen on their own port). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Records what gateways see, for assertions. */
export class Recorder {
  readonly events: unknown[][] = [];
  record(...args: unknown[]): void {
    this.events.push(args);
  }
  named(name: string): unknown[][] {
    return this.events.filter((e) => e[0] === name);
  }
}
