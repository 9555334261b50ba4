import { createHash } from "node:crypto";

/** What the SSH layer needs to know about a VM to name it. */
export interface VmIdentity {
  /** ARM resource id (`/subscriptions/…/virtualMachines/<name>`); compared case-insensitively. */
  id: string;
  /** VM name as Azure reports it (untrusted: anyone who can create or tag a VM chooses it). */
  name: string;
}

/** Every alias and HostKeyAlias we generate starts with this, and nothing else of ours does. */
export const ALIAS_PREFIX = "azjit-";
const MAX_SLUG = 40;
/** `azjit-<slug>-<6 hex>`: lower-case letters, digits and single dashes only. */
const HOST_ALIAS = /^azjit-(?:[a-z0-9]+-)*[0-9a-f]{6}$/;

function idHash(vmId: string): string {
  return createHash("sha256").update(vmId.trim().toLowerCase(), "utf8").digest("hex");
}

/**
 * The readable part of an alias: the VM name folded to `[a-z0-9-]`. Accents are dropped (NFKD),
 * every other character becomes a dash, and the result is cut to a bounded length, so no name,
 * however long or hostile, can put anything but these characters into the SSH config.
 */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, MAX_SLUG)
    .replace(/-+$/, "");
  return slug.length > 0 ? slug : "vm";
}

/**
 * The SSH host alias of a VM: `azjit-<slug of name>-<6 hex of sha256(lower(id))>`. The slug lets a
 * person recognise the host in Remote-SSH; the hash tells apart VMs of the same name in different
 * resource groups or subscriptions. Renaming is not possible in Azure, so the alias is stable.
 */
export function deriveHostAlias(vm: VmIdentity): string {
  return `${ALIAS_PREFIX}${slugOf(vm.name)}-${idHash(vm.id).slice(0, 6)}`;
}

/**
 * The `HostKeyAlias` of a VM: a hash of its resource id only. Host keys are pinned under this name,
 * so the pin survives IP changes and any alias change, and two VMs never share a pin (peers that
 * tunnel everything through `localhost` collapse every VM onto one known_hosts entry).
 */
export function deriveHostKeyAlias(vmId: string): string {
  return `${ALIAS_PREFIX}${idHash(vmId).slice(0, 32)}`;
}

/** True for strings that `deriveHostAlias` can produce (used to refuse anything else as a path or argument). */
export function isHostAlias(value: string): boolean {
  return value.length <= ALIAS_PREFIX.length + MAX_SLUG + 7 && HOST_ALIAS.test(value);
}
