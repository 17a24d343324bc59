/**
 * One unmasked, final WebSocket text frame (RFC 6455 §5.2) as the server sends it: the header
 * and the payload, in two buffers, so a broadcast is framed once and the same bytes are written
 * to every WebSocket recipient. This is the shape socket.io-adapter passes as
 * `wsPreEncodedFrame` (ws's `Sender.frame()` output), which the engine writes as it is.
 */
export function textFrame(payload: Buffer): Buffer[] {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.allocUnsafe(2);
    header[1] = length;
  } else if (length < 65536) {
    header = Buffer.allocUnsafe(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.allocUnsafe(10);
    header[1] = 127;
    header.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    header.writeUInt32BE(length % 0x100000000, 6);
  }
  header[0] = 0x81; // FIN + opcode 1 (text); RSV1 clear: never compressed
  return [header, payload];
}
