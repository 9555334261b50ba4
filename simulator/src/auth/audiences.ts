/**
 * Token audiences. ARM accepts its own URL, `https://management.azure.com` and
 * `https://management.core.windows.net/` (with or without the trailing slash): official tooling
 * requests all of them (§0.2, §6.5). Key Vault tokens carry the vault audience: the simulator is a
 * custom cloud whose vaults live at `https://<vault>.vault.localhost:<port>`, so its Key Vault
 * resource is `https://vault.localhost`, the parent domain of every vault host, as
 * `https://vault.azure.net` is for `*.vault.azure.net` (azure-facts.md §8).
 */
export const KEY_VAULT_DOMAIN = "vault.localhost";
export const KEY_VAULT_AUDIENCE = `https://${KEY_VAULT_DOMAIN}`;
const PUBLIC_ARM_AUDIENCES = ["https://management.azure.com", "https://management.core.windows.net"];

const norm = (v: string): string => v.trim().replace(/\/+$/, "").toLowerCase();

export function isArmAudience(aud: string, armOrigin: string): boolean {
  const a = norm(aud);
  return a === norm(armOrigin) || PUBLIC_ARM_AUDIENCES.includes(a);
}

export function isVaultAudience(aud: string): boolean {
  return norm(aud) === KEY_VAULT_AUDIENCE;
}

/** The resource a `<resource>/.default` scope names, and which service it is. */
export function resourceOfScope(scope: string, armOrigin: string): { resource: string; kind: "arm" | "keyvault" } | { resource: string; kind: undefined } {
  const resourceScope = scope.split(/\s+/).find((s) => s.length > 0 && !["openid", "profile", "offline_access", "email"].includes(s)) ?? "";
  const m = /^(.*?)\/(?:\.default|user_impersonation)$/.exec(resourceScope);
  const resource = m ? m[1]! : resourceScope;
  // `https://management.core.windows.net//.default` names the resource `https://management.core.windows.net/`.
  const kind = isArmAudience(resource, armOrigin) ? "arm" : isVaultAudience(resource) ? "keyvault" : undefined;
  return { resource, kind };
}
