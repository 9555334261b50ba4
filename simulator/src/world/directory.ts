import type { LoadedScenario } from "../scenario/resolve";
import type { ServicePrincipalModel, TenantModel, UserModel } from "./model";

/** Well-known public clients that may use the device-code flow (Azure CLI first: the product's client id). */
export const PUBLIC_CLIENTS: Record<string, string> = {
  "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
  "aebc6443-996d-45c2-90f0-388ff96faa56": "Visual Studio Code",
  "1950a258-227b-4e31-a9cf-717495945fc2": "Microsoft Azure PowerShell",
};

/** Entra directory look-ups over the scenario: tenants by id/domain/name, users, apps, object ids. */
export class Directory {
  constructor(private readonly s: LoadedScenario) {}

  get tenants(): TenantModel[] {
    return this.s.tenants;
  }

  get users(): UserModel[] {
    return this.s.users;
  }

  /** A tenant from a URL segment (GUID, verified domain or, for convenience, its display name). */
  tenant(segment: string): TenantModel | undefined {
    const t = segment.toLowerCase();
    return this.s.tenants.find((x) => x.id.toLowerCase() === t || x.domain.toLowerCase() === t || x.name.toLowerCase() === t);
  }

  tenantById(id: string): TenantModel | undefined {
    return this.s.tenants.find((x) => x.id.toLowerCase() === id.toLowerCase());
  }

  user(upn: string): UserModel | undefined {
    return this.s.users.find((u) => u.upn.toLowerCase() === upn.toLowerCase());
  }

  servicePrincipal(tenantId: string, appId: string): ServicePrincipalModel | undefined {
    return this.s.servicePrincipals.find((sp) => sp.tenantId === tenantId && sp.appId.toLowerCase() === appId.toLowerCase());
  }

  /** Display name of any principal object id (users, guests, apps), for expandedProperties and messages. */
  principalName(objectId: string): { displayName: string; email?: string; type: "User" | "ServicePrincipal" } | undefined {
    const oid = objectId.toLowerCase();
    for (const u of this.s.users) for (const id of u.objectIds.values()) if (id.toLowerCase() === oid) return { displayName: u.displayName, email: u.upn, type: "User" };
    const sp = this.s.servicePrincipals.find((x) => x.objectId.toLowerCase() === oid);
    return sp ? { displayName: sp.displayName, type: "ServicePrincipal" } : undefined;
  }

  tenantOfSubscription(subscriptionId: string): string | undefined {
    return this.s.subscriptions.find((x) => x.id.toLowerCase() === subscriptionId.toLowerCase())?.tenantId;
  }
}
