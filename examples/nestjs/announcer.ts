import { Body, Controller, Injectable, Post } from "@nestjs/common";
import { Server } from "socketkit";

/** Any provider can emit: the Server of SocketkitModule is injected by its class. */
@Injectable()
export class Announcer {
  constructor(private readonly io: Server) {}

  announce(text: string): number {
    this.io.emit("announcement", text);
    return this.io.engine.clientsCount;
  }
}

@Controller("announce")
export class AnnounceController {
  constructor(private readonly announcer: Announcer) {}

  /** POST /announce {"text": "..."}: tells every connected client. */
  @Post()
  announce(@Body("text") text: string): { clients: number } {
    return { clients: this.announcer.announce(text) };
  }
}
