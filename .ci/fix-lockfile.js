// Usage: node .ci/fix-lockfile.js package-lock.json (after any npm install that rewrites the lockfile)
// Adds lockfile entries for platform-specific optional dependencies that this registry does not
// serve (darwin/win32/... builds), so that `npm ci` accepts the lockfile; npm skips them by os/cpu.
const fs = require("fs");
const path = process.argv[2];
const lock = JSON.parse(fs.readFileSync(path, "utf8"));
const pk = lock.packages;
const OS = ["android", "darwin", "freebsd", "linux", "win32", "sunos", "openbsd", "netbsd", "aix", "openharmony"];
const CPU = ["arm64", "x64", "ia32", "ppc64", "s390x", "riscv64", "loong64", "mips64el", "wasm32", "arm"];
let added = 0, unknown = [];
function resolveKey(from, name) {
  // node resolution inside the lockfile: nested node_modules first, then up to the root
  let base = from;
  for (;;) {
    const key = (base ? base + "/" : "") + "node_modules/" + name;
    if (pk[key]) return key;
    if (!base) return null;
    const i = base.lastIndexOf("/node_modules/");
    base = i === -1 ? "" : base.slice(0, i);
  }
}
for (const [key, entry] of Object.entries(pk)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies || {})) {
    if (resolveKey(key, name)) continue;
    const tokens = name.split(/[-/@]/);
    const os = OS.find((o) => tokens.includes(o)) || (tokens.includes("wasi") ? undefined : undefined);
    const cpu = CPU.find((c) => tokens.includes(c));
    if (!cpu) { unknown.push(name); continue; }
    const stub = { version: version.replace(/^[\^~]/, ""), cpu: [cpu], optional: true };
    if (entry.dev) stub.dev = true;
    if (os) stub.os = [os];
    if (tokens.includes("musl") || tokens.includes("musleabihf")) stub.libc = ["musl"];
    else if (tokens.includes("gnu") || tokens.includes("gnueabihf")) stub.libc = ["glibc"];
    pk["node_modules/" + name] = stub;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log("added", added, "unknown", unknown);
