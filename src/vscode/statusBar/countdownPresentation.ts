import { deactivationPossibleAt, type Grant } from "../../core/access/grant";
import { formatRemaining, isWarning, type CountdownView } from "../../core/countdown/countdown";
import type { Localizer } from "../localizer";
import { commandLink, escapeMarkdown } from "../markdown";

/**
 * What the status-bar countdown shows: `$(shield) vm-01 42m` for the grant that ends first, and a
 * tooltip listing every running grant with Extend / Deactivate links. Pure (the maths is the
 * core's `countdownView`); the item itself is in countdownStatusBar.ts.
 */

export function countdownText(view: CountdownView<Grant>): string {
  return `$(shield) ${view.grant.vmName} ${view.text}`;
}

export function countdownAccessibilityLabel(view: CountdownView<Grant>, others: number, l10n: Localizer): string {
  const first = l10n.t("Azure JIT access to {0} ends in {1}", view.grant.vmName, view.text);
  return others > 0 ? l10n.t("{0}; {1} more active", first, others) : first;
}

/** Trusted Markdown (its command links are ours, with JSON arguments; VM names are escaped). */
export function grantsTooltip(grants: readonly Grant[], now: number, l10n: Localizer, formatTime: (ms: number) => string): string {
  const live = grants.filter((g) => g.expiresAt > now).sort((a, b) => a.expiresAt - b.expiresAt);
  const lines = [`**${l10n.t("Active Azure JIT access")}**`, ""];
  for (const g of live) {
    const left = formatRemaining(g.expiresAt - now);
    const warn = isWarning(g.expiresAt - now) ? "$(warning) " : "";
    const role = g.roleAssignment.roleName ? ` · ${escapeMarkdown(g.roleAssignment.roleName)}` : "";
    // PIM refuses deactivation in the first 5 minutes: no link until then, and the time it opens.
    const deactivateFrom = deactivationPossibleAt(g.roleAssignment.startsAt, now);
    const deactivate = deactivateFrom === undefined ? commandLink(l10n.t("Deactivate"), "azureJit.deactivateAccess", [g.vmId]) : l10n.t("Deactivate from {0}", formatTime(deactivateFrom));
    lines.push(
      `- ${warn}**${escapeMarkdown(g.vmName)}** — ${l10n.t("{0} left (until {1})", left, formatTime(g.expiresAt))}${role}  `,
      `  ${commandLink(l10n.t("Extend"), "azureJit.extendAccess", [g.vmId])} · ${deactivate}`,
    );
  }
  lines.push("", commandLink(l10n.t("Show Active Access"), "azureJit.showGrants"));
  return lines.join("\n");
}
