/** "Check My Azure Setup" rendered as Markdown: marks, fixes, and Azure's names kept inert. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VmSetupReport } from "../../src/core/preflight/checkSetup";
import { formatOnly } from "../../src/vscode/localizer";
import { codeSpan, setupReport } from "../../src/vscode/reports/setupReport";

const vm = (name: string): VmSetupReport["vm"] => ({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`, name, subscriptionId: "s", subscriptionName: "Contoso Dev", resourceGroup: "rg" });

describe("setup report", () => {
  const reports: VmSetupReport[] = [
    {
      vm: vm("vm-locked"),
      findings: [
        { requirement: "pimEligibility", status: "present", detail: "Eligible." },
        { requirement: "bastionNativeClient", status: "missing", detail: "Bastion bas-locked has native client support off.", fix: { portal: "Bastions → bas-locked → Configuration → Native client support.", az: "az network bastion update --name bas-locked --resource-group rg-network --enable-tunneling true", doc: "https://learn.microsoft.com/azure/bastion/native-client" } },
        { requirement: "secretAccess", status: "unknown", detail: "Not readable now." },
        { requirement: "conditionalAccess", status: "optional", detail: "None.", fix: { portal: "PIM → Settings.", doc: "https://learn.microsoft.com/entra/x" } },
      ],
    },
    { vm: vm("[evil](command:workbench.action.terminal.sendSequence)"), findings: [{ requirement: "secretTag", status: "missing", detail: "No tag | here", fix: { portal: "Tags", az: "az tag update --resource-id 'x`y' --tags a=b", doc: "javascript:alert(1)" } }] },
  ];
  const md = setupReport(reports, "12:00", formatOnly);

  it("one row per prerequisite with its mark, the fix only where something is not present", () => {
    const rows = md.split("\n").filter((l) => /^\| [✓✗?–] \|/.test(l));
    assert.deepEqual(rows.map((r) => r.slice(2, 3)), ["✓", "✗", "?", "–", "✗"]);
    assert.match(rows[1]!, /Native client support\\\.<br>` az network bastion update --name bas-locked --resource-group rg-network --enable-tunneling true `<br>\[docs\]\(https:\/\/learn\.microsoft\.com\/azure\/bastion\/native-client\)/);
    assert.doesNotMatch(rows[0]!, /docs/);
    assert.match(md, /\*\*2 missing prerequisite\(s\)/);
    assert.match(md, /\| vm\\-locked \| 1 \| 1 \|/, "a summary row per VM when several are checked");
  });

  it("keeps names, commands and links from Azure inert", () => {
    assert.doesNotMatch(md, /\[evil\]\(command:/);
    assert.match(md, /## \\\[evil\\\]\\\(command:workbench\\\.action/);
    assert.match(md, /`` az tag update --resource-id 'x`y' --tags a=b ``/, "a backtick inside cannot end the code span");
    assert.doesNotMatch(md, /\]\(javascript:/);
    assert.match(md, /No tag \\\| here/);
  });

  it("code spans survive backticks and pipes", () => {
    assert.equal(codeSpan("a`b|c"), "`` a`b\\|c ``");
    assert.equal(codeSpan("plain"), "` plain `");
  });

  it("nothing missing says so", () => {
    assert.match(setupReport([{ vm: vm("ok"), findings: [{ requirement: "bastion", status: "present", detail: "Yes." }] }], "12:00", formatOnly), /\*\*Nothing is missing\.\*\*/);
  });
});
