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
