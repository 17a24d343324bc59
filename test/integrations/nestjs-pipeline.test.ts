/**
 * NestJS's request pipeline around gateway handlers over SocketkitAdapter: guards, pipes
 * (ValidationPipe), interceptors, exception filters, WsException -> the `exception` event as
 * BaseWsExceptionFilter sends it.
 */
import "reflect-metadata";
import {
  Catch,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from "@nestjs/common";
import {
  BaseWsExceptionFilter,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from "@nestjs/websockets";
import { IsInt, IsString, Min } from "class-validator";
import { map, type Observable } from "rxjs";
import type { Socket } from "../../core/index";
import { PLATFORMS, closeNest, createClient, startNest } from "./nestjs/support";
import { waitFor } from "../support/wait";

afterEach(closeNest);

class CreateMessageDto {
  @IsString()
  text!: string;

  @IsInt()
  @Min(1)
  room!: number;
}

@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<Socket>();
    return client.handshake.auth.token === "secret";
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const pattern = context.switchToWs().getPattern();
    return next.handle().pipe(map((value: unknown) => ({ pattern, value })));
  }
}

@Catch(WsException)
class ToErrorEventFilter extends BaseWsExceptionFilter {
  override catch(exception: WsException, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<Socket>();
    client.emit("custom-error", { reason: exception.getError() });
  }
}

const wsValidation = new ValidationPipe({
  transform: true,
  exceptionFactory: (errors) =>
    new WsException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join("; ")),
});

@WebSocketGateway()
class PipelineGateway {
  @UseGuards(TokenGuard)
  @SubscribeMessage("guarded")
  guarded(@MessageBody() data: unknown): unknown {
    return { ok: data };
  }

  @UsePipes(wsValidation)
  @SubscribeMessage("create")
  create(@MessageBody() dto: CreateMessageDto): unknown {
    return { isDto: dto instanceof CreateMessageDto, ...dto };
  }

  @UsePipes(new ValidationPipe())
  @SubscribeMessage("create-http-pipe")
  createWithHttpPipe(@MessageBody() dto: CreateMessageDto): unknown {
    return dto;
  }

  @UseInterceptors(WrapInterceptor)
  @SubscribeMessage("wrapped")
  wrapped(@MessageBody() data: unknown): unknown {
    return data;
  }

  @SubscribeMessage("ws-error")
  wsError(@MessageBody() data: unknown): never {
    throw new WsException(typeof data === "string" ? data : { code: 42, detail: data });
  }

  @SubscribeMessage("crash")
  crash(): never {
    throw new Error("boom");
  }

  @UseFilters(new ToErrorEventFilter())
  @SubscribeMessage("filtered")
  filtered(@ConnectedSocket() client: Socket): never {
    throw new WsException(`no for ${client.id}`);
  }
}

describe.each(PLATFORMS)("the Nest pipeline on %s", (platform) => {
  const start = () => startNest({ providers: [PipelineGateway] }, { platform });

  it("runs guards: a refused client gets an `exception` event, 'Forbidden resource'", async () => {
    const h = await start();
    const allowed = createClient(h, "/", { auth: { token: "secret" } });
    expect(await allowed.emitWithAck("guarded", 1)).toEqual({ ok: 1 });
    const refused = createClient(h, "/", { auth: { token: "wrong" } });
    const exception = waitFor(refused, "exception");
    refused.emit("guarded", 2);
    expect(await exception).toEqual([
      {
        status: "error",
        message: "Forbidden resource",
        cause: { pattern: "guarded", data: 2 },
      },
    ]);
  });

  it("runs pipes: ValidationPipe transforms valid data; a failure reaches the client as WsException", async () => {
    const h = await start();
    const client = createClient(h);
    expect(await client.emitWithAck("create", { text: "hi", room: 3 })).toEqual({
      isDto: true,
      text: "hi",
      room: 3,
    });
    const exception = waitFor(client, "exception");
    client.emit("create", { text: 5, room: 0 });
    expect(await exception).toEqual([
      {
        status: "error",
        message: "text must be a string; room must not be less than 1",
        cause: { pattern: "create", data: { text: 5, room: 0 } },
      },
    ]);
  });

  it("sends an HttpException from a pipe as Nest does: 'Internal server error'", async () => {
    const h = await start();
    const client = createClient(h);
    const exception = waitFor(client, "exception");
    client.emit("create-http-pipe", { text: "x", room: -1 });
    expect(await exception).toEqual([
      {
        status: "error",
        message: "Internal server error",
        cause: { pattern: "create-http-pipe", data: { text: "x", room: -1 } },
      },
    ]);
  });

  it("runs interceptors around the handler result", async () => {
    const h = await start();
    const client = createClient(h);
    expect(await client.emitWithAck("wrapped", [1, 2])).toEqual({
      pattern: "wrapped",
      value: [1, 2],
    });
  });

  it("turns a thrown WsException or Error into the `exception` event", async () => {
    const h = await start();
    const client = createClient(h);
    let exception = waitFor(client, "exception");
    client.emit("ws-error", "bad input");
    expect(await exception).toEqual([
      { status: "error", message: "bad input", cause: { pattern: "ws-error", data: "bad input" } },
    ]);
    exception = waitFor(client, "exception");
    client.emit("ws-error", { x: 1 });
    expect(await exception).toEqual([{ code: 42, detail: { x: 1 } }]);
    exception = waitFor(client, "exception");
    client.emit("crash");
    expect(await exception).toEqual([
      { status: "error", message: "Internal server error", cause: { pattern: "crash" } },
    ]);
    // the handlers keep serving after an error
    expect(await client.emitWithAck("wrapped", "still here")).toEqual({
      pattern: "wrapped",
      value: "still here",
    });
  });

  it("runs exception filters", async () => {
    const h = await start();
    const client = createClient(h);
    await waitFor(client, "connect");
    const error = waitFor(client, "custom-error");
    client.emit("filtered");
    expect(await error).toEqual([{ reason: `no for ${client.id}` }]);
  });
});
