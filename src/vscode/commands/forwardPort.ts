import * as vscode from "vscode";
import { notify } from "../notify";
import { parsePort } from "../inputRules";
import { inputText, pickOne } from "../quickInput";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

/** The servers data scientists forward most (their default ports), then any other port. */
export const WELL_KNOWN_REMOTE_PORTS: readonly { label: string; port: number }[] = [
  { label: "Jupyter", port: 8888 },
  { label: "TensorBoard", port: 6006 },
];

async function askRemotePort(vmName: string): Promise<number | undefined> {
  const l10n = vscode.l10n;
  const title = l10n.t("Forward a port of {0}", vmName);
  const items = [
    ...WELL_KNOWN_REMOTE_PORTS.map((w) => ({ label: w.label, description: l10n.t("port {0}", w.port), port: w.port as number | undefined })),
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

/** Forwards a free local port to a port on the VM (Jupyter, TensorBoard) over SSH through the tunnel. */
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
