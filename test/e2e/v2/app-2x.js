/*
 * A socket.io 2.x application, written in the 2.x server API as its documentation shows it
 * (../shared/seeds/000), moved to socketkit by changing one line:
 *
 *   - var Server = require("socket.io");
 *   + var Server = require("socketkit/v2");
 *
 * (jest maps "socketkit/v2" to its source). `seen` reports what the server observed, for the
 * tests to check.
 */
var Server = require("socketkit/v2");
var EventEmitter = require("events");

function createApp(httpServer, options) {
  var seen = new EventEmitter();
  var io = Server(httpServer, options);

  // namespace.use(fn): refuse connections with a bad token
  io.use(function (socket, next) {
    if (socket.request.headers["x-token"] === "bad") return next(new Error("Authentication error"));
    next();
  });

  io.on("connection", function (socket) {
    seen.emit("connection", socket);

    // socket.use(fn): a packet middleware; its error goes to the client as an error packet
    socket.use(function (packet, next) {
      if (packet[0] === "forbidden") return next(new Error("Not a doge error"));
      next();
    });

    socket.on("ferret", function (name, fn) {
      fn(name + " says woot");
    });

    socket.on("ask ferret", function (name, done) {
      socket.emit("ferret", name, function (data) {
        done(data);
      });
    });

    socket.on("info", function (fn) {
      fn({
        id: socket.id,
        nsp: socket.nsp.name,
        clientId: socket.client.id,
        connId: socket.conn.id,
        sameConn: socket.client.conn === socket.conn,
        sameRequest: socket.client.request === socket.request,
        userAgent: socket.request.headers["user-agent"] || null,
        transport: socket.conn.transport.name,
        connected: io.sockets.connected[socket.id] === socket,
        rooms: socket.rooms,
      });
    });

    socket.on("join", function (room, fn) {
      var steps = ["join called"];
      socket.join(room, function (err) {
        steps.push("join callback");
        fn(err, Object.keys(socket.rooms), steps);
        io.to(room).emit("joined", room, socket.id);
      });
      steps.push("join returned");
    });

    socket.on("join many", function (rooms, fn) {
      socket.join(rooms, function (err) {
        fn(err, Object.keys(socket.rooms));
      });
    });

    socket.on("leave", function (room, fn) {
      socket.leave(room, function (err) {
        fn(err, Object.keys(socket.rooms));
      });
    });

    socket.on("say to room", function (room, msg) {
      socket.to(room).emit("room message", msg);
    });

    socket.on("say to rooms", function (room1, room2, msg) {
      socket.to(room1).in(room2).emit("room message", msg);
    });

    socket.on("say to someone", function (id, msg) {
      socket.broadcast.to(id).emit("my message", msg);
    });

    socket.on("shout", function (msg) {
      socket.broadcast.emit("shout", msg);
    });

    socket.on("everyone", function (msg) {
      io.emit("everyone", msg);
    });

    socket.on("volatile", function (msg) {
      socket.volatile.emit("volatile", msg);
    });

    socket.on("volatile everyone", function (msg) {
      io.volatile.emit("volatile everyone", msg);
    });

    socket.on("local", function (msg) {
      io.local.emit("local", msg);
    });

    socket.on("compress", function (msg) {
      socket.compress(false).emit("not compressed", msg);
      socket.compress(true).emit("compressed", msg);
    });

    socket.on("binary", function () {
      socket.emit("with-binary", 1, "2", { 3: "4", 5: Buffer.alloc(6) });
    });

    socket.on("binary false", function () {
      socket.binary(false).emit("as json", Buffer.from([1, 2, 3]));
    });

    socket.on("send me", function (fn) {
      socket.send("hello", function (answer) {
        fn(answer);
      });
    });

    socket.on("message", function (msg, fn) {
      if (fn) fn("got " + msg);
    });

    socket.on("clients", function (room, fn) {
      var target = room ? io.in(room) : io;
      target.clients(function (error, clients) {
        fn(error && error.message, clients);
      });
    });

    socket.on("broadcast with ack", function (fn) {
      try {
        io.to("anything").emit("question", function () {});
        fn(null);
      } catch (e) {
        fn(e.message);
      }
    });

    socket.on("kick", function (close) {
      socket.disconnect(close);
    });

    socket.on("disconnecting", function (reason) {
      seen.emit("disconnecting", socket, reason, Object.keys(socket.rooms), arguments.length);
    });

    socket.on("disconnect", function (reason) {
      seen.emit("disconnect", socket, reason, Object.keys(socket.rooms), arguments.length);
    });

    socket.on("error", function (err) {
      seen.emit("error", socket, err);
    });
  });

  // a second namespace, with a "connect" listener (the synonym of "connection")
  var chat = io.of("/chat");
  chat.on("connect", function (socket) {
    socket.join("general");
    socket.on("chat clients", function (room, fn) {
      var target = room ? io.of("/chat").in(room) : io.of("/chat");
      target.clients(function (error, clients) {
        fn(error && error.message, clients);
      });
    });
    socket.on("info", function (fn) {
      fn({ id: socket.id, nsp: socket.nsp.name, connected: chat.connected[socket.id] === socket });
    });
    socket.on("chat everyone", function (msg) {
      chat.emit("chat everyone", msg);
    });
    seen.emit("chat connection", socket);
  });

  return { io: io, seen: seen };
}

module.exports = createApp;
