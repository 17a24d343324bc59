import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { EngineErrorCode, engineErrorMessages, errorCodes, SocketkitError } from "../../core/index";

const root = resolve(__dirname, "../..");

function sources(dir: string): string {
  let text = "";
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) text += sources(path);
    else if (path.endsWith(".ts") && !path.endsWith("errors.ts"))
      text += readFileSync(path, "utf8");
  }
  return text;
}

describe("error registry", () => {
  it("has engine.io's wire error table", () => {
    // the same codes and messages as engine.io 6.6 (Server.errors / Server.errorMessages)
    const { Server } = require("engine.io");
    expect({ ...EngineErrorCode }).toEqual(Server.errors);
    expect({ ...engineErrorMessages }).toEqual(Server.errorMessages);
  });

  it("names every code SIO_ERR_*, with a message", () => {
    for (const [code, message] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^SIO_ERR_[A-Z_]+$/);
      expect(typeof message).toBe("string");
      expect(message.length).toBeGreaterThan(0);
    }
  });

  it("uses every registered code somewhere in the core or an integration (no dead entries)", () => {
    const text = sources(join(root, "core")) + sources(join(root, "integrations"));
    const unused = Object.keys(errorCodes).filter((code) => !text.includes(`"${code}"`));
    expect(unused).toEqual([]);
  });

  it("documents every code in docs/errors.md", () => {
    const doc = readFileSync(join(root, "docs/errors.md"), "utf8");
    const missing = Object.keys(errorCodes).filter((code) => !doc.includes("`" + code + "`"));
    expect(missing).toEqual([]);
  });

  it("throws no uncoded Error of its own in the core", () => {
    // wrapping a value the application threw (`new Error(String(err))`) is the one exception
    const text = sources(join(root, "core"));
    const plain = text.split("\n").filter((l) => /throw new (Error|TypeError)\(/.test(l));
    expect(plain).toEqual([]);
  });

  it("builds errors with a code, the registry's message by default, and a cause", () => {
    const cause = new Error("inner");
    const err = new SocketkitError("SIO_ERR_ACK_TIMEOUT", undefined, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("SIO_ERR_ACK_TIMEOUT");
    expect(err.message).toBe("operation has timed out");
    expect(err.cause).toBe(cause);
    expect(new SocketkitError("SIO_ERR_INVALID_OPTION", "custom").message).toBe("custom");
  });
});
