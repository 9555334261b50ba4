/**
 * A grant: what the user holds on one VM after "Request access", i.e. an effective PIM role and an
 * open JIT window for port 22 from the Bastion subnet. It ends at the earlier of the two. Times are
 * ms since the epoch on Azure's clock.
 */
export interface Grant {
  vmId: string;
  vmName: string;
  /** SSH host alias, once the SSH layer has assigned one. */
  alias?: string;
  tenantId: string;
  subscriptionId: string;
  roleAssignment: {
    /** Name (GUID) of our activation request; empty when an already active assignment was reused. */
    requestName: string;
    scope: string;
    roleDefinitionId: string;
    roleName?: string;
    /** When the activation took effect (PIM refuses deactivation in its first 5 minutes). */
    startsAt?: number;
    /** Undefined for a permanent (standing) assignment. */
    endsAt?: number;
    /** True when the role was already active and we did not activate it. */
    reused?: boolean;
  };
  jit: {
    policyId: string;
    requestStart: number;
    endsAt: number;
    port: number;
    /** The source the JIT rule allows: the Bastion subnet prefix. */
    sourcePrefix: string;
  };
  /** The earliest of the role's and the JIT window's end. */
  expiresAt: number;
  justification?: string;
  ticket?: TicketInfo;
  grantedAt: number;
}

export interface TicketInfo {
  number: string;
  system?: string;
}

export function grantExpiry(roleEndsAt: number | undefined, jitEndsAt: number): number {
  return roleEndsAt === undefined ? jitEndsAt : Math.min(roleEndsAt, jitEndsAt);
}

/** Identifies one grant instance (a renewed grant is a new one, with its own expiry notifications). */
export function grantKey(grant: Grant): string {
  return `${grant.vmId.toLowerCase()}@${grant.expiresAt}`;
}

/** PIM refuses to deactivate a role within 5 minutes of its activation (azure-facts.md §2.6: ActiveDurationTooShort). */
export const MIN_ACTIVE_BEFORE_DEACTIVATE_MS = 5 * 60_000;

/**
 * When PIM will accept deactivating a role activated at `startsAt`, if that is still ahead at
 * `now`; undefined when it is possible now, or unknown (the activation's start was not read), in
 * which case PIM's answer decides.
 */
export function deactivationPossibleAt(startsAt: number | undefined, now: number): number | undefined {
  if (startsAt === undefined) return undefined;
  const possibleAt = startsAt + MIN_ACTIVE_BEFORE_DEACTIVATE_MS;
  return now < possibleAt ? possibleAt : undefined;
}
