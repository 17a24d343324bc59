import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  createError,
  EngineErrorCode,
  engineErrorMessages,
  errorCodes,
  errorMessage,
  errorRegistry,
  SocketkitError,
  type ErrorEntry,
} from "../../core/index";

const root = resolve(__dirname, "../..");

/** The TypeScript sources under `dir` (the registry itself left out), by path. */
function sources(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const [p, text] of sources(path)) found.set(p, text);
    } else if (path.endsWith(".ts") && path !== join(root, "core/errors.ts")) {
      found.set(relative(root, path), readFileSync(path, "utf8"));
    }
  }
  return found;
}

const code = new Map([...sources(join(root, "core")), ...sources(join(root, "integrations"))]);
const allCode = [...code.values()].join("\n");
const entries = Object.entries(errorRegistry) as [string, ErrorEntry][];

/** The wire status as docs/errors.md writes it. */
function statusText(entry: ErrorEntry): string {
  const s = entry.status ?? {};
  const parts: string[] = [];
  if (s.http !== undefined) parts.push(`HTTP ${s.http}`);
  if (s.upgrade !== undefined) parts.push(`upgrade ${s.upgrade}`);
  if (s.engine !== undefined) parts.push(`wire code ${s.engine}`);
  if (s.ws !== undefined) parts.push(`close ${s.ws}`);
  return parts.length > 0 ? parts.join(", ") : "—";
}

/** The rows of the markdown tables of docs/errors.md, as cells, by their first cell. */
function docRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(join(root, "docs/errors.md"), "utf8").split("\n")) {
    if (!line.startsWith("| `")) continue;
    const cells = line
      .slice(1, -1)
      .split(" | ")
      .map((c) => c.trim());
    rows.set(cells[0].replace(/^`|`$/g, ""), cells);
  }
  return rows;
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

describe("error registry", () => {
  it("has engine.io's wire error table, with engine.io's statuses", () => {
    // the same codes and messages as engine.io 6.6 (Server.errors / Server.errorMessages)
    const { Server } = require("engine.io");
    expect({ ...EngineErrorCode }).toEqual(Server.errors);
    expect({ ...engineErrorMessages }).toEqual(Server.errorMessages);
    // engine.io answers a refused request 403 for Forbidden, else 400; a refused upgrade 400
    for (const [name, wire] of Object.entries(EngineErrorCode)) {
      const entry: ErrorEntry = errorRegistry[name as keyof typeof EngineErrorCode];
      expect(entry.message).toBe(engineErrorMessages[wire]);
      expect(entry.status).toEqual({
        engine: wire,
        http: wire === EngineErrorCode.FORBIDDEN ? 403 : 400,
        upgrade: 400,
      });
    }
  });

  it("names every code SIO_ERR_*, each with a meaning and at least one entry", () => {
    const used = new Set(entries.map(([, e]) => e.code));
    for (const [c, meaning] of Object.entries(errorCodes)) {
      expect(c).toMatch(/^SIO_ERR_[A-Z_]+$/);
      expect(meaning.length).toBeGreaterThan(0);
      expect({ code: c, used: used.has(c as keyof typeof errorCodes) }).toEqual({
        code: c,
        used: true,
      });
    }
  });

  it("names every entry in UPPER_SNAKE, with a template of well-formed placeholders", () => {
    for (const [name, entry] of entries) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(entry.message.length).toBeGreaterThan(0);
      // braces only as placeholders: no stray "{" or "}" a fill would leave behind
      expect(entry.message.replace(/\{\w+\}/g, "")).not.toMatch(/[{}]/);
    }
  });

  it("uses every entry somewhere in the core or an integration (no dead entries)", () => {
    const unused = entries
      .map(([name]) => name)
      .filter(
        (name) =>
          !allCode.includes(`"${name}"`) &&
          !allCode.includes(`errorRegistry.${name}`) &&
          !allCode.includes(`EngineErrorCode.${name}`),
      );
    expect(unused).toEqual([]);
  });

  it("documents every code and every entry in docs/errors.md, with the same template and status", () => {
    const rows = docRows();
    for (const [c, meaning] of Object.entries(errorCodes)) {
      expect(rows.get(c)).toEqual([`\`${c}\``, meaning]);
    }
    for (const [name, entry] of entries) {
      const row = rows.get(name);
      expect({ name, row: row?.slice(0, 4) }).toEqual({
        name,
        row: [
          `\`${name}\``,
          entry.code ? `\`${entry.code}\`` : "—",
          `\`${entry.message}\``,
          statusText(entry),
        ],
      });
      expect(row?.[4]?.length).toBeGreaterThan(0); // where it comes from
    }
    const known = new Set([...Object.keys(errorCodes), ...entries.map(([name]) => name)]);
    expect([...rows.keys()].filter((k) => !known.has(k))).toEqual([]);
  });

  it("builds errors only through the registry, with no uncoded Error of socketkit's own", () => {
    // wrapping a value the application threw or passed (`new Error(String(err))`) is the one
    // exception; doc comments may show application code
    const offending: string[] = [];
    for (const [path, text] of code) {
      text.split("\n").forEach((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line)) return;
        if (!/new (Error|TypeError|RangeError|SocketkitError)\(/.test(line)) return;
        if (/new Error\((String\(err\)|typeof err === "string")/.test(line)) return;
        offending.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });

  it("fills every template: all placeholders given leave none behind", () => {
    for (const [name, entry] of entries) {
      const params = Object.fromEntries(placeholders(entry.message).map((p) => [p, `<${p}>`]));
      const message = (errorMessage as (n: string, p?: object) => string)(name, params);
      expect(message).not.toMatch(/\{\w+\}/);
      for (const p of placeholders(entry.message)) expect(message).toContain(`<${p}>`);
    }
  });

  it("builds an error with the entry's code, its filled template and a cause", () => {
    const cause = new Error("inner");
    const err = createError("ACK_TIMEOUT", undefined, { cause });
    expect(err).toBeInstanceOf(SocketkitError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("SocketkitError");
    expect(err.code).toBe("SIO_ERR_ACK_TIMEOUT");
    expect(err.message).toBe("operation has timed out");
    expect(err.cause).toBe(cause);
    expect(createError("UNKNOWN_PACKET_TYPE", { type: "NaN" })).toMatchObject({
      code: "SIO_ERR_INVALID_PACKET",
      message: "unknown packet type NaN",
    });
    expect(createError("RESERVED_EVENT", { event: Symbol("s") }).message).toBe(
      '"Symbol(s)" is a reserved event name',
    );
    // a value that looks like a placeholder is not filled again
    expect(createError("UNKNOWN_CHUNK", { chunk: "{chunk}" }).message).toBe(
      "Unknown type: {chunk}",
    );
    expect(errorMessage("TOO_MANY_CONNECTIONS", { max: 2 })).toBe(
      "Too many connections from this address (max 2)",
    );
  });

  it("keeps SocketkitError's constructor: the code's meaning by default, or a given message", () => {
    expect(new SocketkitError("SIO_ERR_ACK_TIMEOUT").message).toBe("operation has timed out");
    expect(new SocketkitError("SIO_ERR_INVALID_OPTION", "custom").message).toBe("custom");
  });
});
