// The chat of the demo: rooms with their own history, presence, typing indicators, delivery
// receipts, and connection state recovery. Everything here is socket.io's public API.
"use strict";

/** The rooms a user can be in (one at a time), with the line shown under their name. */
const ROOMS = [
  { name: "general", topic: "Anything goes" },
  { name: "random", topic: "Links, jokes and other detours" },
  { name: "help", topic: "Ask how socketkit works" },
];
const ROOM_NAMES = new Set(ROOMS.map((r) => r.name));
const HISTORY = 50; // messages kept per room
const MAX_TEXT = 500;
const MAX_NAME = 24;

/**
 * Sets up the chat on a Server's main namespace.
 * @param {import("socketkit").Server} io
 */
function setupChat(io) {
  /** room -> its last messages, oldest first */
  const history = new Map(ROOMS.map((r) => [r.name, []]));
  /** message id -> { senderId, receivedBy } for the messages still in a history */
  const receipts = new Map();
  let nextId = 1;

  function members(room) {
    const names = [];
    for (const socket of io.of("/").sockets.values()) {
      if (socket.data.room === room) names.push(socket.data.name);
    }
    return names.sort((a, b) => a.localeCompare(b));
  }

  function presence() {
    const rooms = {};
    for (const { name } of ROOMS) rooms[name] = members(name);
    return rooms;
  }

  const announcePresence = () => io.emit("presence", presence());

  function record(message, senderId) {
    const log = history.get(message.room);
    log.push(message);
    receipts.set(message.id, { senderId, receivedBy: new Set() });
    if (log.length > HISTORY) receipts.delete(log.shift().id);
  }

  function enter(socket, room) {
    socket.join(room);
    socket.data.room = room;
    socket.to(room).emit("notice", { room, text: `${socket.data.name} joined #${room}` });
  }

  function leave(socket, room, text) {
    socket.leave(room);
    socket.to(room).emit("notice", { room, text });
  }

  io.use((socket, next) => {
    const name = String(socket.handshake.auth.name ?? "")
      .trim()
      .slice(0, MAX_NAME);
    if (!name) {
      return next(Object.assign(new Error("pick a name first"), { data: { field: "name" } }));
    }
    socket.data.name = name;
    next();
  });

  io.on("connection", (socket) => {
    const { name } = socket.data;
    if (socket.recovered) {
      // rooms, socket.data and the messages missed meanwhile came back with the session
      socket
        .to(socket.data.room)
        .emit("notice", { room: socket.data.room, text: `${name} is back` });
    } else {
      enter(socket, "general");
    }
    const room = socket.data.room;
    socket.emit("welcome", {
      name,
      rooms: ROOMS,
      room,
      recovered: socket.recovered,
      // a recovered client keeps its log: it only gets the messages it missed
      history: socket.recovered ? [] : history.get(room),
      presence: presence(),
    });
    announcePresence();

    socket.on("join", (target, ack) => {
      if (typeof ack !== "function") return;
      if (!ROOM_NAMES.has(target)) return ack({ ok: false, error: "no such room" });
      const from = socket.data.room;
      if (target !== from) {
        leave(socket, from, `${name} moved to #${target}`);
        enter(socket, target);
        announcePresence();
      }
      ack({ ok: true, room: target, history: history.get(target), members: members(target) });
    });

    socket.on("chat", (text, ack) => {
      if (typeof ack !== "function") return;
      if (typeof text !== "string" || !text.trim()) return ack({ ok: false, error: "empty" });
      const message = {
        id: nextId++,
        room: socket.data.room,
        from: name,
        text: text.trim().slice(0, MAX_TEXT),
        at: Date.now(),
      };
      record(message, socket.id);
      // everyone in the room but the sender, who already shows its own message
      socket.to(message.room).emit("chat", message);
      ack({ ok: true, message, recipients: members(message.room).length - 1 });
    });

    // a delivery receipt: the client got message `id` (live, or back from a recovery)
    socket.on("received", (id) => {
      const entry = receipts.get(id);
      if (!entry || entry.senderId === socket.id) return;
      entry.receivedBy.add(socket.id);
      io.to(entry.senderId).emit("delivered", { id, count: entry.receivedBy.size });
    });

    socket.on("typing", (typing) => {
      socket.to(socket.data.room).volatile.emit("typing", { name, typing: typing === true });
    });

    socket.on("disconnect", (reason) => {
      const text =
        reason === "client namespace disconnect" ? `${name} left` : `${name} went offline`;
      // the socket has left its rooms already; except(id) keeps this notice out of the
      // messages it would get back if its session is recovered
      io.to(socket.data.room).except(socket.id).emit("notice", { room: socket.data.room, text });
      announcePresence();
    });
  });
}

module.exports = { setupChat, ROOMS };
