import { parseArmId } from "../azure/armIds";
import { parseIsoDuration } from "../azure/isoDuration";
import type { BastionRecord, JitPolicyRecord, JitPortRule, JitRequestRecord, NicRecord, PowerState, SubnetRecord, VmRecord, VnetRecord } from "./types";

/**
 * Converts Azure resources into inventory records. The same resource arrives as raw ARM JSON from
 * Resource Graph (fields under `properties`) or flattened by an SDK (fields at the top level), so
 * every reader looks at `properties` first and falls back to the object itself.
 */

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}
function strs(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === "string" && x.length > 0);
}
/** The resource's properties bag, whichever shape it came in. */
function props(v: unknown): Json {
  const o = obj(v) ?? {};
  return obj(o.properties) ?? o;
}
function idOf(v: unknown): string | undefined {
  return str(obj(v)?.id);
}
function time(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
function tags(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(obj(v) ?? {})) if (typeof value === "string") out[k] = value;
  return out;
}

const POWER_STATES: readonly PowerState[] = ["running", "stopped", "deallocated", "starting", "stopping", "deallocating"];

export function powerStateFromCode(code: string | undefined): PowerState {
  const state = code?.replace(/^PowerState\//i, "").toLowerCase();
  return POWER_STATES.find((s) => s === state) ?? "unknown";
}

/** Power state of a VM from ARG (`properties.extended.instanceView.powerState.code`) or an instance view. */
function powerOf(raw: Json, p: Json): PowerState {
  const extended = obj(obj(obj(p.extended)?.instanceView)?.powerState)?.code;
  if (typeof extended === "string") return powerStateFromCode(extended);
  const view = obj(p.instanceView) ?? obj(raw.instanceView);
  const status = arr(view?.statuses).map((s) => str(obj(s)?.code)).find((c) => c?.toLowerCase().startsWith("powerstate/"));
  return powerStateFromCode(status);
}

export function vmFromAzure(raw: unknown): VmRecord | undefined {
  const o = obj(raw);
  const id = str(o?.id);
  const parsed = id ? parseArmId(id) : undefined;
  if (!o || !id || !parsed?.resourceGroup) return undefined;
  const p = props(o);
  const nics = arr(obj(p.networkProfile)?.networkInterfaces)
    .map((n) => ({ id: idOf(n), primary: props(n).primary === true }))
    .filter((n): n is { id: string; primary: boolean } => n.id !== undefined)
    .sort((a, b) => Number(b.primary) - Number(a.primary));
  const osType = str(obj(obj(p.storageProfile)?.osDisk)?.osType);
  return {
    id,
    name: str(o.name) ?? parsed.name ?? id,
    subscriptionId: str(o.subscriptionId) ?? parsed.subscriptionId,
    resourceGroup: str(o.resourceGroup) ?? parsed.resourceGroup,
    location: str(o.location) ?? "",
    tenantId: str(o.tenantId),
    tags: tags(o.tags),
    osType: osType?.toLowerCase() === "windows" ? "Windows" : osType?.toLowerCase() === "linux" ? "Linux" : undefined,
    adminUsername: str(obj(p.osProfile)?.adminUsername),
    computerName: str(obj(p.osProfile)?.computerName),
    vmSize: str(obj(p.hardwareProfile)?.vmSize),
    nicIds: nics.map((n) => n.id),
    powerState: powerOf(o, p),
  };
}

export function nicFromAzure(raw: unknown): NicRecord | undefined {
  const id = idOf(raw);
  if (!id) return undefined;
  const configs = arr(props(raw).ipConfigurations)
    .map((c) => props(c))
    .sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
  return {
    id,
    subnetIds: configs.map((c) => idOf(c.subnet)).filter((s): s is string => s !== undefined),
    privateIp: configs.map((c) => str(c.privateIPAddress)).find((ip) => ip !== undefined),
  };
}

export function vnetFromAzure(raw: unknown): VnetRecord | undefined {
  const o = obj(raw);
  const id = str(o?.id);
  if (!o || !id) return undefined;
  const p = props(o);
  const subnets: SubnetRecord[] = arr(p.subnets).flatMap((s) => {
    const sid = idOf(s);
    if (!sid) return [];
    const sp = props(s);
    const prefixes = [...strs(sp.addressPrefixes), ...(str(sp.addressPrefix) ? [str(sp.addressPrefix) as string] : [])];
    return [{ id: sid, name: str(obj(s)?.name) ?? parseArmId(sid)?.name ?? sid, addressPrefixes: [...new Set(prefixes)] }];
  });
  const peeredVnetIds = arr(p.virtualNetworkPeerings).flatMap((peering) => {
    const pp = props(peering);
    const remote = idOf(pp.remoteVirtualNetwork);
    const state = str(pp.peeringState);
    return remote && (!state || state.toLowerCase() === "connected") ? [remote] : [];
  });
  return { id, name: str(o.name) ?? parseArmId(id)?.name ?? id, addressPrefixes: strs(obj(p.addressSpace)?.addressPrefixes), subnets, peeredVnetIds };
}

export function bastionFromAzure(raw: unknown): BastionRecord | undefined {
  const o = obj(raw);
  const id = str(o?.id);
  const parsed = id ? parseArmId(id) : undefined;
  if (!o || !id || !parsed?.resourceGroup) return undefined;
  const p = props(o);
  const subnetId = arr(p.ipConfigurations).map((c) => idOf(props(c).subnet)).find((s) => s !== undefined);
  const developerVnet = idOf(p.virtualNetwork);
  return {
    id,
    name: str(o.name) ?? parsed.name ?? id,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: str(o.location),
    sku: str(obj(o.sku)?.name) ?? str(obj(p.sku)?.name) ?? "Basic",
    enableTunneling: p.enableTunneling === true,
    dnsName: str(p.dnsName),
    subnetId,
    vnetId: subnetId ? vnetIdOfSubnet(subnetId) : developerVnet,
  };
}

function vnetIdOfSubnet(subnetId: string): string | undefined {
  const i = subnetId.toLowerCase().lastIndexOf("/subnets/");
  return i > 0 ? subnetId.slice(0, i) : undefined;
}

function portRule(raw: unknown): JitPortRule | undefined {
  const p = props(raw);
  const number = typeof p.number === "number" ? p.number : undefined;
  if (number === undefined) return undefined;
  const single = str(p.allowedSourceAddressPrefix);
  return {
    number,
    protocol: str(p.protocol),
    allowedSourceAddressPrefixes: [...strs(p.allowedSourceAddressPrefixes), ...(single ? [single] : [])],
    maxDurationMs: parseIsoDuration(str(p.maxRequestAccessDuration)),
  };
}

export function jitPolicyFromAzure(raw: unknown): JitPolicyRecord | undefined {
  const o = obj(raw);
  const id = str(o?.id);
  const parsed = id ? parseArmId(id) : undefined;
  if (!o || !id || !parsed?.resourceGroup) return undefined;
  const p = props(o);
  const vms = arr(p.virtualMachines).flatMap((vm) => {
    const vmId = idOf(vm);
    if (!vmId) return [];
    return [{ id: vmId, ports: arr(props(vm).ports).map(portRule).filter((r): r is JitPortRule => r !== undefined) }];
  });
  const requests: JitRequestRecord[] = arr(p.requests).flatMap((request) => {
    const rp = props(request);
    return arr(rp.virtualMachines).flatMap((vm) => {
      const vmId = idOf(vm);
      if (!vmId) return [];
      return arr(props(vm).ports).flatMap((port): JitRequestRecord[] => {
        const pp = props(port);
        const endsAt = time(pp.endTimeUtc);
        if (typeof pp.number !== "number" || endsAt === undefined) return [];
        const single = str(pp.allowedSourceAddressPrefix);
        return [
          {
            vmId,
            port: pp.number,
            status: str(pp.status) ?? "Initiated",
            statusReason: str(pp.statusReason),
            endsAt,
            startedAt: time(rp.startTimeUtc),
            sourcePrefixes: [...strs(pp.allowedSourceAddressPrefixes), ...(single ? [single] : [])],
            requestor: str(rp.requestor),
            justification: str(rp.justification),
          },
        ];
      });
    });
  });
  // The location segment of the id is the authoritative `ascLocation` for initiate (§3).
  const location = /\/locations\/([^/]+)\//i.exec(id)?.[1] ?? str(o.location) ?? "";
  return { id, name: str(o.name) ?? parsed.name ?? "default", subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, location, vms, requests };
}
