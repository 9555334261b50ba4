/**
 * Errors of the product. The core throws `JitError` with a stable `code` and the original `cause`;
 * only the command boundary (src/vscode) turns one into a notification. Messages are in English
 * (they reach logs); the VS Code layer localises what it shows from the `code`.
 */

/** Stable, documented failure codes. A user can meet every one of these; none is a bug report. */
export type ErrorCode =
  // configuration and input
  | "InvalidSetting"
  | "InvalidInput"
  // sign-in
  | "NotSignedIn"
  | "ConditionalAccessBlocked"
  | "MfaRequired"
  | "DeviceNotCompliant"
  | "UntrustedLocation"
  | "AuthenticationFailed"
  | "StepUpRequired"
  // inventory / preflight
  | "VmNotFound"
  | "VmNotRunning"
  | "VmIsWindows"
  | "NoEligibleRole"
  | "NoJitPolicy"
  | "JitPortNotAllowed"
  /** The port-22 rule does not list the Bastion subnet prefix verbatim (nor `*`): JIT would refuse the request. */
  | "JitSourceNotAllowed"
  | "NoBastion"
  | "BastionTunnelingDisabled"
  | "NoCredentialSource"
  // PIM
  | "PolicyViolation"
  | "ApprovalDenied"
  | "ApprovalTimedOut"
  | "ActivationFailed"
  | "DeactivateTooSoon"
  | "RoleNotActive"
  // JIT
  | "JitRequestFailed"
  | "JitForbidden"
  // Key Vault / credential
  | "SecretNotFound"
  | "SecretForbidden"
  | "SecretUnusable"
  | "VaultNotAllowed"
  // a Bastion dnsName outside the cloud's Bastion service (no token is sent)
  | "BastionNotAllowed"
  // an ARM client sent to a host other than the cloud's Resource Manager (a nextLink; no token is sent)
  | "ArmHostNotAllowed"
  // Bastion tunnel
  | "BastionRefused"
  | "TunnelFailed"
  | "BrokerUnavailable"
  // SSH config
  | "SshConfigConflict"
  | "SshConfigUnsafeValue"
  // Azure in general
  | "Throttled"
  | "AzureRequestFailed"
  | "Forbidden"
  | "NetworkError"
  | "Timeout"
  | "Internal"
  // SSH host keys, local tools and private folders
  | "HostKeyChanged"
  | "SshClientMissing"
  | "PrivateFolderUnsafe"
  // local tunnel endpoints (src/core/bastion/localForwarder.ts)
  | "LocalPortUnavailable"
  // access flow (src/core/access): a Basic/Developer Bastion; a second request while one runs
  | "BastionSkuUnsupported"
  | "AccessInProgress"
  // Microsoft Entra ID login with SSH certificates (src/core/entraSsh)
  | "EntraExtensionMissing"
  | "EntraNoManagedIdentity"
  | "EntraLoginRoleNotActive"
  | "EntraCertificateRefused"
  | "EntraCertificateInvalid"
  | "EntraLoginNameInvalid"
  | "EntraSignInUnsupported";

export interface JitErrorOptions {
  cause?: unknown;
  /** Extra facts for logs and reports (never secrets). */
  details?: Record<string, string | number | boolean | undefined>;
}

export class JitError extends Error {
  override readonly name = "JitError";
  readonly code: ErrorCode;
  readonly details: Record<string, string | number | boolean | undefined>;

  constructor(code: ErrorCode, message: string, options: JitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True for errors thrown by this product (works across bundles, where `instanceof` does not). */
export function isJitError(e: unknown): e is JitError {
  return e instanceof Error && e.name === "JitError" && typeof (e as { code?: unknown }).code === "string";
}

/** The message of any thrown value, without assuming it is an Error. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/**
 * Wraps a failure as `Failed to <verb> <target>: <cause message>` keeping the cause, unless it is
 * already a JitError or a cancellation (which must keep flowing unchanged).
 */
export function wrapError(code: ErrorCode, verb: string, target: string, cause: unknown): Error {
  if (isJitError(cause) || isAbortLike(cause)) return cause as Error;
  return new JitError(code, `Failed to ${verb} ${target}: ${errorMessage(cause)}`, { cause });
}

function isAbortLike(e: unknown): boolean {
  return e instanceof Error && (e.name === "AbortError" || e.name === "CancellationError");
}
