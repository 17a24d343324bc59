/**
 * SocketkitModule: one Server for the whole application, injectable anywhere (by its class), and
 * the SocketkitAdapter set up to serve the gateways with it.
 */
import type { DynamicModule, FactoryProvider, ModuleMetadata, Provider } from "@nestjs/common";
import { ApplicationConfig, HttpAdapterHost } from "@nestjs/core";
import { Server, type ServerOptions } from "../../core/index";
import { SocketkitAdapter, attachServer, closeServer, registerModuleServer } from "./adapter";

/** The options of the Server (socket.io's ServerOptions). */
export type SocketkitModuleOptions = Partial<ServerOptions>;

export interface SocketkitModuleAsyncOptions extends Pick<ModuleMetadata, "imports"> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's FactoryProvider shape
  useFactory: (...args: any[]) => SocketkitModuleOptions | Promise<SocketkitModuleOptions>;
  inject?: FactoryProvider["inject"];
}

/** The token of the module options (the Server itself is provided under its class, `Server`). */
export const SOCKETKIT_MODULE_OPTIONS = Symbol("SOCKETKIT_MODULE_OPTIONS");
const SOCKETKIT_LIFECYCLE = Symbol("SOCKETKIT_LIFECYCLE");

/**
 * Provides one Server (global), injectable by its class, and makes it the Server of the
 * gateways on the HTTP port with its path.
 *
 * @example
 * import { Module, Injectable } from "@nestjs/common";
 * import { Server } from "socketkit";
 * import { SocketkitModule } from "socketkit/nestjs";
 *
 * @Injectable()
 * export class Notifier {
 *   constructor(private readonly io: Server) {}
 *   notify(user: string, msg: string) {
 *     this.io.to(user).emit("notification", msg);
 *   }
 * }
 *
 * @Module({ imports: [SocketkitModule.forRoot({ cors: { origin: "*" } })], providers: [Notifier] })
 * export class AppModule {}
 */
export class SocketkitModule {
  static forRoot(options: SocketkitModuleOptions = {}): DynamicModule {
    return SocketkitModule.#module({ provide: SOCKETKIT_MODULE_OPTIONS, useValue: options });
  }

  /** Like {@link SocketkitModule.forRoot}, with the options from a factory (`inject`ed). */
  static forRootAsync(options: SocketkitModuleAsyncOptions): DynamicModule {
    const provider: FactoryProvider = {
      provide: SOCKETKIT_MODULE_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return SocketkitModule.#module(provider, options.imports);
  }

  static #module(options: Provider, imports: ModuleMetadata["imports"] = []): DynamicModule {
    return {
      module: SocketkitModule,
      global: true,
      imports,
      providers: [
        options,
        {
          provide: Server,
          useFactory: (opts: SocketkitModuleOptions) => new Server({ ...opts }),
          inject: [SOCKETKIT_MODULE_OPTIONS],
        },
        {
          provide: SOCKETKIT_LIFECYCLE,
          useFactory: (io: Server, config: ApplicationConfig, host: HttpAdapterHost) =>
            new SocketkitLifecycle(io, config, host),
          inject: [Server, ApplicationConfig, HttpAdapterHost],
        },
      ],
      exports: [Server, SOCKETKIT_MODULE_OPTIONS],
    };
  }
}

/** Sets the adapter up, attaches the Server and closes it with the application. */
class SocketkitLifecycle {
  #closing: Promise<void> | undefined;

  constructor(
    readonly io: Server,
    config: ApplicationConfig,
    readonly host: HttpAdapterHost,
  ) {
    registerModuleServer(host, io);
    // app.useWebSocketAdapter() comes later and wins; a SocketkitAdapter given the app finds `io`
    if (!config.getIoAdapter()) config.setIoAdapter(new SocketkitAdapter(host, { server: io }));
  }

  /** Gateways on the HTTP port attached it already; without one, clients still reach it. */
  onModuleInit(): void {
    attachServer(this.io, this.host.httpAdapter?.getHttpServer());
  }

  /** Before Nest closes its HTTP server, which would wait for these connections. */
  beforeApplicationShutdown(): void {
    this.#closing = closeServer(this.io);
  }

  async onApplicationShutdown(): Promise<void> {
    await (this.#closing ?? closeServer(this.io));
  }
}
