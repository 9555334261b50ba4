import * as vscode from "vscode";
import { notify } from "../notify";
import { isCancellation } from "../../core/cancellation";
import { type ErrorCode, isJitError, type JitError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import { redact } from "../../core/redact";
import type { CommandId } from "../commands/commandIds";
import type { AuthMethod } from "../config";
import { describeUnknownError } from "./describeUnknownError";

/** What a failed operation was about, so the buttons can act on the same VM. */
export interface ErrorContext {
  /** English, for the log: "azureJit.connect", "background refresh". */
  operation: string;
  /** The VM the operation was for (Retry, Check Connectivity, Choose Credential...). */
  vmId?: string;
  /** Runs the operation again. */
  retry?: () => unknown;
}

type Action = "showLog" | "retry" | "checkConnectivity" | "openSettings" | "chooseCredential" | "signIn" | "useDeviceCode" | "requestAccess" | "startVm" | "forgetHostKey" | "refresh" | "cancelRequest" | "command";

interface Presentation {
  /** Localised headline (a full sentence, naming the cause). */
  headline: string;
  /** Append the core's specific (English) message after the headline. */
  withDetail: boolean;
  actions: Action[];
  severity: "error" | "warning";
}

/**
 * The only place that shows errors (house style, practice 11). It maps `JitError` codes to
 * localised messages with buttons that help ("Sign In", "Check Connectivity", "Choose
 * Credential"...), keeps cancellation silent, and logs the whole story, cause included; the raw
 * Azure text (AADSTS lines, ARM bodies) goes to the log only.
 */
export class ErrorPresenter {
  constructor(private readonly deps: { logger: Logger; authMethod: () => AuthMethod; showLog: () => void }) {}

  async show(error: unknown, context: ErrorContext): Promise<void> {
    if (isCancellation(error)) {
      this.deps.logger.info(`${context.operation}: cancelled`);
      return;
    }
    let presentation: Presentation;
    let text: string;
    if (isJitError(error)) {
      presentation = presentationFor(error, this.deps.authMethod());
      this.deps.logger.error(`${context.operation} failed: [${error.code}] ${redact(error.message)}${await causeChain(error)}`);
      text = presentation.withDetail ? `${presentation.headline} ${redact(error.message)}` : presentation.headline;
    } else {
      const described = await describeUnknownError(error);
      this.deps.logger.error(`${context.operation} failed unexpectedly (${described.type}): ${described.message}${error instanceof Error && error.stack ? `\n${redact(error.stack)}` : ""}`);
      presentation = { headline: vscode.l10n.t("Something went wrong."), withDetail: true, actions: ["showLog"], severity: "error" };
      text = vscode.l10n.t("Something went wrong: {0}", described.message);
    }
    await this.offer(text, presentation, error, context);
  }

  private async offer(text: string, p: Presentation, error: unknown, context: ErrorContext): Promise<void> {
    const l10n = vscode.l10n;
    const jit = isJitError(error) ? error : undefined;
    const setting = jit ? settingNamed(jit) : undefined;
    const command = typeof jit?.details.command === "string" ? (jit.details.command as CommandId) : undefined;
    const buttons = new Map<string, () => unknown>();
    const run = (id: CommandId, ...args: unknown[]) => () => vscode.commands.executeCommand(id, ...args);
    for (const action of p.actions) {
      switch (action) {
        case "retry":
          if (context.retry) buttons.set(l10n.t("Retry"), context.retry);
          break;
        case "checkConnectivity":
          if (context.vmId) buttons.set(l10n.t("Check Connectivity"), run("azureJit.checkConnectivity", context.vmId));
          break;
        case "openSettings":
          buttons.set(l10n.t("Open Settings"), () => vscode.commands.executeCommand("workbench.action.openSettings", setting ?? "azureJit"));
          break;
        case "chooseCredential":
          if (context.vmId) buttons.set(l10n.t("Choose Credential"), run("azureJit.chooseCredential", context.vmId));
          break;
        case "signIn":
          buttons.set(l10n.t("Sign In"), run("azureJit.signIn"));
          break;
        case "useDeviceCode":
          if (this.deps.authMethod() !== "deviceCode") {
            buttons.set(l10n.t("Use Device Code Sign-In"), () => vscode.workspace.getConfiguration("azureJit").update("auth.method", "deviceCode", vscode.ConfigurationTarget.Global));
          }
          break;
        case "requestAccess":
          if (context.vmId) buttons.set(l10n.t("Request Access"), run("azureJit.requestAccess", context.vmId));
          break;
        case "startVm":
          if (context.vmId) buttons.set(l10n.t("Start VM"), run("azureJit.startVm", context.vmId));
          break;
        case "forgetHostKey":
          if (context.vmId) buttons.set(l10n.t("Forget Host Key"), run("azureJit.forgetHostKey", context.vmId));
          break;
        case "refresh":
          buttons.set(l10n.t("Refresh"), run("azureJit.refresh"));
          break;
        case "cancelRequest":
          if (context.vmId) buttons.set(l10n.t("Cancel Request"), run("azureJit.cancelRequest", context.vmId));
          break;
        case "command":
          if (command === "azureJit.setServicePrincipalSecret") buttons.set(l10n.t("Set Secret"), run(command));
          break;
        case "showLog":
          break;
      }
    }
    // The most helpful buttons first (notifications show few), "Show Log" last, always: the log has the cause.
    const labels = [...buttons.keys()].slice(0, 3);
    const showLog = l10n.t("Show Log");
    buttons.set(showLog, () => this.deps.showLog());
    labels.push(showLog);
    const show = p.severity === "warning" ? notify.warn : notify.error;
    // Not awaited by callers' flows: a notification may stay open for a long time.
    const choice = await show(text, ...labels);
    if (choice) await buttons.get(choice)?.();
  }
}

/** The `azureJit.*` setting an InvalidSetting message names (to open Settings right there). */
function settingNamed(e: JitError): string | undefined {
  if (typeof e.details.setting === "string") return e.details.setting;
  return /\b((?:azureJit|remote\.SSH|microsoft-sovereign-cloud)\.[A-Za-z.]+[A-Za-z])/.exec(e.message)?.[1];
}

async function causeChain(e: Error): Promise<string> {
  const parts: string[] = [];
  let cause: unknown = e.cause;
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    const described = isJitError(cause) ? { type: cause.code, message: redact(cause.message) } : await describeUnknownError(cause);
    parts.push(`\n  caused by (${described.type}): ${described.message}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join("");
}

function presentationFor(e: JitError, method: AuthMethod): Presentation {
  const l10n = vscode.l10n;
  const detail = (headline: string, actions: Action[] = [], severity: Presentation["severity"] = "error"): Presentation => ({ headline, withDetail: true, actions, severity });
  const plain = (headline: string, actions: Action[] = [], severity: Presentation["severity"] = "error"): Presentation => ({ headline, withDetail: false, actions, severity });
  const code: ErrorCode = e.code;
  switch (code) {
    case "InvalidSetting":
      return detail(l10n.t("A setting needs attention."), ["command", "openSettings"]);
    case "InvalidInput":
      return detail(l10n.t("That input cannot be used."), [], "warning");
    case "NotSignedIn":
      return detail(l10n.t("You are not signed in to Azure, or the sign-in has expired."), ["signIn"], "warning");
    // Conditional Access: the cause and what to do, in plain words; the AADSTS text is in the log.
    case "MfaRequired":
      return plain(l10n.t("Your organisation requires multi-factor authentication for this. Sign in again and complete the MFA prompt."), ["signIn", "useDeviceCode"], "warning");
    case "DeviceNotCompliant":
      return plain(l10n.t("Conditional Access requires a compliant, managed device. Sign in from a device your organisation manages, or ask IT to bring this one into compliance."));
    case "UntrustedLocation":
      return plain(l10n.t("Conditional Access blocked the sign-in from your current network location. Connect from a trusted network (for example your organisation's VPN), then sign in again."), ["signIn"]);
    case "ConditionalAccessBlocked":
      return plain(l10n.t("A Conditional Access policy blocked the sign-in. Your administrator can see which one in the Entra ID sign-in logs."));
    case "AuthenticationFailed":
      return detail(l10n.t("Sign-in to Azure failed."), ["signIn"]);
    case "StepUpRequired":
      return detail(l10n.t("Azure requires you to sign in again with additional verification."), method === "vscode" ? ["useDeviceCode", "signIn"] : ["signIn"], "warning");
    case "VmNotFound":
      return detail(l10n.t("That VM is not in the list any more."), ["refresh"], "warning");
    case "VmNotRunning":
      return detail(l10n.t("The VM is not running."), ["startVm"], "warning");
    case "VmIsWindows":
      return detail(l10n.t("SSH is not offered for Windows VMs."), [], "warning");
    case "NoEligibleRole":
      return detail(l10n.t("You have no eligible role for this VM."), [], "warning");
    case "NoJitPolicy":
    case "JitPortNotAllowed":
    case "JitSourceNotAllowed":
      return detail(l10n.t("Just-in-Time access is not set up for SSH on this VM."), ["checkConnectivity"], "warning");
    case "NoBastion":
    case "BastionTunnelingDisabled":
    case "BastionSkuUnsupported":
      return detail(l10n.t("No Azure Bastion can tunnel SSH to this VM."), ["checkConnectivity"], "warning");
    case "NoCredentialSource":
      return detail(l10n.t("No SSH credential is known for this VM."), ["chooseCredential"], "warning");
    case "PolicyViolation":
      return detail(l10n.t("The role's PIM policy refused the request."), ["retry"]);
    case "ApprovalDenied":
      return detail(l10n.t("An approver denied the access request."), [], "warning");
    case "ApprovalTimedOut":
      return detail(l10n.t("No approver decided in time."), ["retry"], "warning");
    case "ActivationFailed":
      return detail(l10n.t("PIM could not activate the role."), ["retry"]);
    case "DeactivateTooSoon": {
      const at = typeof e.details.possibleAt === "string" ? Date.parse(e.details.possibleAt) : Number.NaN;
      return Number.isFinite(at)
        ? plain(l10n.t("PIM does not allow deactivating a role within 5 minutes of its activation. Try again after {0}.", new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })), [], "warning")
        : detail(l10n.t("The role cannot be deactivated yet."), [], "warning");
    }
    case "RoleNotActive":
      return detail(l10n.t("There is no active access to this VM."), ["requestAccess"], "warning");
    case "JitRequestFailed":
    case "JitForbidden":
      return detail(l10n.t("Defender for Cloud refused the Just-in-Time request."), ["checkConnectivity", "retry"]);
    case "SecretNotFound":
    case "SecretForbidden":
    case "SecretUnusable":
    case "VaultNotAllowed":
      return detail(l10n.t("The VM's SSH credential could not be used."), ["chooseCredential", "checkConnectivity"]);
    case "BastionNotAllowed":
      return detail(l10n.t("The Bastion's address is not one of this cloud's Bastion hosts, so no token was sent to it."), ["checkConnectivity"]);
    case "ArmHostNotAllowed":
      return detail(l10n.t("Azure Resource Manager pointed to another host, so no token was sent to it."), ["showLog"]);
    case "BastionRefused":
    case "TunnelFailed":
    case "BrokerUnavailable":
      return detail(l10n.t("The tunnel through Azure Bastion failed."), ["checkConnectivity", "retry"]);
    case "SshConfigConflict":
    case "SshConfigUnsafeValue":
      return detail(l10n.t("The SSH configuration could not be written safely."));
    case "HostKeyChanged":
      return detail(l10n.t("The VM's SSH host key changed."), ["forgetHostKey"], "warning");
    case "SshClientMissing":
      return detail(l10n.t("No OpenSSH client was found."), ["openSettings"]);
    case "PrivateFolderUnsafe":
      return detail(l10n.t("A private folder has unsafe permissions."));
    case "LocalPortUnavailable":
      return detail(l10n.t("The local port is not available."), ["retry"], "warning");
    case "AccessInProgress":
      return detail(l10n.t("An access request for this VM is already under way."), ["cancelRequest"], "warning");
    case "Throttled":
      return detail(l10n.t("Azure is throttling requests."), ["retry"], "warning");
    case "NetworkError":
      return detail(l10n.t("Azure could not be reached."), ["retry"]);
    case "Timeout":
      return detail(l10n.t("The operation timed out."), ["retry"]);
    case "Forbidden":
      return detail(l10n.t("Azure refused: you do not have permission."));
    case "AzureRequestFailed":
      return detail(l10n.t("An Azure request failed."), ["retry"]);
    case "Internal":
      return detail(l10n.t("Something went wrong inside Azure JIT Connect."));
    // Entra ID login: the message names the VM and the fix; the headline says what kind of problem it is.
    case "EntraExtensionMissing":
    case "EntraNoManagedIdentity":
      return detail(l10n.t("This VM is not set up for Microsoft Entra ID login."), ["chooseCredential"], "warning");
    case "EntraLoginRoleNotActive":
      return detail(l10n.t("Your VM login role is not active on this VM."), ["requestAccess", "retry"], "warning");
    case "EntraCertificateRefused":
      return detail(l10n.t("Microsoft Entra ID refused the SSH certificate."), ["signIn"]);
    case "EntraCertificateInvalid":
      return detail(l10n.t("The SSH certificate from Microsoft Entra ID cannot be used."), ["retry"]);
    case "EntraLoginNameInvalid":
      return detail(l10n.t("Your Entra ID user name cannot be used as an SSH login name."), ["chooseCredential"]);
    case "EntraSignInUnsupported":
      return detail(l10n.t("This sign-in method cannot get SSH certificates from Microsoft Entra ID."), ["openSettings", "chooseCredential"], "warning");
  }
}
