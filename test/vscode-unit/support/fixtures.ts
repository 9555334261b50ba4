import type { Grant } from "../../../src/core/access/grant";
import type { VmEntry } from "../../../src/core/inventory/loadInventory";
import type { Readiness } from "../../../src/core/inventory/readiness";
import { formatOnly } from "../../../src/vscode/localizer";
import type { PresentationContext } from "../../../src/vscode/tree/vmPresentation";

export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
export const MIN = 60_000;

export const ctx: PresentationContext = { l10n: formatOnly, now: NOW, formatTime: (ms) => new Date(ms).toISOString().slice(11, 16) };

type ReadinessPatch = Partial<Omit<Readiness, "needs" | "role" | "jit" | "bastion" | "credential">> & {
  needs?: Partial<Readiness["needs"]>;
  role?: Partial<Readiness["role"]>;
  jit?: Partial<Readiness["jit"]>;
  bastion?: Partial<Readiness["bastion"]>;
  credential?: Partial<Readiness["credential"]>;
};

/** A VM that needs PIM activation, as computeReadiness would describe it; patch what a test is about. */
export function vm(name: string, patch: ReadinessPatch = {}, entry: Partial<VmEntry> = {}): VmEntry {
  const sub = entry.subscriptionId ?? "11111111-1111-1111-1111-111111111111";
  const rg = entry.resourceGroup ?? `rg-${name}`;
  const readiness: Readiness = {
    status: "needsAccess",
    reasons: [`Role "JIT VM Operator" must be activated in PIM (justification).`, "A JIT request for port 22 is needed (at most 3 h)."],
    maxDurations: { pimMs: 8 * 60 * MIN, jitMs: 3 * 60 * MIN, effectiveMs: 3 * 60 * MIN },
    power: "running",
    os: "Linux",
    canRequestAccess: true,
    canConnect: false,
    ...patch,
    needs: { pim: true, approval: false, mfa: false, justification: true, ticket: false, jit: true, ...patch.needs },
    role: { state: "eligible", roleName: "JIT VM Operator", ...patch.role },
    jit: { state: "available", maxDurationMs: 3 * 60 * MIN, ...patch.jit },
    bastion: { state: "ok", name: "bas-hub", sku: "Standard", ...patch.bastion },
    credential: { source: "tag", secretUri: `https://kv-contoso.localhost/secrets/${name}`, username: "azureuser", ...patch.credential },
  };
  return {
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    subscriptionId: sub,
    subscriptionName: "Contoso Dev",
    resourceGroup: rg,
    location: "westeurope",
    tenantId: "aaaaaaaa-0000-0000-0000-000000000001",
    tenantName: "Contoso",
    tags: {},
    osType: "Linux",
    nicIds: [],
    powerState: readiness.power,
    readiness,
    ...entry,
  };
}

/** A VM with role active and JIT open until `jitEndsAt`. */
export function readyVm(name: string, jitEndsAt = NOW + 42 * MIN, entry: Partial<VmEntry> = {}): VmEntry {
  return vm(name, { status: "ready", canConnect: true, needs: { pim: false, jit: false, justification: false }, role: { state: "active", endsAt: NOW + 8 * 60 * MIN }, jit: { state: "active", endsAt: jitEndsAt } }, entry);
}

export function grantFor(entry: VmEntry, expiresAt: number): Grant {
  return {
    vmId: entry.id,
    vmName: entry.name,
    tenantId: entry.tenantId,
    subscriptionId: entry.subscriptionId,
    roleAssignment: { requestName: "r1", scope: "/subscriptions/x", roleDefinitionId: "role", roleName: "JIT VM Operator", startsAt: NOW - 10 * MIN, endsAt: expiresAt },
    jit: { policyId: "p", requestStart: NOW - 10 * MIN, endsAt: expiresAt, port: 22, sourcePrefix: "10.0.1.0/26" },
    expiresAt,
    grantedAt: NOW - 10 * MIN,
  };
}
