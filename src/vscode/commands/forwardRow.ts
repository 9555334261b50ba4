import * as vscode from "vscode";
import { connect } from "./connect";
import type { CommandContext, CommandHandler } from "./commandContext";
import { isForwardNode, type ForwardNode } from "../tree/forwardPresentation";
import { enterActionFor, isTreeSelectionArgument } from "../tree/vmTreeModel";

/**
 * The commands of a port-forward row under a VM (inline and in its context menu): Open in Browser
 * and Stop. They need the row, so the Command Palette does not offer them ("Stop Port Forwarding…"
 * is the palette's way to stop forwards).
 */

function forwardArg(ctx: CommandContext, arg: unknown): ForwardNode | undefined {
  if (isTreeSelectionArgument(arg)) {
    const selected = ctx.services.treeView.selection;
    return selected.length === 1 && isForwardNode(selected[0]) ? selected[0] : undefined;
  }
  return isForwardNode(arg) ? arg : undefined;
}

export const openForwardInBrowser: CommandHandler = async (ctx, arg) => {
  const forward = forwardArg(ctx, arg);
  if (!forward) return;
  ctx.vmId = forward.vmId;
  await vscode.env.openExternal(vscode.Uri.parse(forward.url));
};

export const stopForward: CommandHandler = async (ctx, arg) => {
  const forward = forwardArg(ctx, arg);
  if (!forward) return;
  ctx.vmId = forward.vmId;
  // Already gone (ssh ended meanwhile): the row leaves with the next redraw, nothing to stop.
  if (!ctx.services.host.current?.forwards.stop(forward.id)) ctx.services.log.info(`Port forward ${forward.id} had already ended.`);
};

/**
 * Enter in the VM tree (the keybinding passes TREE_SELECTION_ARGUMENT): Connect on a VM, Open in
 * Browser on a forward, expand or collapse a group, as vmTreeModel.enterActionFor decides.
 */
export const openSelectedRow: CommandHandler = async (ctx, arg) => {
  if (!isTreeSelectionArgument(arg)) return;
  const action = enterActionFor(ctx.services.treeView.selection);
  switch (action.kind) {
    case "connect":
      return connect(ctx, action.vm);
    case "openInBrowser":
      return openForwardInBrowser(ctx, action.forward);
    case "toggleExpand":
      await vscode.commands.executeCommand("list.toggleExpand");
      return;
    case "none":
      return;
  }
};
