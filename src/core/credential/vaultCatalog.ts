import { parseArmId } from "../azure/armIds";
import { isCloudVaultHost, type CloudEnvironment } from "../cloud";

/**
 * What Choose Credential offers, built from what Azure returned (pure, so it is tested without a
 * network). Everything here comes from Azure and is treated as hostile: vault and secret names that
 * break Key Vault's naming rules are dropped, a vault URI is kept only when it is a vault host of
 * this cloud (host AND port) for the vault of that name, and no secret value is ever read.
 */

/** Vault names: 3–24 characters, letters, digits and dashes, a letter first, no dash last, no "--". */
const VAULT_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{1,22})[a-zA-Z0-9]$/;
/** Secret names: 1–127 letters, digits and dashes (the same rule secretUri.ts applies). */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function isVaultName(name: unknown): name is string {
  return typeof name === "string" && VAULT_NAME.test(name) && !name.includes("--");
}

export function isSecretName(name: unknown): name is string {
  return typeof name === "string" && SECRET_NAME.test(name);
}

/** A vault the user can see, nearest to the VM first. */
export interface VaultChoice {
  name: string;
  /** `https://<vault host>[:port]`, checked against the cloud. */
  vaultUrl: string;
  resourceGroup: string;
  subscriptionId: string;
  /**
   * "current": the VM's secret already lives there; "sameResourceGroup": next to the VM;
   * "sameSubscription": elsewhere in the VM's subscription; "otherSubscription": another
   * subscription of the VM's tenant (a central vault, say).
   */
  nearness: "current" | "sameResourceGroup" | "sameSubscription" | "otherSubscription";
}

/** The VM facts the vault order needs. */
export interface VaultSearchVm {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  /** The secret URI the VM uses today (tag or remembered choice), if any. */
  currentSecretUri?: string;
  /** The other subscriptions of the VM's tenant to search too (the VM's own is always searched first). */
  otherSubscriptionIds?: readonly string[];
}

export type VaultListing =
  | { kind: "vaults"; vaults: VaultChoice[]; /** Rows dropped as unusable (bad name or URI). */ dropped: number }
  /** Listing was refused or failed: the UI falls back to a typed URI and shows `reason`. */
  | { kind: "cannotList"; reason: string };

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function originOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    return new URL(uri).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * One Resource Graph row of `microsoft.keyvault/vaults` as a choice, or undefined when its name or
 * `properties.vaultUri` is unusable: the URI must be an https vault host of this cloud whose first
 * label is the vault's name, with nothing after the origin but "/".
 */
export function vaultFromRow(row: Record<string, unknown>, cloud: CloudEnvironment): Omit<VaultChoice, "nearness" | "subscriptionId"> & { subscriptionId?: string } | undefined {
  const name = text(row.name);
  if (!isVaultName(name)) return undefined;
  const properties = row.properties;
  const raw = properties !== null && typeof properties === "object" ? text((properties as Record<string, unknown>).vaultUri) : undefined;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") return undefined;
  if (!isCloudVaultHost(cloud, url) || url.hostname.split(".")[0] !== name.toLowerCase()) return undefined;
  const subscriptionId = text(row.subscriptionId) ?? parseArmId(text(row.id) ?? "")?.subscriptionId;
  return { name, vaultUrl: url.origin, resourceGroup: text(row.resourceGroup) ?? "", ...(subscriptionId !== undefined ? { subscriptionId } : {}) };
}

/** The usable vaults of Resource Graph rows, deduplicated, the VM's own vault and resource group first. */
export function vaultChoices(rows: readonly Record<string, unknown>[], vm: VaultSearchVm, cloud: CloudEnvironment): { vaults: VaultChoice[]; dropped: number } {
  const current = originOf(vm.currentSecretUri);
  const seen = new Set<string>();
  const vaults: VaultChoice[] = [];
  let dropped = 0;
  for (const row of rows) {
    const vault = vaultFromRow(row, cloud);
    if (!vault) {
      dropped++;
      continue;
    }
    const key = vault.vaultUrl.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    // Resource Graph rows name their subscription and ARM ids hold it; a row with neither counts as the VM's.
    const subscriptionId = vault.subscriptionId ?? vm.subscriptionId;
    const sameSubscription = subscriptionId.toLowerCase() === vm.subscriptionId.toLowerCase();
    const nearness: VaultChoice["nearness"] =
      key === current ? "current" : !sameSubscription ? "otherSubscription" : vault.resourceGroup.toLowerCase() === vm.resourceGroup.toLowerCase() ? "sameResourceGroup" : "sameSubscription";
    vaults.push({ ...vault, subscriptionId, nearness });
  }
  const rank = { current: 0, sameResourceGroup: 1, sameSubscription: 2, otherSubscription: 3 } as const;
  vaults.sort((a, b) => rank[a.nearness] - rank[b.nearness] || a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true }));
  return { vaults, dropped };
}

/** A secret the user can pick: names and metadata only, never a value. */
export interface SecretChoice {
  name: string;
  /** `https://<vault>/secrets/<name>`: no version, so Connect reads the latest. */
  uri: string;
  /** What contentType or tags suggest; undefined when they say nothing. */
  looksLike?: "sshKey" | "password";
  /** Epoch ms of the last update, when Key Vault said. */
  updatedOn?: number;
  /** The secret's expiry has passed (it is still offered: Key Vault can still return it). */
  expired: boolean;
}

export type SecretListing =
  | { kind: "secrets"; secrets: SecretChoice[]; /** Disabled secrets (not offered). */ disabled: number; /** Unusable names dropped. */ dropped: number; /** More were listed than are kept. */ truncated: boolean }
  | { kind: "cannotList"; reason: string };

/** The metadata the SDK's SecretProperties carry that matter here (all untrusted). */
export interface SecretMetadata {
  name?: unknown;
  enabled?: unknown;
  contentType?: unknown;
  tags?: unknown;
  expiresOn?: unknown;
  updatedOn?: unknown;
}

const KEY_WORDS = /ssh|private[ _-]?key|openssh|pem|x-pem-file|id_rsa|id_ed25519/i;
const PASSWORD_WORDS = /password|passwd/i;

/** SSH key, password, or nothing, from what whoever stored the secret wrote in its contentType or tags. */
export function secretKindHint(contentType: unknown, tags: unknown): SecretChoice["looksLike"] {
  const words = [typeof contentType === "string" ? contentType : ""];
  if (tags !== null && typeof tags === "object") {
    for (const [k, v] of Object.entries(tags as Record<string, unknown>)) words.push(`${k}=${typeof v === "string" ? v : ""}`);
  }
  const all = words.join(" ").slice(0, 4096);
  const key = KEY_WORDS.test(all);
  const password = PASSWORD_WORDS.test(all);
  return key === password ? undefined : key ? "sshKey" : "password";
}

function epoch(v: unknown): number | undefined {
  return v instanceof Date && Number.isFinite(v.getTime()) ? v.getTime() : undefined;
}

/** Secrets of one vault as choices: disabled ones and bad names left out, sorted by name. */
export function secretChoices(items: readonly SecretMetadata[], vaultUrl: string, now: number): Omit<Extract<SecretListing, { kind: "secrets" }>, "kind" | "truncated"> {
  const secrets: SecretChoice[] = [];
  const seen = new Set<string>();
  let disabled = 0;
  let dropped = 0;
  for (const item of items) {
    if (!isSecretName(item.name)) {
      dropped++;
      continue;
    }
    if (item.enabled === false) {
      disabled++;
      continue;
    }
    if (seen.has(item.name.toLowerCase())) continue;
    seen.add(item.name.toLowerCase());
    const expiresOn = epoch(item.expiresOn);
    const updatedOn = epoch(item.updatedOn);
    const looksLike = secretKindHint(item.contentType, item.tags);
    secrets.push({ name: item.name, uri: `${vaultUrl}/secrets/${item.name}`, expired: expiresOn !== undefined && expiresOn <= now, ...(looksLike ? { looksLike } : {}), ...(updatedOn !== undefined ? { updatedOn } : {}) });
  }
  secrets.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true }));
  return { secrets, disabled, dropped };
}
