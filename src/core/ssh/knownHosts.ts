import { createHmac, timingSafeEqual } from "node:crypto";
import { withFileLock } from "../fs/fileLock";
import { promises as fsp } from "node:fs";
import { throwIfAborted } from "../cancellation";
import { writeFileAtomic } from "../fs/privateFiles";
import { sshFingerprint } from "./fingerprint";

/**
 * Our known_hosts: ssh pins each VM's host key there under its HostKeyAlias on first connection
 * (StrictHostKeyChecking accept-new). These helpers list and forget pins for one alias, reading
 * both plain and hashed (`|1|salt|hash`) entries, so they work whatever HashKnownHosts was.
 */

/** One pinned key, as found in known_hosts. Fingerprints are not secrets. */
export interface PinnedHostKey {
  /** 1-based line number in the file. */
  line: number;
  /** `@revoked` or `@cert-authority` lines are reported but never forgotten. */
  marker: "revoked" | "cert-authority" | undefined;
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:<base64>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** True when the entry's host name is hashed. */
  hashed: boolean;
}

interface KnownHostsLine {
  number: number;
  start: number;
  end: number;
  key: PinnedHostKey | undefined;
  matches: boolean;
}

function matchesHost(pattern: string, host: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    const expected = Buffer.from(hash, "base64");
    const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(host).digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  // ssh compares host names case-insensitively; our aliases are lower case anyway.
  return pattern.toLowerCase() === host.toLowerCase();
}

function parseLines(content: Buffer, host: string): KnownHostsLine[] {
  const text = content.toString("latin1");
  const lines: KnownHostsLine[] = [];
  let start = 0;
  let number = 1;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl + 1;
    const raw = text.slice(start, nl === -1 ? end : nl).trim();
    lines.push({ number, start, end, ...parseEntry(raw, number, host) });
    start = end;
    number++;
  }
  return lines;
}

function parseEntry(raw: string, number: number, host: string): { key: PinnedHostKey | undefined; matches: boolean } {
  const none = { key: undefined, matches: false };
  if (raw === "" || raw.startsWith("#")) return none;
  const fields = raw.split(/\s+/);
  let marker: PinnedHostKey["marker"];
  if (fields[0] === "@revoked" || fields[0] === "@cert-authority") {
    marker = fields[0] === "@revoked" ? "revoked" : "cert-authority";
    fields.shift();
  }
  const [hosts, keyType, keyBase64] = fields;
  if (!hosts || !keyType || !keyBase64) return none;
  const patterns = hosts.split(",");
  if (!patterns.some((p) => matchesHost(p, host))) return none;
  return {
    key: { line: number, marker, keyType, fingerprint: sshFingerprint(Buffer.from(keyBase64, "base64")), hashed: patterns.some((p) => p.startsWith("|1|")) },
    matches: true,
  };
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Lists the keys pinned for `hostKeyAlias` (none when the file does not exist). */
export async function listPinnedHostKeys(knownHostsFile: string, hostKeyAlias: string, signal?: AbortSignal): Promise<PinnedHostKey[]> {
  throwIfAborted(signal);
  const content = await readIfExists(knownHostsFile);
  if (!content) return [];
  return parseLines(content, hostKeyAlias).flatMap((l) => (l.key ? [l.key] : []));
}

/**
 * Forgets the keys pinned for `hostKeyAlias` (after the user confirms the VM was rebuilt), so that
 * the next connection pins the new key. Every other line is kept byte for byte, `@revoked` lines
 * included. The file is rewritten atomically with its mode. Returns how many entries went.
 */
export function forgetPinnedHostKeys(knownHostsFile: string, hostKeyAlias: string, signal?: AbortSignal): Promise<number> {
  // Another window may rewrite the file too (ssh itself only appends).
  return withFileLock(knownHostsFile, () => forgetLocked(knownHostsFile, hostKeyAlias, signal));
}

async function forgetLocked(knownHostsFile: string, hostKeyAlias: string, signal?: AbortSignal): Promise<number> {
  throwIfAborted(signal);
  const content = await readIfExists(knownHostsFile);
  if (!content) return 0;
  const lines = parseLines(content, hostKeyAlias);
  const forget = lines.filter((l) => l.matches && l.key?.marker === undefined);
  if (forget.length === 0) return 0;
  const kept = lines.filter((l) => !forget.includes(l)).map((l) => content.subarray(l.start, l.end));
  const mode = (await fsp.stat(knownHostsFile)).mode & 0o777;
  throwIfAborted(signal);
  await writeFileAtomic(knownHostsFile, Buffer.concat(kept), { mode });
  return forget.length;
}
