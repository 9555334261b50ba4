import * as vscode from "vscode";
import { displaySafeLogger } from "./core/logger";
import type { AccessInputProvider } from "./core/access/accessInput";
import { AccessNotifications } from "./vscode/access/accessNotifications";
import { createAccessInputPrompt } from "./vscode/access/accessInputPrompt";
import { AuthManager } from "./vscode/auth/authManager";
import { SwitchableCredential } from "./vscode/auth/switchableCredential";
import { COMMAND_HANDLERS } from "./vscode/commands/allCommands";
import { COMMAND_IDS } from "./vscode/commands/commandIds";
import { CommandRegistry } from "./vscode/commands/registerCommand";
import { CONFIG_SECTION, type ConfigImpact, describeConfig, type JitConfig, readConfig } from "./vscode/config";
import { watchConfig } from "./vscode/configWatcher";
import { ContextKeys } from "./vscode/contextKeys";
import { GlobalStateCredentialChoices } from "./vscode/credentialChoices";
import { ErrorPresenter } from "./vscode/errors/errorPresenter";
import { ReportDocuments } from "./vscode/reports/reportDocuments";
import { ServiceHost } from "./vscode/serviceHost";
import type { Services } from "./vscode/services";
import { SshConfigConsent } from "./vscode/sshConfigConsent";
import { CountdownStatusBar } from "./vscode/statusBar/countdownStatusBar";
import { InventoryRefresher } from "./vscode/tree/inventoryRefresher";
import { VmTreeProvider } from "./vscode/tree/vmTreeProvider";
import { notify } from "./vscode/notify";

/** What `activate` returns outside production (the extension-host tests use it). Not a public API. */
export interface AzureJitTestApi {
  services: Services;
  commands: CommandRegistry;
  /** Replaces the quick-input flow of Request access (tests answer it programmatically). */
  setAccessInput(provider: AccessInputProvider | undefined): void;
  /** Resolves when the settings changes seen so far have been applied. */
  settingsApplied(): Promise<void>;
}

/**
 * The one piece of module state: how to end the service on `deactivate` (VS Code awaits its
 * promise, so keys are removed and the broker closed before the extension host exits;
 * `context.subscriptions` disposal is synchronous and would not wait).
 */
let shutdown: (() => Promise<void>) | undefined;

/**
 * Composition root (house style, practice 2): builds the services, registers the commands, views
 * and status bar, pushes everything into `context.subscriptions`. No Azure call and no SDK load
 * here; the service, the tunnel program and a silent sign-in come up in the background.
 *
 * `extensionKind: ["ui"]`: the extension edits the local SSH config, runs the tunnel broker and
 * launches Remote-SSH, so it runs next to the editor, never on a remote host. In code-server (the
 * browser is the "UI" side and has no Node extension host) a UI extension without a browser entry
 * would not run at all; there, VS Code's per-extension override
 * `"remote.extensionKind": { "azure-jit-connect.azure-jit-connect": ["workspace"] }` runs it in
 * code-server's Node extension host, on the same machine (the test harness and the demo seed it).
 */
export function activate(context: vscode.ExtensionContext): AzureJitTestApi | undefined {
  const started = performance.now();
  // Every line escapes control and bidi characters: VM names and Azure messages reach the log.
  const log = displaySafeLogger(vscode.window.createOutputChannel("Azure JIT Connect", { log: true }));
  const config = (): JitConfig => readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION)).config;
  const keys = new ContextKeys();
  const credential = new SwitchableCredential();
  const consent = new SshConfigConsent(context.globalState);
  const prompt = createAccessInputPrompt({ globalState: context.globalState, config });
  let accessInputOverride: AccessInputProvider | undefined;

  const host: ServiceHost = new ServiceHost({
    context,
    logger: log,
    config,
    credential,
    // Called only after activation, once `auth` (which needs the host) exists.
    stepUpHandler: (request, signal) => auth.stepUp(request, signal),
    accessInput: (request, signal) => (accessInputOverride ?? prompt)(request, signal),
    confirmUserConfigEdit: consent.confirm,
    credentialChoices: new GlobalStateCredentialChoices(context.globalState),
  });
  const auth: AuthManager = new AuthManager({ host, credential, keys, context, logger: log, config });
  const tree = new VmTreeProvider({ host, config });
  const treeView = vscode.window.createTreeView("azureJit.vms", { treeDataProvider: tree, showCollapseAll: true });
  const refresher = new InventoryRefresher({ host, tree, view: treeView, keys, logger: log });
  const errors = new ErrorPresenter({ logger: log, authMethod: () => config().auth.method, showLog: () => log.show(true) });
  const reports = new ReportDocuments();
  const services: Services = { context, log, keys, config, host, auth, tree, treeView, refresher, errors, reports, consent };

  // Settings changes are applied one batch at a time: a rebuild must not overlap the next one.
  let applying = Promise.resolve();
  const onSettings = (impacts: Set<ConfigImpact>): void => {
    applying = applying.then(() => applySettings(services, impacts));
  };

  const commands = new CommandRegistry(services);
  for (const id of COMMAND_IDS) commands.register(id, COMMAND_HANDLERS[id]);

  context.subscriptions.push(
    log,
    keys,
    host,
    tree,
    treeView,
    refresher,
    reports,
    commands,
    new CountdownStatusBar(host),
    new AccessNotifications({ host, keys }),
    watchConfig(onSettings),
  );
  shutdown = () => host.shutdown();

  const reading = readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION));
  for (const problem of reading.problems) log.warn(problem);
  log.info(`Settings: ${describeConfig(reading.config)}`);
  void keys.initialise().then(() => keys.set("azureJit.demoMode", reading.config.simulatorControlUrl !== ""));
  void startInBackground(services);
  log.info(`Azure JIT Connect activated in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.appName}, extension host ${process.versions.electron ? "Electron" : "Node"} ${process.version})`);

  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  return { services, commands, setAccessInput: (provider) => (accessInputOverride = provider), settingsApplied: () => applying };
}

export function deactivate(): Promise<void> | undefined {
  const end = shutdown;
  shutdown = undefined;
  return end?.();
}

/**
 * After activation, off the critical path: the service (local stores, the tunnel program at its
 * stable path); the broker when VMs were connected before, because Remote-SSH may be reconnecting
 * right now (this is the `onResolveRemoteAuthority:ssh-remote` path); then a silent sign-in where
 * the method allows it, and the VM list.
 */
async function startInBackground(services: Services): Promise<void> {
  const { host, auth, refresher } = services;
  try {
    const service = await host.get();
    if (service.profiles.all().length > 0) await service.ensureBroker();
    await auth.restore();
    if (host.signedIn) {
      await refresher.refresh();
    } else if (auth.wasSignedIn() && service.activeGrants().length > 0) {
      // Remote-SSH reconnects go through this window's broker, which needs a signed-in session.
      const signIn = vscode.l10n.t("Sign In");
      const choice = await notify.info(vscode.l10n.t("Sign in to Azure to keep using your active access ({0}).", service.activeGrants().map((g) => g.vmName).join(", ")), signIn);
      if (choice === signIn) await vscode.commands.executeCommand("azureJit.signIn");
    }
  } catch (e) {
    void services.errors.show(e, { operation: "start-up" });
  }
}

/** Settings changed: sign in again, rebuild the service, or just apply and redraw. */
async function applySettings(services: Services, impacts: Set<ConfigImpact>): Promise<void> {
  const { host, auth, keys, log, tree } = services;
  const config = services.config();
  log.info(`Settings changed (${[...impacts].join(", ")}): ${describeConfig(config)}`);
  try {
    if (impacts.has("demo")) await keys.set("azureJit.demoMode", config.simulatorControlUrl !== "");
    if (impacts.has("identity")) {
      const wasSignedIn = host.signedIn !== undefined;
      await auth.forget();
      await host.reset();
      tree.rebuild();
      if (wasSignedIn) {
        const signIn = vscode.l10n.t("Sign In");
        const choice = await notify.info(vscode.l10n.t("The Azure sign-in settings changed: sign in again."), signIn);
        if (choice === signIn) await vscode.commands.executeCommand("azureJit.signIn");
      }
      return;
    }
    if (impacts.has("paths")) {
      await host.reset();
      await auth.resume();
      await services.refresher.refresh();
      return;
    }
    if (impacts.has("service")) host.configure(config);
    if (impacts.has("tree")) tree.rebuild();
  } catch (e) {
    void services.errors.show(e, { operation: "applying settings" });
  }
}
