import type { CloudEnvironment } from "../cloud";
import type { Logger } from "../logger";

/** What the device-code flow shows the user (the VS Code layer renders it; tests approve it). */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** Entra's own sentence, e.g. "To sign in, use a web browser to open …". */
  message: string;
  /** The tenant being signed in to ("organizations" for the first sign-in; a guest tenant later). */
  tenantId: string;
  /** Settles when this device-code flow ends (signed in, failed or cancelled): the prompt can go. */
  finished: Promise<void>;
  /** Stops waiting for the code to be entered (the sign-in then fails as cancelled). */
  cancel(): void;
}

export type DeviceCodePromptPort = (prompt: DeviceCodePrompt) => void;

/**
 * Where the token cache (accounts, refresh tokens) is kept between VS Code sessions: the VS Code
 * layer puts it in `SecretStorage` (the OS keychain), so a window reload does not mean a new
 * sign-in. The serialized cache is a secret; it never reaches a file of ours or a log.
 */
export interface TokenCachePersistence {
  load(): Promise<string | undefined>;
  save(serialized: string): Promise<void>;
}

/**
 * How the product signs in when it does not use VS Code's own account (`azureJit.auth.method`).
 * `vscode` is not here: the VS Code layer builds that TokenCredential itself.
 */
export type CredentialConfig =
  | { method: "deviceCode"; cloud: CloudEnvironment; tenantId: string; clientId: string; userPrompt: DeviceCodePromptPort; persistence?: TokenCachePersistence; logger?: Logger }
  | { method: "servicePrincipal"; cloud: CloudEnvironment; tenantId: string; clientId: string; clientSecret: string }
  | { method: "servicePrincipal"; cloud: CloudEnvironment; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string }
  | { method: "azureCli"; cloud: CloudEnvironment; tenantId?: string };
