/**
 * NestJS gateways over SocketkitAdapter, on Express and Fastify: the handler results (ack, emit,
 * Observable), @Ack(), lifecycle hooks, namespaces, one Server per port and path, HTTP routes
 * on the same port, close.
 */
import "reflect-metadata";
import { Controller, Get, Injectable } from "@nestjs/common";
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from "@nestjs/websockets";
import { from, of, delay } from "rxjs";
import { Namespace, ParentNamespace, Server, Socket } from "../../core/index";
import {
  PLATFORMS,
  Recorder,
  closeNest,
  createClient,
  freePort,
  startNest,
} from "./nestjs/support";
import { sleep, waitFor, waitUntil } from "../support/wait";

afterEach(closeNest);

@Injectable()
class Lifecycle extends Recorder {}

@WebSocketGateway()
class EchoGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: Server;

  constructor(private readonly recorder: Lifecycle) {}

  afterInit(server: Server): void {
    this.recorder.record("init", server);
  }

  handleConnection(client: Socket): void {
    this.recorder.record("connection", client.id);
  }

  handleDisconnect(client: Socket, reason: string): void {
    this.recorder.record("disconnect", client.id, reason);
  }

  @SubscribeMessage("echo")
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }

  @SubscribeMessage("promise")
  async promise(@MessageBody() data: number): Promise<number> {
    await sleep(5);
    return data * 2;
  }

  @SubscribeMessage("observable")
  observable(@MessageBody() data: number) {
    return of(data + 1, data + 2).pipe(delay(5));
  }

  @SubscribeMessage("event")
  event(@MessageBody() data: unknown) {
    return { event: "reply", data };
  }

  @SubscribeMessage("stream")
  stream(@MessageBody() count: number) {
    return from(Array.from({ length: count }, (_, i) => ({ event: "tick", data: i })));
  }

  @SubscribeMessage("manual")
  manual(@MessageBody() data: string, @Ack() ack: (response: unknown) => void): string {
    setTimeout(() => ack({ manual: data }), 5);
    return "not the ack";
  }

  @SubscribeMessage("args")
  args(@MessageBody() data: unknown): unknown {
    return { data };
  }

  @SubscribeMessage("whoami")
  whoami(@ConnectedSocket() client: Socket): unknown {
    return { id: client.id, isSocket: client instanceof Socket };
  }

  @SubscribeMessage("nothing")
  nothing(): void {}
}

@Controller()
class HelloController {
  @Get("hello")
  hello(): { hello: string } {
    return { hello: "world" };
  }
}

describe.each(PLATFORMS)("gateways on %s", (platform) => {
  const start = () =>
    startNest(
      { providers: [Lifecycle, EchoGateway], controllers: [HelloController] },
      { platform },
    );

  it("acknowledges with the handler's value, Promise, or first Observable value", async () => {
    const h = await start();
    const client = createClient(h);
    expect(await client.emitWithAck("echo", { a: 1 })).toEqual({ a: 1 });
    expect(await client.emitWithAck("promise", 21)).toBe(42);
    expect(await client.emitWithAck("observable", 1)).toBe(2);
  });

  it("emits a `{ event, data }` result instead of acknowledging it, each of an Observable", async () => {
    const h = await start();
    const client = createClient(h);
    const reply = waitFor(client, "reply");
    const acked = jest.fn();
    client.emit("event", "hi", acked);
    expect(await reply).toEqual(["hi"]);
    const ticks: unknown[] = [];
    client.on("tick", (n: number) => ticks.push(n));
    client.emit("stream", 3);
    await waitUntil(() => ticks.length >= 3);
    expect(ticks).toEqual([0, 1, 2]);
    expect(acked).not.toHaveBeenCalled();
  });

  it("leaves the acknowledgement to a handler taking @Ack()", async () => {
    const h = await start();
    const client = createClient(h);
    expect(await client.emitWithAck("manual", "x")).toEqual({ manual: "x" });
  });

  it("gives several arguments as an array, and our Socket to @ConnectedSocket()", async () => {
    const h = await start();
    const client = createClient(h);
    expect(await client.emitWithAck("args", 1, "two", [3])).toEqual({ data: [1, "two", [3]] });
    expect(await client.emitWithAck("args", [1, 2])).toEqual({ data: [1, 2] });
    expect(await client.emitWithAck("whoami")).toEqual({ id: client.id, isSocket: true });
  });

  it("does not acknowledge an undefined result", async () => {
    const h = await start();
    const client = createClient(h);
    await expect(client.timeout(100).emitWithAck("nothing")).rejects.toThrow();
    expect(await client.emitWithAck("echo", 1)).toBe(1);
  });

  it("gives our Server to @WebSocketServer() and afterInit, sockets to the connection hooks", async () => {
    const h = await start();
    const gateway = h.app.get(EchoGateway);
    const recorder = h.app.get(Lifecycle);
    expect(gateway.server).toBeInstanceOf(Server);
    expect(recorder.named("init")).toEqual([["init", gateway.server]]);
    const client = createClient(h);
    await waitFor(client, "connect");
    await waitUntil(() => recorder.named("connection").length > 0);
    expect(recorder.named("connection")).toEqual([["connection", client.id]]);
    const id = client.id;
    client.disconnect();
    await waitUntil(() => recorder.named("disconnect").length > 0);
    expect(recorder.named("disconnect")).toEqual([
      ["disconnect", id, "client namespace disconnect"],
    ]);
  });

  it("serves polling and websocket clients next to the HTTP routes, on the same port", async () => {
    const h = await start();
    const res = await fetch(`${h.url}/hello`);
    expect(await res.json()).toEqual({ hello: "world" });
    for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
      const client = createClient(h, "/", { transports });
      expect(await client.emitWithAck("echo", transports.join())).toBe(transports.join());
    }
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
  });

  it("closes the clients on app.close(), with the reason 'server shutting down'", async () => {
    const h = await start();
    const recorder = h.app.get(Lifecycle);
    const client = createClient(h, "/", { transports: ["websocket"] });
    await waitFor(client, "connect");
    const gone = waitFor(client, "disconnect");
    await h.app.close();
    expect((await gone)[0]).toBe("transport close"); // as socket.io's close(): no DISCONNECT packet
    expect(recorder.named("disconnect")[0]?.[2]).toBe("server shutting down");
    expect(h.app.getHttpServer().listening).toBe(false);
  });
});

@WebSocketGateway({ namespace: "chat" })
class ChatGateway {
  @WebSocketServer() nsp!: Namespace;

  @SubscribeMessage("where")
  where(@ConnectedSocket() client: Socket): string {
    return client.nsp.name;
  }
}

@WebSocketGateway({ namespace: /^\/room-\d+$/ })
class RoomGateway {
  @WebSocketServer() parent!: Namespace;

  @SubscribeMessage("where")
  where(@ConnectedSocket() client: Socket): string {
    return client.nsp.name;
  }
}

@WebSocketGateway({ path: "/other" })
class OtherPathGateway {
  @WebSocketServer() server!: Server;

  @SubscribeMessage("where")
  where(): string {
    return "other";
  }
}

describe.each(PLATFORMS)("namespaces and servers on %s", (platform) => {
  it("serves a namespace by name or RegExp, sharing one Server per port and path", async () => {
    const h = await startNest(
      { providers: [Lifecycle, EchoGateway, ChatGateway, RoomGateway, OtherPathGateway] },
      { platform },
    );
    const main = h.app.get(EchoGateway).server;
    const chat = h.app.get(ChatGateway).nsp;
    const rooms = h.app.get(RoomGateway).parent;
    const other = h.app.get(OtherPathGateway).server;
    expect(chat).toBeInstanceOf(Namespace);
    expect(chat.name).toBe("/chat");
    expect(chat.server).toBe(main);
    expect(rooms).toBeInstanceOf(ParentNamespace);
    expect(rooms.server).toBe(main);
    expect(other).toBeInstanceOf(Server);
    expect(other).not.toBe(main);
    expect(other.path()).toBe("/other");

    expect(await createClient(h, "/chat").emitWithAck("where")).toBe("/chat");
    expect(await createClient(h, "/room-42").emitWithAck("where")).toBe("/room-42");
    expect(await createClient(h, "/", { path: "/other" }).emitWithAck("where")).toBe("other");
    const refused = createClient(h, "/room-x");
    expect((await waitFor<[Error]>(refused, "connect_error"))[0].message).toBe("Invalid namespace");
  });

  it("starts a Server of its own for a gateway with a port", async () => {
    const port = await freePort();

    @WebSocketGateway(port, { namespace: "own", transports: ["websocket"] })
    class OwnPortGateway {
      @WebSocketServer() nsp!: Namespace;

      @SubscribeMessage("port")
      port(): number {
        return port;
      }
    }

    const h = await startNest({ providers: [OwnPortGateway] }, { platform });
    const server = h.app.get(OwnPortGateway).nsp.server;
    expect(server.httpServer).not.toBe(h.app.getHttpServer());
    const client = createClient({ url: `http://127.0.0.1:${port}` }, "/own", {
      transports: ["websocket"],
    });
    expect(await client.emitWithAck("port")).toBe(port);
    const gone = waitFor(client, "disconnect");
    await h.app.close();
    await gone;
    expect(server.httpServer?.listening).toBe(false);
  });

  it("passes the gateway options to the Server (cors)", async () => {
    @WebSocketGateway({ cors: { origin: "https://example.com", credentials: true } })
    class CorsGateway {}

    const h = await startNest({ providers: [CorsGateway] }, { platform });
    const res = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: "https://example.com" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://example.com");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    await res.text();
  });
});
