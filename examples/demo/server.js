// The socketkit demo: `npm start`, then open the address it prints in two browser windows.
// It runs on the in-memory adapter (no Redis needed) and the page loads the client bundle that
// socketkit serves itself at /socket.io/socket.io.js. HOST and PORT choose where it listens
// (127.0.0.1:3000 by default; HOST=0.0.0.0 to reach it from other machines). DEMO_HOST=uws runs
// it on a µWebSockets.js app (io.attachApp) with your own install of uWebSockets.js.
"use strict";
const { setFlagsFromString } = require("node:v8");
const { runInNewContext } = require("node:vm");
const { Server } = require("socketkit");
const { createDemo, createDemoOnUws } = require("./app");

const host = process.env.HOST || "127.0.0.1";
const port =
  process.env.PORT === undefined || process.env.PORT === "" ? 3000 : Number(process.env.PORT);

// The panel's "memory per connection" is read after a full GC (every 5 s), so that it shows live
// memory rather than garbage. Node keeps gc() hidden unless started with --expose-gc: ask V8.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const onUws = process.env.DEMO_HOST === "uws";
const demo = onUws
  ? createDemoOnUws(Server, require("uWebSockets.js"), { gc })
  : createDemo(Server, { gc });

function listening(address, actual) {
  const shown = address.includes(":") ? `[${address}]` : address;
  console.log(
    `socketkit demo listening on http://${shown}:${actual}/` + (onUws ? " (µWebSockets.js)" : ""),
  );
  if (address === "0.0.0.0" || address === "::") {
    console.log("(every interface: open it with this machine's address)");
  }
}

if (onUws) {
  demo.listen(port, host).then(
    (actual) => listening(host, actual),
    (err) => {
      console.error(`socketkit demo: ${err.message}`);
      process.exit(1);
    },
  );
} else {
  demo.httpServer.on("error", (err) => {
    console.error(`socketkit demo: cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  });
  demo.httpServer.listen(port, host, () => {
    const { address, port: actual } = demo.httpServer.address();
    listening(address, actual);
  });
}

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  // sockets are told "server shutting down"; the process then ends by itself once the last
  // bytes are out (a fallback timer makes sure it does)
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
  demo.close().catch((err) => {
    console.error(`socketkit demo: ${err.message}`);
    process.exitCode = 1;
  });
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
