import * as vscode from "vscode";
import type { JitConfig } from "../config";
import type { ServiceHost } from "../serviceHost";
import { type IconSpec, presentVm } from "./vmPresentation";
import { allVmNodes, buildTree, type GroupNode, statusBucketLabels, type TreeNode, type VmNode } from "./vmTreeModel";

/** A local wall-clock time for tooltips ("14:05"). */
export function formatLocalTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(vscode.env.language, { hour: "2-digit", minute: "2-digit" });
}

/**
 * The VM explorer's data: plain models (vmTreeModel) rebuilt from the service's inventory and
 * access states, mapped to TreeItems here. Rebuilding is cheap and synchronous; loading the
 * inventory is the refresher's job.
 */
export class VmTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private roots: TreeNode[] = [];
  private parents = new Map<string, GroupNode>();
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
      }));
      this.roots = buildTree(vms, this.deps.config().groupBy, vscode.l10n, statusBucketLabels(vscode.l10n));
    }
    this.parents = new Map();
    const walk = (nodes: readonly TreeNode[], parent?: GroupNode): void => {
      for (const n of nodes) {
        if (parent) this.parents.set(n.id, parent);
        if (n.kind === "group") walk(n.children, n);
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

  /** Some VM waits for something that changes by itself (approval, activation, VM start). */
  hasTransitional(): boolean {
    return this.vmNodes().some((n) => n.presentation.transitional);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) return this.roots;
    return element.kind === "group" ? element.children : [];
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
    const p = node.presentation;
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
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

function themeIcon(icon: IconSpec): vscode.ThemeIcon {
  return icon.color ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon(icon.id);
}
