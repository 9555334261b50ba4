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
  /** DNS suffix every vault host must end with, e.g. .vault.azure.net; anything else is refused. */
  keyVaultDnsSuffix: string;
  /** Portal URL, for "open in portal" links. */
  portalUrl: string;
  /**
   * True when the cloud is not one of Microsoft's: instance discovery against
   * login.microsoftonline.com is skipped (MSAL would otherwise call it for an unknown authority).
   */
  custom: boolean;
}

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
  portalUrl?: string;
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
  const url = (key: keyof CustomCloudSetting, fallback?: string): string => {
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
  const keyVaultDnsSuffix = (c.keyVaultDnsSuffix ?? "").trim();
  if (!keyVaultDnsSuffix) {
    throw new JitError("InvalidSetting", 'Setting azureJit.customCloud.keyVaultDnsSuffix is required when azureJit.cloud is "Custom" (for example ".vault.azure.net").');
  }
  return {
    name: c.name?.trim() || "Custom",
    authorityHost: url("authorityHost"),
    resourceManagerEndpoint,
    resourceManagerAudience,
    activeDirectoryResourceId: resourceId(c.activeDirectoryResourceId, resourceManagerAudience),
    keyVaultAudience: url("keyVaultAudience"),
    keyVaultDnsSuffix,
    portalUrl: c.portalUrl?.trim() || resourceManagerEndpoint,
    custom: true,
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

/**
 * True when `vaultUrl`'s host belongs to this cloud's Key Vault service. Secret URIs come from VM
 * tags, which anyone with tag-write access can set: a vault token is never sent anywhere else.
 */
export function isCloudVaultHost(cloud: CloudEnvironment, vaultUrl: URL): boolean {
  const suffix = cloud.keyVaultDnsSuffix.toLowerCase();
  const host = vaultUrl.host.toLowerCase(); // host includes the port, as suffixes for emulators may
  const hostname = vaultUrl.hostname.toLowerCase();
  if (suffix.startsWith(".")) return hostname.endsWith(suffix) && hostname.length > suffix.length;
  return host === suffix || hostname === suffix;
}
