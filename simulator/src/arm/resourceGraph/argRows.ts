/**
 * Resource Graph rows (§4.4): the ARM resource flattened the way ARG stores it — `type` and
 * `resourceGroup` lower-case, `subscriptionId`, `tenantId`, `properties`, `tags`, `sku`, and for
 * VMs `properties.extended.instanceView.powerState` ([DOC-ARG-QL]).
 */
import type { ResourceModel } from "../../world/model";
import type { World } from "../../world/world";
import { bastionToArm, nicToArm, powerStatus, vaultToArm, vmToArm, vnetToArm } from "../shapes";

export function argRow(r: ResourceModel, world: World, nowIso: string): Record<string, unknown> {
  let arm: Record<string, unknown>;
  switch (r.kind) {
    case "vm": {
      arm = vmToArm(r, { nowIso, tenantId: world.subscription(r.subscriptionId)?.tenantId });
      const props = arm.properties as Record<string, unknown>;
      props.extended = { instanceView: { powerState: powerStatus(r) } };
      break;
    }
    case "nic":
      arm = nicToArm(r);
      break;
    case "vnet":
      arm = vnetToArm(r, world);
      break;
    case "bastion":
      arm = bastionToArm(r);
      break;
    case "vault":
      arm = vaultToArm(r);
      break;
  }
  return {
    id: r.id,
    name: r.name,
    type: r.type.toLowerCase(),
    tenantId: world.subscription(r.subscriptionId)?.tenantId ?? "",
    kind: "",
    location: r.location,
    resourceGroup: r.resourceGroup.toLowerCase(),
    subscriptionId: r.subscriptionId,
    managedBy: "",
    sku: arm.sku ?? null,
    plan: null,
    properties: arm.properties,
    tags: r.tags,
    identity: arm.identity ?? null,
    zones: null,
    extendedLocation: null,
  };
}
