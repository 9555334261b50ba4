import type { ActiveForward } from "../../core/service/activeForwards";
import type { Localizer } from "../localizer";
import { escapeMarkdown } from "../markdown";

/**
 * A running port forward as a row under its VM: "Jupyter → localhost:49152", the VM's port as the
 * description, the URL and start time in the tooltip, Open in Browser and Stop as its actions. Pure
 * (no `vscode`), like vmPresentation.ts.
 */

/** The `contextValue` of a forward row; the manifest's menus match `viewItem =~ /^forward;/`. */
export const FORWARD_CONTEXT_VALUE = "forward;";

/** The codicon of a forward row. */
export const FORWARD_ICON = "plug";

export type ForwardFacts = Pick<ActiveForward, "id" | "vmId" | "vmName" | "remotePort" | "localPort" | "url" | "server" | "startedAt">;

export interface ForwardNode {
  kind: "forward";
  /** The forward's id (`<lower-cased VM id>/fwd:<remote port>`): unique in the tree, and what Stop names. */
  id: string;
  vmId: string;
  vmName: string;
  remotePort: number;
  localPort: number;
  url: string;
  label: string;
  description: string;
  /** Markdown (the VM name escaped). */
  tooltip: string;
  accessibilityLabel: string;
}

export function isForwardNode(value: unknown): value is ForwardNode {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { kind?: unknown; id?: unknown; url?: unknown };
  return v.kind === "forward" && typeof v.id === "string" && typeof v.url === "string";
}

/** "Jupyter", "TensorBoard", else "Port 3000". */
export function forwardName(f: Pick<ForwardFacts, "server" | "remotePort">, l10n: Localizer): string {
  return f.server ?? l10n.t("Port {0}", f.remotePort);
}

export function presentForward(f: ForwardFacts, ctx: { l10n: Localizer; formatTime: (ms: number) => string }): ForwardNode {
  const { l10n } = ctx;
  const label = `${forwardName(f, l10n)} → localhost:${f.localPort}`;
  const tooltip = [
    l10n.t("**{0}** on {1}, port {2}", escapeMarkdown(forwardName(f, l10n)), escapeMarkdown(f.vmName), f.remotePort),
    "",
    l10n.t("Forwarded to {0} since {1}.", escapeMarkdown(f.url), ctx.formatTime(f.startedAt)),
    "",
    l10n.t("Stops when you stop it, when SSH ends, or when your access to the VM ends."),
  ].join("\n");
  return {
    kind: "forward",
    id: f.id,
    vmId: f.vmId,
    vmName: f.vmName,
    remotePort: f.remotePort,
    localPort: f.localPort,
    url: f.url,
    label,
    description: l10n.t("VM port {0}", f.remotePort),
    tooltip,
    accessibilityLabel: l10n.t("{0} of {1} forwarded to {2}", forwardName(f, l10n), f.vmName, f.url),
  };
}
