/**
 * The upgrade probe: a WebSocket offered to take over a polling session ("2probe" -> "3probe",
 * noops to the pending poll, then "5"), with its time-out. One per upgrading session, owned by
 * the EngineSocket, which it calls back when the upgrade completes or ends.
 */
import { createDebug } from "../util/debug";
import { DeadlineLink, type DeadlineQueue } from "../util/deadline-queue";
import type { EnginePacket } from "./protocol";
import type { EngineTransport } from "./transports/transport";

/** What a probe needs of the session it upgrades (EngineSocket implements it). */
export interface ProbedSession {
  /** The session's current transport (polling while the probe runs). */
  readonly transport: EngineTransport;
  readonly readyState: string;
  readonly server: {
    readonly opts: { readonly upgradeTimeout: number };
    /** The shared queue of upgrade probes that fail after `delay` ms. */
    upgradeQueue(delay: number): DeadlineQueue<UpgradeProbe>;
  };
  emit(event: "upgrading", transport: EngineTransport): boolean;
  /** The probe succeeded: switch to `transport`. */
  completeUpgrade(transport: EngineTransport): void;
  /** The probe ended (either way). */
  endProbe(): void;
}

const debug = createDebug("engine:socket");

/**
 * The probes between "2probe" and "5": every 100 ms, one shared timer answers their pending
 * polls with a noop, so that their clients can pause polling and finish the upgrade. The timer
 * stops on the first tick that finds no probe (not when the last one ends: a busy server would
 * otherwise start and stop it for nearly every upgrade), and never keeps the process alive.
 */
const probing = new Set<UpgradeProbe>();
let probeTicker: NodeJS.Timeout | null = null;

function tickProbes(): void {
  if (probing.size === 0) {
    clearInterval(probeTicker as NodeJS.Timeout);
    probeTicker = null;
    return;
  }
  for (const probe of probing) probe.sendNoop();
}

function startProbing(probe: UpgradeProbe): void {
  probing.add(probe);
  if (probeTicker === null) {
    probeTicker = setInterval(tickProbes, 100);
    probeTicker.unref();
  }
}

function stopProbing(probe: UpgradeProbe): void {
  probing.delete(probe);
}

/** The probe of a WebSocket offered as an upgrade of a polling session. */
export class UpgradeProbe {
  readonly #socket: ProbedSession;
  readonly #transport: EngineTransport;
  /** The probe's place in the server's upgrade-timeout queue. */
  readonly #deadline = new DeadlineLink<UpgradeProbe>(this);

  constructor(socket: ProbedSession, transport: EngineTransport) {
    this.#socket = socket;
    this.#transport = transport;
    const server = socket.server;
    server.upgradeQueue(server.opts.upgradeTimeout).schedule(this.#deadline);
  }

  /** @internal the upgrade took too long (called by the server's queue) */
  onUpgradeTimeout(): void {
    debug("client did not complete upgrade - closing transport");
    this.fail();
  }

  /** @internal answers the pending poll with a noop (the shared 100 ms ticker) */
  sendNoop(): void {
    const transport = this.#socket.transport;
    if (transport.name === "polling" && transport.writable) {
      debug("writing a noop packet to polling for fast upgrade");
      transport.send([{ type: "noop" }]);
    }
  }

  onPacket(packet: EnginePacket): void {
    const socket = this.#socket;
    const transport = this.#transport;
    if (packet.type === "ping" && packet.data === "probe") {
      debug("got probe ping packet, sending pong");
      transport.send([{ type: "pong", data: "probe" }]);
      socket.emit("upgrading", transport);
      startProbing(this);
    } else if (packet.type === "upgrade" && socket.readyState !== "closed") {
      debug("got upgrade packet - upgrading");
      this.#cleanup();
      socket.completeUpgrade(transport);
    } else {
      this.fail();
    }
  }

  /** Ends the probe and closes the probing transport. */
  fail(): void {
    this.#cleanup();
    const transport = this.#transport;
    transport.sink = null;
    if (transport.readyState === "open") transport.close();
  }

  #cleanup(): void {
    this.#deadline.cancel();
    stopProbing(this);
    this.#socket.endProbe();
  }
}
