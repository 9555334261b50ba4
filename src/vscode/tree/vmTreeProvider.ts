import * as vscode from "vscode";
import type { JitConfig } from "../config";
import type { ServiceHost } from "../serviceHost";
import { FORWARD_CONTEXT_VALUE, FORWARD_ICON, type ForwardNode, presentForward } from "./forwardPresentation";
import { type IconSpec, presentVm } from "./vmPresentation";
import { allVmNodes, buildTree, childrenOf, statusBucketLabels, type TreeNode, type VmNode } from "./vmTreeModel";

/** A local wall-clock time for tooltips ("14:05"). */
export function formatLocalTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(vscode.env.language, { hour: "2-digit", minute: "2-digit" });
}

/**
 * The VM explorer's data: plain models (vmTreeModel) rebuilt from the service's inventory, access
 * states and running port forwards, mapped to TreeItems here. Rebuilding is cheap and synchronous; loading the
 * inventory is the refresher's job.
 */
export class VmTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private roots: TreeNode[] = [];
  private parents = new Map<string, TreeNode>();
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly deps: { host: ServiceHost; config: () => JitConfig }) {}

  /** Recomputes every node from what the service knows now, then redraws. */
  rebuild(): void {
    const service = this.deps.host.signedIn;
    const inventory = service?.inventory;
    if (!service || !inventory) {
      this.roots = [];
    } else {
      const now = service.azureContext()?.clock.now() ?? Date.now();
      const ctx = { l10n: vscode.l10n, now, formatTime: formatLocalTime };
      const vms: VmNode[] = inventory.vms.map((vm) => ({
        kind: "vm",
        id: vm.id.toLowerCase(),
        vmId: vm.id,
        name: vm.name,
        tenantId: vm.tenantId,
        tenantName: vm.tenantName,
        subscriptionId: vm.subscriptionId,
        subscriptionName: vm.subscriptionName,
        resourceGroup: vm.resourceGroup,
        presentation: presentVm({ vm, access: service.accessState(vm.id), grant: service.activeGrant(vm.id), loginMethod: service.entra.methodFor(vm, vm.readiness.credential.source === "tag" || vm.readiness.credential.source === "remembered") }, ctx),
        forwards: service.forwards.list(vm.id).map((f) => presentForward(f, ctx)),
      }));
      this.roots = buildTree(vms, this.deps.config().groupBy, vscode.l10n, statusBucketLabels(vscode.l10n));
    }
    this.parents = new Map();
    const walk = (nodes: readonly TreeNode[], parent?: TreeNode): void => {
      for (const n of nodes) {
        if (parent) this.parents.set(n.id, parent);
        walk(childrenOf(n), n);
      }
    };
    walk(this.roots);
    this.changed.fire();
  }

  /** Every VM node, in tree order. */
  vmNodes(): VmNode[] {
    return allVmNodes(this.roots);
  }

  findVm(vmId: string): VmNode | undefined {
    const key = vmId.toLowerCase();
    return this.vmNodes().find((n) => n.id === key);
  }

  /** The row of a running port forward, by the forward's id. */
  findForward(id: string): ForwardNode | undefined {
    for (const vm of this.vmNodes()) for (const f of vm.forwards) if (f.id === id) return f;
    return undefined;
  }

  /** Some VM waits for something that changes by itself (approval, activation, VM start). */
  hasTransitional(): boolean {
    return this.vmNodes().some((n) => n.presentation.transitional);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) return this.roots;
    return [...childrenOf(element)];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === "group") {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.description;
      item.iconPath = themeIcon(node.icon);
      item.contextValue = "group";
      return item;
    }
    if (node.kind === "forward") return forwardItem(node);
    const p = node.presentation;
    // A VM with port forwards opens onto them (Enter still connects: see enterActionFor).
    const item = new vscode.TreeItem(node.name, node.forwards.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = p.description;
    item.iconPath = themeIcon(p.icon);
    item.contextValue = p.contextValue;
    // Not trusted: it quotes VM names and tags, which are untrusted text (escaped, too).
    item.tooltip = new vscode.MarkdownString(p.tooltip);
    item.accessibilityInformation = { label: vscode.l10n.t("{0}, {1}", node.name, p.description) };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function forwardItem(node: ForwardNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = node.description;
  item.iconPath = new vscode.ThemeIcon(FORWARD_ICON);
  item.contextValue = FORWARD_CONTEXT_VALUE;
  // Not trusted: it quotes the VM name (escaped, too).
  item.tooltip = new vscode.MarkdownString(node.tooltip);
  item.accessibilityInformation = { label: node.accessibilityLabel };
  return item;
}

function themeIcon(icon: IconSpec): vscode.ThemeIcon {
  return icon.color ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon(icon.id);
}
