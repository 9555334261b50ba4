import type { PreflightCheckId, PreflightItem, PreflightStatus } from "../../core/preflight/checkConnectivity";
import type { Localizer } from "../localizer";
import { escapeMarkdown, markdownCell } from "../markdown";

/**
 * "Check connectivity" as a readable Markdown report: one row per check in the order a user fixes
 * them, ✓ / ⚠ / ✗ with the fix next to what failed. Check titles are localised here; details and
 * fixes are the core's (English) sentences.
 */

const MARK: Record<PreflightStatus, string> = { ok: "✓", warn: "⚠", fail: "✗", skipped: "–" };

export function checkTitle(check: PreflightCheckId, l10n: Localizer): string {
  switch (check) {
    case "signedIn":
      return l10n.t("Signed in");
    case "clock":
      return l10n.t("Clock");
    case "os":
      return l10n.t("Operating system");
    case "power":
      return l10n.t("VM running");
    case "role":
      return l10n.t("PIM role");
    case "jitPolicy":
      return l10n.t("JIT policy");
    case "jitWindow":
      return l10n.t("JIT window");
    case "bastion":
      return l10n.t("Azure Bastion");
    case "credentialSource":
      return l10n.t("Credential source");
    case "credentialReadable":
      return l10n.t("Credential readable");
    case "sshClient":
      return l10n.t("SSH client");
    case "sshConfig":
      return l10n.t("SSH configuration");
    case "broker":
      return l10n.t("Tunnel broker");
    case "entraExtension":
      return l10n.t("Entra ID login on the VM");
    case "entraRole":
      return l10n.t("VM login role");
    case "sshLogin":
      return l10n.t("SSH sign-in");
  }
}

export function connectivityReport(vm: { name: string; where: string }, items: readonly PreflightItem[], checkedAt: string, l10n: Localizer): string {
  const failures = items.filter((i) => i.status === "fail").length;
  const warnings = items.filter((i) => i.status === "warn").length;
  const verdict =
    failures > 0
      ? l10n.t("{0} problem(s) and {1} warning(s): fix the ✗ rows first, from the top.", failures, warnings)
      : warnings > 0
        ? l10n.t("No blocking problem; {0} warning(s).", warnings)
        : l10n.t("All checks passed.");
  const lines = [
    `# ${l10n.t("Connectivity check: {0}", escapeMarkdown(vm.name))}`,
    "",
    `${escapeMarkdown(vm.where)} · ${l10n.t("checked at {0}", checkedAt)}`,
    "",
    `**${verdict}**`,
    "",
    `| | ${l10n.t("Check")} | ${l10n.t("Result")} |`,
    "|:-:|---|---|",
  ];
  for (const item of items) {
    const fix = item.fix && (item.status === "fail" || item.status === "warn") ? ` **${l10n.t("Fix:")}** ${markdownCell(item.fix)}` : "";
    lines.push(`| ${MARK[item.status]} | ${markdownCell(checkTitle(item.check, l10n))} | ${markdownCell(item.detail)}${fix} |`);
  }
  lines.push("", `_${l10n.t("✓ passed · ⚠ warning · ✗ problem · – not checked")}_`, "");
  return lines.join("\n");
}
