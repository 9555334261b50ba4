import type { SetupFinding, SetupRequirementId, SetupStatus, VmSetupReport } from "../../core/preflight/checkSetup";
import type { Localizer } from "../localizer";
import { escapeMarkdown, markdownCell } from "../markdown";

/**
 * "Check my Azure setup" as a Markdown report: per VM, one row per prerequisite of
 * docs/azure-setup.md, present / missing / cannot tell, with the one fix (portal path, `az`
 * command, documentation link) next to what is missing. Names from Azure are escaped; the `az`
 * command is a code span; links are only the product's own documentation URLs.
 */

const MARK: Record<SetupStatus, string> = { present: "✓", missing: "✗", unknown: "?", optional: "–" };

export function requirementTitle(requirement: SetupRequirementId, l10n: Localizer): string {
  switch (requirement) {
    case "pimEligibility":
      return l10n.t("PIM eligibility");
    case "roleActions":
      return l10n.t("Role can request JIT");
    case "jitPolicy":
      return l10n.t("JIT policy on port 22");
    case "jitSource":
      return l10n.t("JIT allows the Bastion subnet");
    case "bastion":
      return l10n.t("Azure Bastion");
    case "bastionNativeClient":
      return l10n.t("Bastion native client");
    case "secretTag":
      return l10n.t("Secret tag on the VM");
    case "secretAccess":
      return l10n.t("Key Vault Secrets User");
    case "conditionalAccess":
      return l10n.t("Authentication context");
  }
}

/** A code span that nothing inside can end early, on one line, safe in a table cell. */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...[...oneLine.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence} ${oneLine} ${fence}`;
}

function docLink(url: string, l10n: Localizer): string {
  // Only our own constants reach here; still refuse anything but an https page on Microsoft Learn.
  return /^https:\/\/learn\.microsoft\.com\/[A-Za-z0-9/_#.-]*$/.test(url) ? `[${l10n.t("docs")}](${url})` : markdownCell(url);
}

function fixCell(finding: SetupFinding, l10n: Localizer): string {
  if (!finding.fix || finding.status === "present") return " ";
  const parts = [markdownCell(finding.fix.portal)];
  if (finding.fix.az) parts.push(codeSpan(finding.fix.az));
  parts.push(docLink(finding.fix.doc, l10n));
  return parts.join("<br>");
}

export function setupReport(reports: readonly VmSetupReport[], checkedAt: string, l10n: Localizer): string {
  const missingTotal = reports.reduce((n, r) => n + r.findings.filter((f) => f.status === "missing").length, 0);
  const lines = [`# ${l10n.t("Azure setup check")}`, "", l10n.t("{0} VM(s) · checked at {1} · read only, with your current rights", reports.length, checkedAt), ""];
  lines.push(missingTotal === 0 ? `**${l10n.t("Nothing is missing.")}**` : `**${l10n.t("{0} missing prerequisite(s): each ✗ row says what to set up, where, and with which az command.", missingTotal)}**`, "");
  if (reports.length > 1) {
    lines.push(`| ${l10n.t("VM")} | ${l10n.t("Missing")} | ${l10n.t("Cannot tell")} |`, "|---|:-:|:-:|");
    for (const r of reports) lines.push(`| ${markdownCell(r.vm.name)} | ${r.findings.filter((f) => f.status === "missing").length} | ${r.findings.filter((f) => f.status === "unknown").length} |`);
    lines.push("");
  }
  for (const r of reports) {
    lines.push(`## ${escapeMarkdown(r.vm.name)}`, "", `${escapeMarkdown(r.vm.subscriptionName ?? r.vm.subscriptionId)} › ${escapeMarkdown(r.vm.resourceGroup)}`, "");
    lines.push(`| | ${l10n.t("Prerequisite")} | ${l10n.t("Found")} | ${l10n.t("Fix")} |`, "|:-:|---|---|---|");
    for (const f of r.findings) lines.push(`| ${MARK[f.status]} | ${markdownCell(requirementTitle(f.requirement, l10n))} | ${markdownCell(f.detail)} | ${fixCell(f, l10n)} |`);
    lines.push("");
  }
  lines.push(`_${l10n.t("✓ present · ✗ missing · ? cannot tell with your current rights · – optional, not set up")}_`, "", l10n.t("The full guide: docs/azure-setup.md in the extension's repository."), "");
  return lines.join("\n");
}
