/**
 * SocketkitModule (forRoot / forRootAsync: one injectable Server, the adapter set up), subclassing
 * SocketkitAdapter (createIOServer), and shutting down (also with forceCloseConnections).
 */
import "reflect-metadata";
import { Controller, Get, Inject, Injectable, Module, type ModuleMetadata } from "@nestjs/common";
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayDisconnect,
} from "@nestjs/websockets";
import { Adapter, Server, type ServerOptions, type Socket } from "../../core/index";
import {
  SOCKETKIT_MODULE_OPTIONS,
  SocketkitAdapter,
  SocketkitModule,
  type SocketkitModuleOptions,
} from "../../integrations/nestjs/index";
import {
  PLATFORMS,
  Recorder,
  closeNest,
  createClient,
  startNest,
  type StartOptions,
} from "./nestjs/support";
import { waitFor, waitUntil } from "../support/wait";

afterEach(closeNest);

@Injectable()
class Notifier {
  constructor(readonly io: Server) {}

  notify(message: string): void {
    this.io.emit("news", message);
  }
}

@Injectable()
class Seen extends Recorder {}

@WebSocketGateway()
class EchoGateway implements OnGatewayDisconnect {
  @WebSocketServer() server!: Server;

  constructor(private readonly seen: Seen) {}

  handleDisconnect(client: Socket, reason: string): void {
    this.seen.record("disconnect", reason);
  }

  @SubscribeMessage("echo")
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }
}

const CONFIG = Symbol("CONFIG");

@Module({ providers: [{ provide: CONFIG, useValue: { path: "/async" } }], exports: [CONFIG] })
class ConfigModule {}

@Controller()
class SlowController {
  constructor(private readonly seen: Seen) {}

  @Get("slow")
  slow(): Promise<never> {
    this.seen.record("slow");
    return new Promise<never>(() => {});
  }
}

describe("SocketkitModule", () => {
  it("provides one Server, injectable by its class, serving the HTTP port without a gateway", async () => {
    const h = await startNest(
      { imports: [SocketkitModule.forRoot({ pingInterval: 10000 })], providers: [Notifier] },
      { adapter: null },
    );
    const io = h.app.get(Server);
    expect(io).toBeInstanceOf(Server);
    expect(h.app.get(Notifier).io).toBe(io);
    expect(io.httpServer).toBe(h.app.getHttpServer());
    expect(io.opts.pingInterval).toBe(10000);
    expect(h.app.get(SOCKETKIT_MODULE_OPTIONS)).toEqual({ pingInterval: 10000 });
    const client = createClient(h);
    await waitFor(client, "connect");
    const news = waitFor(client, "news");
    h.app.get(Notifier).notify("hello from a service");
    expect(await news).toEqual(["hello from a service"]);
  });

  it.each([
    ["the module's adapter", null],
    ["app.useWebSocketAdapter(new SocketkitAdapter(app))", undefined],
  ] as const)(
    "serves the gateways on the HTTP port with its Server, with %s",
    async (_, adapter) => {
      const h = await startNest(
        {
          imports: [SocketkitModule.forRoot({ connectTimeout: 1234 })],
          providers: [Seen, Notifier, EchoGateway],
        },
        { adapter },
      );
      const io = h.app.get(Server);
      expect(h.app.get(EchoGateway).server).toBe(io);
      expect(io.connectTimeout()).toBe(1234);
      const client = createClient(h);
      expect(await client.emitWithAck("echo", "x")).toBe("x");
      const news = waitFor(client, "news");
      h.app.get(Notifier).notify("n");
      expect(await news).toEqual(["n"]);
    },
  );

  it("warns that a gateway's Server options do not apply to the module's Server", async () => {
    @WebSocketGateway({ cors: { origin: "https://x.example" }, namespace: "n" })
    class CorsGateway {}

    const logger = { log() {}, error() {}, warn: jest.fn() };
    const h = await startNest(
      { imports: [SocketkitModule.forRoot()], providers: [CorsGateway] },
      { adapter: null, appOptions: { logger } },
    );
    expect(h.app.get(Server).opts.cors).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining("Gateway options cors ignored"),
      "SocketkitAdapter",
    );
  });

  it("forRootAsync takes its options from a factory, with imports and inject", async () => {
    const h = await startNest(
      {
        imports: [
          SocketkitModule.forRootAsync({
            imports: [ConfigModule],
            useFactory: async (config: { path: string }): Promise<SocketkitModuleOptions> => ({
              path: config.path,
            }),
            inject: [CONFIG],
          }),
        ],
        providers: [Notifier],
      },
      { adapter: null },
    );
    expect(h.app.get(Server).path()).toBe("/async");
    const client = createClient(h, "/", { path: "/async" });
    await waitFor(client, "connect");
    const refused = createClient(h, "/", { transports: ["polling"] });
    await waitFor(refused, "connect_error");
  });

  it.each(PLATFORMS)(
    "closes its Server with the application on %s, with clients connected",
    async (platform) => {
      const h = await startNest(
        { imports: [SocketkitModule.forRoot()], providers: [Notifier] },
        { platform, adapter: null },
      );
      const io = h.app.get(Server);
      const ws = createClient(h, "/", { transports: ["websocket"] });
      const polling = createClient(h, "/", { transports: ["polling"] });
      await Promise.all([waitFor(ws, "connect"), waitFor(polling, "connect")]);
      const gone = Promise.all([waitFor(ws, "disconnect"), waitFor(polling, "disconnect")]);
      await h.app.close();
      await gone;
      expect(io.engine.clientsCount).toBe(0);
      expect(io.httpServer?.listening).toBe(false);
    },
  );
});

class TaggedAdapter extends Adapter {}

/** The two customizations users make in IoAdapter subclasses: CORS and a cluster adapter. */
class CustomAdapter extends SocketkitAdapter {
  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: "https://app.example" },
    });
    server.adapter(TaggedAdapter as unknown as typeof Adapter);
    return server;
  }
}

describe("SocketkitAdapter subclasses", () => {
  it("customize every Server through createIOServer()", async () => {
    const h = await startNest(
      { providers: [Seen, EchoGateway] },
      { adapter: (app) => new CustomAdapter(app) },
    );
    const io = h.app.get(EchoGateway).server;
    expect(io.of("/").adapter).toBeInstanceOf(TaggedAdapter);
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: "https://app.example" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    await res.text();
    expect(await createClient(h).emitWithAck("echo", 1)).toBe(1);
  });

  it("work with SocketkitModule's Server too", async () => {
    const h = await startNest(
      { imports: [SocketkitModule.forRoot()], providers: [Seen, EchoGateway] },
      { adapter: (app) => new CustomAdapter(app) },
    );
    expect(h.app.get(EchoGateway).server).toBe(h.app.get(Server));
    expect(h.app.get(Server).of("/").adapter).toBeInstanceOf(TaggedAdapter);
  });
});

describe.each(PLATFORMS)("shutting down on %s", (platform) => {
  const pendingRequest = async (url: string, seen: Seen): Promise<void> => {
    void fetch(`${url}/slow`).catch(() => undefined);
    await waitUntil(() => seen.named("slow").length > 0);
  };

  const setups: [string, ModuleMetadata, StartOptions][] = [
    ["a gateway", { providers: [Seen, EchoGateway] }, {}],
    [
      "SocketkitModule",
      { imports: [SocketkitModule.forRoot()], providers: [Seen] },
      { adapter: null },
    ],
  ];

  it.each(setups)(
    "does not wait for open HTTP requests with forceCloseConnections (%s)",
    async (_, metadata, opts) => {
      const h = await startNest(
        { ...metadata, controllers: [SlowController] },
        { ...opts, platform, appOptions: { forceCloseConnections: true } },
      );
      const client = createClient(h, "/", { transports: ["websocket"] });
      await waitFor(client, "connect");
      await pendingRequest(h.url, h.app.get(Seen));
      const gone = waitFor(client, "disconnect");
      const started = Date.now();
      await h.app.close();
      expect(Date.now() - started).toBeLessThan(2000);
      await gone;
      expect(h.app.getHttpServer().listening).toBe(false);
    },
  );

  it("tells handleDisconnect 'server shutting down' when the gateway uses the module's Server", async () => {
    const h = await startNest(
      { imports: [SocketkitModule.forRoot()], providers: [Seen, EchoGateway] },
      { platform, adapter: null },
    );
    const client = createClient(h);
    await waitFor(client, "connect");
    await h.app.close();
    expect(h.app.get(Seen).named("disconnect")).toEqual([["disconnect", "server shutting down"]]);
  });
});

@Injectable()
class ExplicitInjection {
  constructor(@Inject(Server) readonly io: Server) {}
}

it("injects the Server with @Inject(Server) as well", async () => {
  const h = await startNest(
    { imports: [SocketkitModule.forRoot()], providers: [ExplicitInjection] },
    { adapter: null },
  );
  expect(h.app.get(ExplicitInjection).io).toBe(h.app.get(Server));
});
