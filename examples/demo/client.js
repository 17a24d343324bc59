// The demo page's script. `io` comes from /socket.io/socket.io.js, served by socketkit itself.
// Query parameters: ?name=Ada skips the name picker; ?transport=polling (or websocket) pins the
// transport.
/* global io */
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const state = {
  name: "",
  room: "general",
  rooms: [],
  presence: {},
  cut: false, // the user cut the connection and has not restored it yet
  restoring: false, // restored, waiting for the server's welcome
  missed: 0, // messages that came back with the recovery
  samples: [],
};
/** message id -> the receipt element of one of my messages */
const receipts = new Map();
/** name -> timer clearing its typing indicator */
const typers = new Map();
let socket;

// -- the name picker --------------------------------------------------------------------------

function showPicker(error) {
  $("picker").hidden = false;
  $("pick-error").textContent = error ?? "";
  $("pick-name").value = state.name || localStorage.getItem("socketkit-demo-name") || "";
  $("pick-name").focus();
}

$("pick").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("pick-name").value.trim();
  if (!name) return showPicker("A name, please: it is how the others will see you.");
  localStorage.setItem("socketkit-demo-name", name);
  $("picker").hidden = true;
  start(name);
});

// -- rendering --------------------------------------------------------------------------------

const COLORS = ["#4f46e5", "#0891b2", "#16a34a", "#d97706", "#db2777", "#7c3aed", "#dc2626"];
function colorOf(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollDown() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
}

function addNotice(text) {
  $("log").appendChild(el("li", "notice", text));
  scrollDown();
}

/** Appends a message; returns its receipt element (mine only). */
function addMessage(msg, { mine = false, recovered = false } = {}) {
  const li = el("li", mine ? "msg mine" : "msg");
  if (msg.id !== undefined) li.dataset.id = String(msg.id);
  const avatar = el("div", "avatar", msg.from.slice(0, 1).toUpperCase());
  avatar.style.background = colorOf(msg.from);
  const body = el("div", "body");
  const head = el("div");
  head.append(el("span", "who", msg.from));
  const time = el("time", "", new Date(msg.at).toLocaleTimeString([], { timeStyle: "short" }));
  head.append(time);
  if (recovered) head.append(el("span", "tag", "recovered"));
  body.append(head, el("div", "text", msg.text));
  let receipt;
  if (mine) {
    receipt = el("div", "receipt");
    body.append(receipt);
  }
  li.append(avatar, body);
  $("log").appendChild(li);
  scrollDown();
  return receipt;
}

function setReceipt(receipt, stateName, text) {
  receipt.dataset.state = stateName;
  receipt.textContent = text;
}

function renderHistory(history) {
  $("log").replaceChildren();
  receipts.clear();
  if (history.length === 0) addNotice(`This is the start of #${state.room}. Say hello!`);
  for (const msg of history) addMessage(msg, { mine: msg.from === state.name });
}

function renderRoom() {
  const room = state.rooms.find((r) => r.name === state.room);
  $("room-title").textContent = "#" + state.room;
  $("room-topic").textContent = room ? room.topic : "";
  $("input").placeholder = `Message #${state.room}`;
  for (const timer of typers.values()) clearTimeout(timer);
  typers.clear();
  renderTyping();
  renderRooms();
  renderMembers();
}

function renderRooms() {
  const list = $("rooms");
  list.replaceChildren();
  for (const { name } of state.rooms) {
    const button = el("button", name === state.room ? "room active" : "room");
    button.type = "button";
    button.dataset.room = name;
    button.append(el("span", "", "# " + name));
    button.append(el("span", "count", String((state.presence[name] ?? []).length)));
    button.addEventListener("click", () => joinRoom(name));
    const li = el("li");
    li.append(button);
    list.append(li);
  }
}

function renderMembers() {
  const names = state.presence[state.room] ?? [];
  $("member-count").textContent = String(names.length);
  const list = $("members");
  list.replaceChildren();
  for (const name of names) {
    const li = el("li");
    li.append(el("span", "dot"), el("span", "", name === state.name ? `${name} (you)` : name));
    list.append(li);
  }
}

function renderTyping() {
  const names = [...typers.keys()];
  $("typing").textContent =
    names.length === 0
      ? ""
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length === 2
          ? `${names[0]} and ${names[1]} are typing…`
          : `${names.length} people are typing…`;
}

const TRANSPORT_NAMES = { websocket: "WebSocket", polling: "HTTP long-polling" };
const REASONS = {
  "transport close": "the connection dropped",
  "transport error": "a network error",
  "ping timeout": "the server stopped answering",
  "io server disconnect": "the server closed the connection",
  "parse error": "a garbled message",
};

function setStatus(connState, text, detail = "") {
  $("conn").dataset.state = connState;
  document.body.dataset.conn = connState;
  $("status").textContent = text;
  $("status-detail").textContent = detail;
  const cut = $("cut");
  cut.disabled = connState === "connecting" || connState === "offline";
  cut.className = connState === "cut" ? "btn restore" : "btn danger";
  cut.textContent = connState === "cut" ? "↻ Restore connection" : "✂ Cut the connection";
}

function showOnline() {
  const transport = socket.io.engine?.transport?.name;
  let detail = "over " + (TRANSPORT_NAMES[transport] ?? transport);
  if (state.missed > 0) {
    detail += ` · recovered ${state.missed} missed message${state.missed === 1 ? "" : "s"}`;
  }
  setStatus("online", "Connected", detail);
}

// -- the live panel ---------------------------------------------------------------------------

const W = 240;
const H = 48;
const SLOTS = 60;

function formatBytes(n) {
  if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
  if (n >= 102400) return Math.round(n / 1024) + " KB";
  if (n >= 1024) return (n / 1024).toFixed(1) + " KB";
  return n + " B";
}

/** Draws each series as a line over a light area, all on the same scale. */
function drawChart(svg, series) {
  const max = Math.max(1, ...series.flatMap((s) => s.values)) * 1.15;
  const step = W / (SLOTS - 1);
  const parts = [];
  for (const { values, color } of series) {
    if (values.length === 0) continue;
    const x0 = W - (values.length - 1) * step;
    const points = values.map((v, i) => [x0 + i * step, H - 2 - (v / max) * (H - 6)]);
    const line = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    parts.push(
      `<polygon points="${x0.toFixed(1)},${H} ${line} ${W},${H}" fill="${color}" opacity="0.12"/>`,
      `<polyline points="${line}" fill="none" stroke="${color}" stroke-width="1.8" ` +
        `stroke-linejoin="round" vector-effect="non-scaling-stroke"/>`,
    );
  }
  svg.innerHTML = parts.join("");
}

function renderStats() {
  const samples = state.samples;
  const last = samples[samples.length - 1];
  if (!last) return;
  const pick = (key) => samples.map((s) => s[key]);
  $("m-connections").textContent = String(last.connections);
  $("m-websocket").textContent = String(last.websocket);
  $("m-polling").textContent = String(last.polling);
  $("m-messages").textContent = String(last.messagesIn + last.messagesOut);
  $("m-in").textContent = String(last.messagesIn);
  $("m-out").textContent = String(last.messagesOut);
  $("m-memory").textContent = last.bytesPerConnection
    ? "≈ " + formatBytes(last.bytesPerConnection)
    : "–";
  $("m-heap").textContent = formatBytes(last.heapUsed);
  $("m-rss").textContent = formatBytes(last.rss);
  drawChart($("c-connections"), [
    { values: pick("websocket"), color: "#4f46e5" },
    { values: pick("polling"), color: "#f59e0b" },
  ]);
  drawChart($("c-messages"), [
    { values: pick("messagesIn"), color: "#4f46e5" },
    { values: pick("messagesOut"), color: "#10b981" },
  ]);
  drawChart($("c-memory"), [{ values: pick("bytesPerConnection"), color: "#db2777" }]);
}

// -- actions ----------------------------------------------------------------------------------

async function joinRoom(room) {
  if (room === state.room || !socket.connected) return;
  try {
    const res = await socket.timeout(5000).emitWithAck("join", room);
    if (!res.ok) return addNotice(`Could not join #${room}: ${res.error}`);
    state.room = res.room;
    state.presence[res.room] = res.members;
    renderRoom();
    renderHistory(res.history);
  } catch {
    addNotice(`#${room} did not answer in time. Try again?`);
  }
}

function send(text) {
  const msg = { from: state.name, text, at: Date.now() };
  const receipt = addMessage(msg, { mine: true });
  const onAck = (res) => {
    if (!res.ok) return setReceipt(receipt, "failed", "✗ " + res.error);
    receipt.closest("li").dataset.id = String(res.message.id);
    receipts.set(res.message.id, receipt);
    setReceipt(receipt, "sent", res.recipients > 0 ? "✓ sent" : "✓ sent · nobody else is here yet");
  };
  if (socket.connected) {
    setReceipt(receipt, "sending", "sending…");
    socket.timeout(8000).emit("chat", text, (err, res) => {
      if (err) setReceipt(receipt, "failed", "✗ not acknowledged");
      else onAck(res);
    });
  } else {
    // the client keeps it and sends it once the connection is back
    setReceipt(receipt, "queued", "queued: sent when the connection is back");
    socket.emit("chat", text, onAck);
  }
}

let typingSentAt = 0;
let typingIdle;
function stopTyping() {
  clearTimeout(typingIdle);
  if (typingSentAt) socket.emit("typing", false);
  typingSentAt = 0;
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("input");
  const text = input.value.trim();
  if (!text || !socket) return;
  input.value = "";
  stopTyping();
  send(text);
});

$("input").addEventListener("input", () => {
  if (!socket?.connected) return;
  if (Date.now() - typingSentAt > 2000) {
    socket.emit("typing", true);
    typingSentAt = Date.now();
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, 3000);
});

$("cut").addEventListener("click", () => {
  if (state.cut) {
    // back: the client sends its session id and last offset, the server replays what was missed
    state.cut = false;
    state.restoring = true;
    state.missed = 0;
    setStatus("connecting", "Reconnecting…", "asking the server for what was missed");
    socket.io.reconnection(true);
    socket.connect();
  } else {
    // an abrupt cut (no goodbye), as when a train enters a tunnel
    state.cut = true;
    socket.io.reconnection(false);
    socket.io.engine.close();
  }
});

// -- the connection ---------------------------------------------------------------------------

function start(name) {
  state.name = name;
  $("me").textContent = name;
  if (socket) {
    // a second try after the server refused the name
    socket.auth = { name };
    socket.connect();
    return;
  }
  const transport = params.get("transport");
  socket = io({
    auth: { name },
    ...(transport === "polling" || transport === "websocket" ? { transports: [transport] } : {}),
  });
  window.demo = { socket, state };

  socket.io.on("open", () => {
    socket.io.engine.on("upgrade", () => socket.connected && showOnline());
  });

  socket.on("connect", () => {
    if (!state.restoring) showOnline();
  });

  socket.on("connect_error", (err) => {
    if (err.data?.field === "name") {
      socket.disconnect();
      showPicker(err.message);
      return;
    }
    setStatus("offline", "Can't reach the server", "retrying… (" + err.message + ")");
  });

  socket.on("disconnect", (reason) => {
    stopTyping();
    if (state.cut) {
      setStatus("cut", "Connection cut", "Messages sent to you meanwhile wait on the server.");
    } else if (reason !== "io client disconnect") {
      setStatus("offline", "Reconnecting…", "Lost: " + (REASONS[reason] ?? reason) + ".");
    }
  });

  socket.on("welcome", (welcome) => {
    state.rooms = welcome.rooms;
    state.presence = welcome.presence;
    if (!welcome.recovered) {
      const wanted = state.room;
      state.room = welcome.room;
      renderRoom();
      renderHistory(welcome.history);
      if (state.restoring) addNotice("The session had expired: the history is reloaded.");
      if (wanted !== welcome.room && state.rooms.some((r) => r.name === wanted)) joinRoom(wanted);
    } else {
      renderRoom();
    }
    state.restoring = false;
    showOnline();
  });

  socket.on("chat", (msg) => {
    if (msg.room !== state.room) return;
    addMessage(msg, { recovered: state.restoring });
    if (state.restoring) state.missed++;
    socket.emit("received", msg.id);
    if (typers.delete(msg.from)) renderTyping();
  });

  socket.on("delivered", ({ id, count }) => {
    const receipt = receipts.get(id);
    if (receipt) setReceipt(receipt, "delivered", `✓✓ delivered to ${count}`);
  });

  socket.on("notice", ({ room, text }) => {
    if (room === state.room) addNotice(text);
  });

  socket.on("presence", (presence) => {
    state.presence = presence;
    renderRooms();
    renderMembers();
  });

  socket.on("typing", ({ name: who, typing }) => {
    clearTimeout(typers.get(who));
    if (typing)
      typers.set(
        who,
        setTimeout(() => typers.delete(who) && renderTyping(), 4000),
      );
    else typers.delete(who);
    renderTyping();
  });

  socket.on("stats:history", (samples) => {
    state.samples = samples;
    renderStats();
  });

  socket.on("stats", (sample) => {
    state.samples.push(sample);
    if (state.samples.length > SLOTS) state.samples.shift();
    renderStats();
  });
}

const preset = params.get("name")?.trim();
if (preset) start(preset);
else showPicker();
