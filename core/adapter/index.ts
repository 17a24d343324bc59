export { Adapter, type AdapterEvents } from "./adapter";
export {
  SessionAwareAdapter,
  DEFAULT_MAX_DISCONNECTION_DURATION,
  type SessionAwareAdapterOptions,
  type TimedRestoredSession,
} from "./session-aware-adapter";
