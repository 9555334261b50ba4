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
  /** Scope of Entra ID SSH certificates (Azure Linux VM Sign-In) when a custom cloud names its own; see entraSsh/certificateSource.ts. */
  sshCertificateScope?: string;
}

export const BUILT_IN_CLOUDS = {
  AzureCloud: {
    name: "AzureCloud",
    authorityHost: "https://login.microsoftonline.com",
    resourceManagerEndpoint: "https://management.azure.com",
    resourceManagerAudience: "https://management.azure.com",
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
  keyVaultAudience?: string;
  keyVaultDnsSuffix?: string;
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
  const keyVaultDnsSuffix = (c.keyVaultDnsSuffix ?? "").trim();
  if (!keyVaultDnsSuffix) {
    throw new JitError("InvalidSetting", 'Setting azureJit.customCloud.keyVaultDnsSuffix is required when azureJit.cloud is "Custom" (for example ".vault.azure.net").');
  }
  return {
    name: c.name?.trim() || "Custom",
    authorityHost: url("authorityHost"),
    resourceManagerEndpoint,
    resourceManagerAudience: url("resourceManagerAudience", resourceManagerEndpoint),
    keyVaultAudience: url("keyVaultAudience"),
    keyVaultDnsSuffix,
    portalUrl: c.portalUrl?.trim() || resourceManagerEndpoint,
    custom: true,
    ...(c.sshCertificateScope?.trim() ? { sshCertificateScope: c.sshCertificateScope.trim() } : {}),
  };
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
