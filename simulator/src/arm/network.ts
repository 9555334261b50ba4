/**
 * Microsoft.Network reads (§1.2, §4.2, §4.3): network interfaces, virtual networks (subnets and
 * peerings) and Bastion hosts (sku, enableTunneling, dnsName = the data plane's host:port).
 */
import type { SimRequest } from "../http/request";
import type { Router } from "../http/router";
import type { ResourceModel } from "../world/model";
import { callerOf, requireAction, requireSubscription, resourceNotFound, type ArmDeps } from "./armContext";
import { page } from "../http/paging";
import { bastionToArm, nicToArm, vnetToArm } from "./shapes";

interface Kind {
  segment: string;
  type: string;
  render: (r: ResourceModel, deps: ArmDeps) => Record<string, unknown>;
}

export function registerNetwork(router: Router, deps: ArmDeps): void {
  const kinds: Kind[] = [
    { segment: "networkInterfaces", type: "Microsoft.Network/networkInterfaces", render: (r) => nicToArm(r as Extract<ResourceModel, { kind: "nic" }>) },
    { segment: "virtualNetworks", type: "Microsoft.Network/virtualNetworks", render: (r, d) => vnetToArm(r as Extract<ResourceModel, { kind: "vnet" }>, d.world) },
    { segment: "bastionHosts", type: "Microsoft.Network/bastionHosts", render: (r) => bastionToArm(r as Extract<ResourceModel, { kind: "bastion" }>) },
  ];
  for (const k of kinds) {
    const read = `${k.type}/read`;
    const listOf = (req: SimRequest, items: ResourceModel[]): { status: number; body: unknown } => {
      const caller = callerOf(req);
      const visible = items.filter((r) => deps.rbac.can(caller, read, r.id));
      return { status: 200, body: page(req, visible.map((r) => k.render(r, deps)), deps.settings.armPageSize) };
    };
    router.add("GET", `/subscriptions/{sub}/providers/Microsoft.Network/${k.segment}`, (req, p) => {
      requireSubscription(deps, req, p.sub!);
      requireAction(deps, req, read, `/subscriptions/${p.sub}`);
      return listOf(req, deps.world.inSubscription(p.sub!, [k.type]));
    });
    router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/${k.segment}`, (req, p) => {
      requireSubscription(deps, req, p.sub!);
      requireAction(deps, req, read, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
      return listOf(req, deps.world.inResourceGroup(p.sub!, p.rg!, k.type));
    });
    router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/${k.segment}/{name}`, (req, p) => {
      requireSubscription(deps, req, p.sub!);
      const r = deps.world.resource(`/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/${k.type}/${p.name}`);
      if (!r) {
        requireAction(deps, req, read, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
        throw resourceNotFound(k.type, p.name!, p.rg!);
      }
      requireAction(deps, req, read, r.id);
      return { status: 200, body: k.render(r, deps) };
    });
  }
}
