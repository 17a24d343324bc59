import { Module } from "@nestjs/common";
import { SocketkitModule } from "socketkit/nestjs";
import { AnnounceController, Announcer } from "./announcer";
import { ChatGateway } from "./chat.gateway";

@Module({
  imports: [SocketkitModule.forRoot({ cors: { origin: "*" } })],
  controllers: [AnnounceController],
  providers: [ChatGateway, Announcer],
})
export class AppModule {}
