/**
 * Every vault behind one https origin, told apart by the Host header (`<vault>.vault.localhost`),
 * as Key Vault's front end serves every `<vault>.vault.azure.net` on port 443. A Host that names no
 * vault gets 404 (real Azure has no DNS record for it; the simulator cannot fail earlier than this).
 */
import { KEY_VAULT_DOMAIN } from "../auth/audiences";
import { HttpError } from "../http/errors";
import { header, type SimRequest } from "../http/request";
import type { Reply } from "../http/router";
import type { VaultModel } from "../world/model";
import { handleVault, type VaultDeps } from "./vaultService";

/** `<vault name>.vault.localhost`, lower-case (vault names are DNS labels, unique per cloud). */
export function vaultHostName(vault: VaultModel): string {
  return `${vault.name.toLowerCase()}.${KEY_VAULT_DOMAIN}`;
}

/** Gives every vault its URI on the shared port and returns the request handler. */
export function vaultFrontEnd(vaults: readonly VaultModel[], port: number, deps: VaultDeps): (req: SimRequest) => Promise<Reply> {
  const byHost = new Map<string, VaultModel>();
  for (const vault of vaults) {
    vault.uri = `https://${vaultHostName(vault)}:${port}`;
    byHost.set(vaultHostName(vault), vault);
  }
  return async (req) => {
    const host = (header(req, "host") ?? "").toLowerCase().replace(/:\d+$/, "");
    const vault = byHost.get(host);
    if (!vault) throw new HttpError(404, "VaultNotFound", `No vault is served at host ${JSON.stringify(host.slice(0, 100))}.`);
    return handleVault(vault, deps, req);
  };
}
