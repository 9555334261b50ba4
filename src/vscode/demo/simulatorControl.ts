import { JitError } from "../../core/errors";

/** A pending PIM request as the simulator's control API lists it. */
export interface SimulatorPimRequest {
  name: string;
  status: string;
  scope: string;
  role: string;
  requestor: string;
  justification: string | null;
  ticketNumber: string | null;
}

/**
 * The built-in simulator's control API (`/_sim/...`), for the demo commands: what an approver does
 * in the portal, and moving the simulated clock. Only loopback addresses are accepted: the setting
 * must never make the extension post to a remote host.
 */
export class SimulatorControl {
  private readonly base: string;

  constructor(controlUrl: string) {
    let url: URL;
    try {
      url = new URL(controlUrl);
    } catch {
      throw new JitError("InvalidSetting", `Setting azureJit.demo.simulatorControlUrl is not a URL: "${controlUrl}".`);
    }
    if (!/^https?:$/.test(url.protocol) || !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
      throw new JitError("InvalidSetting", `Setting azureJit.demo.simulatorControlUrl must point at the local simulator (http://127.0.0.1:<port>), not "${controlUrl}".`);
    }
    this.base = url.origin;
  }

  async pendingPimRequests(signal?: AbortSignal): Promise<SimulatorPimRequest[]> {
    return (await this.call<{ value: SimulatorPimRequest[] }>("GET", "/_sim/pim/requests?status=PendingApproval", undefined, signal)).value;
  }

  decide(name: string, decision: "approve" | "deny", justification: string, signal?: AbortSignal): Promise<SimulatorPimRequest> {
    return this.call("POST", `/_sim/pim/requests/${encodeURIComponent(name)}/${decision}`, { justification }, signal);
  }

  async advanceClock(seconds: number, signal?: AbortSignal): Promise<Date> {
    return new Date((await this.call<{ now: string }>("POST", "/_sim/clock", { advanceSeconds: seconds }, signal)).now);
  }

  private async call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new JitError("NetworkError", `The simulator at ${this.base} did not answer (is it running?).`, { cause: e });
    }
    const text = await res.text();
    if (!res.ok) throw new JitError("AzureRequestFailed", `The simulator refused ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
