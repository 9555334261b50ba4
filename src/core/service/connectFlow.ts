import type { Grant } from "../access/grant";
import type { AuditJournal } from "../audit/auditJournal";
import type { AzureContext } from "../azure/azureContext";
import { throwIfAborted } from "../cancellation";
import { JitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import { deriveHostAlias } from "../ssh/hostAlias";
import type { SshPaths } from "../ssh/sshPaths";
import type { ConnectionProfileStore } from "./connectionProfiles";
import type { ConnectionSetup } from "./connectionSetup";
import type { AccessEvent } from "../access/accessEvents";
import type { AccessInputProvider } from "../access/accessInput";
import { ENTRA_TIMING, type EntraLogin } from "./entraConnect";
import { preflightConnect } from "./connectPreflight";
import type { ConnectionInfo, ConnectStep } from "./serviceTypes";

/** What the connect step needs from the rest of the service. */
export interface ConnectFlowDeps {
  ctx: AzureContext;
  connections: ConnectionSetup;
  profiles: ConnectionProfileStore;
  journal: AuditJournal;
  paths: SshPaths;
  activeGrant: (vmId: string) => Grant | undefined;
  requestAccess: (vmId: string, signal?: AbortSignal) => Promise<Grant>;
  /** The access flow's state changes, as the service announces them. */
  onAccessEvent: (listener: (e: AccessEvent) => void) => () => void;
  setAlias: (vmId: string, alias: string) => Promise<void>;
  ensureBroker: () => Promise<unknown>;
  accessInput: AccessInputProvider;
  /** Microsoft Entra ID login; when the VM's login method is Entra ID, it takes the connection. */
  entra?: EntraLogin;
  /** Subscriptions the inventory knows (where to look for the credential's vault). */
  subscriptionIds: () => string[];
}

/**
 * Makes a VM connectable: access (if needed), credential and SSH config. The steps that do not
 * depend on each other overlap: the Key Vault read starts while PIM and JIT are still running, so a
 * connection costs the access flow plus little else.
 */
export async function openConnection(deps: ConnectFlowDeps, vm: VmEntry, signal?: AbortSignal, step: ConnectStep = () => undefined): Promise<ConnectionInfo> {
  const { ctx, connections, paths } = deps;
  const r = vm.readiness;
  if (r.os === "Windows") throw new JitError("VmIsWindows", `${vm.name} runs Windows: SSH is not offered. Use RDP through the Azure portal's Bastion.`);
  if (r.bastion.state !== "ok" || !vm.bastion?.dnsName) {
    throw new JitError(r.bastion.state === "noNativeClient" ? "BastionTunnelingDisabled" : "NoBastion", r.reasons.find((x) => /Bastion/i.test(x)) ?? `No usable Bastion reaches ${vm.name}.`);
  }
  if (deps.entra) {
    const stored = connections.sourceFor(vm, ctx.cloud);
    if (deps.entra.methodFor(vm, stored.kind === "secret" && stored.user !== undefined) === "entraId") return deps.entra.connect(deps, vm, ENTRA_TIMING, signal, step);
  }
  const source = connections.usableSource(vm, ctx.cloud);
  const alias = deriveHostAlias(vm);

  // Independent of access: start reading the secret now.
  const secretRead = connections.readSecret(ctx, source.secret, signal);
  let grant = deps.activeGrant(vm.id);
  if (!grant) {
    await preflightConnect(ctx, vm, source.secret, secretRead, deps.subscriptionIds(), step, signal);
    step(`Requesting access to ${vm.name}…`);
    grant = await deps.requestAccess(vm.id, signal);
  }
  throwIfAborted(signal);
  step("Fetching the credential from Key Vault…");
  const credential = await connections.materialise(ctx, alias, source.secret, grant, await secretRead, signal);
  const profile = connections.profileFor(vm, alias, source, credential.kind, ctx.clock.now());
  step("Writing the SSH configuration…");
  await deps.profiles.put(profile);
  await deps.setAlias(vm.id, alias);
  const includeInstalled = await connections.writeSshConfig(signal);
  await deps.ensureBroker();
  await deps.journal.append({ type: "connectionOpened", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, alias, detail: `SSH configuration ready (${credential.kind} credential)` });
  return {
    alias,
    vmName: vm.name,
    grant,
    auth: credential.kind,
    configFile: paths.configFile,
    includeInstalled,
    userConfigFile: paths.userConfigFile,
    ssh: connections.sshFor(profile),
  };
}
