/** IPv4 prefixes for NSG maths: does a JIT request's source prefix cover the Bastion subnet? */
export interface Ipv4Prefix {
  base: number;
  bits: number;
}

function parseIp(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = v * 256 + Number(p);
  }
  return v;
}

/** Parses `10.0.1.0/26`, a bare address (a /32), or `*` / `Any` / `Internet` (everything, /0). */
export function parsePrefix(text: string): Ipv4Prefix | undefined {
  const t = text.trim();
  if (t === "*" || /^(any|internet)$/i.test(t)) return { base: 0, bits: 0 };
  const [ip, bitsText] = t.split("/");
  const base = parseIp(ip ?? "");
  if (base === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: mask(base, bits), bits };
}

function mask(ip: number, bits: number): number {
  if (bits === 0) return 0;
  return Math.floor(ip / 2 ** (32 - bits)) * 2 ** (32 - bits);
}

/** True when every address of `inner` is in `outer`. */
export function prefixCovers(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return outer.bits <= inner.bits && mask(inner.base, outer.bits) === outer.base;
}

export function prefixTextCovers(outer: string, inner: string): boolean {
  const o = parsePrefix(outer);
  const i = parsePrefix(inner);
  return o !== undefined && i !== undefined && prefixCovers(o, i);
}

/** The n-th host address of a prefix (n = 4 is Azure's first usable address). */
export function hostAddress(prefix: string, n: number): string {
  const p = parsePrefix(prefix);
  if (!p) throw new Error(`Not an IPv4 prefix: ${prefix}`);
  const v = p.base + n;
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join(".");
}
