import { describeDuration } from "../azure/isoDuration";
import { JitError } from "../errors";
import type { AccessInputValues } from "./accessInput";

/** Shortest request worth making (PIM works in minutes; JIT windows under a few minutes are useless). */
export const MIN_DURATION_MS = 5 * 60_000;
/** Preselected duration when the policies allow it. */
export const DEFAULT_DURATION_MS = 60 * 60_000;
/** When no policy states a maximum (PIM without an expiration rule), the product still bounds requests. */
export const FALLBACK_MAX_DURATION_MS = 8 * 60 * 60_000;

export interface DurationBounds {
  /** PIM `maximumDuration`, when the role must be activated. */
  pimMaxMs?: number;
  /** JIT `maxRequestAccessDuration` for port 22. */
  jitMaxMs?: number;
  /** Remaining time of an already active role: the JIT window cannot outlive it. */
  roleRemainingMs?: number;
}

/** The longest request the policies allow: min of what applies, whole minutes. */
export function maxRequestDuration(bounds: DurationBounds): number {
  const limits = [bounds.pimMaxMs, bounds.jitMaxMs, bounds.roleRemainingMs].filter((x): x is number => x !== undefined && x > 0);
  const max = limits.length > 0 ? Math.min(...limits) : FALLBACK_MAX_DURATION_MS;
  return Math.floor(max / 60_000) * 60_000;
}

export function defaultRequestDuration(maxMs: number): number {
  return Math.min(DEFAULT_DURATION_MS, maxMs);
}

/** Clamps a requested duration into [MIN, max], in whole minutes. */
export function clampDuration(requestedMs: number, maxMs: number): { durationMs: number; clamped: boolean } {
  const wanted = Number.isFinite(requestedMs) ? Math.floor(requestedMs / 60_000) * 60_000 : maxMs;
  const durationMs = Math.max(Math.min(wanted, maxMs), Math.min(MIN_DURATION_MS, maxMs));
  return { durationMs, clamped: durationMs !== wanted };
}

/**
 * Checks the user's answers against what the policy requires, before anything is sent: Azure would
 * refuse the same request, but later and with a less helpful message.
 */
export function validateAccessInput(values: AccessInputValues, needs: { justification: boolean; ticket: boolean }, vmName: string): AccessInputValues {
  const justification = values.justification?.trim() || undefined;
  const ticketNumber = values.ticket?.number.trim() || undefined;
  const missing: string[] = [];
  if (needs.justification && !justification) missing.push("a justification");
  if (needs.ticket && !ticketNumber) missing.push("a ticket number");
  if (missing.length > 0) {
    throw new JitError("PolicyViolation", `The PIM policy for ${vmName} requires ${missing.join(" and ")} to activate the role. Request access again and provide ${missing.length > 1 ? "them" : "it"}.`, { details: { missing: missing.join(", ") } });
  }
  if (!(values.durationMs > 0)) throw new JitError("InvalidInput", `The requested duration for ${vmName} must be positive.`);
  if (justification && justification.length > 500) throw new JitError("PolicyViolation", "The justification is longer than the 500 characters PIM accepts. Shorten it.");
  return { justification, ticket: ticketNumber ? { number: ticketNumber, system: values.ticket?.system?.trim() || undefined } : undefined, durationMs: values.durationMs };
}

/** "3 h (the JIT policy's maximum)" — for the log line when a request was clamped. */
export function describeClamp(requestedMs: number, grantedMs: number): string {
  return `requested ${describeDuration(requestedMs)}, the policies allow ${describeDuration(grantedMs)}`;
}
