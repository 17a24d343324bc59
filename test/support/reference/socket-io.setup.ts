// the socket.io reference run: core/index is mapped to the official servers (socket-io.ts)
process.env.SIO_REFERENCE = "1";
