import type { AccessToken } from "@azure/core-auth";
import { notify } from "../notify";
import * as vscode from "vscode";
import type { CallerIdentity } from "../../core/azure/azureContext";
import type { StepUpRequest } from "../../core/azure/stepUp";
import { anySignal, CancellationError } from "../../core/cancellation";
import { resolveCloud } from "../../core/cloud";
import { JitError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { AuthMethod, JitConfig } from "../config";
import type { ContextKeys } from "../contextKeys";
import type { ServiceHost } from "../serviceHost";
import { showDeviceCodePrompt } from "./deviceCodePrompt";
import { canSignInSilently, createSignInCredential, type SignInCredential } from "./signInMethods";
import type { SwitchableCredential } from "./switchableCredential";

/** globalState: the method of the last successful sign-in, so a new window can restore it. */
const SIGNED_IN_WITH = "azureJit.signedInWith";

export interface AuthManagerDeps {
  host: ServiceHost;
  credential: SwitchableCredential;
  keys: ContextKeys;
  context: vscode.ExtensionContext;
  logger: Logger;
  config: () => JitConfig;
}

/**
 * Sign-in, sign-out, the silent restore when a window opens, and the step-up prompt. The service
 * does the Azure side (`signIn` gets the first token, which is when a device code or a Conditional
 * Access refusal appears); this class owns which credential stands behind it and the context keys.
 */
export class AuthManager {
  private active: SignInCredential | undefined;
  /** Cancels the interactive sign-in under way (the device-code notification's "Cancel"). */
  private running: Promise<CallerIdentity> | undefined;
  private restoring: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AuthManagerDeps) {}

  /**
   * On activation: signs in again without asking when the last window was signed in and the method
   * allows it (VS Code account, Azure CLI, service principal). Failures are logged, not shown: the
   * welcome view offers "Sign In".
   */
  restore(): Promise<void> {
    if (!this.canRestoreSilently()) return this.restoring;
    this.restoring = this.signIn({ interactive: false }).then(
      (who) => this.deps.logger.info(`Signed in again silently as ${who.upn ?? who.principalId}`),
      (e: unknown) => this.deps.logger.warn(`Could not sign in again silently: ${e instanceof Error ? e.message : String(e)}`),
    );
    return this.restoring;
  }

  /** Resolves once a silent restore under way has finished (commands wait for it). */
  restored(): Promise<void> {
    return this.restoring;
  }

  get method(): AuthMethod | undefined {
    return this.active?.method;
  }

  /**
   * Signs in with `azureJit.auth.method`. Interactive sign-in may show a device code or VS Code's
   * account prompt; the silent one (restore) fails instead of asking. Concurrent calls share one.
   */
  signIn(options: { interactive: boolean; step?: (message: string) => void }, signal?: AbortSignal): Promise<CallerIdentity> {
    this.running ??= this.doSignIn(options, signal).finally(() => (this.running = undefined));
    return this.running;
  }

  private async doSignIn(options: { interactive: boolean; step?: (message: string) => void }, signal?: AbortSignal): Promise<CallerIdentity> {
    const { keys, logger, credential } = this.deps;
    const config = this.deps.config();
    const controller = new AbortController();
    let settled = false;
    if (options.interactive) await keys.set("azureJit.signingIn", true);
    try {
      const service = await this.deps.host.get();
      const cloud = resolveCloud(config.cloud, config.customCloud);
      const signInCredential = await createSignInCredential({
        cloud,
        auth: config.auth,
        secrets: this.deps.context.secrets,
        interactive: options.interactive,
        onDeviceCode: (prompt) => {
          // A silent restore must not show a code: it gives up, and the welcome view offers Sign In.
          // Later prompts (a guest tenant that needs the user) are shown: the user is at work by then.
          if (!options.interactive && !settled) return controller.abort();
          // During this sign-in the code goes into its progress notification; later codes (a step-up)
          // get their own. Either way the prompt closes when its flow settles.
          showDeviceCodePrompt(prompt, { logger, onStep: settled ? undefined : options.step });
        },
        logger,
      });
      credential.set(signInCredential.credential);
      this.active = signInCredential;
      const identity = await service.signIn(anySignal(signal, controller.signal));
      await keys.set("azureJit.signedIn", true);
      await this.deps.context.globalState.update(SIGNED_IN_WITH, config.auth.method);
      return identity;
    } catch (e) {
      credential.set(undefined);
      this.active = undefined;
      await keys.set("azureJit.signedIn", false);
      throw controller.signal.aborted ? new CancellationError("Sign-in cancelled") : e;
    } finally {
      settled = true;
      if (options.interactive) await keys.set("azureJit.signingIn", false);
    }
  }

  /**
   * Azure refused the tokens: forget them (the cached refresh token included) and sign in again
   * with the same method. The service keeps its inventory until the next load replaces it.
   */
  async signInAgain(step?: (message: string) => void, signal?: AbortSignal): Promise<CallerIdentity> {
    await this.active?.forget?.();
    this.deps.credential.set(undefined);
    this.active = undefined;
    return this.signIn({ interactive: true, step }, signal);
  }

  /** Forgets the session here (VS Code's Microsoft account itself stays: other extensions share it). */
  async signOut(): Promise<void> {
    const service = this.deps.host.current;
    await service?.signOut();
    await this.active?.forget?.();
    this.deps.credential.set(undefined);
    this.active = undefined;
    await this.deps.context.globalState.update(SIGNED_IN_WITH, undefined);
    await this.deps.keys.set("azureJit.signedIn", false);
    await this.deps.keys.set("azureJit.inventoryState", "idle");
  }

  /**
   * Signs the (rebuilt) service in again with the credential already in use, without asking: after
   * a change of SSH config file the service is new, but the account is the same.
   */
  async resume(): Promise<void> {
    if (!this.active) return;
    const service = await this.deps.host.get();
    await service.signIn();
    await this.deps.keys.set("azureJit.signedIn", true);
  }

  /** After a settings change of cloud or account: the old session does not apply any more. */
  async forget(): Promise<void> {
    this.deps.credential.set(undefined);
    this.active = undefined;
    await this.deps.keys.set("azureJit.signedIn", false);
    await this.deps.keys.set("azureJit.inventoryState", "idle");
  }

  /** Whether the last window was signed in with a method that can sign in again without the user. */
  canRestoreSilently(): boolean {
    const method = this.deps.context.globalState.get<AuthMethod>(SIGNED_IN_WITH);
    return method !== undefined && method === this.deps.config().auth.method && canSignInSilently(method);
  }

  /** The last window was signed in (whatever the method). */
  wasSignedIn(): boolean {
    return this.deps.context.globalState.get<AuthMethod>(SIGNED_IN_WITH) !== undefined;
  }

  /**
   * The service's StepUpHandler: asks first ("multi-factor authentication required: sign in
   * again"), then signs in again with the claims through the current method.
   */
  readonly stepUp = async (request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> => {
    const active = this.active;
    if (!active) throw new JitError("NotSignedIn", "Not signed in to Azure. Sign in, then try again.");
    // These methods cannot sign in again from here: their step-up says what the user must do instead.
    if (request.freshSignIn && (active.method === "azureCli" || active.method === "servicePrincipal")) return active.stepUp(request, signal);
    const l10n = vscode.l10n;
    const headline =
      request.reason === "mfa"
        ? l10n.t("Multi-factor authentication is required")
        : request.reason === "authenticationContext"
          ? l10n.t("Additional verification is required (Conditional Access)")
          : l10n.t("Azure asks you to sign in again");
    const how = active.method === "deviceCode" ? l10n.t("A new device code will be shown.") : active.method === "vscode" ? l10n.t("VS Code will open the Microsoft sign-in.") : l10n.t("The sign-in is repeated with the requested claims.");
    const signInAgain = l10n.t("Sign In Again");
    const answer = await notify.warn(headline, { modal: true, detail: `${request.message}\n\n${how}` }, signInAgain);
    if (answer !== signInAgain) throw new CancellationError("Step-up declined");
    this.deps.logger.info(`Step-up sign-in (${request.reason}) with ${active.method}`);
    return active.stepUp(request, signal);
  };
}
