import type { TokenCredential } from "@azure/core-auth";
import type { AccessInputProvider } from "../access/accessInput";
import type { Grant } from "../access/grant";
import type { StepUpHandler } from "../azure/stepUp";
import type { Clock } from "../clock";
import type { CloudEnvironment } from "../cloud";
import type { CredentialChoiceStore } from "../credential/credentialSource";
import type { Logger } from "../logger";
import type { TunnelProgram } from "../ssh/hostsFile";
import type { InventoryFilter } from "./inventoryView";
import type { SshInvocation } from "./sshInvocation";

export interface JitConnectServiceOptions {
  cloud: CloudEnvironment;
  /** The signed-in identity (VS Code's Microsoft account, device code, Azure CLI or a service principal). */
  credential: TokenCredential;
  /** Asks the user to sign in again with the claims a service requested (MFA, authentication context). */
  stepUpHandler?: StepUpHandler;
  /** Asks the user for what a role's policy requires (justification, ticket, duration). */
  accessInput: AccessInputProvider;
  /** The extension's private storage folder: grants, profiles, the access journal. */
  storageDir: string;
  /** The user's home folder (a temporary one in tests). */
  home: string;
  /** The SSH config file that gets our Include block (remote.SSH.configFile or ~/.ssh/config). */
  userSshConfigFile?: string;
  /** Asked once before the Include block is added to the user's SSH config; false = only our own file. */
  confirmUserConfigEdit?: (file: string) => Promise<boolean>;
  sshPath?: string;
  tunnelProgram: TunnelProgram;
  credentialChoices: CredentialChoiceStore;
  logger?: Logger;
  localClock?: Clock;
  useResourceGraph?: boolean;
  /** Only these tenants / subscriptions (ids); empty = all the account can see. */
  filter?: InventoryFilter;
  notificationMarksMin?: readonly number[];
  /** Broker socket folder (tests run several services in one process). */
  brokerRuntimeDir?: string;
}

/**
 * The options a running service takes again when the user changes settings, without signing out:
 * the next inventory (or, for the filter, the one already loaded) follows them.
 */
export type ServiceSettings = Partial<Pick<JitConnectServiceOptions, "filter" | "useResourceGraph" | "sshPath" | "notificationMarksMin">>;

/** Everything a connection needs, after access, credential and SSH config are ready. */
export interface ConnectionInfo {
  alias: string;
  vmName: string;
  grant: Grant;
  auth: "key" | "password";
  /** Our generated SSH config. */
  configFile: string;
  /** The user's SSH config has our Include block (Remote-SSH needs it). */
  includeInstalled: boolean;
  userConfigFile: string;
  ssh: SshInvocation;
}

export type ConnectStep = (message: string) => void;
