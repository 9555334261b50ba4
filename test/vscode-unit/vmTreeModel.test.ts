/** Grouping of the VM tree per `azureJit.tree.groupBy`, with stable lower-cased ids. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessState } from "../../src/core/access/states";
import type { VmEntry } from "../../src/core/inventory/loadInventory";
import { formatOnly } from "../../src/vscode/localizer";
import { presentVm } from "../../src/vscode/tree/vmPresentation";
import { allVmNodes, buildTree, isVmNode, statusBucketLabels, type GroupNode, type TreeNode, type VmNode } from "../../src/vscode/tree/vmTreeModel";
import { ctx, readyVm, vm } from "./support/fixtures";

const FABRIKAM = { tenantId: "BBBBBBBB-0000-0000-0000-000000000002", tenantName: "Fabrikam", subscriptionId: "33333333-3333-3333-3333-333333333333", subscriptionName: "Fabrikam Research" };
const DS = { subscriptionId: "22222222-2222-2222-2222-222222222222", subscriptionName: "Contoso Data Science" };

function node(entry: VmEntry, access: AccessState = { kind: "idle" }): VmNode {
  return { kind: "vm", id: entry.id.toLowerCase(), vmId: entry.id, name: entry.name, tenantId: entry.tenantId, tenantName: entry.tenantName, subscriptionId: entry.subscriptionId, subscriptionName: entry.subscriptionName, resourceGroup: entry.resourceGroup, presentation: presentVm({ vm: entry, access }, ctx) };
}

const labels = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => (n.kind === "group" ? n.label : n.name));
const group = (nodes: readonly TreeNode[], label: string): GroupNode => {
  const g = nodes.find((n): n is GroupNode => n.kind === "group" && n.label === label);
  assert.ok(g, `no group ${label} in ${labels(nodes).join(", ")}`);
  return g;
};

const demo = [
  node(readyVm("vm-ready")),
  node(vm("vm-dev-01")),
  node(vm("vm-10")),
  node(vm("vm-2")),
  node(vm("gpu-ds-01", {}, DS)),
  node(vm("vm-fabrikam", {}, FABRIKAM)),
  node(vm("vm-stopped", { status: "notRunning", power: "deallocated" })),
  node(vm("vm-nojit", { status: "noJitPolicy", jit: { state: "noPolicy" } })),
  node(vm("vm-approval"), { kind: "pendingApproval", requestName: "r", since: 0 }),
];

describe("VM tree model", () => {
  it("groupBy subscription: tenant › subscription when several tenants, VMs sorted naturally", () => {
    const roots = buildTree(demo, "subscription", formatOnly, statusBucketLabels(formatOnly));
    assert.deepEqual(labels(roots), ["Contoso", "Fabrikam"]);
    const contoso = group(roots, "Contoso");
    assert.deepEqual(labels(contoso.children), ["Contoso Data Science", "Contoso Dev"]);
    assert.deepEqual(labels(group(contoso.children, "Contoso Dev").children), ["vm-2", "vm-10", "vm-approval", "vm-dev-01", "vm-nojit", "vm-ready", "vm-stopped"]);
    assert.equal(contoso.description, "8 VMs, 1 ready");
    assert.equal(group(roots, "Fabrikam").icon.id, "organization");
  });

  it("groupBy subscription with one tenant: subscriptions at the root", () => {
    const roots = buildTree(demo.filter((n) => n.tenantName === "Contoso"), "subscription", formatOnly, statusBucketLabels(formatOnly));
    assert.deepEqual(labels(roots), ["Contoso Data Science", "Contoso Dev"]);
    assert.equal(group(roots, "Contoso Data Science").description, "1 VM");
  });

  it("groupBy resourceGroup: subscription › resource group", () => {
    const roots = buildTree(demo, "resourceGroup", formatOnly, statusBucketLabels(formatOnly));
    assert.deepEqual(labels(roots), ["Contoso Data Science", "Contoso Dev", "Fabrikam Research"]);
    assert.deepEqual(labels(group(roots, "Contoso Dev").children).slice(0, 3), ["rg-vm-10", "rg-vm-2", "rg-vm-approval"]);
    assert.deepEqual(labels(group(group(roots, "Contoso Dev").children, "rg-vm-ready").children), ["vm-ready"]);
  });

  it("groupBy status: ready, waiting, needs access, stopped, not reachable, empty groups left out", () => {
    const roots = buildTree(demo, "status", formatOnly, statusBucketLabels(formatOnly));
    assert.deepEqual(labels(roots), ["Ready", "Waiting", "Needs access", "Stopped", "Not reachable over SSH"]);
    assert.deepEqual(labels(group(roots, "Waiting").children), ["vm-approval"]);
    assert.deepEqual(labels(buildTree([demo[0]!], "status", formatOnly, statusBucketLabels(formatOnly))), ["Ready"]);
  });

  it("ids are unique and stable; VM ids are the lower-cased ARM ids", () => {
    for (const groupBy of ["subscription", "resourceGroup", "status"] as const) {
      const roots = buildTree(demo, groupBy, formatOnly, statusBucketLabels(formatOnly));
      const ids: string[] = [];
      const walk = (nodes: readonly TreeNode[]): void => nodes.forEach((n) => (ids.push(n.id), n.kind === "group" && walk(n.children)));
      walk(roots);
      assert.equal(new Set(ids).size, ids.length, `duplicate ids with ${groupBy}`);
      const vms = allVmNodes(roots);
      assert.equal(vms.length, demo.length);
      for (const v of vms) assert.equal(v.id, v.vmId.toLowerCase());
      assert.deepEqual(buildTree(demo, groupBy, formatOnly, statusBucketLabels(formatOnly)), roots);
    }
  });

  it("isVmNode recognises what tree commands receive", () => {
    assert.equal(isVmNode(demo[0]), true);
    assert.equal(isVmNode({ kind: "group", id: "g" }), false);
    assert.equal(isVmNode("vm-ready"), false);
    assert.equal(isVmNode(undefined), false);
  });
});
