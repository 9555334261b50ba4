import { armIdKey } from "../azure/armIds";
import { describeUntrusted } from "../ssh/untrustedText";
import { Emitter } from "../util/emitter";
import type { PortForward } from "./portForward";

/**
 * The port forwards this window runs, per VM: what the tree lists under each VM (with Stop and Open
 * in Browser), observable, one per VM and remote port. No `vscode` here.
 */

/** The servers data scientists forward most, by their default port: the picker and the tree use this one table. */
export const WELL_KNOWN_REMOTE_PORTS: readonly { readonly name: string; readonly port: number }[] = [
  { name: "Jupyter", port: 8888 },
  { name: "TensorBoard", port: 6006 },
];

/** "Jupyter" for 8888, "TensorBoard" for 6006, undefined for any other port. */
export function wellKnownServer(remotePort: number): string | undefined {
  return WELL_KNOWN_REMOTE_PORTS.find((w) => w.port === remotePort)?.name;
}

/** One running forward, as the UI lists it. */
export interface ActiveForward {
  /** `<lower-cased VM id>/fwd:<remote port>`: stable while it runs (a VM's remote port is forwarded once). */
  readonly id: string;
  readonly vmId: string;
  /** From Azure: untrusted text. */
  readonly vmName: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** `http://127.0.0.1:<localPort>/` */
  readonly url: string;
  /** The well-known server on the remote port (Jupyter, TensorBoard); undefined for another port. */
  readonly server: string | undefined;
  /** Local time (ms since the epoch) the forward was ready. */
  readonly startedAt: number;
  /** Resolves when ssh exits; the forward has then left the list. */
  readonly exited: PortForward["exited"];
  /** Ends ssh; the forward leaves the list once it has exited. */
  stop(): void;
}

/** The forwards of one VM changed (one started, exited or was stopped): its list now. */
export interface ForwardsChange {
  vmId: string;
  forwards: readonly ActiveForward[];
}

export interface ForwardRequest {
  vmId: string;
  vmName: string;
  remotePort: number;
}

export interface ForwardsOptions {
  /** The local clock, for `startedAt`. */
  now: () => number;
  /** One line when a forward ends (the one log). */
  log: (line: string) => void;
}

export function forwardId(vmId: string, remotePort: number): string {
  return `${armIdKey(vmId)}/fwd:${remotePort}`;
}

/** The running forwards: each leaves the list when its ssh exits, whatever ended it, and the change is announced. */
export class PortForwards {
  private readonly running = new Map<string, ActiveForward>();
  private readonly starting = new Map<string, Promise<ActiveForward>>();
  private readonly changed = new Emitter<ForwardsChange>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: ForwardsOptions) {}

  /** The running forwards, of one VM or of all, in the order they started. */
  list(vmId?: string): ActiveForward[] {
    const all = [...this.running.values()];
    if (vmId === undefined) return all;
    const key = armIdKey(vmId);
    return all.filter((f) => armIdKey(f.vmId) === key);
  }

  /** The running forward of a VM's remote port, if any. */
  find(vmId: string, remotePort: number): ActiveForward | undefined {
    return this.running.get(forwardId(vmId, remotePort));
  }

  /**
   * The forward of a VM's remote port: the running one (`reused`), the one an earlier call is
   * starting (`reused`; its failure or cancellation is this call's too), else a new one from `start`.
   */
  async open(request: ForwardRequest, start: (signal?: AbortSignal) => Promise<PortForward>, signal?: AbortSignal): Promise<{ forward: ActiveForward; reused: boolean }> {
    const id = forwardId(request.vmId, request.remotePort);
    const running = this.running.get(id);
    if (running) return { forward: running, reused: true };
    const pending = this.starting.get(id);
    if (pending) return { forward: await pending, reused: true };
    const starting = start(signal).then((f) => this.add(id, request, f));
    this.starting.set(id, starting);
    try {
      return { forward: await starting, reused: false };
    } finally {
      this.starting.delete(id);
    }
  }

  /** Stops one forward by id; false when none runs with that id. */
  stop(id: string): boolean {
    const forward = this.running.get(id);
    forward?.stop();
    return forward !== undefined;
  }

  /** Stops every forward of a VM (its access ended); returns how many were asked to stop. */
  stopVm(vmId: string): number {
    const forwards = this.list(vmId);
    for (const f of forwards) f.stop();
    return forwards.length;
  }

  stopAll(): void {
    for (const f of this.running.values()) f.stop();
  }

  dispose(): void {
    this.changed.dispose();
  }

  private add(id: string, request: ForwardRequest, forward: PortForward): ActiveForward {
    const active: ActiveForward = {
      id,
      vmId: request.vmId,
      vmName: request.vmName,
      remotePort: request.remotePort,
      localPort: forward.localPort,
      url: forward.url,
      server: wellKnownServer(request.remotePort),
      startedAt: this.options.now(),
      exited: forward.exited,
      stop: () => forward.close(),
    };
    this.running.set(id, active);
    void forward.exited.then(({ code, stderr }) => {
      if (this.running.get(id) !== active) return;
      this.running.delete(id);
      const last = stderr.trim().split("\n").slice(-1)[0];
      this.options.log(`Port forward 127.0.0.1:${active.localPort} → ${describeUntrusted(active.vmName)}:${active.remotePort} ended (ssh exit ${code ?? "signal"})${last ? `: ${describeUntrusted(last)}` : ""}`);
      this.fire(request.vmId);
    });
    this.fire(request.vmId);
    return active;
  }

  private fire(vmId: string): void {
    this.changed.fire({ vmId, forwards: this.list(vmId) });
  }
}
