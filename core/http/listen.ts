import { createServer, type Server as HttpServer } from "node:http";

/** A new http server listening on `port`, answering 404 to what nobody else handles. */
export function createListeningServer(port: number): HttpServer {
  const server = createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.listen(port);
  return server;
}
