import { ours, rawHandshake, startEngine } from "../../support/engine";
import type { EngineSocket } from "../../../core/index";
import { closeAll } from "../../support/close-all";
import { waitFor } from "../../support/wait";

afterEach(closeAll);

describe("engine close of a polling session waiting for its next poll", () => {
  ours(
    "engine.close() ends at once a session whose close waits for the client's poll",
    async () => {
      const h = await startEngine();
      const conn = waitFor<[EngineSocket]>(h.engine, "connection");
      await rawHandshake(h); // the client never polls again
      const [socket] = await conn;
      socket.close(); // buffers an orderly close until the next GET, which never comes
      expect(socket.readyState).toBe("closing");
      const closed = waitFor<[string]>(socket, "close");
      h.engine.close();
      const [reason] = await closed;
      expect(reason).toBe("forced close");
      expect(h.engine.clientsCount).toBe(0);
      expect(socket.readyState).toBe("closed");
    },
  );
});
