/**
 * NestJS + socketkit: a chat gateway and an HTTP route that broadcasts, on one port.
 *
 * Run (decorator metadata comes from tsconfig.json):
 *   node -r @swc-node/register examples/nestjs/main.ts
 * then open a client on http://localhost:3000 (socket.io-client) and
 *   curl -X POST localhost:3000/announce -H 'content-type: application/json' -d '{"text":"hi"}'
 */
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module";

async function bootstrap(): Promise<void> {
  // SocketkitModule sets the WebSocket adapter up; without the module, call
  // app.useWebSocketAdapter(new SocketkitAdapter(app)) as with IoAdapter.
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000));
  console.log(`listening on ${await app.getUrl()}`);
}

void bootstrap();
