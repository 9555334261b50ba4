import { describeDuration, parseIsoDuration } from "../../core/azure/isoDuration";
import { MIN_DURATION_MS } from "../../core/access/policyMath";

/**
 * The duration picker's choices and the remembered-justification list. Pure, so the rules (never
 * above the maximum, the preselection from `azureJit.access.defaultDuration`) are unit-tested.
 */

/** Durations offered when the policies allow them (the maximum itself is always offered too). */
export const DURATION_STEPS_MS = [15, 30, 60, 120, 240, 480].map((m) => m * 60_000);

export interface DurationChoice {
  durationMs: number;
  /** "1 h", "3 h (maximum)". */
  label: string;
  isMaximum: boolean;
  isDefault: boolean;
}

/**
 * The preselected duration: `azureJit.access.defaultDuration` when it parses, else the core's
 * default, never above the maximum.
 */
export function preferredDuration(setting: string, coreDefaultMs: number, maxMs: number): number {
  const fromSetting = parseIsoDuration(setting);
  const wanted = fromSetting !== undefined && fromSetting > 0 ? fromSetting : coreDefaultMs;
  return Math.max(Math.min(wanted, maxMs), Math.min(MIN_DURATION_MS, maxMs));
}

/** The choices, shortest first; exactly one is the default. */
export function durationChoices(maxMs: number, preferredMs: number, maximumLabel: (duration: string) => string): DurationChoice[] {
  const values = new Set(DURATION_STEPS_MS.filter((d) => d < maxMs && d >= Math.min(MIN_DURATION_MS, maxMs)));
  values.add(maxMs);
  values.add(Math.min(preferredMs, maxMs));
  return [...values]
    .sort((a, b) => a - b)
    .map((durationMs) => ({
      durationMs,
      label: durationMs === maxMs ? maximumLabel(describeDuration(durationMs)) : describeDuration(durationMs),
      isMaximum: durationMs === maxMs,
      isDefault: durationMs === Math.min(preferredMs, maxMs),
    }));
}

/** Most recent first, no duplicates, at most `max`. */
export function rememberRecent(list: readonly string[], value: string, max = 5): string[] {
  const v = value.trim();
  if (!v) return [...list].slice(0, max);
  return [v, ...list.filter((x) => x !== v)].slice(0, max);
}

/** Recent justifications per role and scope (`roleDefinitionId|scope`, lower case), most recently used role first. */
export type RecentByRole = Record<string, string[]>;

/** Where a role's justifications are kept; requests that name no role share one list. */
export function recentRoleKey(role: { scope: string; roleDefinitionId: string } | undefined): string {
  if (!role) return "*";
  const guid = role.roleDefinitionId.split("/").pop() ?? role.roleDefinitionId;
  return `${guid}|${role.scope.replace(/\/+$/, "")}`.toLowerCase();
}

/** What this role and scope was justified with recently: a justification for another VM's role is not offered. */
export function recentForRole(store: RecentByRole, role: { scope: string; roleDefinitionId: string } | undefined): string[] {
  const list = store[recentRoleKey(role)];
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
}

/** Remembers a justification for its role and scope; keeps the `maxRoles` most recently used roles. */
export function rememberForRole(store: RecentByRole, role: { scope: string; roleDefinitionId: string } | undefined, value: string, maxRoles = 50): RecentByRole {
  const key = recentRoleKey(role);
  const entries = Object.entries(store).filter(([k]) => k !== key);
  return Object.fromEntries([[key, rememberRecent(recentForRole(store, role), value)], ...entries].slice(0, maxRoles));
}
