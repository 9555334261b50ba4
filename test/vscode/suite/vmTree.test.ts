/// <reference types="mocha" />
/**
 * The VM explorer against the simulator's demo scenario, through the real extension in a real
 * VS Code: device-code sign-in, the tree per state (description, icon, contextValue), grouping,
 * then Request access on an approval-gated VM (pending → approved by the "approver" → ready with a
 * countdown) and Deactivate's five-minute rule.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { VmNode } from "../../../src/vscode/tree/vmTreeModel";
import { eventually, startSimulatorSession, type SimulatorSession } from "../support/simulatorSession";

suite("VM explorer against the simulator", function () {
  this.timeout(120_000);
  let s: SimulatorSession;
  const nodes = (): Map<string, VmNode> => new Map(s.api.services.tree.vmNodes().map((n) => [n.name, n]));
  const node = (name: string): VmNode => {
    const n = nodes().get(name);
    assert.ok(n, `${name} is not in the tree (${[...nodes().keys()].join(", ")})`);
    return n;
  };

  suiteSetup(async function () {
    this.timeout(60_000);
    s = await startSimulatorSession();
  });

  suiteTeardown(async () => {
    s?.api.setAccessInput(undefined);
    await s?.stop();
  });

  test("signed out: the welcome view's state, and the palette only offers Sign In", () => {
    const keys = s.api.services.keys;
    assert.equal(keys.get("azureJit.signedIn"), false);
    assert.equal(keys.get("azureJit.demoMode"), true, "the simulator's control URL enables the demo commands");
    assert.deepEqual(s.api.services.tree.getChildren(), []);
  });

  test("Sign In with a device code, then every demo VM is listed", async () => {
    const outcome = await s.run("azureJit.signIn");
    assert.equal(outcome.ok, true, `sign-in failed: ${String(outcome.error)}`);
    assert.equal(s.api.services.keys.get("azureJit.signedIn"), true);
    await eventually(() => nodes().size >= 14, "14 VMs in the tree");
    assert.equal(s.api.services.keys.get("azureJit.inventoryState"), "ready");
    assert.deepEqual([...nodes().keys()].sort(), ["gpu-ds-01", "vm-approval", "vm-dev-01", "vm-fabrikam", "vm-forbidden", "vm-legacy", "vm-locked", "vm-mfa", "vm-nojit", "vm-nosecret", "vm-password", "vm-ready", "vm-stopped", "win-01"]);
  });

  test("each VM shows its state: description, codicon and menu tokens", () => {
    const expected: Record<string, { description: RegExp; icon: string; tokens: string[] }> = {
      "vm-ready": { description: /^ready · \d+m left$/, icon: "pass-filled", tokens: ["grant:active", "role:active", "blocked:no"] },
      "vm-dev-01": { description: /^needs PIM$/, icon: "unlock", tokens: ["grant:none", "role:none", "ssh:yes", "blocked:no"] },
      "vm-approval": { description: /^needs approval$/, icon: "unlock", tokens: ["grant:none"] },
      "vm-mfa": { description: /^MFA required$/, icon: "unlock", tokens: ["grant:none"] },
      "vm-nojit": { description: /^no JIT policy$/, icon: "circle-slash", tokens: ["blocked:yes"] },
      "vm-legacy": { description: /^Bastion can't tunnel$/, icon: "circle-slash", tokens: ["blocked:yes"] },
      "vm-locked": { description: /^Bastion can't tunnel$/, icon: "circle-slash", tokens: ["blocked:yes"] },
      "vm-stopped": { description: /^stopped$/, icon: "debug-stop", tokens: ["power:stopped", "blocked:no"] },
      "vm-nosecret": { description: /· no credential$/, icon: "unlock", tokens: ["ssh:yes"] },
      "win-01": { description: /^Windows: no SSH$/, icon: "window", tokens: ["os:windows", "ssh:no", "blocked:yes"] },
      "vm-fabrikam": { description: /^needs PIM$/, icon: "unlock", tokens: ["grant:none"] },
    };
    for (const [name, want] of Object.entries(expected)) {
      const n = node(name);
      assert.match(n.presentation.description, want.description, name);
      assert.equal(n.presentation.icon.id, want.icon, name);
      for (const t of want.tokens) assert.ok(n.presentation.contextValue.includes(`;${t};`), `${name}: ${n.presentation.contextValue} lacks ${t}`);
      assert.equal(n.id, n.vmId.toLowerCase());
    }
    const item = s.api.services.tree.getTreeItem(node("vm-nojit"));
    assert.ok(item.tooltip instanceof vscode.MarkdownString);
    assert.match(item.tooltip.value, /No Defender for Cloud JIT policy covers this VM/);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.color instanceof vscode.ThemeColor);
  });

  test("grouping: tenant › subscription by default, then status, then resource group", async () => {
    const labels = (): string[] => s.api.services.tree.getChildren().map((n) => (n.kind === "vm" ? n.name : n.label));
    assert.deepEqual(labels(), ["Contoso", "Fabrikam"]);
    assert.equal((await s.run("azureJit.groupBy", "status")).ok, true);
    await eventually(() => labels()[0] === "Ready", "status groups");
    assert.deepEqual(labels(), ["Ready", "Needs access", "Stopped", "Not reachable over SSH"]);
    assert.equal((await s.run("azureJit.groupBy", "resourceGroup")).ok, true);
    await eventually(() => labels().includes("Contoso Dev"), "subscription groups");
    assert.deepEqual(labels(), ["Contoso Data Science", "Contoso Dev", "Fabrikam Research"]);
    await s.run("azureJit.groupBy", "subscription");
    await eventually(() => labels()[0] === "Contoso", "tenant groups");
  });

  test("Request access on vm-approval: pending approval, then approved by the approver, then ready", async () => {
    const asked: string[] = [];
    s.api.setAccessInput(async (request) => {
      asked.push(`${request.vmName}: justification=${request.needs.justification} ticket=${request.needs.ticket} approval=${request.approvalRequired}`);
      return { justification: "extension-host test", ticket: { number: "CHG-42" }, durationMs: request.defaultDurationMs };
    });
    const vmId = s.vmId("vm-approval");
    const outcome = await s.run("azureJit.requestAccess", vmId);
    assert.equal(outcome.ok, true, String(outcome.error));
    assert.deepEqual(asked, ["vm-approval: justification=true ticket=true approval=true"]);
    await eventually(() => node("vm-approval").presentation.description === "pending approval", "vm-approval pending");
    assert.match(node("vm-approval").presentation.contextValue, /;grant:pending;/);
    await eventually(() => s.api.services.keys.get("azureJit.hasPending"), "hasPending");

    assert.equal((await s.run("azureJit.demo.approvePending", vmId)).ok, true);
    await eventually(() => /^ready · \d+m left$/.test(node("vm-approval").presentation.description), "vm-approval ready after approval", 30_000);
    const grant = (await s.api.services.host.get()).activeGrant(vmId);
    assert.ok(grant, "a grant is held");
    assert.equal(s.api.services.keys.get("azureJit.hasGrants"), true);
    assert.match(node("vm-approval").presentation.contextValue, /;grant:active;role:active;/);
  });

  test("Check Connectivity opens a readable report naming what blocks the VM", async () => {
    const outcome = await s.run("azureJit.checkConnectivity", s.vmId("vm-legacy"));
    assert.equal(outcome.ok, true, String(outcome.error));
    // Shown in the Markdown preview (a webview tab); its source is our read-only report document.
    await eventually(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label.includes("Connectivity vm-legacy"))), "the report's preview tab");
    const report = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: "azure-jit-report", path: "/Connectivity vm-legacy.md" }));
    const text = report.getText();
    assert.match(text, /^# Connectivity check: vm\\-legacy$/m);
    assert.match(text, /\| ✗ \| Azure Bastion \|/);
    assert.match(text, /\*\*Fix:\*\*/);
  });

  test("when the simulator's clock passes the end: access expired, no grant, the countdown gone", async () => {
    const vmId = s.vmId("vm-approval");
    const service = await s.api.services.host.get();
    const expired = new Promise<void>((resolve) => {
      const sub = s.api.services.host.onDidExpire(() => {
        sub.dispose();
        resolve();
      });
    });
    assert.equal((await s.run("azureJit.demo.advanceClock", 61)).ok, true);
    await expired;
    assert.equal(service.activeGrant(vmId), undefined);
    await eventually(() => node("vm-approval").presentation.description === "access expired", "vm-approval expired in the tree");
    await eventually(() => s.api.services.keys.get("azureJit.hasGrants") === false, "hasGrants cleared");
    assert.equal(service.countdown(), undefined);
  });

  test("a new window signs in again from the saved device-code sign-in, without showing a code", async () => {
    const { auth, host, keys } = s.api.services;
    s.approveDeviceCodes = false;
    try {
      // What a window reload leaves: no session in memory, the token cache in SecretStorage.
      await auth.forget();
      await host.reset();
      assert.equal(keys.get("azureJit.signedIn"), false);
      await auth.restore();
      assert.equal(keys.get("azureJit.signedIn"), true, "signed in again silently");
      const pending = (await s.control("GET", "/_sim/devicecode")) as { pending: unknown[] };
      assert.deepEqual(pending.pending, [], "no device code was requested");
    } finally {
      s.approveDeviceCodes = true;
    }
  });

  test("another SSH config file rebuilds the service and keeps the sign-in", async () => {
    const cfg = vscode.workspace.getConfiguration("azureJit");
    const file = `${process.env.HOME}/.ssh/other_config`;
    await cfg.update("ssh.configFile", file, vscode.ConfigurationTarget.Global);
    try {
      await s.settingsApplied(() => s.api.services.config().ssh.configFile === file);
      const service = s.api.services.host.signedIn;
      assert.ok(service, "still signed in");
      assert.equal(service.paths.userConfigFile, file);
      await eventually(() => nodes().size >= 14, "the VMs listed again");
    } finally {
      await cfg.update("ssh.configFile", undefined, vscode.ConfigurationTarget.Global);
      await s.settingsApplied(() => s.api.services.config().ssh.configFile === "");
    }
  });

  test("the tenant/subscription filter applies at once, and the picker still offers every subscription", async () => {
    const cfg = vscode.workspace.getConfiguration("azureJit");
    const fabrikam = node("vm-fabrikam").subscriptionId;
    await cfg.update("filter.subscriptions", [fabrikam], vscode.ConfigurationTarget.Global);
    try {
      await eventually(() => [...nodes().keys()].join() === "vm-fabrikam", "only vm-fabrikam listed");
      assert.equal((await s.api.services.host.get()).availableScopes()?.subscriptions.length, 3);
      await cfg.update("filter.subscriptions", ["00000000-0000-0000-0000-000000000000"], vscode.ConfigurationTarget.Global);
      await eventually(() => s.api.services.keys.get("azureJit.inventoryState") === "empty", "the empty welcome view");
    } finally {
      await cfg.update("filter.subscriptions", undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually(() => nodes().size >= 14, "every VM listed again");
    assert.equal(s.api.services.keys.get("azureJit.inventoryState"), "ready");
  });
});
