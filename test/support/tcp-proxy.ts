/**
 * A TCP proxy standing for a load balancer in front of servers on 127.0.0.1: each new
 * connection goes to the port `pick(attempt)` names; a backend that refuses before any byte
 * flowed is skipped (the next attempt), a connection that already flowed just ends with it.
 * `cut()` drops every open connection at both ends, as a network failure would.
 */
import { once } from "node:events";
import {
  connect as tcpConnect,
  createServer as createTcpServer,
  type AddressInfo,
  type Socket as TcpSocket,
} from "node:net";

export interface TcpProxy {
  port: number;
  url: string;
  /** Drops the open connections (both ends); new ones are still accepted. */
  cut(): void;
  /** Drops the open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * The backend port for the `attempt`-th try (0 first) of one connection, or undefined to give
 * up on it (the client's connection is dropped).
 */
export type PickBackend = (attempt: number) => number | undefined;

export async function startTcpProxy(pick: PickBackend): Promise<TcpProxy> {
  const sockets = new Set<TcpSocket>();
  const track = (socket: TcpSocket): TcpSocket => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    return socket;
  };
  const server = createTcpServer((downstream) => {
    track(downstream).on("error", () => downstream.destroy());
    const tryBackend = (attempt: number): void => {
      const port = pick(attempt);
      if (port === undefined || downstream.destroyed) {
        downstream.destroy();
        return;
      }
      const upstream = track(tcpConnect(port, "127.0.0.1"));
      upstream.once("error", () => {
        upstream.destroy();
        if (upstream.bytesRead === 0 && upstream.bytesWritten === 0) tryBackend(attempt + 1);
        else downstream.destroy();
      });
      upstream.once("connect", () => {
        upstream.on("error", () => downstream.destroy());
        downstream.pipe(upstream);
        upstream.pipe(downstream);
        upstream.on("close", () => downstream.destroy());
        downstream.on("close", () => upstream.destroy());
      });
    };
    tryBackend(0);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const cut = (): void => {
    for (const socket of [...sockets]) socket.destroy();
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut,
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
