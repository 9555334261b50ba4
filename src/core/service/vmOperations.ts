import type { AzureContext } from "../azure/azureContext";
import { callAzure } from "../azure/azureContext";
import { createSecretReader } from "../azure/secretReader";
import type { VmEntry } from "../inventory/loadInventory";
import { checkConnectivity, type PreflightItem } from "../preflight/checkConnectivity";
import { findSshClient } from "../preflight/sshClient";
import type { ConnectionSetup } from "./connectionSetup";

/** Every check for one VM, in the order a user fixes them: Azure's side, our SSH config, the broker. */
export async function connectivityReport(
  ctx: AzureContext,
  vm: VmEntry,
  deps: { connections: ConnectionSetup; sshPath: string; brokerPath: string | undefined },
  signal?: AbortSignal,
): Promise<PreflightItem[]> {
  const source = deps.connections.sourceFor(vm, ctx.cloud);
  const items = await checkConnectivity(vm, { ctx, readSecret: source.kind === "secret" ? createSecretReader(ctx) : undefined, findSsh: () => findSshClient(deps.sshPath) }, signal);
  items.push(...(await deps.connections.sshConfigReport(vm, source, signal)));
  items.push(
    deps.brokerPath
      ? { check: "broker", title: "Tunnel broker", status: "ok", detail: `Listening at ${deps.brokerPath}` }
      : { check: "broker", title: "Tunnel broker", status: "warn", detail: "Not started yet: it starts with the first connection." },
  );
  return items;
}

/** Starts a stopped VM (needs a role that allows Microsoft.Compute/virtualMachines/start/action). */
export async function startVm(ctx: AzureContext, vm: VmEntry, signal?: AbortSignal): Promise<void> {
  await callAzure(ctx, `start ${vm.name}`, async () => {
    // A long-running operation: the poller resolves when ARM reports the VM started.
    await ctx.clients.compute(vm.tenantId, vm.subscriptionId).virtualMachines.start(vm.resourceGroup, vm.name, { abortSignal: signal });
  });
}
