import { UsePipes, ValidationPipe } from "@nestjs/common";
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  WsException,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from "@nestjs/websockets";
import { IsString, Length } from "class-validator";
import { Server, Socket } from "socketkit";

export class ChatMessage {
  @IsString()
  @Length(1, 20)
  room!: string;

  @IsString()
  @Length(1, 500)
  text!: string;
}

/** A chat: join a room, talk in it. Invalid messages come back as an `exception` event. */
@WebSocketGateway()
@UsePipes(
  new ValidationPipe({
    transform: true,
    exceptionFactory: (errors) =>
      new WsException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join("; ")),
  }),
)
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() io!: Server;

  handleConnection(socket: Socket): void {
    socket.data.name = String(socket.handshake.auth.name ?? `guest-${socket.id.slice(0, 4)}`);
  }

  handleDisconnect(socket: Socket, reason: string): void {
    console.log(`${socket.data.name} left (${reason})`);
  }

  /** Joins a room; the acknowledgement is how many are in it. */
  @SubscribeMessage("join")
  async join(@ConnectedSocket() socket: Socket, @MessageBody() room: string): Promise<number> {
    await socket.join(room);
    socket.to(room).emit("joined", socket.data.name);
    return (await this.io.in(room).fetchSockets()).length;
  }

  /** Sends to the others in the room; acknowledges with the time it was sent. */
  @SubscribeMessage("message")
  message(@ConnectedSocket() socket: Socket, @MessageBody() msg: ChatMessage): { at: number } {
    const at = Date.now();
    socket.to(msg.room).emit("message", { from: socket.data.name, text: msg.text, at });
    return { at };
  }
}
