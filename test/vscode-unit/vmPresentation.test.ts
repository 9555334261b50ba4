/**
 * VmEntry → tree presentation (description, codicon and colour, contextValue tokens, tooltip), and
 * the manifest's view/item/context when-clauses against the tokens the presentation emits.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { AccessState } from "../../src/core/access/states";
import type { VmEntry } from "../../src/core/inventory/loadInventory";
import { FORWARD_CONTEXT_VALUE } from "../../src/vscode/tree/forwardPresentation";
import { contextValueOf, presentVm, type VmFacts } from "../../src/vscode/tree/vmPresentation";
import { ctx, grantFor, MIN, NOW, readyVm, vm } from "./support/fixtures";

const idle: AccessState = { kind: "idle" };
const show = (entry: VmEntry, access: AccessState = idle, grant?: VmFacts["grant"]) => presentVm({ vm: entry, access, ...(grant ? { grant } : {}) }, ctx);

describe("VM presentation", () => {
  it("ready, with our grant: the grant's end, the passed icon, grant and role active", () => {
    const entry = readyVm("vm-ready", NOW + 90 * MIN);
    const p = show(entry, idle, grantFor(entry, NOW + 42 * MIN + 30_000));
    assert.equal(p.description, "ready · 42m left");
    assert.deepEqual(p.icon, { id: "pass-filled", color: "testing.iconPassed" });
    assert.equal(p.contextValue, "vm;os:linux;ssh:yes;grant:active;role:active;power:running;blocked:no;");
    assert.equal(p.bucket, "ready");
    assert.equal(p.transitional, false);
    assert.match(p.tooltip, /Access ends at 12:42 \(42m left\)\./);
  });

  it("ready without a grant of ours (opened elsewhere): the earlier of role and JIT end", () => {
    const p = show(readyVm("vm-ready", NOW + 59 * MIN));
    assert.equal(p.description, "ready · 59m left");
    assert.match(p.contextValue, /;grant:active;/);
  });

  it("needs access: says what the request involves (PIM, approval, MFA, JIT only)", () => {
    assert.equal(show(vm("vm-dev-01")).description, "needs PIM");
    assert.equal(show(vm("vm-approval", { needs: { approval: true, ticket: true } })).description, "needs approval");
    assert.equal(show(vm("vm-mfa", { needs: { mfa: true, authenticationContext: "c1" } })).description, "MFA required");
    assert.equal(show(vm("vm-jit", { needs: { pim: false, justification: false }, role: { state: "active" } })).description, "needs JIT");
    const p = show(vm("vm-dev-01"));
    assert.deepEqual(p.icon, { id: "unlock" });
    assert.equal(p.contextValue, "vm;os:linux;ssh:yes;grant:none;role:none;power:running;blocked:no;");
    assert.equal(p.bucket, "needsAccess");
  });

  it("pending approval: watch icon, grant:pending, polled", () => {
    const p = show(vm("vm-approval", { needs: { approval: true } }), { kind: "pendingApproval", requestName: "r", since: NOW });
    assert.equal(p.description, "pending approval");
    assert.deepEqual(p.icon, { id: "watch", color: "charts.yellow" });
    assert.match(p.contextValue, /;grant:pending;/);
    assert.equal(p.transitional, true);
    assert.equal(p.bucket, "pending");
    // The inventory can say so too (a request resumed from another window).
    assert.equal(show(vm("vm-approval", { status: "pendingApproval", role: { state: "pendingApproval" } })).description, "pending approval");
  });

  it("a flow under way spins and counts as pending", () => {
    for (const kind of ["readingPolicy", "activatingRole", "waitingForRole", "initiatingJit", "waitingForJit"] as const) {
      const access = (kind === "activatingRole" ? { kind, requestName: "r" } : kind === "waitingForJit" ? { kind, requestedAt: NOW } : { kind }) as AccessState;
      const p = show(vm("vm-dev-01"), access);
      assert.equal(p.icon.id, "loading~spin", kind);
      assert.match(p.contextValue, /;grant:pending;/, kind);
      assert.equal(p.transitional, true, kind);
    }
  });

  it("blocked: no JIT policy, Bastion can't tunnel, no Bastion, no role; Windows has no SSH", () => {
    const blocked = [
      [vm("vm-nojit", { status: "noJitPolicy", jit: { state: "noPolicy" } }), "no JIT policy"],
      [vm("vm-legacy", { status: "bastionNoNativeClient", bastion: { state: "noNativeClient" } }), "Bastion can't tunnel"],
      [vm("vm-far", { status: "noBastion", bastion: { state: "none" } }), "no Bastion path"],
      [vm("vm-none", { status: "noRole", role: { state: "none" } }), "no eligible role"],
    ] as const;
    for (const [entry, text] of blocked) {
      const p = show(entry);
      assert.equal(p.description, text);
      assert.deepEqual(p.icon, { id: "circle-slash", color: "errorForeground" });
      assert.match(p.contextValue, /;blocked:yes;/);
      assert.equal(p.bucket, "blocked");
    }
    const win = show(vm("win-01", { status: "unsupportedOs", os: "Windows" }, { osType: "Windows" }));
    assert.equal(win.description, "Windows: no SSH");
    assert.deepEqual(win.icon, { id: "window" });
    assert.equal(win.contextValue, "vm;os:windows;ssh:no;grant:none;role:none;power:running;blocked:yes;");
  });

  it("stopped: debug-stop and power:stopped; starting spins and is polled", () => {
    const stopped = show(vm("vm-stopped", { status: "notRunning", power: "deallocated" }));
    assert.equal(stopped.description, "stopped");
    assert.deepEqual(stopped.icon, { id: "debug-stop", color: "disabledForeground" });
    assert.match(stopped.contextValue, /;power:stopped;/);
    assert.match(stopped.contextValue, /;blocked:no;/);
    const starting = show(vm("vm-stopped", { status: "notRunning", power: "starting" }));
    assert.equal(starting.description, "starting…");
    assert.equal(starting.transitional, true);
    assert.match(starting.contextValue, /;power:running;/);
  });

  it("how the last request ended, and expiry", () => {
    assert.equal(show(vm("a"), { kind: "denied", message: "Denied by bob." }).description, "request denied");
    assert.match(show(vm("a"), { kind: "denied", message: "Denied by bob." }).tooltip, /Last request: Denied by bob\\\./);
    assert.equal(show(vm("a"), { kind: "failed", code: "X", message: "m" }).description, "request failed");
    assert.equal(show(vm("a", { status: "expired" })).description, "access expired");
  });

  it("a missing or invalid credential is hinted after the status", () => {
    assert.equal(show(vm("vm-nosecret", { credential: { source: "unknown", secretUri: undefined } })).description, "needs PIM · no credential");
    assert.equal(show(vm("vm-badtag", { credential: { source: "invalid" } })).description, "needs PIM · credential tag invalid");
  });

  it("the tooltip names the credential a connection will use, and whether the tag or the user's choice chose it", () => {
    const tagged = show(vm("vm-dev-01", { credential: { source: "tag", secretUri: "https://kv-contoso.vault.azure.net/secrets/vm-dev-01-ssh-key", username: "azureuser" } }));
    const plain = (markdown: string): string => markdown.replace(/\\(.)/g, "$1");
    assert.match(plain(tagged.tooltip), /Credential: secret vm-dev-01-ssh-key in vault kv-contoso \(VM tag\), user azureuser\./);
    const chosen = show(vm("vm-nosecret", { credential: { source: "remembered", secretUri: "https://kv-contoso.vault.azure.net/secrets/vm-nosecret-ssh-key", username: "ops_user" } }));
    assert.equal(chosen.description, "needs PIM");
    assert.match(chosen.tooltip, /user ops\\_user/, "Azure-side text is Markdown-escaped");
    assert.match(plain(chosen.tooltip), /Credential: secret vm-nosecret-ssh-key in vault kv-contoso \(your choice\), user ops_user\./);
    assert.doesNotMatch(show(vm("vm-nosecret", { credential: { source: "unknown", secretUri: undefined } })).tooltip, /Credential:/);
  });

  it("Entra ID login: says so instead of \"no credential\", and the tooltip drops the missing-credential reason", () => {
    const entry = vm("vm-entra", { credential: { source: "unknown", secretUri: undefined }, reasons: ["The role needs activation.", "No SSH credential source is known: tag the VM."] });
    const p = presentVm({ vm: entry, access: idle, loginMethod: "entraId" }, ctx);
    assert.equal(p.description, "needs PIM · Entra ID login");
    assert.doesNotMatch(p.tooltip, /No SSH credential source/);
    assert.match(p.tooltip, /Logs in with Microsoft Entra ID/);
    assert.equal(presentVm({ vm: entry, access: idle, loginMethod: "keyVault" }, ctx).description, "needs PIM · no credential");
  });

  it("the tooltip lists every reason and escapes Markdown from Azure", () => {
    const p = show(vm("vm-[evil](command:x)", { reasons: ["First *reason*.", "Second reason."] }));
    assert.ok(p.tooltip.startsWith("**vm\\-\\[evil\\]\\(command:x\\)** — needs PIM"), p.tooltip);
    assert.match(p.tooltip, /^- First \\\*reason\\\*\\\.$/m);
    assert.match(p.tooltip, /^- Second reason\\\.$/m);
    assert.doesNotMatch(p.tooltip, /\]\(command:/);
  });

  it("contextValue follows an active grant even while the inventory still says needs access", () => {
    const entry = vm("vm-dev-01");
    assert.match(contextValueOf({ vm: entry, access: { kind: "granted", grant: grantFor(entry, NOW + 5 * MIN) }, grant: grantFor(entry, NOW + 5 * MIN) }, NOW), /;grant:active;/);
    assert.match(contextValueOf({ vm: entry, access: idle, grant: grantFor(entry, NOW - MIN) }, NOW), /;grant:none;/);
  });
});

describe("the manifest's VM menus", () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
  const itemMenus = manifest.contributes.menus["view/item/context"] ?? [];
  const entry = vm("x");
  const samples = new Map<string, string>([
    ["ready", show(readyVm("r")).contextValue],
    ["ready with our grant", show(readyVm("r"), idle, grantFor(readyVm("r"), NOW + 30 * MIN)).contextValue],
    ["needs PIM", show(entry).contextValue],
    ["role active, needs JIT", show(vm("j", { role: { state: "active" }, needs: { pim: false } })).contextValue],
    ["pending", show(entry, { kind: "pendingApproval", requestName: "r", since: NOW }).contextValue],
    ["stopped", show(vm("s", { status: "notRunning", power: "deallocated" })).contextValue],
    ["blocked", show(vm("b", { status: "noJitPolicy", jit: { state: "noPolicy" } })).contextValue],
    ["windows", show(vm("w", { status: "unsupportedOs", os: "Windows" })).contextValue],
    // Not a VM: the row of a port forward under one (forwardPresentation.ts).
    ["a port forward", FORWARD_CONTEXT_VALUE],
  ]);
  const regexes = (when: string): RegExp[] => [...when.matchAll(/viewItem =~ \/(.+?)\/(?=\s|$)/g)].map((m) => new RegExp(m[1]!));
  const matches = (when: string, value: string): boolean => regexes(when).every((r) => r.test(value));
  const allowed: Record<string, string[]> = { os: ["linux", "windows"], ssh: ["yes", "no"], grant: ["active", "pending", "none"], role: ["active", "none"], power: ["running", "stopped"], blocked: ["yes", "no"] };

  it("every token a when-clause names is one the tree emits", () => {
    for (const item of itemMenus) {
      for (const m of (item.when ?? "").matchAll(/(\w+):(\w+)/g)) {
        assert.ok(allowed[m[1]!]?.includes(m[2]!), `${item.command}: unknown token ${m[0]} in "${item.when}"`);
      }
    }
  });

  it("every item menu entry shows for some row, and the inline actions for the right ones", () => {
    for (const item of itemMenus) {
      assert.ok([...samples.values()].some((v) => matches(item.when ?? "", v)), `${item.command} (${item.when}) matches no row`);
    }
    const inline = (label: string): string[] => itemMenus.filter((i) => (i as { group?: string }).group?.startsWith("inline") && matches(i.when ?? "", samples.get(label)!)).map((i) => i.command);
    assert.deepEqual(inline("ready"), ["azureJit.connect"]);
    assert.deepEqual(inline("needs PIM"), ["azureJit.requestAccess"]);
    assert.deepEqual(inline("pending"), ["azureJit.cancelRequest"]);
    assert.deepEqual(inline("stopped").sort(), ["azureJit.requestAccess", "azureJit.startVm"]);
    assert.deepEqual(inline("blocked"), []);
    assert.deepEqual(inline("windows"), []);
    assert.deepEqual(inline("a port forward"), ["azureJit.openForwardInBrowser", "azureJit.stopForward"]);
  });

  it("Deactivate shows where the role or our grant is active, Extend only where access is active", () => {
    const shown = (command: string, label: string): boolean => itemMenus.some((i) => i.command === command && matches(i.when ?? "", samples.get(label)!));
    assert.equal(shown("azureJit.deactivateAccess", "role active, needs JIT"), true);
    assert.equal(shown("azureJit.deactivateAccess", "needs PIM"), false);
    assert.equal(shown("azureJit.extendAccess", "ready with our grant"), true);
    assert.equal(shown("azureJit.extendAccess", "needs PIM"), false);
    assert.equal(shown("azureJit.connect", "windows"), false);
    assert.equal(shown("azureJit.connect", "blocked"), false, "no Connect where no request can help");
    assert.equal(shown("azureJit.checkConnectivity", "blocked"), true, "but Check Connectivity says why");
  });
});
