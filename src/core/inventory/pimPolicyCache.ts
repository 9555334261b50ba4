import { armIdKey } from "../azure/armIds";
import { type Clock, systemClock } from "../clock";
import type { PimRequirements } from "./types";

/** PIM policies change rarely (an administrator edits them); refreshes need not re-read them. */
export const POLICY_CACHE_TTL_MS = 15 * 60_000;

/**
 * PIM requirements per (tenant, scope, role), kept across inventory loads. The composition root
 * owns one and passes it to every `loadInventory`; the access flow never uses it (it reads the
 * policy fresh right before activating).
 */
export class PimPolicyCache {
  private readonly entries = new Map<string, { requirements: PimRequirements | undefined; at: number }>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = POLICY_CACHE_TTL_MS,
  ) {}

  private key(tenantId: string, scope: string, roleDefinitionId: string): string {
    return `${tenantId.toLowerCase()}|${armIdKey(scope)}|${roleDefinitionId.split("/").pop()?.toLowerCase() ?? ""}`;
  }

  /** `{hit: false}` when unknown or stale; a hit may hold `undefined` (the scope has no policy for the role). */
  get(tenantId: string, scope: string, roleDefinitionId: string): { hit: true; requirements: PimRequirements | undefined } | { hit: false } {
    const e = this.entries.get(this.key(tenantId, scope, roleDefinitionId));
    if (!e || this.clock.now() - e.at > this.ttlMs) return { hit: false };
    return { hit: true, requirements: e.requirements };
  }

  set(tenantId: string, scope: string, roleDefinitionId: string, requirements: PimRequirements | undefined): void {
    this.entries.set(this.key(tenantId, scope, roleDefinitionId), { requirements, at: this.clock.now() });
  }

  clear(): void {
    this.entries.clear();
  }
}
