/**
 * The part of µWebSockets.js's API the uWS host uses, declared structurally: socketkit never
 * imports uWebSockets.js (applications bring their own build), and these types let an
 * application's `App()` be passed in without a cast.
 */

/** What uWS accepts as text or bytes to write. */
export type UwsData = string | ArrayBuffer | Uint8Array;

/** An HTTP request: only valid during the handler call that received it. */
export interface UwsHttpRequest {
  getHeader(lowerCaseKey: string): string;
  getUrl(): string;
  getMethod(): string;
  getQuery(): string;
  forEach(cb: (key: string, value: string) => void): void;
  setYield(yieldToNext: boolean): unknown;
}

/** An HTTP response: valid until it is ended or aborted. */
export interface UwsHttpResponse {
  writeStatus(status: string): UwsHttpResponse;
  writeHeader(key: string, value: string): UwsHttpResponse;
  end(body?: UwsData, closeConnection?: boolean): UwsHttpResponse;
  close(): UwsHttpResponse;
  cork(cb: () => void): UwsHttpResponse;
  onAborted(handler: () => void): UwsHttpResponse;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): UwsHttpResponse;
  pause?(): void;
  resume?(): void;
  getRemoteAddressAsText(): ArrayBuffer;
  upgrade<UserData>(
    userData: UserData,
    secWebSocketKey: string,
    secWebSocketProtocol: string,
    secWebSocketExtensions: string,
    context: unknown,
  ): void;
}

/** A WebSocket: valid from its `open` to its `close` handler. */
export interface UwsWebSocket<UserData> {
  send(message: UwsData, isBinary?: boolean, compress?: boolean): number;
  getBufferedAmount(): number;
  end(code?: number, shortMessage?: UwsData): void;
  close(): void;
  cork(cb: () => void): unknown;
  getUserData(): UserData;
}

/** What `app.ws(pattern, behavior)` takes. */
export interface UwsWebSocketBehavior<UserData> {
  maxPayloadLength?: number;
  idleTimeout?: number;
  compression?: number;
  maxBackpressure?: number;
  closeOnBackpressureLimit?: boolean | number;
  sendPingsAutomatically?: boolean;
  upgrade?: (res: UwsHttpResponse, req: UwsHttpRequest, context: unknown) => void;
  open?: (ws: UwsWebSocket<UserData>) => void;
  message?: (ws: UwsWebSocket<UserData>, message: ArrayBuffer, isBinary: boolean) => void;
  drain?: (ws: UwsWebSocket<UserData>) => void;
  close?: (ws: UwsWebSocket<UserData>, code: number, message: ArrayBuffer) => void;
}

/** A µWebSockets.js app (`App()` or `SSLApp()`), as `attachApp()` uses it. */
export interface UwsApp {
  any(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): unknown;
  get(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): unknown;
  ws<UserData>(pattern: string, behavior: UwsWebSocketBehavior<UserData>): unknown;
}
