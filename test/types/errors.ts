/**
 * Compile-time tests of the error registry's types, checked by `tsc -p tsconfig.json --noEmit`
 * (not run by jest): a template's placeholders are required parameters, so a call site that
 * forgets one does not compile (`// @ts-expect-error` fails the build if the line compiles).
 */
import { createError, errorMessage, type SocketkitError } from "../../core/index";

export function errorTypes(): SocketkitError[] {
  const cause = new Error("inner");
  const ok = [
    createError("ACK_TIMEOUT"),
    createError("INVALID_PAYLOAD", undefined, { cause }),
    createError("UNKNOWN_PACKET_TYPE", { type: 7 }),
    createError("INVALID_OPTION", { name: "path", expected: "a string", value: 1 }),
  ];
  const messages: string[] = [
    errorMessage("DRAINING"),
    errorMessage("HANDSHAKE_RATE", { rate: 5 }),
  ];
  void messages;

  // @ts-expect-error: the template has a placeholder, its parameter is required
  createError("UNKNOWN_PACKET_TYPE");
  // @ts-expect-error: a placeholder left out
  createError("BUFFER_FULL", { packets: 1 });
  // @ts-expect-error: a parameter the template does not have
  createError("UNKNOWN_PACKET_TYPE", { kind: 7 });
  // @ts-expect-error: no placeholder, no parameters
  createError("ACK_TIMEOUT", { reason: "x" });
  // @ts-expect-error: an entry without a code (an answer on the wire only) builds no error
  createError("DRAINING");
  // @ts-expect-error: no such entry
  createError("NO_SUCH_ERROR");
  // @ts-expect-error: wire messages have their parameters checked too
  errorMessage("TOO_MANY_CONNECTIONS");
  return ok;
}
