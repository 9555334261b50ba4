import { parseArmId } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { statusOf } from "../azure/azureErrors";
import { throwIfAborted, isCancellation } from "../cancellation";
import { isCloudVaultHost } from "../cloud";
import { errorMessage, JitError, isJitError } from "../errors";
import { mapWithConcurrency } from "../inventory/concurrency";
import { queryResources, resourceGraphUnavailable } from "../inventory/resourceGraph";
import { describeUntrusted } from "../ssh/untrustedText";
import { type SecretListing, type SecretMetadata, secretChoices, type VaultListing, type VaultSearchVm, vaultChoices } from "./vaultCatalog";

export type { SecretChoice, SecretListing, VaultChoice, VaultListing, VaultSearchVm } from "./vaultCatalog";

/**
 * Choose Credential's two reads (issue 11, point 5):
 * - the Key Vaults the user can see in the subscriptions of the VM's tenant, through Resource Graph as the
 *   inventory reads everything else, or Key Vault's own list when Resource Graph is off or down
 *   (both return only resources the caller may read);
 * - the secrets of one vault, with the Key Vault SDK's `listPropertiesOfSecrets` (metadata only,
 *   never a value; the SDK follows `nextLink`).
 * A refusal (403: Reader without the vault, or a role with getSecret but not readMetadata) is an
 * answer, not an error: `cannotList` with the reason, and the UI asks for a typed URI instead.
 */

export const VAULT_TYPE = "microsoft.keyvault/vaults";
/** At most this many secrets are kept from one vault (a vault with more is listed in part). */
export const MAX_SECRETS = 2000;

/**
 * Key Vault's management API version for `Vaults_ListBySubscription` (azure-rest-api-specs
 * `specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/keyvault.json`).
 */
export const KEY_VAULT_ARM_API_VERSION = "2023-07-01";

export interface VaultListingOptions {
  /** As the inventory's `azureJit.useResourceGraph`: false lists with the Key Vault provider's own API. */
  useResourceGraph?: boolean;
}

/**
 * The vaults the user can see in the VM's subscription and the other subscriptions of its tenant
 * (`otherSubscriptionIds`); `cannotList` when Azure refuses for every subscription searched. Resource
 * Graph first (one query, what the inventory uses); when it is turned off or unavailable (not
 * registered, throttled, down), Key Vault's own `GET /subscriptions/{id}/providers/Microsoft.KeyVault/vaults`.
 * Both return only the vaults the caller may read.
 */
export async function listVaultsForVm(ctx: AzureContext, vm: VaultSearchVm, signal?: AbortSignal, options: VaultListingOptions = {}): Promise<VaultListing> {
  throwIfAborted(signal);
  let rows: Record<string, unknown>[];
  try {
    rows = await vaultRows(ctx, vm, options.useResourceGraph !== false, signal);
  } catch (e) {
    if (isCancellation(e) || !isJitError(e)) throw e;
    if (e.code === "Forbidden" || statusOf(e) === 403) {
      ctx.logger.info(`Listing the Key Vaults of subscription ${vm.subscriptionId} was refused: ${e.message}`);
      return { kind: "cannotList", reason: `Azure refused to list the Key Vaults of subscription ${vm.subscriptionId} (${e.message}).` };
    }
    throw e;
  }
  const { vaults, dropped } = vaultChoices(rows, vm, ctx.cloud);
  if (dropped > 0) ctx.logger.warn(`Left out ${dropped} Key Vault row(s) whose name or vault URI is not a Key Vault of ${ctx.cloud.name}.`);
  return { kind: "vaults", vaults, dropped };
}

async function vaultRows(ctx: AzureContext, vm: VaultSearchVm, useResourceGraph: boolean, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const subscriptions = subscriptionsToSearch(vm);
  if (useResourceGraph) {
    try {
      return await queryResources(ctx, vm.tenantId, subscriptions, [VAULT_TYPE], signal);
    } catch (e) {
      if (isCancellation(e) || !resourceGraphUnavailable(e)) throw e;
      ctx.logger.info(`Azure Resource Graph is unavailable (${errorMessage(e)}); listing the Key Vaults with Key Vault's own API instead.`);
    }
  }
  // One list per subscription. A subscription that refuses (no vaults/read there) is left out and
  // said in the log; only when every one refuses is the listing refused.
  const refusals: unknown[] = [];
  const lists = await mapWithConcurrency(
    subscriptions,
    8,
    async (subscriptionId) => {
      const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.KeyVault/vaults`;
      try {
        return await callAzure(ctx, `list the Key Vaults of subscription ${subscriptionId}`, () => ctx.clients.armList(vm.tenantId).listAll(path, KEY_VAULT_ARM_API_VERSION, signal));
      } catch (e) {
        if (isCancellation(e)) throw e;
        ctx.logger.info(`Left out the Key Vaults of subscription ${subscriptionId}: ${errorMessage(e)}`);
        refusals.push(e);
        return [];
      }
    },
    signal,
  );
  if (refusals.length === subscriptions.length) throw refusals[0];
  return lists.flat().filter(isRecord).map(withResourceGroup);
}

/** The VM's subscription first, then the other subscriptions of its tenant, each once. */
function subscriptionsToSearch(vm: VaultSearchVm): string[] {
  const seen = new Set<string>();
  return [vm.subscriptionId, ...(vm.otherSubscriptionIds ?? [])].filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** ARM's vault objects carry no `resourceGroup` column (Resource Graph's rows do): it is read from the id. */
function withResourceGroup(item: Record<string, unknown>): Record<string, unknown> {
  const resourceGroup = typeof item.id === "string" ? parseArmId(item.id)?.resourceGroup : undefined;
  return resourceGroup === undefined ? item : { ...item, resourceGroup };
}

/**
 * The enabled secrets of a vault (names, content type and tags only). The vault host must be one of
 * this cloud's Key Vault hosts (host AND port) before any token is sent: VaultNotAllowed otherwise.
 */
export async function listSecretsInVault(ctx: AzureContext, vaultUrl: string, signal?: AbortSignal): Promise<SecretListing> {
  throwIfAborted(signal);
  let url: URL;
  try {
    url = new URL(vaultUrl);
  } catch (cause) {
    throw new JitError("InvalidInput", `${describeUntrusted(vaultUrl)} is not a Key Vault URL.`, { cause });
  }
  if (!isCloudVaultHost(ctx.cloud, url) || url.pathname !== "/") {
    throw new JitError("VaultNotAllowed", `${url.host} is not a Key Vault of the ${ctx.cloud.name} cloud (vault hosts end with "${ctx.cloud.keyVaultDnsSuffix}"). No token was sent.`, { details: { vaultHost: url.host } });
  }
  const origin = url.origin;
  const what = `the secrets of vault ${url.host}`;
  let items: SecretMetadata[] = [];
  let truncated = false;
  try {
    await callAzure(ctx, `list ${what}`, async () => {
      items = [];
      truncated = false;
      for await (const p of ctx.clients.secrets(origin).listPropertiesOfSecrets({ abortSignal: signal })) {
        if (items.length >= MAX_SECRETS) {
          truncated = true;
          break;
        }
        // Only metadata is copied; SecretProperties carries no value.
        items.push({ name: p.name, enabled: p.enabled, contentType: p.contentType, tags: p.tags, expiresOn: p.expiresOn, updatedOn: p.updatedOn });
      }
    });
  } catch (e) {
    if (isCancellation(e) || signal?.aborted) throw e;
    if (statusOf(e) === 403) {
      ctx.logger.info(`Listing ${what} was refused (403); the user can still type a secret URI.`);
      return {
        kind: "cannotList",
        reason: `You may not list ${what}: listing needs Microsoft.KeyVault/vaults/secrets/readMetadata/action (for example "Key Vault Secrets User"), or the vault's firewall refused this network. Reading a secret you name can still work.`,
      };
    }
    throw e;
  }
  const listed = secretChoices(items, origin, ctx.clock.now());
  if (listed.dropped > 0) ctx.logger.warn(`Left out ${listed.dropped} secret(s) of ${url.host} whose name is not a Key Vault secret name.`);
  return { kind: "secrets", ...listed, truncated };
}
