// A socket.io 2.x server, unchanged but for its import: `npm run example:v2`. Clients:
// socket.io-client 2.x (and 4.x) on http://127.0.0.1:3000 (PORT, HOST); the browser bundle is
// served at /socket.io/socket.io.js.
var http = require("http").createServer();
var io = require("socketkit/v2")(http, { origins: process.env.ORIGINS || "*:*" }); // was: require("socket.io")

var port = Number(process.env.PORT || 3000);

io.use(function (socket, next) {
  // a 2.x connection middleware: refuse with an error packet the 2.x client gets as "error"
  if (socket.handshake.query.name === "") return next(new Error("name required"));
  next();
});

io.on("connection", function (socket) {
  var name = socket.handshake.query.name || socket.id;
  socket.join("lobby", function () {
    io.in("lobby").clients(function (error, clients) {
      if (error) throw error;
      socket.emit("welcome", name, clients.length);
      socket.broadcast.to("lobby").emit("joined", name);
    });
  });
  socket.on("chat", function (text, ack) {
    socket.to("lobby").emit("chat", name, text);
    if (ack) ack(Object.keys(socket.rooms));
  });
  socket.on("disconnect", function (reason) {
    io.to("lobby").emit("left", name, reason);
  });
});

http.listen(port, process.env.HOST || "127.0.0.1", function () {
  var address = http.address();
  console.log("listening on http://" + address.address + ":" + address.port);
});

process.on("SIGTERM", function () {
  io.close(function () {
    process.exit(0);
  });
});
