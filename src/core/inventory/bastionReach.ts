import { armIdKey } from "../azure/armIds";
import type { BastionRecord, VnetRecord } from "./types";

/**
 * Which Bastion can carry an SSH tunnel to a VM: one in the VM's VNet or in a peered VNet (the
 * Developer SKU cannot cross peerings), with native-client support, i.e. Standard or Premium with
 * `enableTunneling` (azure-protocols §1.1, the current CLI gate).
 */

export type BastionRelation = "sameVnet" | "peered";

export interface BastionCandidate {
  bastion: BastionRecord;
  relation: BastionRelation;
  /** Undefined when the Bastion supports native-client tunnelling; else why not, in plain words. */
  problem?: string;
  /** Address prefix of the Bastion's subnet: the source JIT must allow (not the user's IP). */
  subnetPrefix?: string;
}

export function nativeClientProblem(b: BastionRecord): string | undefined {
  const sku = b.sku.toLowerCase();
  if (sku === "standard" || sku === "premium") {
    return b.enableTunneling ? undefined : `Bastion ${b.name} has native client support turned off (enableTunneling is false). Ask its owner to enable "Native client support" on the Bastion.`;
  }
  return `Bastion ${b.name} uses the ${b.sku} SKU, which does not support native-client tunnelling. It must be upgraded to Standard or Premium with "Native client support" enabled.`;
}

/** A lookup over all VNets and Bastions of an inventory, built once (VM count does not matter). */
export class NetworkIndex {
  private readonly vnets = new Map<string, VnetRecord>();
  private readonly subnetPrefixes = new Map<string, string>();
  private readonly peers = new Map<string, Set<string>>();
  private readonly bastionsByVnet = new Map<string, BastionRecord[]>();

  constructor(vnets: readonly VnetRecord[], bastions: readonly BastionRecord[]) {
    for (const v of vnets) {
      const key = armIdKey(v.id);
      this.vnets.set(key, v);
      for (const s of v.subnets) if (s.addressPrefixes[0]) this.subnetPrefixes.set(armIdKey(s.id), s.addressPrefixes[0]);
      // A peering is listed on both sides in Azure, but we may see only one side (the other VNet
      // may sit in a subscription we cannot read), so either side counts.
      for (const remote of v.peeredVnetIds) {
        this.link(key, armIdKey(remote));
        this.link(armIdKey(remote), key);
      }
    }
    for (const b of bastions) {
      if (!b.vnetId) continue;
      const key = armIdKey(b.vnetId);
      const list = this.bastionsByVnet.get(key) ?? [];
      list.push(b);
      this.bastionsByVnet.set(key, list);
    }
  }

  private link(a: string, b: string): void {
    const set = this.peers.get(a) ?? new Set<string>();
    set.add(b);
    this.peers.set(a, set);
  }

  subnetPrefix(subnetId: string | undefined): string | undefined {
    return subnetId ? this.subnetPrefixes.get(armIdKey(subnetId)) : undefined;
  }

  vnet(vnetId: string | undefined): VnetRecord | undefined {
    return vnetId ? this.vnets.get(armIdKey(vnetId)) : undefined;
  }

  private readonly byVmVnet = new Map<string, BastionCandidate[]>();

  /** Every Bastion that can reach `vmVnetId`, best first (usable, then same VNet, then by name). */
  candidates(vmVnetId: string | undefined): BastionCandidate[] {
    if (!vmVnetId) return [];
    const key = armIdKey(vmVnetId);
    // Many VMs share a VNet: compute each VNet's answer once.
    const known = this.byVmVnet.get(key);
    if (known) return known;
    const found = this.compute(key);
    this.byVmVnet.set(key, found);
    return found;
  }

  private compute(key: string): BastionCandidate[] {
    const out: BastionCandidate[] = [];
    for (const b of this.bastionsByVnet.get(key) ?? []) out.push(this.candidate(b, "sameVnet"));
    for (const peer of this.peers.get(key) ?? []) {
      for (const b of this.bastionsByVnet.get(peer) ?? []) {
        if (b.sku.toLowerCase() === "developer") continue;
        out.push(this.candidate(b, "peered"));
      }
    }
    return out.sort((a, b) => Number(a.problem !== undefined) - Number(b.problem !== undefined) || Number(a.relation !== "sameVnet") - Number(b.relation !== "sameVnet") || a.bastion.name.localeCompare(b.bastion.name));
  }

  private candidate(b: BastionRecord, relation: BastionRelation): BastionCandidate {
    return { bastion: b, relation, problem: nativeClientProblem(b), subnetPrefix: this.subnetPrefix(b.subnetId) };
  }
}
