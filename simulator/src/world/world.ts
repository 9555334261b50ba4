import type { LoadedScenario } from "../scenario/resolve";
import { idKey } from "../util/ids";
import type { ResourceModel, SubscriptionModel, VirtualMachineModel } from "./model";
import { ScopeLineage } from "./scopeLineage";

/**
 * Index over the scenario's resources: by id, and by (subscription, type) so that subscription
 * lists and Resource Graph queries touch only the buckets they need (the scale scenario has
 * tens of thousands of resources).
 */
export class World {
  private readonly byId = new Map<string, ResourceModel>();
  /** subscription id (lower) → ARM type (lower) → resources */
  private readonly bySubType = new Map<string, Map<string, ResourceModel[]>>();
  private readonly subs = new Map<string, SubscriptionModel>();

  /** Scope coverage with the management-group hierarchy (see ScopeLineage). */
  readonly lineage: ScopeLineage;

  constructor(readonly scenario: LoadedScenario) {
    this.lineage = new ScopeLineage(scenario.managementGroups, scenario.subscriptions);
    for (const s of scenario.subscriptions) this.subs.set(s.id.toLowerCase(), s);
    const all: ResourceModel[] = [...scenario.virtualNetworks, ...scenario.networkInterfaces, ...scenario.bastions, ...scenario.vaults, ...scenario.vms];
    for (const r of all) {
      this.byId.set(idKey(r.id), r);
      const sub = r.subscriptionId.toLowerCase();
      let types = this.bySubType.get(sub);
      if (!types) this.bySubType.set(sub, (types = new Map()));
      const t = r.type.toLowerCase();
      let list = types.get(t);
      if (!list) types.set(t, (list = []));
      list.push(r);
    }
  }

  resource(id: string): ResourceModel | undefined {
    return this.byId.get(idKey(id));
  }

  vm(id: string): VirtualMachineModel | undefined {
    const r = this.resource(id);
    return r?.kind === "vm" ? r : undefined;
  }

  vmByName(name: string): VirtualMachineModel | undefined {
    const n = name.toLowerCase();
    return this.scenario.vms.find((v) => v.name.toLowerCase() === n);
  }

  subscription(id: string): SubscriptionModel | undefined {
    return this.subs.get(id.toLowerCase());
  }

  /** Resources of one subscription, optionally of given types (lower-case ARM types). */
  inSubscription(subscriptionId: string, types?: string[]): ResourceModel[] {
    const bucket = this.bySubType.get(subscriptionId.toLowerCase());
    if (!bucket) return [];
    if (!types) return [...bucket.values()].flat();
    return types.flatMap((t) => bucket.get(t.toLowerCase()) ?? []);
  }

  inResourceGroup(subscriptionId: string, resourceGroup: string, type: string): ResourceModel[] {
    const rg = resourceGroup.toLowerCase();
    return this.inSubscription(subscriptionId, [type]).filter((r) => r.resourceGroup.toLowerCase() === rg);
  }
}
