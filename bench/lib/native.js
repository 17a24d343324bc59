"use strict";
/**
 * Which native helpers the `ws` copies loaded by this process use, read from the module cache
 * once the server has run: `bufferutil` (frame masking/unmasking; ws falls back to a JavaScript
 * loop without it) and the UTF-8 check (ws uses node's `buffer.isUtf8` when it exists, and only
 * then falls back to `utf-8-validate`, then to JavaScript).
 */
const fs = require("node:fs");
const path = require("node:path");

function versionAt(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

function nativeHelpers() {
  const dirs = new Set();
  let bufferutil = null;
  let utf8Validate = null;
  for (const file of Object.keys(require.cache)) {
    const ws = /^(.*[\\/]node_modules[\\/]ws)[\\/]lib[\\/]/.exec(file);
    if (ws) dirs.add(ws[1]);
    const bu = /^(.*[\\/]node_modules[\\/]bufferutil)[\\/]/.exec(file);
    if (bu) bufferutil = versionAt(bu[1]);
    const uv = /^(.*[\\/]node_modules[\\/]utf-8-validate)[\\/]/.exec(file);
    if (uv) utf8Validate = versionAt(uv[1]);
  }
  const disabled = Boolean(process.env.WS_NO_BUFFER_UTIL);
  return {
    ws: [...new Set([...dirs].map(versionAt))].sort(),
    bufferutil: disabled ? null : bufferutil,
    utf8:
      typeof require("node:buffer").isUtf8 === "function"
        ? "buffer.isUtf8"
        : utf8Validate
          ? `utf-8-validate ${utf8Validate}`
          : "JavaScript",
  };
}

/** What a server that loaded no ws copy (raw µWebSockets.js) reports. */
const NO_WS = "no ws (frames by µWebSockets.js, in C++)";

/** One line for the report, e.g. "bufferutil 4.1.0, UTF-8 by buffer.isUtf8 (ws 8.18.3)". */
function describeNative(n) {
  if (!n) return "unknown";
  if (n.ws.length === 0) return NO_WS;
  return (
    `${n.bufferutil ? `bufferutil ${n.bufferutil}` : "no bufferutil (JavaScript masking)"}, ` +
    `UTF-8 by ${n.utf8} (ws ${n.ws.join(", ") || "?"})`
  );
}

module.exports = { nativeHelpers, describeNative, NO_WS };
