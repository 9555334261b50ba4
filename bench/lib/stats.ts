/** Order statistics for repeated runs: medians with min/max and the interquartile range. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation). */
  q1: number;
  q3: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/** Ratios of paired samples (same round), so that slow periods of the shared machine cancel out. */
export function pairedRatios(numerators: readonly number[], denominators: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
    const d = denominators[i]!;
    if (d !== 0 && Number.isFinite(d)) out.push(numerators[i]! / d);
  }
  return out;
}

/** Paired differences (same round). */
export function pairedDiffs(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(a[i]! - b[i]!);
  return out;
}

export const MB = 1024 * 1024;

export function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toFixed(digits);
}

/** "median (min–max)" */
export function fmtSummary(s: Summary, digits = 2, unit = ""): string {
  if (s.n === 0) return "n/a";
  if (s.n === 1) return `${fmt(s.median, digits)}${unit}`;
  return `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** "median [q1–q3]" */
export function fmtIqr(s: Summary, digits = 2, unit = ""): string {
  if (s.n === 0) return "n/a";
  if (s.n < 4) return fmtSummary(s, digits, unit);
  return `${fmt(s.median, digits)}${unit} [IQR ${fmt(s.q1, digits)}–${fmt(s.q3, digits)}]`;
}
