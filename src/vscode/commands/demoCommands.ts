import * as vscode from "vscode";
import { notify } from "../notify";
import { armIdKey, scopeContains } from "../../core/azure/armIds";
import { CancellationError } from "../../core/cancellation";
import { JitError } from "../../core/errors";
import { SimulatorControl, type SimulatorPimRequest } from "../demo/simulatorControl";
import { isVmNode } from "../tree/vmTreeModel";
import type { CommandContext, CommandHandler } from "./commandContext";

/**
 * Demo commands (`azureJit.demo.*`, shown when `azureJit.demo.simulatorControlUrl` is set): play
 * the approver and move the simulator's clock, so a demo shows approvals and expiry in minutes.
 * They talk to the simulator's control API, never to Azure.
 */

function control(ctx: CommandContext): SimulatorControl {
  const url = ctx.services.config().simulatorControlUrl;
  if (!url) throw new JitError("InvalidSetting", "Setting azureJit.demo.simulatorControlUrl is empty: the demo commands need the simulator's control endpoint.");
  return new SimulatorControl(url);
}

/** The VM a pending request is for: the VM whose id lies under the request's scope. */
function vmNameFor(ctx: CommandContext, request: SimulatorPimRequest): string | undefined {
  const vms = ctx.services.host.signedIn?.inventory?.vms ?? [];
  return vms.find((v) => scopeContains(request.scope, v.id))?.name;
}

async function decide(ctx: CommandContext, arg: unknown, decision: "approve" | "deny"): Promise<void> {
  const l10n = vscode.l10n;
  const sim = control(ctx);
  let pending = await sim.pendingPimRequests();
  const vmId = isVmNode(arg) ? arg.vmId : typeof arg === "string" ? arg : undefined;
  if (vmId) pending = pending.filter((r) => scopeContains(r.scope, vmId) || armIdKey(r.scope) === armIdKey(vmId));
  if (pending.length === 0) {
    void notify.info(l10n.t("No PIM request is waiting for approval in the simulator."));
    return;
  }
  let request = pending[0]!;
  if (pending.length > 1) {
    const picked = await vscode.window.showQuickPick(
      pending.map((r) => ({ label: vmNameFor(ctx, r) ?? r.scope.split("/").pop() ?? r.name, description: `${r.role} · ${r.requestor}`, detail: r.justification ?? undefined, request: r })),
      { placeHolder: decision === "approve" ? l10n.t("Approve which request?") : l10n.t("Deny which request?") },
    );
    if (!picked) throw new CancellationError();
    request = picked.request;
  }
  await sim.decide(request.name, decision, decision === "approve" ? "Approved in the demo" : "Denied in the demo");
  const vm = vmNameFor(ctx, request) ?? request.scope;
  ctx.services.log.info(`Demo: ${decision === "approve" ? "approved" : "denied"} PIM request ${request.name} (${vm})`);
  vscode.window.setStatusBarMessage(decision === "approve" ? l10n.t("$(check) Simulator: approved the request for {0}", vm) : l10n.t("$(x) Simulator: denied the request for {0}", vm), 5000);
}

export const demoApprovePending: CommandHandler = (ctx, arg) => decide(ctx, arg, "approve");
export const demoDenyPending: CommandHandler = (ctx, arg) => decide(ctx, arg, "deny");

/** Moves the simulator's clock (expiry warnings, expiry) and refreshes, so the countdown follows at once. */
export const demoAdvanceClock: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  let minutes = typeof arg === "number" && arg > 0 ? arg : undefined;
  if (minutes === undefined) {
    const picked = await vscode.window.showQuickPick(
      [5, 10, 30, 55, 60, 120].map((m) => ({ label: l10n.t("+{0} minutes", m), minutes: m })),
      { placeHolder: l10n.t("Move the simulator's clock forward by") },
    );
    if (!picked) throw new CancellationError();
    minutes = picked.minutes;
  }
  const now = await control(ctx).advanceClock(minutes * 60);
  ctx.services.log.info(`Demo: simulator clock advanced by ${minutes} min to ${now.toISOString()}`);
  // Any Azure response carries the new Date header; the service's clock (and the countdown) follow it.
  if (ctx.services.host.signedIn) await ctx.services.refresher.refresh();
  vscode.window.setStatusBarMessage(l10n.t("$(watch) Simulator time: {0}", now.toLocaleTimeString(vscode.env.language)), 5000);
};
