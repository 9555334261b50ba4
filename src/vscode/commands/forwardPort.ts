import * as vscode from "vscode";
import { notify } from "../notify";
import { parsePort } from "../inputRules";
import { inputText } from "../quickInput";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

/** Default remote port: Jupyter's. */
export const DEFAULT_REMOTE_PORT = 8888;

/** Forwards a free local port to a port on the VM (Jupyter, TensorBoard) over SSH through the tunnel. */
export const forwardPort: CommandHandler = async (ctx, arg, portArg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no")),
    placeholder: l10n.t("Forward a port of which VM?"),
    none: l10n.t("No VM can be reached over SSH."),
  });
  if (!vm) return;
  const given = typeof portArg === "number" ? portArg : undefined;
  const remotePort =
    given ??
    parsePort(
      await inputText({
        title: l10n.t("Forward a port of {0}", vm.name),
        prompt: l10n.t("Port on the VM (a free local port is chosen for you)"),
        value: String(DEFAULT_REMOTE_PORT),
        validate: (v) => (parsePort(v) === undefined ? l10n.t("Enter a port number between 1 and 65535.") : undefined),
      }),
    );
  if (remotePort === undefined) return;
  const service = await signedInService(ctx);
  const outcome = await withAccessProgress(ctx, vm, l10n.t("Forwarding port {0} of {1}", remotePort, vm.name), (signal, step) => service.forwardPort(vm.id, remotePort, undefined, signal, step));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  const forward = outcome.value;
  const keys = ctx.services.keys;
  await keys.set("azureJit.hasForwards", true);
  void forward.exited.then(async ({ code, stderr }) => {
    await keys.set("azureJit.hasForwards", service.activeForwards().length > 0);
    ctx.services.log.info(`Port forward 127.0.0.1:${forward.localPort} → ${vm.name}:${remotePort} ended (ssh exit ${code ?? "signal"})${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-1)[0]}` : ""}`);
  });
  const open = l10n.t("Open in Browser");
  const stop = l10n.t("Stop");
  const choice = await notify.info(l10n.t("Port {0} of {1} is forwarded to {2}", remotePort, vm.name, forward.url), open, stop);
  if (choice === open) await vscode.env.openExternal(vscode.Uri.parse(forward.url));
  else if (choice === stop) forward.close();
};
