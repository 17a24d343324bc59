/**
 * A Nest application for the child-process tests (Nest 12 from ESM, Nest 11 from CommonJS),
 * written without decorator syntax so that node runs it as is. The entry file imports the
 * packages, so they resolve from where it lives, and passes them in.
 *
 * Modes: "use-adapter" (SocketkitModule + app.useWebSocketAdapter), "module-adapter" (the module
 * alone), "no-module" (README's first NestJS snippet: the adapter alone, no SocketkitModule),
 * "subclass" (no module; a subclass of the adapter overriding createIOServer, as Nest's own
 * RedisIoAdapter recipe does: prints { subclass: <path of the Server it made> }).
 * `platform` is @nestjs/platform-fastify's exports for a Fastify application (Express otherwise).
 *
 * Protocol: prints one JSON line per fact on stdout ({ port }, { disconnect }, { closed });
 * closes the application when stdin ends.
 */
"use strict";

module.exports = async function run({
  common,
  core,
  websockets,
  nestjs,
  socketkit,
  nestVersion,
  mode,
  platform,
}) {
  const withModule = mode !== "no-module" && mode !== "subclass";
  const { Inject, Module } = common;
  const { WebSocketGateway, WebSocketServer, SubscribeMessage, MessageBody, Ack } = websockets;
  const print = (fact) => process.stdout.write(JSON.stringify(fact) + "\n");

  class EchoGateway {
    constructor(io) {
      this.io = io;
    }
    handleDisconnect(client, reason) {
      print({ disconnect: reason ?? null });
    }
    echo(data) {
      return data;
    }
    event(data) {
      return { event: "reply", data };
    }
    manual(data, ack) {
      setImmediate(() => ack({ manual: data }));
      return "not the ack";
    }
    facts() {
      return {
        server: this.server instanceof socketkit.Server,
        shared: withModule ? this.server === this.io : null,
        nest: nestVersion,
      };
    }
  }
  WebSocketServer()(EchoGateway.prototype, "server");
  for (const method of ["echo", "event", "manual", "facts"]) {
    const descriptor = Object.getOwnPropertyDescriptor(EchoGateway.prototype, method);
    Reflect.decorate([SubscribeMessage(method)], EchoGateway.prototype, method, descriptor);
    MessageBody()(EchoGateway.prototype, method, 0);
  }
  Ack()(EchoGateway.prototype, "manual", 1);
  if (withModule) Inject(socketkit.Server)(EchoGateway, undefined, 0);
  const Gateway = Reflect.decorate([WebSocketGateway()], EchoGateway);

  class AppModule {}
  const imports = withModule ? [nestjs.SocketkitModule.forRoot()] : [];
  Module({ imports, providers: [Gateway] })(AppModule);

  const options = { logger: false };
  const app = platform
    ? await core.NestFactory.create(AppModule, new platform.FastifyAdapter(), options)
    : await core.NestFactory.create(AppModule, options);
  if (mode === "subclass") {
    class CustomAdapter extends nestjs.SocketkitAdapter {
      createIOServer(port, options) {
        const server = super.createIOServer(port, options);
        print({ subclass: server.path() });
        return server;
      }
    }
    app.useWebSocketAdapter(new CustomAdapter(app));
  } else if (mode !== "module-adapter") {
    app.useWebSocketAdapter(new nestjs.SocketkitAdapter(app));
  }
  await app.listen(0, "127.0.0.1");
  print({ port: app.getHttpServer().address().port });
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await app.close();
    print({ closed: true });
  });
};
