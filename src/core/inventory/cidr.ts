/**
 * IPv4 prefixes, enough to decide whether a JIT rule's source (`*`, an address, or a CIDR) lets the
 * Bastion subnet through. Azure service tags ("VirtualNetwork", "Internet") are treated as "any":
 * we cannot expand them, and a JIT rule naming one is the administrator's explicit choice.
 */

interface Range {
  start: number;
  end: number;
}

function parseAddress(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Parses "10.0.0.0/24" or "10.0.0.4"; undefined for anything else. */
export function parsePrefix(text: string): Range | undefined {
  const [addr, bitsText] = text.trim().split("/");
  const base = addr === undefined ? undefined : parseAddress(addr);
  if (base === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return { start, end: start + size - 1 };
}

/** True for `*`, `Any`, `0.0.0.0/0` and service tags: sources that match every address. */
export function isAnySource(prefix: string): boolean {
  const p = prefix.trim();
  if (p === "*" || p.toLowerCase() === "any") return true;
  if (/^[A-Za-z]/.test(p)) return true; // service tag
  const r = parsePrefix(p);
  return r !== undefined && r.start === 0 && r.end === 0xffffffff;
}

/** True when every address of `inner` is inside `outer` (`outer` may be `*`). */
export function prefixCovers(outer: string, inner: string): boolean {
  if (isAnySource(outer)) return true;
  const o = parsePrefix(outer);
  const i = parsePrefix(inner);
  if (!o || !i) return false;
  return o.start <= i.start && i.end <= o.end;
}
