/**
 * Defender for Cloud JIT state (§3): policies per (resource group, region), their requests, and
 * the NSG view derived from them ("is vm:port open from prefix P now").
 * Modelled from the docs/spec: ports open after `initiate` until `endTimeUtc`; port status
 * `Initiating` → `Initiated`, then `Revoked` with statusReason `Expired`, or
 * `NewerRequestInitiated` when a later request covers the same VM port; `requestor` = the
 * caller's UPN. A port gives `endTimeUtc` or `duration`, exactly one (400 InvalidInitiateInput
 * otherwise); a requested source prefix must appear verbatim in the rule's allowed prefixes, or
 * the rule must allow `*` (azure-facts §6). Guesses (assumed, simulator/FIDELITY.md): the codes and
 * messages of the other 400s, a 60 s tolerance above maxRequestAccessDuration for client clock
 * skew. A request without a source prefix opens the port for the caller's address.
 */
import { HttpError } from "../../http/errors";
import { isObject, prop, str } from "../../util/caseInsensitive";
import { parsePrefix, prefixTextCovers } from "../../util/cidr";
import { parseIsoDuration } from "../../util/duration";
import { idKey } from "../../util/ids";
import type { JitPortModel, LoadedScenario } from "../../scenario/resolve";

export interface JitRequestPort {
  number: number;
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  endTimeUtc: number;
}

export interface JitRequest {
  startTimeUtc: number;
  /** Until then the port shows Initiating and the NSG is still closed. */
  openAt: number;
  requestor: string;
  justification?: string;
  virtualMachines: { id: string; ports: JitRequestPort[] }[];
}

export interface JitPolicy {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  virtualMachines: { id: string; ports: JitPortModel[]; publicIpAddress?: string }[];
  requests: JitRequest[];
}

export type PortStatus = { status: "Initiating" | "Initiated" | "Revoked"; statusReason: "UserRequested" | "Expired" | "NewerRequestInitiated" };

const SKEW_TOLERANCE_MS = 60_000;
/** A port rule's maxRequestAccessDuration: "Minimum 5 minutes, maximum 1 day" (jitNetworkAccessPolicies.json, 2020-01-01). */
export const MIN_MAX_ACCESS_MS = 5 * 60_000;
export const MAX_MAX_ACCESS_MS = 24 * 3600_000;

/**
 * Body check that Azure makes before it looks the policy up (a missing policy answers 404
 * PolicyNotFound only after it, Azure/azure-rest-api-specs#43491): each port gives exactly one of
 * `endTimeUtc` and `duration`.
 */
export function checkInitiateShape(body: unknown): void {
  const vms = prop(body, "virtualMachines");
  for (const v of Array.isArray(vms) ? vms : []) {
    const ports = prop(v, "ports");
    for (const p of Array.isArray(ports) ? ports : []) {
      const hasEnd = prop(p, "endTimeUtc") !== undefined && prop(p, "endTimeUtc") !== null;
      const hasDuration = prop(p, "duration") !== undefined && prop(p, "duration") !== null;
      if (hasEnd === hasDuration) throw new HttpError(400, "InvalidInitiateInput", "Only one of fields 'EndTimeUtc' and 'Duration' can be set.");
    }
  }
}

export class JitStore {
  readonly policies: JitPolicy[] = [];

  constructor(
    scenario: LoadedScenario,
    private readonly now: () => number,
    private readonly initiatingMs: number,
    private readonly staticOpen: (vmId: string, port: number, prefix: string) => boolean,
  ) {
    const t = now();
    for (const p of scenario.jitPolicies) {
      this.policies.push({
        id: p.id,
        name: p.name,
        subscriptionId: p.subscriptionId,
        resourceGroup: p.resourceGroup,
        location: p.location,
        virtualMachines: p.virtualMachines.map((v) => ({ id: v.id, ports: v.ports })),
        requests: p.activeRequests.map((r) => ({
          startTimeUtc: t - 60_000,
          openAt: t - 60_000,
          requestor: r.requestor,
          justification: r.justification,
          virtualMachines: [{ id: r.vmId, ports: [{ number: r.port, allowedSourceAddressPrefix: r.sourcePrefix, endTimeUtc: t + r.hours * 3600_000 }] }],
        })),
      });
    }
  }

  find(subscriptionId: string, resourceGroup: string, location: string, name: string): JitPolicy | undefined {
    return this.policies.find(
      (p) => idKey(p.subscriptionId) === idKey(subscriptionId) && idKey(p.resourceGroup) === idKey(resourceGroup) && idKey(p.location) === idKey(location) && idKey(p.name) === idKey(name),
    );
  }

  portStatus(policy: JitPolicy, req: JitRequest, vmId: string, port: JitRequestPort, now = this.now()): PortStatus {
    if (now >= port.endTimeUtc) return { status: "Revoked", statusReason: "Expired" };
    const newer = policy.requests.some((r) => r !== req && r.startTimeUtc > req.startTimeUtc && r.virtualMachines.some((v) => idKey(v.id) === idKey(vmId) && v.ports.some((p) => p.number === port.number)));
    if (newer) return { status: "Revoked", statusReason: "NewerRequestInitiated" };
    if (now < req.openAt) return { status: "Initiating", statusReason: "UserRequested" };
    return { status: "Initiated", statusReason: "UserRequested" };
  }

  /** The NSG decision: may traffic from `sourcePrefix` reach vm:port now? */
  isOpen(vmId: string, port: number, sourcePrefix: string): boolean {
    if (this.staticOpen(vmId, port, sourcePrefix)) return true;
    const now = this.now();
    for (const policy of this.policies) {
      for (const req of policy.requests) {
        for (const v of req.virtualMachines) {
          if (idKey(v.id) !== idKey(vmId)) continue;
          for (const p of v.ports) {
            if (p.number !== port || this.portStatus(policy, req, v.id, p, now).status !== "Initiated") continue;
            const prefixes = p.allowedSourceAddressPrefixes ?? [p.allowedSourceAddressPrefix ?? "*"];
            if (prefixes.some((x) => prefixTextCovers(x, sourcePrefix))) return true;
          }
        }
      }
    }
    return false;
  }

  /** Validates and records an initiate request (the RBAC check is the caller's job). */
  initiate(policy: JitPolicy, body: unknown, requestor: string, callerAddress = "127.0.0.1"): JitRequest {
    const now = this.now();
    const vmsIn = prop(body, "virtualMachines");
    if (!Array.isArray(vmsIn) || vmsIn.length === 0) throw new HttpError(400, "BadRequest", "The request must list at least one virtual machine in 'virtualMachines'.");
    const out: JitRequest["virtualMachines"] = [];
    for (const v of vmsIn) {
      const id = str(prop(v, "id")) ?? "";
      const policyVm = policy.virtualMachines.find((x) => idKey(x.id) === idKey(id));
      if (!policyVm) throw new HttpError(400, "BadRequest", `Virtual machine '${id}' is not configured in the JIT network access policy '${policy.name}'. Enable JIT on the VM first.`);
      const portsIn = prop(v, "ports");
      if (!Array.isArray(portsIn) || portsIn.length === 0) throw new HttpError(400, "BadRequest", `The request for virtual machine '${id}' must list at least one port.`);
      const ports: JitRequestPort[] = [];
      for (const p of portsIn) {
        const number = prop(p, "number");
        const rule = policyVm.ports.find((x) => x.number === number);
        if (typeof number !== "number" || !rule) throw new HttpError(400, "BadRequest", `Port ${String(number)} of virtual machine '${id}' is not configured in the JIT network access policy '${policy.name}' (configured: ${policyVm.ports.map((x) => x.number).join(", ")}).`);
        const endText = str(prop(p, "endTimeUtc"));
        const durationText = str(prop(p, "duration"));
        const duration = durationText !== undefined ? parseIsoDuration(durationText) : undefined;
        if (durationText !== undefined && duration === undefined) throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': 'duration' must be an ISO-8601 duration.`);
        const end = duration !== undefined ? now + duration : endText ? Date.parse(endText) : NaN;
        if (Number.isNaN(end)) throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': 'endTimeUtc' must be an ISO-8601 UTC time.`);
        if (end <= now) throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': 'endTimeUtc' ${endText} is in the past (now ${new Date(now).toISOString()}).`);
        const max = parseIsoDuration(rule.maxRequestAccessDuration) ?? 3 * 3600_000;
        if (end > now + max + SKEW_TOLERANCE_MS) {
          throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': the requested end time ${endText} exceeds the maximum request access duration ${rule.maxRequestAccessDuration} of the policy.`);
        }
        const allowed = rule.allowedSourceAddressPrefixes ?? [rule.allowedSourceAddressPrefix ?? "*"];
        const single = str(prop(p, "allowedSourceAddressPrefix"));
        const many = prop(p, "allowedSourceAddressPrefixes");
        const requested = Array.isArray(many) ? many.filter((x): x is string => typeof x === "string") : single !== undefined ? [single] : undefined;
        for (const r of requested ?? []) {
          const rp = parsePrefix(r);
          if (!rp) throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': '${r}' is not a valid source address prefix.`);
          // Verbatim, not containment: an address inside an allowed range is refused (MicrosoftDocs/azure-docs#53026).
          if (!allowed.some((a) => a.trim() === "*" || a.trim() === r.trim())) {
            throw new HttpError(400, "BadRequest", `Port ${number} of virtual machine '${id}': source prefix '${r}' is not allowed by the policy (allowed: ${allowed.join(", ")}).`);
          }
        }
        // No source in the request: Azure opens the port for the caller's own address (spec, 2020-01-01).
        const prefixes = requested ?? [callerAddress];
        ports.push({ number, endTimeUtc: end, ...(prefixes.length === 1 ? { allowedSourceAddressPrefix: prefixes[0] } : { allowedSourceAddressPrefixes: prefixes }) });
      }
      out.push({ id: policyVm.id, ports });
    }
    const justification = str(prop(body, "justification"));
    const req: JitRequest = { startTimeUtc: now, openAt: now + this.initiatingMs, requestor, justification, virtualMachines: out };
    policy.requests.push(req);
    return req;
  }

  requestToArm(policy: JitPolicy, r: JitRequest): Record<string, unknown> {
    return {
      virtualMachines: r.virtualMachines.map((v) => ({
        id: v.id,
        ports: v.ports.map((p) => ({
          number: p.number,
          ...(p.allowedSourceAddressPrefixes ? { allowedSourceAddressPrefixes: p.allowedSourceAddressPrefixes } : { allowedSourceAddressPrefix: p.allowedSourceAddressPrefix }),
          endTimeUtc: new Date(p.endTimeUtc).toISOString(),
          ...this.portStatus(policy, r, v.id, p),
        })),
      })),
      startTimeUtc: new Date(r.startTimeUtc).toISOString(),
      requestor: r.requestor,
      ...(r.justification !== undefined ? { justification: r.justification } : {}),
    };
  }

  policyToArm(p: JitPolicy): Record<string, unknown> {
    return {
      id: p.id,
      name: p.name,
      type: "Microsoft.Security/locations/jitNetworkAccessPolicies",
      location: p.location,
      kind: "Basic",
      properties: {
        virtualMachines: p.virtualMachines.map((v) => ({ id: v.id, ports: v.ports, ...(v.publicIpAddress ? { publicIpAddress: v.publicIpAddress } : {}) })),
        requests: p.requests.map((r) => this.requestToArm(p, r)),
        provisioningState: "Succeeded",
      },
    };
  }

  /** createOrUpdate: replaces the VM list (requests are kept). */
  upsert(subscriptionId: string, resourceGroup: string, location: string, name: string, body: unknown, vmExists: (id: string) => boolean): JitPolicy {
    const props = prop(body, "properties");
    const vms = prop(props, "virtualMachines");
    if (!Array.isArray(vms)) throw new HttpError(400, "BadRequest", "properties.virtualMachines must be a list.");
    const parsed: JitPolicy["virtualMachines"] = vms.map((v, i) => {
      const id = str(prop(v, "id")) ?? "";
      if (!vmExists(id)) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].id: virtual machine '${id}' was not found.`);
      const m = /\/resourceGroups\/([^/]+)\//i.exec(id);
      if (!m || idKey(m[1]!) !== idKey(resourceGroup)) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].id: a JIT policy covers VMs of its own resource group '${resourceGroup}'.`);
      const ports = prop(v, "ports");
      if (!Array.isArray(ports) || ports.length === 0) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].ports must be a non-empty list.`);
      return {
        id,
        ports: ports.map((p, j) => {
          const number = prop(p, "number");
          const max = str(prop(p, "maxRequestAccessDuration")) ?? "PT3H";
          if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > 65535) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].ports[${j}].number must be a port number.`);
          const maxMs = parseIsoDuration(max);
          if (maxMs === undefined) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].ports[${j}].maxRequestAccessDuration must be an ISO-8601 duration.`);
          if (maxMs < MIN_MAX_ACCESS_MS || maxMs > MAX_MAX_ACCESS_MS) throw new HttpError(400, "BadRequest", `properties.virtualMachines[${i}].ports[${j}].maxRequestAccessDuration must be between 5 minutes and 1 day (got ${max}).`);
          const protocol = (str(prop(p, "protocol")) ?? "*") as JitPortModel["protocol"];
          const many = prop(p, "allowedSourceAddressPrefixes");
          const prefixes = Array.isArray(many) ? many.filter((x): x is string => typeof x === "string") : undefined;
          return { number, protocol, ...(prefixes ? { allowedSourceAddressPrefixes: prefixes } : { allowedSourceAddressPrefix: str(prop(p, "allowedSourceAddressPrefix")) ?? "*" }), maxRequestAccessDuration: max };
        }),
        ...(isObject(v) && typeof prop(v, "publicIpAddress") === "string" ? { publicIpAddress: str(prop(v, "publicIpAddress")) } : {}),
      };
    });
    let policy = this.find(subscriptionId, resourceGroup, location, name);
    if (!policy) {
      policy = { id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Security/locations/${location}/jitNetworkAccessPolicies/${name}`, name, subscriptionId, resourceGroup, location, virtualMachines: [], requests: [] };
      this.policies.push(policy);
    }
    policy.virtualMachines = parsed;
    return policy;
  }

  remove(policy: JitPolicy): void {
    this.policies.splice(this.policies.indexOf(policy), 1);
  }
}
