/**
 * ISO-8601 durations as Azure uses them: PIM `maximumDuration` ("PT8H"), JIT
 * `maxRequestAccessDuration` ("PT3H"), activation `expiration.duration`. Years and months are refused:
 * their length is ambiguous and Azure never sends them for these fields.
 */

const PATTERN = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Milliseconds of an ISO-8601 duration, or undefined when it is not one we accept. */
export function parseIsoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = PATTERN.exec(text.trim());
  if (!m || text.trim().toUpperCase() === "P" || /T$/i.test(text.trim())) return undefined;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  const ms = (((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60_000 + n(s) * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Formats milliseconds as the ISO-8601 duration Azure expects (whole minutes: "PT1H30M", "PT45M"). */
export function formatIsoDuration(ms: number): string {
  const totalMinutes = Math.max(1, Math.floor(ms / 60_000));
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return `PT${hours > 0 ? `${hours}H` : ""}${minutes > 0 || hours === 0 ? `${minutes}M` : ""}`;
}

/** Human form for messages: "8 h", "1 h 30 min", "45 min". */
export function describeDuration(ms: number): string {
  const totalMinutes = Math.round(ms / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}
