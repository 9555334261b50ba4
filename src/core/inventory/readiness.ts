import { describeDuration } from "../azure/isoDuration";
import type { BastionCandidate, BastionRelation } from "./bastionReach";
import type { CredentialInfo } from "./credentialSource";
import { activeJitRequest, jitSourceFix, jitSourcePrefix, sshRule, type VmJitPolicy, SSH_PORT } from "./jitSelection";
import type { RoleMatch } from "./roleSelection";
import type { PimRequirements, PowerState, VmRecord } from "./types";

/**
 * Readiness of one VM: can the user connect now, and if not, what is missing, in the order a user
 * should deal with it. Pure: every fact is an input, including the time.
 */

export type VmStatus =
  /** Role active and a JIT window covering the Bastion subnet is open: connect. */
  | "ready"
  /** PIM activation and/or a JIT request is needed, and can be requested. */
  | "needsAccess"
  /** Our activation request waits for an approver. */
  | "pendingApproval"
  /** A grant we held has ended; request access again. */
  | "expired"
  | "notRunning"
  /** Windows: SSH is not offered. */
  | "unsupportedOs"
  | "noJitPolicy"
  | "noBastion"
  /** A Bastion reaches the VM but cannot do native-client tunnelling (SKU, enableTunneling). */
  | "bastionNoNativeClient"
  /** No eligible or active role covers the VM. */
  | "noRole";

/** What the access store knows about this VM (see src/core/access). */
export interface ReadinessGrant {
  state: "granted" | "pendingApproval" | "inProgress" | "expired";
  expiresAt?: number;
  requestName?: string;
}

export interface Readiness {
  status: VmStatus;
  /** Plain-language reasons, the one deciding `status` first. */
  reasons: string[];
  needs: { pim: boolean; approval: boolean; mfa: boolean; authenticationContext?: string; justification: boolean; ticket: boolean; jit: boolean };
  maxDurations: { pimMs?: number; jitMs?: number; /** What a request can ask for: min of both (and of the active role's remaining time). */ effectiveMs?: number };
  role: { state: "active" | "eligible" | "pendingApproval" | "none"; roleName?: string; scope?: string; roleDefinitionId?: string; endsAt?: number; requirements?: PimRequirements };
  jit: {
    /** `sourceNotAllowed`: the port-22 rule lists neither the Bastion subnet prefix verbatim nor `*`, so no request can open it to the Bastion. */
    state: "active" | "available" | "noPolicy" | "portNotAllowed" | "sourceNotAllowed";
    policyId?: string;
    endsAt?: number;
    maxDurationMs?: number;
    allowedSourcePrefixes?: string[];
    /** The source prefix a request must name (the Bastion subnet prefix, as the rule allows it); see `jitSourcePrefix`. */
    requestPrefix?: string;
    /** For `sourceNotAllowed`: what the security administrator must change. */
    fix?: string;
  };
  bastion: { state: "ok" | "none" | "noNativeClient"; id?: string; name?: string; sku?: string; dnsName?: string; subnetPrefix?: string; relation?: BastionRelation; problem?: string };
  power: PowerState;
  os: "Linux" | "Windows" | "unknown";
  credential: CredentialInfo;
  grant?: ReadinessGrant;
  /** "Request access" makes sense (also to extend a ready VM). */
  canRequestAccess: boolean;
  canConnect: boolean;
}

export interface ReadinessInput {
  now: number;
  vm: VmRecord;
  role: RoleMatch;
  /** PIM policy of the eligibility's (scope, role), when known. */
  requirements?: PimRequirements;
  /** The policy was not read (yet): say so rather than suggest it has no rules. */
  policyUnread?: boolean;
  jit?: VmJitPolicy;
  /** From NetworkIndex.candidates(): best first. */
  bastions: readonly BastionCandidate[];
  /** Why the VM's network is unknown, when it is (NIC not readable...). */
  networkProblem?: string;
  credential: CredentialInfo;
  grant?: ReadinessGrant;
}

export function computeReadiness(input: ReadinessInput): Readiness {
  const { now, vm, role, requirements, credential, grant } = input;
  const os = vm.osType ?? "unknown";
  const best = input.bastions[0];
  const bastion: Readiness["bastion"] = best
    ? { state: best.problem ? "noNativeClient" : "ok", id: best.bastion.id, name: best.bastion.name, sku: best.bastion.sku, dnsName: best.bastion.dnsName, subnetPrefix: best.subnetPrefix, relation: best.relation, problem: best.problem }
    : { state: "none" };

  const rule = input.jit ? sshRule(input.jit.ports) : undefined;
  const request = input.jit && rule ? activeJitRequest(input.jit.policy, vm.id, now, bastion.subnetPrefix) : undefined;
  const requestPrefix = rule ? jitSourcePrefix(rule, bastion.subnetPrefix) : undefined;
  // Only decidable once the Bastion subnet is known; an open window still counts (it lets the tunnel through).
  const sourceBlocked = rule !== undefined && !request && bastion.subnetPrefix !== undefined && requestPrefix === undefined;
  const jit: Readiness["jit"] = !input.jit
    ? { state: "noPolicy" }
    : !rule
      ? { state: "portNotAllowed", policyId: input.jit.policy.id }
      : {
          state: request ? "active" : sourceBlocked ? "sourceNotAllowed" : "available",
          policyId: input.jit.policy.id,
          endsAt: request?.endsAt,
          maxDurationMs: rule.maxDurationMs,
          allowedSourcePrefixes: rule.allowedSourceAddressPrefixes,
          requestPrefix,
          fix: sourceBlocked && bastion.subnetPrefix ? jitSourceFix(rule, bastion.subnetPrefix) : undefined,
        };

  const roleSource = role.active ?? role.eligibility;
  const roleState: Readiness["role"]["state"] = role.active ? "active" : grant?.state === "pendingApproval" ? "pendingApproval" : role.eligibility ? "eligible" : "none";
  const roleInfo: Readiness["role"] = { state: roleState, roleName: roleSource?.roleName, scope: roleSource?.scope, roleDefinitionId: roleSource?.roleDefinitionId, endsAt: role.active?.endsAt, requirements };

  const needsPim = roleState !== "active" && roleState !== "none";
  const req = needsPim ? requirements : undefined;
  const needs: Readiness["needs"] = {
    pim: needsPim,
    approval: req?.approval ?? false,
    mfa: req?.mfa ?? false,
    authenticationContext: req?.authenticationContext,
    justification: req?.justification ?? false,
    ticket: req?.ticket ?? false,
    jit: jit.state !== "active",
  };

  const pimMs = requirements?.maxDurationMs;
  const jitMs = rule?.maxDurationMs;
  const roleRemaining = role.active?.endsAt !== undefined ? Math.max(0, role.active.endsAt - now) : undefined;
  const bounds = [needsPim ? pimMs : roleRemaining, jitMs].filter((x): x is number => x !== undefined);
  const maxDurations = { pimMs, jitMs, effectiveMs: bounds.length > 0 ? Math.min(...bounds) : undefined };

  const structuralBlock = os === "Windows" || roleState === "none" || bastion.state !== "ok" || jit.state === "noPolicy" || jit.state === "portNotAllowed" || jit.state === "sourceNotAllowed";
  const reasons = {
    os: os === "Windows" ? "Windows VM: SSH is not offered for it (use RDP through the Azure portal)." : undefined,
    // "read when you request access" only where a request is possible at all.
    role: roleReason(roleInfo, needs, pimMs, now, (input.policyUnread ?? false) && !structuralBlock),
    bastion: bastionReason(bastion, input.networkProblem),
    jit: jitReason(jit, now),
    power: vm.powerState === "running" ? undefined : `The VM is ${vm.powerState === "unknown" ? "in an unknown power state" : vm.powerState}. Start it before connecting.`,
    grant: grant?.state === "expired" ? `Your access expired${grant.expiresAt !== undefined ? ` ${describeDuration(Math.max(0, now - grant.expiresAt))} ago` : ""}. Request access again.` : undefined,
    credential: credentialReason(credential),
  };

  const ready = roleState === "active" && jit.state === "active";
  const status: VmStatus =
    os === "Windows" ? "unsupportedOs"
    : roleState === "none" ? "noRole"
    : bastion.state === "none" ? "noBastion"
    : bastion.state === "noNativeClient" ? "bastionNoNativeClient"
    : jit.state === "noPolicy" || jit.state === "portNotAllowed" || jit.state === "sourceNotAllowed" ? "noJitPolicy"
    : vm.powerState !== "running" ? "notRunning"
    : roleState === "pendingApproval" ? "pendingApproval"
    : ready ? "ready"
    : grant?.state === "expired" ? "expired"
    : "needsAccess";

  const primary: Record<VmStatus, keyof typeof reasons> = {
    unsupportedOs: "os", noRole: "role", noBastion: "bastion", bastionNoNativeClient: "bastion", noJitPolicy: "jit", notRunning: "power",
    pendingApproval: "role", ready: "jit", expired: "grant", needsAccess: needsPim ? "role" : "jit",
  };
  const order: (keyof typeof reasons)[] = [primary[status], "grant", "os", "power", "role", "jit", "bastion", "credential"];
  const list = [...new Set(order)].map((k) => reasons[k]).filter((r): r is string => r !== undefined);

  return {
    status,
    reasons: list,
    needs,
    maxDurations,
    role: roleInfo,
    jit,
    bastion,
    power: vm.powerState,
    os,
    credential,
    grant,
    canRequestAccess: !structuralBlock && roleState !== "pendingApproval",
    canConnect: status === "ready",
  };
}

function roleReason(role: Readiness["role"], needs: Readiness["needs"], pimMs: number | undefined, now: number, policyUnread: boolean): string {
  const name = role.roleName ? `Role "${role.roleName}"` : "The role";
  switch (role.state) {
    case "active":
      return role.endsAt === undefined ? `${name} is assigned permanently.` : `${name} is active for another ${describeDuration(Math.max(0, role.endsAt - now))}.`;
    case "pendingApproval":
      return `The activation of ${role.roleName ? `"${role.roleName}"` : "the role"} is waiting for approval.`;
    case "none":
      return "You have no eligible or active role that covers this VM. Ask for a PIM eligibility on it.";
    case "eligible": {
      if (policyUnread) return `${name} must be activated in PIM (its policy is read when you request access).`;
      const parts: string[] = [];
      if (needs.approval) parts.push("approval required");
      if (needs.mfa) parts.push("multi-factor authentication");
      if (needs.authenticationContext) parts.push(`Conditional Access authentication context ${needs.authenticationContext}`);
      if (needs.justification) parts.push("justification");
      if (needs.ticket) parts.push("ticket number");
      if (pimMs !== undefined) parts.push(`at most ${describeDuration(pimMs)}`);
      return `${name} must be activated in PIM${parts.length > 0 ? ` (${parts.join(", ")})` : ""}.`;
    }
  }
}

function jitReason(jit: Readiness["jit"], now: number): string {
  switch (jit.state) {
    case "active":
      return `JIT access to port ${SSH_PORT} is open for another ${describeDuration(Math.max(0, (jit.endsAt ?? now) - now))}.`;
    case "available":
      return `A JIT request for port ${SSH_PORT} is needed${jit.maxDurationMs !== undefined ? ` (at most ${describeDuration(jit.maxDurationMs)})` : ""}.`;
    case "noPolicy":
      return "No Defender for Cloud JIT policy covers this VM. Ask a security administrator to enable JIT VM access (port 22) for it.";
    case "portNotAllowed":
      return `The JIT policy of this VM does not include port ${SSH_PORT}. Ask a security administrator to add port ${SSH_PORT}.`;
    case "sourceNotAllowed":
      return jit.fix ?? `The JIT policy of this VM does not allow port ${SSH_PORT} from the Bastion subnet. Ask a security administrator to add the Bastion subnet to the allowed source addresses.`;
  }
}

function bastionReason(b: Readiness["bastion"], networkProblem: string | undefined): string {
  if (b.state === "ok") return `Reachable through Bastion ${b.name ?? ""} (${b.sku ?? "?"}, ${b.relation === "sameVnet" ? "same virtual network" : "peered virtual network"}).`;
  if (b.state === "noNativeClient") return b.problem ?? `Bastion ${b.name ?? ""} cannot tunnel SSH.`;
  return networkProblem ?? "No Azure Bastion is in this VM's virtual network or a peered one. Ask the network owner for a Standard Bastion with native client support.";
}

function credentialReason(c: CredentialInfo): string {
  if (c.source === "invalid") return c.problem ?? "The VM's credential tag cannot be used.";
  const user = c.username ? ` as ${c.username}` : "";
  if (c.source === "unknown") return `No SSH credential source is known${user ? ` (user${user.replace(" as", "")})` : ""}: tag the VM with azure-jit-connect.secret (a Key Vault secret URI) or choose a secret when connecting.`;
  let where = c.secretUri ?? "";
  try {
    const url = new URL(where);
    where = `secret "${url.pathname.split("/")[2] ?? ""}" in ${url.host}`;
  } catch {
    // keep the raw text: the tag is what the user must look at
  }
  return `Signs in${user} with Key Vault ${where}${c.source === "remembered" ? " (your earlier choice)" : ""}.`;
}
