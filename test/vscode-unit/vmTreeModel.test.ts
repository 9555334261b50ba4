/** Grouping of the VM tree per `azureJit.tree.groupBy`, with stable lower-cased ids. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessState } from "../../src/core/access/states";
import type { VmEntry } from "../../src/core/inventory/loadInventory";
import { formatOnly } from "../../src/vscode/localizer";
import { presentVm } from "../../src/vscode/tree/vmPresentation";
import { forwardId } from "../../src/core/service/activeForwards";
import { FORWARD_CONTEXT_VALUE, isForwardNode, presentForward, type ForwardNode } from "../../src/vscode/tree/forwardPresentation";
import { allVmNodes, buildTree, childrenOf, enterActionFor, isVmNode, statusBucketLabels, type GroupNode, type TreeNode, type VmNode } from "../../src/vscode/tree/vmTreeModel";
import { ctx, MIN, NOW, readyVm, vm } from "./support/fixtures";

const FABRIKAM = { tenantId: "BBBBBBBB-0000-0000-0000-000000000002", tenantName: "Fabrikam", subscriptionId: "33333333-3333-3333-3333-333333333333", subscriptionName: "Fabrikam Research" };
const DS = { subscriptionId: "22222222-2222-2222-2222-222222222222", subscriptionName: "Contoso Data Science" };

function node(entry: VmEntry, access: AccessState = { kind: "idle" }, forwards: readonly ForwardNode[] = []): VmNode {
  return { kind: "vm", id: entry.id.toLowerCase(), vmId: entry.id, name: entry.name, tenantId: entry.tenantId, tenantName: entry.tenantName, subscriptionId: entry.subscriptionId, subscriptionName: entry.subscriptionName, resourceGroup: entry.resourceGroup, presentation: presentVm({ vm: entry, access }, ctx), forwards };
}

/** A forward of `entry`'s remote port, as the service lists it (ActiveForward's fields). */
function forward(entry: VmEntry, remotePort: number, localPort: number, server?: string, startedAt = NOW - 5 * MIN): ForwardNode {
  return presentForward({ id: forwardId(entry.id, remotePort), vmId: entry.id, vmName: entry.name, remotePort, localPort, url: `http://127.0.0.1:${localPort}/`, server, startedAt }, ctx);
}

const labels = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => (n.kind === "vm" ? n.name : n.label));
const group = (nodes: readonly TreeNode[], label: string): GroupNode => {
  const g = nodes.find((n): n is GroupNode => n.kind === "group" && n.label === label);
  assert.ok(g, `no group ${label} in ${labels(nodes).join(", ")}`);
  return g;
};

const gpu = vm("gpu-ds-01", {}, DS);
const withForwards = node(gpu, undefined, [forward(gpu, 8888, 49152, "Jupyter"), forward(gpu, 6006, 49153, "TensorBoard")]);

const demo = [
  node(readyVm("vm-ready")),
  withForwards,
  node(vm("vm-dev-01")),
  node(vm("vm-10")),
  node(vm("vm-2")),
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
      const walk = (nodes: readonly TreeNode[]): void => nodes.forEach((n) => (ids.push(n.id), walk(childrenOf(n))));
      walk(roots);
      assert.equal(new Set(ids).size, ids.length, `duplicate ids with ${groupBy}`);
      assert.ok(ids.includes(forwardId(withForwards.vmId, 8888)), `the forward rows are in the tree with ${groupBy}`);
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

  it("a VM's port forwards are its children, in every grouping; groups and VMs count as before", () => {
    for (const groupBy of ["subscription", "resourceGroup", "status"] as const) {
      const vms = allVmNodes(buildTree(demo, groupBy, formatOnly, statusBucketLabels(formatOnly)));
      const gpuNode = vms.find((v) => v.name === "gpu-ds-01");
      assert.ok(gpuNode, groupBy);
      assert.deepEqual(childrenOf(gpuNode).map((f) => (f.kind === "forward" ? f.label : `not a forward: ${f.id}`)), ["Jupyter → localhost:49152", "TensorBoard → localhost:49153"], groupBy);
      assert.deepEqual(childrenOf(vms.find((v) => v.name === "vm-ready")!), [], "a VM without forwards is a leaf");
      for (const f of gpuNode.forwards) assert.deepEqual(childrenOf(f), []);
    }
    const ds = buildTree(demo, "subscription", formatOnly, statusBucketLabels(formatOnly));
    assert.equal(group(group(ds, "Contoso").children, "Contoso Data Science").description, "1 VM", "forward rows are not counted as VMs");
  });

  it("a forward row: the server or the port, the local port, the VM's port, the URL and start time in the tooltip", () => {
    const jupyter = forward(gpu, 8888, 49152, "Jupyter", NOW - 5 * MIN);
    assert.equal(jupyter.label, "Jupyter → localhost:49152");
    assert.equal(jupyter.description, "VM port 8888");
    assert.equal(jupyter.id, `${gpu.id.toLowerCase()}/fwd:8888`);
    assert.match(jupyter.tooltip, /^\*\*Jupyter\*\* on gpu\\-ds\\-01, port 8888$/m);
    assert.match(jupyter.tooltip, /Forwarded to http:\/\/127\\\.0\\\.0\\\.1:49152\/ since 11:55\\?\./);
    assert.equal(jupyter.accessibilityLabel, "Jupyter of gpu-ds-01 forwarded to http://127.0.0.1:49152/");
    const other = forward(gpu, 3000, 50000);
    assert.equal(other.label, "Port 3000 → localhost:50000");
    assert.equal(other.description, "VM port 3000");
    assert.equal(FORWARD_CONTEXT_VALUE, "forward;");
  });

  it("a forward row's tooltip escapes the VM name (Azure's text), its label does not carry it", () => {
    const evil = readyVm("vm-[x](command:evil)");
    const f = forward(evil, 8888, 49152, "Jupyter");
    assert.doesNotMatch(f.tooltip, /\]\(command:/);
    assert.match(f.tooltip, /vm\\-\\\[x\\\]\\\(command:evil\\\)/);
    assert.equal(f.label, "Jupyter → localhost:49152");
  });

  it("Enter: Connect on a VM (with forwards or not), Open in Browser on a forward, toggle on a group, nothing otherwise", () => {
    const roots = buildTree(demo, "subscription", formatOnly, statusBucketLabels(formatOnly));
    assert.deepEqual(enterActionFor([withForwards]), { kind: "connect", vm: withForwards });
    assert.deepEqual(enterActionFor([demo[0]!]), { kind: "connect", vm: demo[0] });
    const jupyter = withForwards.forwards[0]!;
    assert.deepEqual(enterActionFor([jupyter]), { kind: "openInBrowser", forward: jupyter });
    assert.deepEqual(enterActionFor([roots[0]!]), { kind: "toggleExpand" });
    assert.deepEqual(enterActionFor([]), { kind: "none" });
    assert.deepEqual(enterActionFor([demo[0]!, demo[1]!]), { kind: "none" });
  });

  it("isForwardNode tells forward rows from VMs and groups", () => {
    assert.equal(isForwardNode(withForwards.forwards[0]), true);
    assert.equal(isForwardNode(withForwards), false);
    assert.equal(isVmNode(withForwards.forwards[0]), false);
    assert.equal(isForwardNode({ kind: "forward", id: "x" }), false);
    assert.equal(isForwardNode(undefined), false);
  });
});
