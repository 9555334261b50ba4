/** ISO-8601 durations as PIM and JIT use them (`PT8H`, `PT90M`, `P1D`, `P1DT2H`). */
const PATTERN = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Milliseconds, or undefined when `text` is not an ISO-8601 duration (years/months are refused: not fixed-length). */
export function parseIsoDuration(text: string): number | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m || text.trim().toUpperCase() === "P" || /T$/i.test(text.trim())) return undefined;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined): number => (v ? Number(v) : 0);
  return Math.round(((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000);
}
