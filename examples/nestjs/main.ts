/**
 * NestJS + socketkit: a chat gateway and an HTTP route that broadcasts, on one port.
 *
 * Run: `npm run example:nestjs` (builds socketkit, then runs this file through examples/nestjs/run.js,
 * which compiles TypeScript with decorator metadata on the fly), then connect a socket.io client to
 * http://127.0.0.1:3000 (auth: { name }) and
 *   curl -X POST 127.0.0.1:3000/announce -H 'content-type: application/json' -d '{"text":"hi"}'
 */
import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module";

async function bootstrap(): Promise<void> {
  // SocketkitModule sets the WebSocket adapter up; without the module, call
  // app.useWebSocketAdapter(new SocketkitAdapter(app)) as with IoAdapter.
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  app.enableShutdownHooks();
  const host = process.env.HOST ?? "127.0.0.1";
  await app.listen(Number(process.env.PORT ?? 3000), host);
  const { port } = app.getHttpServer().address() as { port: number };
  console.log(`listening on http://${host}:${port}`);
}

void bootstrap();
