import * as vscode from "vscode";
import { type ActiveForward, WELL_KNOWN_REMOTE_PORTS } from "../../core/service/activeForwards";
import { notify } from "../notify";
import { parsePort } from "../inputRules";
import { inputText, pickOne } from "../quickInput";
import { forwardName } from "../tree/forwardPresentation";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandContext, CommandHandler } from "./commandContext";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

async function askRemotePort(vmName: string): Promise<number | undefined> {
  const l10n = vscode.l10n;
  const title = l10n.t("Forward a port of {0}", vmName);
  const items = [
    ...WELL_KNOWN_REMOTE_PORTS.map((w) => ({ label: w.name, description: l10n.t("port {0}", w.port), port: w.port as number | undefined })),
    { label: l10n.t("Another port…"), description: "", port: undefined },
  ];
  const picked = await pickOne({ title, placeholder: l10n.t("Which server on the VM? (a free local port is chosen for you)"), items });
  if (picked.port !== undefined) return picked.port;
  return parsePort(
    await inputText({
      title,
      prompt: l10n.t("Port on the VM (a free local port is chosen for you)"),
      validate: (v) => (parsePort(v) === undefined ? l10n.t("Enter a port number between 1 and 65535.") : undefined),
    }),
  );
}

/**
 * Forwards a free local port to a port on the VM (Jupyter, TensorBoard) over SSH through the tunnel.
 * The forward then shows under the VM in the tree (Open in Browser, Stop); a port already forwarded
 * is offered again instead of being forwarded twice.
 */
export const forwardPort: CommandHandler = async (ctx, arg, portArg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no")),
    placeholder: l10n.t("Forward a port of which VM?"),
    none: l10n.t("No VM can be reached over SSH."),
  });
  if (!vm) return;
  const remotePort = typeof portArg === "number" ? portArg : await askRemotePort(vm.name);
  if (remotePort === undefined) return;
  const service = await signedInService(ctx);
  const running = service.forwards.find(vm.id, remotePort);
  if (running) return offer(ctx, running, true);
  const outcome = await withAccessProgress(ctx, vm, l10n.t("Forwarding port {0} of {1}", remotePort, vm.name), (signal, step) => service.forwardPort(vm.id, remotePort, undefined, signal, step));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  await offer(ctx, outcome.value.forward, outcome.value.reused);
};

/** Shows the forward's row in the tree and offers Open in Browser and Stop. */
async function offer(ctx: CommandContext, forward: ActiveForward, reused: boolean): Promise<void> {
  const l10n = vscode.l10n;
  const { tree, treeView } = ctx.services;
  const row = tree.findForward(forward.id);
  // The new row in view (its VM expanded); a tree being redrawn may not have it yet, which is fine.
  if (row && treeView.visible) await treeView.reveal(row, { select: false, focus: false }).then(undefined, () => undefined);
  const what = forward.server ? l10n.t("{0} (port {1})", forward.server, forward.remotePort) : forwardName(forward, l10n);
  const message = reused ? l10n.t("{0} of {1} is already forwarded to {2}.", what, forward.vmName, forward.url) : l10n.t("{0} of {1} is forwarded to {2}.", what, forward.vmName, forward.url);
  const open = l10n.t("Open in Browser");
  const stop = l10n.t("Stop");
  const choice = await notify.info(message, open, stop);
  if (choice === open) await vscode.env.openExternal(vscode.Uri.parse(forward.url));
  else if (choice === stop) forward.stop();
}
