import { notify } from "../notify";
import { JitError } from "../../core/errors";
import type { VmEntry } from "../../core/inventory/loadInventory";
import type { JitConnectService } from "../../core/service/jitConnectService";
import { pickOne } from "../quickInput";
import { isTreeSelectionArgument, isVmNode, type VmNode } from "../tree/vmTreeModel";
import type { CommandContext } from "./commandContext";

/** Which VMs a command makes sense for, in the same `contextValue` tokens the manifest's menus match. */
export type VmFilter = (node: VmNode) => boolean;

export const hasToken =
  (...tokens: string[]): VmFilter =>
  (node) =>
    tokens.some((t) => node.presentation.contextValue.includes(`;${t};`));

export const allOf =
  (...filters: VmFilter[]): VmFilter =>
  (node) =>
    filters.every((f) => f(node));

export const anyVm: VmFilter = () => true;

/** The signed-in service; waits for a sign-in that is being restored, then insists. */
export async function signedInService(ctx: CommandContext): Promise<JitConnectService> {
  await ctx.services.auth.restored();
  const service = ctx.services.host.signedIn;
  if (!service) throw new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first.");
  if (!service.inventory) await ctx.services.refresher.refresh({ interactive: true });
  return service;
}

/**
 * The VM a command acts on: the tree node or VM id (or host alias) it was invoked with, else the
 * user's pick among the VMs `filter` admits (house style, practice 7: tree commands work from the
 * palette). Undefined when there is nothing to pick or the user backs out.
 */
export async function targetVm(ctx: CommandContext, arg: unknown, options: { filter: VmFilter; placeholder: string; none: string }): Promise<VmEntry | undefined> {
  const service = await signedInService(ctx);
  if (isTreeSelectionArgument(arg)) {
    // Enter in the tree (a keybinding cannot pass the focused item, so it passes this marker).
    const selected = ctx.services.treeView.selection;
    arg = selected.length === 1 && isVmNode(selected[0]) ? selected[0] : undefined;
    if (!arg) return undefined;
  }
  const given = isVmNode(arg) ? arg.vmId : typeof arg === "string" && arg ? arg : undefined;
  if (given) {
    const vm = service.vm(given);
    if (!vm) throw new JitError("VmNotFound", `The VM ${given} is not in the list of VMs you are eligible for. Refresh the list.`);
    ctx.vmId = vm.id;
    return vm;
  }
  const nodes = ctx.services.tree.vmNodes().filter(options.filter);
  if (nodes.length === 0) {
    void notify.info(options.none);
    return undefined;
  }
  const items = [...nodes]
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
    .map((node) => ({ label: `$(${node.presentation.icon.id === "loading~spin" ? "sync" : node.presentation.icon.id}) ${node.name}`, description: node.presentation.description, detail: `${node.subscriptionName ?? node.subscriptionId} › ${node.resourceGroup}`, node }));
  const picked = await pickOne({ title: options.placeholder, placeholder: options.placeholder, items, matchOnDescription: true });
  const vm = service.vm(picked.node.vmId);
  if (!vm) throw new JitError("VmNotFound", `The VM ${picked.node.name} is no longer in the list. Refresh the list.`);
  ctx.vmId = vm.id;
  return vm;
}
