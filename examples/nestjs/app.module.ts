import { Module } from "@nestjs/common";
// in an application: import { SocketkitModule } from "socketkit/nestjs";
import { SocketkitModule } from "../../integrations/nestjs/index";
import { AnnounceController, Announcer } from "./announcer";
import { ChatGateway } from "./chat.gateway";

@Module({
  imports: [SocketkitModule.forRoot({ cors: { origin: "*" } })],
  controllers: [AnnounceController],
  providers: [ChatGateway, Announcer],
})
export class AppModule {}
