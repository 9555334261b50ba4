import * as vscode from "vscode";
import { createSecretReader } from "../../core/azure/secretReader";
import { CancellationError } from "../../core/cancellation";
import { JitError } from "../../core/errors";
import type { VmEntry } from "../../core/inventory/loadInventory";
import { checkSetupForVms } from "../../core/preflight/checkSetup";
import { isVmNode } from "../tree/vmTreeModel";
import { withCancellableProgress } from "../progress";
import { pickOne } from "../quickInput";
import { setupReport } from "../reports/setupReport";
import type { CommandHandler } from "./commandContext";
import { signedInService } from "./vmTarget";
import { notify } from "../notify";

/**
 * "Check My Azure Setup": the administrator's prerequisites (docs/azure-setup.md) for the VM it was
 * invoked on, or, from the palette, for one picked VM or every listed VM. Reads only.
 */
export const checkSetup: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const service = await signedInService(ctx);
  const listed = service.inventory?.vms ?? [];
  const given = isVmNode(arg) ? arg.vmId : typeof arg === "string" && arg ? arg : undefined;
  let vms: VmEntry[];
  if (given) {
    const vm = service.vm(given);
    if (!vm) throw new JitError("VmNotFound", `The VM ${given} is not in the list of VMs you are eligible for. Refresh the list.`);
    ctx.vmId = vm.id;
    vms = [vm];
  } else {
    if (listed.length === 0) {
      void notify.info(l10n.t("No VM is listed: the setup check starts from the VMs your PIM eligibilities cover."));
      return;
    }
    const all = { label: `$(checklist) ${l10n.t("All listed VMs")}`, description: l10n.t("{0} VM(s)", listed.length), vms: listed };
    const each = [...listed].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })).map((vm) => ({ label: vm.name, description: `${vm.subscriptionName ?? vm.subscriptionId} › ${vm.resourceGroup}`, vms: [vm] }));
    const title = l10n.t("Check the Azure setup of which VM?");
    vms = (await pickOne({ title, placeholder: title, items: [all, ...each], matchOnDescription: true })).vms;
  }
  const ctxAzure = service.azureContext();
  if (!ctxAzure) throw new JitError("NotSignedIn", "Not signed in to Azure.");
  const result = await withCancellableProgress(
    { location: vscode.ProgressLocation.Notification, title: vms.length === 1 ? l10n.t("Checking the Azure setup of {0}", vms[0]!.name) : l10n.t("Checking the Azure setup of {0} VMs", vms.length), cancellable: true },
    (signal) => checkSetupForVms(vms, { ctx: ctxAzure, readSecret: createSecretReader(ctxAzure) }, signal),
  );
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  const markdown = setupReport(result.value, new Date().toLocaleString(vscode.env.language), l10n);
  await ctx.services.reports.show(vms.length === 1 ? l10n.t("Azure setup {0}", vms[0]!.name) : l10n.t("Azure setup"), markdown);
};
