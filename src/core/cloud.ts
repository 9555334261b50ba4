import { JitError } from "./errors";

/**
 * The endpoints of one Azure cloud. The public and sovereign clouds are built in; any other cloud
 * (Azure Stack, a private emulator such as the built-in simulator) is a custom cloud given in
 * settings. The product has one code path for all of them.
 */
export interface CloudEnvironment {
  /** Display name, e.g. "AzureCloud". */
  name: string;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** Azure Resource Manager endpoint, e.g. https://management.azure.com */
  resourceManagerEndpoint: string;
  /** Token audience for ARM; requested as `<audience>/.default`. */
  resourceManagerAudience: string;
  /**
   * The cloud's "active directory resource id" (az CLI's name): the ARM resource Microsoft's command-line
   * tools ask tokens for, `https://management.core.windows.net/` on the public cloud. The Bastion
   * data plane receives such a token as `aztoken` (azure-cli-extensions `src/bastion/azext_bastion/tunnel.py`
   * sends `Profile.get_raw_token()`, whose default resource is this id), so the product sends the same.
   */
  activeDirectoryResourceId: string;
  /** Key Vault token audience, e.g. https://vault.azure.net */
  keyVaultAudience: string;
  /**
   * DNS suffix every vault host must end with, on a dot boundary, e.g. .vault.azure.net (a leading
   * dot is implied when absent): exactly one label (the vault name) goes before it.
   */
  keyVaultDnsSuffix: string;
  /** Ports a vault host may use: 443 for Microsoft's clouds; a custom cloud may name its own. */
  keyVaultPorts: readonly number[];
  /**
   * DNS suffixes a Bastion's `dnsName` must end with (dot boundary) before an ARM token is sent to
   * it. Empty: no Bastion is trusted (a custom cloud without `bastionDnsSuffix`).
   */
  bastionDnsSuffixes: readonly string[];
  /** Ports a Bastion data-plane host may use: 443 unless a custom cloud says otherwise. */
  bastionPorts: readonly number[];
  /** Portal URL, for "open in portal" links. */
  portalUrl: string;
  /**
   * True when the cloud is not one of Microsoft's: instance discovery against
   * login.microsoftonline.com is skipped (MSAL would otherwise call it for an unknown authority).
   */
  custom: boolean;
  /** Scope of Entra ID SSH certificates (Azure Linux VM Sign-In) when a custom cloud names its own; see entraSsh/certificateSource.ts. */
  sshCertificateScope?: string;
}

const HTTPS_DEFAULT: readonly number[] = [443];

/** Endpoints of the built-in clouds; `activeDirectoryResourceId` as azure-cli-core `cloud.py` defines it per cloud. */
export const BUILT_IN_CLOUDS = {
  AzureCloud: {
    name: "AzureCloud",
    authorityHost: "https://login.microsoftonline.com",
    resourceManagerEndpoint: "https://management.azure.com",
    resourceManagerAudience: "https://management.azure.com",
    activeDirectoryResourceId: "https://management.core.windows.net/",
    keyVaultAudience: "https://vault.azure.net",
    keyVaultDnsSuffix: ".vault.azure.net",
    keyVaultPorts: HTTPS_DEFAULT,
    // Standard/Premium: bst-<guid>.bastion.azure.com; Developer: <pod>.<region>.bastionglobal.azure.com
    // (azure-rest-api-specs BastionHostGet.json / BastionHostDeveloperGet.json examples).
    bastionDnsSuffixes: ["bastion.azure.com", "bastionglobal.azure.com"],
    bastionPorts: HTTPS_DEFAULT,
    portalUrl: "https://portal.azure.com",
    custom: false,
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    authorityHost: "https://login.chinacloudapi.cn",
    resourceManagerEndpoint: "https://management.chinacloudapi.cn",
    resourceManagerAudience: "https://management.chinacloudapi.cn",
    activeDirectoryResourceId: "https://management.core.chinacloudapi.cn/",
    keyVaultAudience: "https://vault.azure.cn",
    keyVaultDnsSuffix: ".vault.azure.cn",
    keyVaultPorts: HTTPS_DEFAULT,
    bastionDnsSuffixes: ["bastion.azure.cn"], // assumed by analogy with AzureCloud (SECURITY.md)
    bastionPorts: HTTPS_DEFAULT,
    portalUrl: "https://portal.azure.cn",
    custom: false,
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    authorityHost: "https://login.microsoftonline.us",
    resourceManagerEndpoint: "https://management.usgovcloudapi.net",
    resourceManagerAudience: "https://management.usgovcloudapi.net",
    activeDirectoryResourceId: "https://management.core.usgovcloudapi.net/",
    keyVaultAudience: "https://vault.usgovcloudapi.net",
    keyVaultDnsSuffix: ".vault.usgovcloudapi.net",
    keyVaultPorts: HTTPS_DEFAULT,
    bastionDnsSuffixes: ["bastion.azure.us"], // assumed by analogy with AzureCloud (SECURITY.md)
    bastionPorts: HTTPS_DEFAULT,
    portalUrl: "https://portal.azure.us",
    custom: false,
  },
} as const satisfies Record<string, CloudEnvironment>;

export type BuiltInCloudName = keyof typeof BUILT_IN_CLOUDS;

/** The shape of the `azureJit.customCloud` setting (all URLs https). */
export interface CustomCloudSetting {
  name?: string;
  authorityHost?: string;
  resourceManagerEndpoint?: string;
  resourceManagerAudience?: string;
  /** Defaults to `resourceManagerAudience` (an Azure Stack's metadata gives one audience for both). */
  activeDirectoryResourceId?: string;
  keyVaultAudience?: string;
  keyVaultDnsSuffix?: string;
  /** Ports of the cloud's Key Vault front end (default [443]). */
  keyVaultPorts?: number[];
  /** The DNS suffix of the cloud's Bastion hosts; without it no Bastion receives a token. */
  bastionDnsSuffix?: string;
  /** Ports of the cloud's Bastion hosts (default [443]). */
  bastionPorts?: number[];
  portalUrl?: string;
  /** OAuth scope for Entra ID SSH certificates (default: the public cloud's PAS scope). */
  sshCertificateScope?: string;
}

/**
 * Resolves the cloud from settings. Every problem is reported with the setting name and what to
 * put there, because a wrong endpoint otherwise surfaces much later as a confusing network error.
 */
export function resolveCloud(cloudName: string, custom: CustomCloudSetting | undefined): CloudEnvironment {
  if (cloudName in BUILT_IN_CLOUDS) return BUILT_IN_CLOUDS[cloudName as BuiltInCloudName];
  if (cloudName !== "Custom") {
    throw new JitError("InvalidSetting", `Setting azureJit.cloud has the unknown value "${cloudName}". Use AzureCloud, AzureChinaCloud, AzureUSGovernment or Custom.`);
  }
  const c = custom ?? {};
  const url = (key: "authorityHost" | "resourceManagerEndpoint" | "resourceManagerAudience" | "keyVaultAudience", fallback?: string): string => {
    const value = (c[key] ?? fallback)?.trim();
    if (!value) throw new JitError("InvalidSetting", `Setting azureJit.customCloud.${key} is required when azureJit.cloud is "Custom".`);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new JitError("InvalidSetting", `Setting azureJit.customCloud.${key} is not a URL: "${value}".`);
    }
    if (parsed.protocol !== "https:") {
      throw new JitError("InvalidSetting", `Setting azureJit.customCloud.${key} must use https (Azure SDKs refuse to send tokens over http): "${value}".`);
    }
    return value.replace(/\/+$/, "");
  };
  const resourceManagerEndpoint = url("resourceManagerEndpoint");
  const resourceManagerAudience = url("resourceManagerAudience", resourceManagerEndpoint);
  const keyVaultDnsSuffix = normaliseSuffix(c.keyVaultDnsSuffix ?? "");
  if (!keyVaultDnsSuffix) {
    throw new JitError("InvalidSetting", 'Setting azureJit.customCloud.keyVaultDnsSuffix is required when azureJit.cloud is "Custom" (for example ".vault.azure.net").');
  }
  const bastionDnsSuffix = normaliseSuffix(c.bastionDnsSuffix ?? "");
  return {
    name: c.name?.trim() || "Custom",
    authorityHost: url("authorityHost"),
    resourceManagerEndpoint,
    resourceManagerAudience,
    activeDirectoryResourceId: resourceId(c.activeDirectoryResourceId, resourceManagerAudience),
    keyVaultAudience: url("keyVaultAudience"),
    keyVaultDnsSuffix: `.${keyVaultDnsSuffix}`,
    keyVaultPorts: ports("keyVaultPorts", c.keyVaultPorts),
    bastionDnsSuffixes: bastionDnsSuffix ? [bastionDnsSuffix] : [],
    bastionPorts: ports("bastionPorts", c.bastionPorts),
    portalUrl: c.portalUrl?.trim() || resourceManagerEndpoint,
    custom: true,
    ...(c.sshCertificateScope?.trim() ? { sshCertificateScope: c.sshCertificateScope.trim() } : {}),
  };
}

/**
 * A resource id as given: unlike the other URLs its trailing slash is meaningful (it is part of the
 * token audience, `https://management.core.windows.net/`), so it is kept.
 */
function resourceId(value: string | undefined, fallback: string): string {
  const text = value?.trim();
  if (!text) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new JitError("InvalidSetting", `Setting azureJit.customCloud.activeDirectoryResourceId is not a URL: "${text}".`);
  }
  if (parsed.protocol !== "https:") throw new JitError("InvalidSetting", `Setting azureJit.customCloud.activeDirectoryResourceId must use https: "${text}".`);
  return text;
}

/**
 * The OAuth scope of the token the Bastion data plane gets as `aztoken`: the resource id with
 * `/.default` appended and its trailing slash kept, exactly as az CLI's `resource_to_scopes` does
 * (`https://management.core.windows.net//.default`), so the token's audience is the resource id itself.
 */
export function bastionTokenScope(cloud: CloudEnvironment): string {
  return `${cloud.activeDirectoryResourceId}/.default`;
}

/** The OAuth scope for ARM in this cloud. */
export function armScope(cloud: CloudEnvironment): string {
  return `${cloud.resourceManagerAudience.replace(/\/+$/, "")}/.default`;
}

function ports(key: "keyVaultPorts" | "bastionPorts", value: number[] | undefined): readonly number[] {
  if (value === undefined) return HTTPS_DEFAULT;
  if (!Array.isArray(value) || value.length === 0 || !value.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
    throw new JitError("InvalidSetting", `Setting azureJit.customCloud.${key} must be a non-empty list of TCP ports (for example [443]).`);
  }
  return value;
}

/** `.vault.azure.net`, `vault.azure.net` and `VAULT.azure.net.` all name the same domain. */
function normaliseSuffix(suffix: string): string {
  return suffix.trim().toLowerCase().replace(/^\.+/, "").replace(/\.+$/, "");
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True when `url` is an https origin of a service: no user info, an effective port in `allowedPorts`,
 * and a host name made of `labels` DNS labels ("one": exactly one, "any": zero or more) followed by
 * one of `suffixes` on a dot boundary. The host is compared in the URL parser's canonical form
 * (lower-case, IDNs in punycode); a trailing dot, an IP address or an empty label is refused.
 */
export function isServiceHost(url: URL, suffixes: readonly string[], allowedPorts: readonly number[], labels: "one" | "any"): boolean {
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "") return false;
  const port = url.port === "" ? 443 : Number(url.port);
  if (!allowedPorts.includes(port)) return false;
  const hostname = url.hostname;
  for (const raw of suffixes) {
    const suffix = normaliseSuffix(raw);
    if (suffix === "") continue;
    if (hostname === suffix && labels === "any") return true;
    if (!hostname.endsWith(`.${suffix}`)) continue;
    const prefix = hostname.slice(0, hostname.length - suffix.length - 1).split(".");
    if (labels === "one" && prefix.length !== 1) continue;
    if (prefix.every((label) => DNS_LABEL.test(label))) return true;
  }
  return false;
}

/**
 * True when `vaultUrl` is a vault of this cloud's Key Vault service (host AND port). Secret URIs
 * come from VM tags, which anyone with tag-write access can set: a vault token goes nowhere else.
 */
export function isCloudVaultHost(cloud: CloudEnvironment, vaultUrl: URL): boolean {
  return isServiceHost(vaultUrl, [cloud.keyVaultDnsSuffix], cloud.keyVaultPorts, "one");
}

/**
 * True when `endpoint` is a Bastion data-plane host of this cloud (host AND port). The `dnsName`
 * comes from ARM and the user's ARM token goes with the session request: whoever received it could
 * act as the user, so it goes nowhere but the cloud's Bastion service.
 */
export function isCloudBastionHost(cloud: CloudEnvironment, endpoint: URL): boolean {
  return isServiceHost(endpoint, cloud.bastionDnsSuffixes, cloud.bastionPorts, "any");
}
