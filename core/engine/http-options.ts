/**
 * Checks of the engine's HTTP options (`cors`, `cookie`) at construction, so that a wrong value
 * fails at once with SIO_ERR_INVALID_OPTION instead of being ignored by the middleware.
 */
import { createError } from "../errors";
import type { CookieOptions, CorsOptions } from "../types";

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value instanceof RegExp) return String(value);
  return typeof value === "object" && value !== null ? "an object" : String(value);
}

function invalid(name: string, expected: string, value: unknown): never {
  throw createError("INVALID_OPTION", { name, expected, value: describe(value) });
}

const isStaticOrigin = (v: unknown): boolean =>
  typeof v === "boolean" || typeof v === "string" || v instanceof RegExp;

const isStringList = (v: unknown): boolean =>
  typeof v === "string" || (Array.isArray(v) && v.every((item) => typeof item === "string"));

/** `cors`: undefined, a boolean, a function (delegate) or an object of the known fields. */
export function checkCorsOption(cors: unknown): void {
  if (cors === undefined || cors === null || typeof cors === "boolean") return;
  if (typeof cors === "function") return;
  if (typeof cors !== "object" || Array.isArray(cors)) {
    invalid("cors", "a boolean, an object or a function", cors);
  }
  const o = cors as Record<keyof CorsOptions, unknown>;
  if (
    o.origin !== undefined &&
    !isStaticOrigin(o.origin) &&
    typeof o.origin !== "function" &&
    !(Array.isArray(o.origin) && o.origin.every(isStaticOrigin))
  ) {
    invalid(
      "cors.origin",
      "a boolean, a string, a RegExp, an array of them or a function",
      o.origin,
    );
  }
  for (const key of ["methods", "allowedHeaders", "exposedHeaders"] as const) {
    if (o[key] !== undefined && !isStringList(o[key])) {
      invalid(`cors.${key}`, "a string or an array of strings", o[key]);
    }
  }
  for (const key of ["credentials", "preflightContinue"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") {
      invalid(`cors.${key}`, "a boolean", o[key]);
    }
  }
  for (const key of ["maxAge", "optionsSuccessStatus"] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      invalid(`cors.${key}`, "a number >= 0", v);
    }
  }
}

/** `cookie`: undefined, a boolean or an object whose `name` (if any) is a non-empty string. */
export function checkCookieOption(cookie: unknown): void {
  if (cookie === undefined || cookie === null || typeof cookie === "boolean") return;
  if (typeof cookie !== "object" || Array.isArray(cookie)) {
    invalid("cookie", "a boolean or an object", cookie);
  }
  const { name } = cookie as CookieOptions;
  if (name !== undefined && (typeof name !== "string" || name === "")) {
    invalid("cookie.name", "a non-empty string", name);
  }
}
