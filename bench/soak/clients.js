// A soak client process: `count` socket.io-client sockets over websocket that record every
// numbered broadcast and echo with acks every second; reports counts when asked.
"use strict";
const { io } = require("socket.io-client");

const [port, count] = process.argv.slice(2).map(Number);
const url = `http://127.0.0.1:${port}`;
const clients = [];
let acked = 0;
let unanswered = 0;
let sent = 0;

for (let i = 0; i < count; i++) {
  const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  const state = { socket, ticks: [], echo: null };
  socket.on("tick", (n) => state.ticks.push(n));
  clients.push(state);
}

function connected() {
  return clients.every((c) => c.socket.connected);
}

process.on("message", (msg) => {
  if (msg.type === "ready?") {
    const poll = () => (connected() ? process.send({ type: "ready" }) : setTimeout(poll, 50));
    poll();
  } else if (msg.type === "echo-start") {
    for (const c of clients) {
      c.echo = setInterval(() => {
        sent++;
        c.socket.timeout(10000).emit("echo", sent, (err) => {
          if (err) unanswered++;
          else acked++;
        });
      }, 1000);
    }
  } else if (msg.type === "report") {
    for (const c of clients) clearInterval(c.echo);
    // give the last acks time to come back
    setTimeout(() => {
      let lost = 0;
      let duplicated = 0;
      let received = 0;
      for (const c of clients) {
        const seen = new Set();
        for (const n of c.ticks) {
          if (seen.has(n)) duplicated++;
          seen.add(n);
        }
        received += c.ticks.length;
        // every tick from the first this client saw to `msg.last` must be there
        const first = c.ticks[0];
        if (first !== undefined) {
          for (let n = first; n <= msg.last; n++) if (!seen.has(n)) lost++;
        } else lost += 1;
      }
      process.send({ type: "report", received, lost, duplicated, sent, acked, unanswered });
    }, 1500);
  } else if (msg.type === "close") {
    for (const c of clients) c.socket.disconnect();
    setTimeout(() => process.exit(0), 500);
  }
});
