/** The status-bar countdown's text, accessibility label and tooltip. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countdownView } from "../../src/core/countdown/countdown";
import { formatOnly } from "../../src/vscode/localizer";
import { countdownAccessibilityLabel, countdownText, grantsTooltip } from "../../src/vscode/statusBar/countdownPresentation";
import { ctx, grantFor, MIN, NOW, readyVm } from "./support/fixtures";

describe("countdown presentation", () => {
  const a = grantFor(readyVm("vm-01"), NOW + 42 * MIN + 10_000);
  const b = grantFor(readyVm("vm-02"), NOW + 8 * MIN);

  it("shows the grant that ends first, warning in the last 10 minutes", () => {
    const view = countdownView([a, b], NOW)!;
    assert.equal(countdownText(view), "$(shield) vm-02 8m");
    assert.equal(view.warning, true);
    assert.equal(countdownText(countdownView([a], NOW)!), "$(shield) vm-01 42m");
    assert.equal(countdownView([a], NOW)!.warning, false);
    assert.equal(countdownView([], NOW), undefined);
  });

  it("reads out the VM, the time left and how many more", () => {
    const view = countdownView([a, b], NOW)!;
    assert.equal(countdownAccessibilityLabel(view, 1, formatOnly), "Azure JIT access to vm-02 ends in 8m; 1 more active");
    assert.equal(countdownAccessibilityLabel(countdownView([a], NOW)!, 0, formatOnly), "Azure JIT access to vm-01 ends in 42m");
  });

  it("lists every running grant, soonest first, with Extend and Deactivate links carrying the VM id", () => {
    const expired = grantFor(readyVm("vm-old"), NOW - MIN);
    const md = grantsTooltip([a, b, expired], NOW, formatOnly, ctx.formatTime);
    assert.ok(md.indexOf("vm\\-02") < md.indexOf("vm\\-01"), md);
    assert.doesNotMatch(md, /vm\\-old/);
    assert.match(md, /\$\(warning\) \*\*vm\\-02\*\* — 8m left \(until 12:08\)/);
    const arg = encodeURIComponent(JSON.stringify([a.vmId]));
    assert.ok(md.includes(`[Extend](command:azureJit.extendAccess?${arg})`), md);
    assert.ok(md.includes(`[Deactivate](command:azureJit.deactivateAccess?${arg})`), md);
    assert.ok(md.includes("(command:azureJit.showGrants)"));
  });

  it("offers no Deactivate link in the role's first 5 minutes, but the time it becomes possible (PIM refuses before)", () => {
    const fresh = { ...a, roleAssignment: { ...a.roleAssignment, startsAt: NOW - 2 * MIN } };
    const older = { ...b, roleAssignment: { ...b.roleAssignment, startsAt: NOW - 5 * MIN } };
    const md = grantsTooltip([fresh, older], NOW, formatOnly, ctx.formatTime);
    assert.ok(!md.includes(`(command:azureJit.deactivateAccess?${encodeURIComponent(JSON.stringify([fresh.vmId]))})`), md);
    assert.match(md, /Deactivate from 12:03/);
    assert.ok(md.includes(`[Deactivate](command:azureJit.deactivateAccess?${encodeURIComponent(JSON.stringify([older.vmId]))})`), md);
  });
});
