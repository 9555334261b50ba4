import type { GroupBy } from "../config";
import type { Localizer } from "../localizer";
import type { ForwardNode } from "./forwardPresentation";
import { type IconSpec, STATUS_BUCKETS, type StatusBucket, type VmPresentation } from "./vmPresentation";

/**
 * The plain models behind the VM tree: groups (tenant, subscription, resource group, status), VMs,
 * and under a VM its running port forwards. Pure; the TreeDataProvider maps them to TreeItems. A
 * VM node is also what tree commands receive as their argument, so it carries the VM's id and name.
 */

export interface VmNode {
  kind: "vm";
  /** The lower-cased ARM id: stable across refreshes, so VS Code keeps selection and expansion. */
  id: string;
  vmId: string;
  name: string;
  tenantId: string;
  tenantName?: string;
  subscriptionId: string;
  subscriptionName?: string;
  resourceGroup: string;
  presentation: VmPresentation;
  /** Its running port forwards (the VM's children in the tree), in the order they started. */
  forwards: readonly ForwardNode[];
}

export interface GroupNode {
  kind: "group";
  id: string;
  label: string;
  description: string;
  icon: IconSpec;
  children: TreeNode[];
}

export type TreeNode = VmNode | GroupNode | ForwardNode;

export function isVmNode(value: unknown): value is VmNode {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "vm" && typeof (value as { vmId?: unknown }).vmId === "string";
}

const byLabel = (a: { label: string }, b: { label: string }): number => a.label.localeCompare(b.label, undefined, { sensitivity: "base" });
const byName = (a: VmNode, b: VmNode): number => a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true });

function count(l10n: Localizer, vms: readonly VmNode[]): string {
  const ready = vms.filter((v) => v.presentation.bucket === "ready").length;
  const total = vms.length === 1 ? l10n.t("1 VM") : l10n.t("{0} VMs", vms.length);
  return ready > 0 ? l10n.t("{0}, {1} ready", total, ready) : total;
}

function groupWith(vms: readonly VmNode[], keyOf: (vm: VmNode) => string, make: (key: string, members: VmNode[]) => Omit<GroupNode, "children" | "kind">, children: (members: VmNode[]) => TreeNode[]): GroupNode[] {
  const groups = new Map<string, VmNode[]>();
  for (const vm of vms) {
    const key = keyOf(vm);
    groups.set(key, [...(groups.get(key) ?? []), vm]);
  }
  return [...groups.entries()].map(([key, members]) => ({ kind: "group" as const, ...make(key, members), children: children(members) })).sort(byLabel);
}

const sortedVms = (vms: VmNode[]): TreeNode[] => [...vms].sort(byName);

/** A node's children: a group's members, a VM's port forwards; a forward has none. */
export function childrenOf(node: TreeNode): readonly TreeNode[] {
  return node.kind === "group" ? node.children : node.kind === "vm" ? node.forwards : [];
}

function bySubscription(vms: readonly VmNode[], l10n: Localizer, parent: string): GroupNode[] {
  return groupWith(
    vms,
    (v) => v.subscriptionId.toLowerCase(),
    (key, m) => ({ id: `${parent}/sub:${key}`, label: m[0]?.subscriptionName ?? key, description: count(l10n, m), icon: { id: "key" } }),
    sortedVms,
  );
}

/** The roots of the tree for a grouping. */
export function buildTree(vms: readonly VmNode[], groupBy: GroupBy, l10n: Localizer, statusLabels: Record<StatusBucket, string>): TreeNode[] {
  switch (groupBy) {
    case "subscription": {
      const tenants = new Set(vms.map((v) => v.tenantId.toLowerCase()));
      // One tenant: its level would only add a click.
      if (tenants.size <= 1) return bySubscription(vms, l10n, "group");
      return groupWith(
        vms,
        (v) => v.tenantId.toLowerCase(),
        (key, m) => ({ id: `group/tenant:${key}`, label: m[0]?.tenantName ?? key, description: count(l10n, m), icon: { id: "organization" } }),
        (m) => bySubscription(m, l10n, `group/tenant:${m[0]?.tenantId.toLowerCase() ?? ""}`),
      );
    }
    case "resourceGroup":
      return groupWith(
        vms,
        (v) => v.subscriptionId.toLowerCase(),
        (key, m) => ({ id: `group/sub:${key}`, label: m[0]?.subscriptionName ?? key, description: count(l10n, m), icon: { id: "key" } }),
        (m) =>
          groupWith(
            m,
            (v) => v.resourceGroup.toLowerCase(),
            (key, rg) => ({ id: `group/sub:${rg[0]?.subscriptionId.toLowerCase() ?? ""}/rg:${key}`, label: rg[0]?.resourceGroup ?? key, description: count(l10n, rg), icon: { id: "symbol-folder" } }),
            sortedVms,
          ),
      );
    case "status": {
      const groups: GroupNode[] = [];
      for (const bucket of STATUS_BUCKETS) {
        const members = vms.filter((v) => v.presentation.bucket === bucket);
        if (members.length === 0) continue;
        groups.push({ kind: "group", id: `group/status:${bucket}`, label: statusLabels[bucket], description: members.length === 1 ? l10n.t("1 VM") : l10n.t("{0} VMs", members.length), icon: STATUS_ICONS[bucket], children: sortedVms(members) });
      }
      return groups;
    }
  }
}

const STATUS_ICONS: Record<StatusBucket, IconSpec> = {
  ready: { id: "pass-filled", color: "testing.iconPassed" },
  pending: { id: "watch", color: "charts.yellow" },
  needsAccess: { id: "unlock" },
  stopped: { id: "debug-stop", color: "disabledForeground" },
  blocked: { id: "circle-slash", color: "errorForeground" },
};

/** The labels of the status groups. */
export function statusBucketLabels(l10n: Localizer): Record<StatusBucket, string> {
  return {
    ready: l10n.t("Ready"),
    pending: l10n.t("Waiting"),
    needsAccess: l10n.t("Needs access"),
    stopped: l10n.t("Stopped"),
    blocked: l10n.t("Not reachable over SSH"),
  };
}

/** Every VM node under the given roots, depth first. */
export function allVmNodes(roots: readonly TreeNode[]): VmNode[] {
  const out: VmNode[] = [];
  const walk = (nodes: readonly TreeNode[]): void => {
    for (const n of nodes) {
      if (n.kind === "vm") out.push(n);
      else if (n.kind === "group") walk(n.children);
    }
  };
  walk(roots);
  return out;
}

/**
 * The argument of the manifest's Enter keybinding in the VM tree: "the row selected there" (a
 * keybinding cannot pass the focused item; tree views select as the keyboard moves, and the
 * selection reaches the extension host before the command, on the same channel).
 */
export const TREE_SELECTION_ARGUMENT = { fromTreeSelection: true } as const;

export function isTreeSelectionArgument(arg: unknown): boolean {
  return typeof arg === "object" && arg !== null && (arg as { fromTreeSelection?: unknown }).fromTreeSelection === true;
}

/**
 * What Enter does on the selected row: Connect on a VM (with or without forwards under it), Open in
 * Browser on a forward, expand or collapse on a group. The keybinding cannot tell these rows apart:
 * `viewItem` is set for menus only, and `treeElementHasChild` is true for a VM with forwards too.
 */
export type EnterAction = { kind: "connect"; vm: VmNode } | { kind: "openInBrowser"; forward: ForwardNode } | { kind: "toggleExpand" } | { kind: "none" };

export function enterActionFor(selection: readonly TreeNode[]): EnterAction {
  const [node] = selection;
  if (selection.length !== 1 || !node) return { kind: "none" };
  if (node.kind === "vm") return { kind: "connect", vm: node };
  if (node.kind === "forward") return { kind: "openInBrowser", forward: node };
  return { kind: "toggleExpand" };
}
