import type { WorkspaceConfiguration } from "vscode";
import type { CustomCloudSetting } from "../core/cloud";

/**
 * The extension's settings, typed, in one place (house style, practice 17). Everything reads them
 * through `readConfig`, which takes only `get` so that tests can pass a plain object; defaults and
 * enums here are checked against package.json by a test.
 */

export const CONFIG_SECTION = "azureJit";

export const AUTH_METHODS = ["vscode", "deviceCode", "azureCli", "servicePrincipal"] as const;
export const CLOUD_NAMES = ["AzureCloud", "AzureChinaCloud", "AzureUSGovernment", "Custom"] as const;
export const GROUP_BY = ["subscription", "resourceGroup", "status"] as const;
export const CONNECT_METHODS = ["auto", "remoteSsh", "terminal"] as const;

export type AuthMethod = (typeof AUTH_METHODS)[number];
export type GroupBy = (typeof GROUP_BY)[number];
export type ConnectMethod = (typeof CONNECT_METHODS)[number];

/** Every setting under `azureJit.`, with the default package.json declares. */
export const SETTING_DEFAULTS = {
  cloud: "AzureCloud",
  customCloud: {},
  "auth.method": "vscode",
  "auth.tenantId": "organizations",
  "auth.clientId": "",
  "auth.certificatePath": "",
  "filter.tenants": [],
  "filter.subscriptions": [],
  "tree.groupBy": "subscription",
  "inventory.useResourceGraph": true,
  "access.defaultDurationMinutes": 60,
  /** The former ISO 8601 form, still read (see `preselectedDuration`). */
  "access.defaultDuration": "",
  "access.expiryWarningMinutes": [10, 5],
  "ssh.configFile": "",
  "ssh.path": "ssh",
  "connect.method": "auto",
  "connect.remoteFolder": "",
  "demo.simulatorControlUrl": "",
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;

/** The settings that take one of a closed set of values. */
export const SETTING_ENUMS: Partial<Record<SettingKey, readonly string[]>> = {
  cloud: CLOUD_NAMES,
  "auth.method": AUTH_METHODS,
  "tree.groupBy": GROUP_BY,
  "connect.method": CONNECT_METHODS,
};

export interface JitConfig {
  /** Validated by `resolveCloud`, which names the setting when it is wrong. */
  cloud: string;
  customCloud: CustomCloudSetting;
  auth: { method: AuthMethod; tenantId: string; clientId: string; certificatePath: string };
  filter: { tenants: string[]; subscriptions: string[] };
  groupBy: GroupBy;
  useResourceGraph: boolean;
  /** ISO 8601 (the access flow parses and clamps it), from the minutes setting or the former ISO one. */
  defaultDuration: string;
  expiryWarningMinutes: number[];
  ssh: { configFile: string; path: string };
  connect: { method: ConnectMethod; remoteFolder: string };
  simulatorControlUrl: string;
}

export interface ConfigReading {
  config: JitConfig;
  /** English lines for the log: values that were ignored, and why. */
  problems: string[];
}

type ConfigSource = Pick<WorkspaceConfiguration, "get">;

/** Reads and validates `azureJit.*` (the section's configuration object, or any `get`). */
export function readConfig(cfg: ConfigSource): ConfigReading {
  const problems: string[] = [];
  const str = (key: SettingKey, fallback: string): string => {
    const value = cfg.get<unknown>(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === "string") return value.trim();
    problems.push(`Setting ${CONFIG_SECTION}.${key} must be a string; using "${fallback}".`);
    return fallback;
  };
  const oneOf = <T extends string>(key: SettingKey, allowed: readonly T[], fallback: T): T => {
    const value = str(key, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`Setting ${CONFIG_SECTION}.${key} has the unknown value "${value}"; using "${fallback}". Allowed: ${allowed.join(", ")}.`);
    return fallback;
  };
  const strings = (key: SettingKey): string[] => {
    const value = cfg.get<unknown>(key);
    if (!Array.isArray(value)) return [];
    return value.filter((v): v is string => typeof v === "string" && v.trim() !== "").map((v) => v.trim());
  };
  const customCloud = cfg.get<unknown>("customCloud");
  const minutes = cfg.get<unknown>("access.expiryWarningMinutes");
  const warning = Array.isArray(minutes) ? minutes.filter((m): m is number => typeof m === "number" && Number.isFinite(m) && m >= 1) : [...SETTING_DEFAULTS["access.expiryWarningMinutes"]];
  const useResourceGraph = cfg.get<unknown>("inventory.useResourceGraph");
  const defaultDuration = preselectedDuration(cfg.get<unknown>("access.defaultDurationMinutes"), cfg.get<unknown>("access.defaultDuration"), problems);

  const config: JitConfig = {
    cloud: str("cloud", SETTING_DEFAULTS.cloud),
    customCloud: typeof customCloud === "object" && customCloud !== null && !Array.isArray(customCloud) ? (customCloud as CustomCloudSetting) : {},
    auth: {
      method: oneOf("auth.method", AUTH_METHODS, SETTING_DEFAULTS["auth.method"]),
      tenantId: str("auth.tenantId", SETTING_DEFAULTS["auth.tenantId"]) || SETTING_DEFAULTS["auth.tenantId"],
      clientId: str("auth.clientId", SETTING_DEFAULTS["auth.clientId"]),
      certificatePath: str("auth.certificatePath", SETTING_DEFAULTS["auth.certificatePath"]),
    },
    filter: { tenants: strings("filter.tenants"), subscriptions: strings("filter.subscriptions") },
    groupBy: oneOf("tree.groupBy", GROUP_BY, SETTING_DEFAULTS["tree.groupBy"]),
    useResourceGraph: typeof useResourceGraph === "boolean" ? useResourceGraph : SETTING_DEFAULTS["inventory.useResourceGraph"],
    defaultDuration,
    expiryWarningMinutes: [...new Set(warning)].sort((a, b) => b - a),
    ssh: { configFile: str("ssh.configFile", SETTING_DEFAULTS["ssh.configFile"]), path: str("ssh.path", SETTING_DEFAULTS["ssh.path"]) || SETTING_DEFAULTS["ssh.path"] },
    connect: { method: oneOf("connect.method", CONNECT_METHODS, SETTING_DEFAULTS["connect.method"]), remoteFolder: str("connect.remoteFolder", SETTING_DEFAULTS["connect.remoteFolder"]) },
    simulatorControlUrl: str("demo.simulatorControlUrl", SETTING_DEFAULTS["demo.simulatorControlUrl"]),
  };
  return { config, problems };
}

const MIN_DURATION_MINUTES = 5;
const MAX_DURATION_MINUTES = 24 * 60;

/**
 * The preselected access duration as ISO 8601. `access.defaultDurationMinutes` (readable minutes)
 * replaced the ISO `access.defaultDuration`; a value someone set in the old key still counts as long
 * as the new one is left at its default, so an upgrade changes nothing for them.
 */
export function preselectedDuration(minutesSetting: unknown, legacySetting: unknown, problems: string[] = []): string {
  const fallback = SETTING_DEFAULTS["access.defaultDurationMinutes"];
  let minutes: number = fallback;
  if (minutesSetting !== undefined && minutesSetting !== null) {
    if (typeof minutesSetting === "number" && Number.isFinite(minutesSetting) && minutesSetting >= MIN_DURATION_MINUTES && minutesSetting <= MAX_DURATION_MINUTES) minutes = Math.round(minutesSetting);
    else problems.push(`Setting ${CONFIG_SECTION}.access.defaultDurationMinutes must be a number of minutes from ${MIN_DURATION_MINUTES} to ${MAX_DURATION_MINUTES}; using ${fallback}.`);
  }
  const legacy = typeof legacySetting === "string" ? legacySetting.trim() : "";
  if (minutes === fallback && legacy !== "") {
    if (/^PT(?=\d)(\d+H)?(\d+M)?$/i.test(legacy)) return legacy.toUpperCase();
    problems.push(`Setting ${CONFIG_SECTION}.access.defaultDuration "${legacy}" is not an ISO 8601 duration such as PT1H; using ${fallback} minutes.`);
  }
  return `PT${minutes}M`;
}

/**
 * What a settings change asks of the running extension: sign in again (another cloud or account),
 * rebuild the service keeping the sign-in (another SSH config file), apply to the running service,
 * or only redraw.
 */
export type ConfigImpact = "identity" | "paths" | "service" | "tree" | "demo" | "none";

const IMPACT: Record<SettingKey, ConfigImpact> = {
  cloud: "identity",
  customCloud: "identity",
  "auth.method": "identity",
  "auth.tenantId": "identity",
  "auth.clientId": "identity",
  "auth.certificatePath": "identity",
  "filter.tenants": "service",
  "filter.subscriptions": "service",
  "tree.groupBy": "tree",
  "inventory.useResourceGraph": "service",
  "access.defaultDurationMinutes": "none",
  "access.defaultDuration": "none",
  "access.expiryWarningMinutes": "service",
  "ssh.configFile": "paths",
  "ssh.path": "service",
  "connect.method": "none",
  "connect.remoteFolder": "none",
  "demo.simulatorControlUrl": "demo",
};

/** The impacts of the settings `affects` says changed (VS Code's `affectsConfiguration`). */
export function impactsOf(affects: (section: string) => boolean): Set<ConfigImpact> {
  const impacts = new Set<ConfigImpact>();
  for (const [key, impact] of Object.entries(IMPACT)) if (affects(`${CONFIG_SECTION}.${key}`)) impacts.add(impact);
  // Remote-SSH's own config file setting decides where our Include block goes.
  if (affects("remote.SSH.configFile")) impacts.add("paths");
  return impacts;
}

/** One log line with the effective settings. None of them is a secret (the SP secret is in SecretStorage). */
export function describeConfig(config: JitConfig): string {
  const cloud = config.cloud === "Custom" ? `Custom (${config.customCloud.name ?? "unnamed"}, ARM ${config.customCloud.resourceManagerEndpoint ?? "?"})` : config.cloud;
  const filter = config.filter.tenants.length + config.filter.subscriptions.length === 0 ? "none" : `${config.filter.tenants.length} tenant(s), ${config.filter.subscriptions.length} subscription(s)`;
  return [
    `cloud=${cloud}`,
    `auth=${config.auth.method}`,
    `tenant=${config.auth.tenantId}`,
    ...(config.auth.clientId ? [`clientId=${config.auth.clientId}`] : []),
    ...(config.auth.certificatePath ? ["certificate=set"] : []),
    `filter=${filter}`,
    `groupBy=${config.groupBy}`,
    `resourceGraph=${config.useResourceGraph}`,
    `defaultDuration=${config.defaultDuration}`,
    `expiryWarnings=${config.expiryWarningMinutes.join("/")}min`,
    `ssh=${config.ssh.path}${config.ssh.configFile ? ` (config ${config.ssh.configFile})` : ""}`,
    `connect=${config.connect.method}${config.connect.remoteFolder ? ` ${config.connect.remoteFolder}` : ""}`,
    ...(config.simulatorControlUrl ? [`demo=${config.simulatorControlUrl}`] : []),
  ].join(", ");
}
