/**
 * The scenario file format (YAML or JSON; `simulator/scenarios/demo.yaml` is the reference
 * example). A scenario describes a small Azure world: tenants and their Conditional Access,
 * users, subscriptions, RBAC, networks, Bastions, vaults, VMs, PIM eligibilities and policies,
 * and Defender for Cloud JIT policies. Names are used as references between sections; ids are
 * derived from names when not given (stable across runs).
 *
 * Scope strings (role assignments, eligibilities, PIM policies) are ARM scopes in which the
 * subscription may be written by name: `/subscriptions/Contoso Dev/resourceGroups/rg-vm-dev-01`.
 * Shorthands: `vault:<name>` (a vault's id), `vault:<name>/secrets/<secret>`, `vm:<name>`,
 * `mg:<name>` (a management group), and `/` (tenant root).
 *
 * Placeholders: `{{osUser}}` becomes the OS account running the simulator (sshd only logs in real
 * users). Secret tags on VMs are derived at start, when each vault's URL is known.
 */
import { array, boolean, number, object, oneOf, string, stringMap, type Infer } from "./check";

const isoDuration = string({ pattern: /^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/i, hint: "an ISO-8601 duration such as PT8H" });
const guid = string({ pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, hint: "a GUID" });
const name = string({ pattern: /^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/, hint: "a resource name" });
const prefix = string({ pattern: /^(\*|\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?)$/, hint: "an IPv4 prefix (10.0.0.0/24), an address, or *" });

/** Knobs of the simulation itself (all optional). Delays are on the simulated clock. */
export const simulationCheck = object(
  {},
  {
    /** Access-token lifetime (default 3599 s, like Entra). */
    tokenLifetimeSeconds: number({ integer: true, min: 60 }),
    /** Device-code lifetime (default 900 s) and the polling interval told to clients (default 1 s; Entra says 5). */
    deviceCodeLifetimeSeconds: number({ integer: true, min: 10 }),
    deviceCodeIntervalSeconds: number({ integer: true, min: 0 }),
    /** Time between approval (or request, when no approval) and the PIM assignment becoming effective (default 0). */
    pimProvisioningSeconds: number({ min: 0 }),
    /** Time a JIT request stays `Initiating` before the NSG opens (default 0). */
    jitInitiatingSeconds: number({ min: 0 }),
    /** Duration of the VM start LRO (default 0; the operation still goes through the LRO protocol). */
    vmStartSeconds: number({ min: 0 }),
    /** Page size of ARM list operations (default 100). */
    armPageSize: number({ integer: true, min: 1 }),
    /**
     * The Bastion data plane also accepts an `aztoken` whose audience is the ARM endpoint
     * (management.azure.com), not only the `activeDirectoryResourceId` az sends (default false:
     * whether Azure accepts it is undocumented, azure-facts §5).
     */
    bastionAcceptsResourceManagerAudience: boolean(),
    /**
     * `roleEligibilityScheduleInstances?$filter=asTarget()` at a subscription or resource-group scope
     * also returns eligibilities inherited from management groups above it (default false: no
     * Microsoft source says it does, azure-facts §3). Unfiltered lists always include them.
     */
    asTargetIncludesInherited: boolean(),
    /** CAE: answer the next `count` ARM calls whose path matches `pathRegex` with an insufficient_claims challenge (§7). */
    caeChallenge: object({}, { pathRegex: string(), count: number({ integer: true, min: 1 }) }),
  },
);

/** A Conditional Access policy of a tenant, evaluated at token issuance. */
export const conditionalAccessCheck = object(
  {
    name: string(),
    /** Grant control: mfa → AADSTS50076; compliantDevice → AADSTS53000; trustedLocation / block → AADSTS53003. */
    require: oneOf("mfa", "compliantDevice", "trustedLocation", "block"),
  },
  {
    /** UPNs (or "All", the default). Guests are matched by their UPN too. */
    users: array(string()),
    /** "arm", "keyvault", "linuxVmSignIn" (Azure Linux VM Sign-In, SSH certificates) or "All" (default). */
    resources: array(oneOf("arm", "keyvault", "linuxVmSignIn", "All")),
    /** When set, the policy applies only to token requests asking for this authentication context (acrs, e.g. "c1"). */
    authenticationContext: string(),
    /** Also apply to service principals (client_credentials). Default false. */
    includeServicePrincipals: boolean(),
    enabled: boolean(),
  },
);

export const tenantCheck = object(
  { name: name, domain: string() },
  {
    id: guid,
    /** Named locations considered trusted (default ["office"]). */
    trustedLocations: array(string()),
    conditionalAccess: array(conditionalAccessCheck),
    /** Apps that sign in with client_credentials. */
    servicePrincipals: array(object({ displayName: string(), secret: string() }, { appId: guid, objectId: guid, location: string() })),
  },
);

export const userCheck = object(
  { upn: string({ pattern: /^[^@\s]+@[^@\s]+$/, hint: "a UPN (user@domain)" }), tenant: string() },
  {
    displayName: string(),
    objectId: guid,
    /** Tenants (by name) where the user is a B2B guest; each gets its own object id. */
    guestIn: array(string()),
    /** Whether the user can complete MFA at all (default true). */
    mfaRegistered: boolean(),
    /** Sign-in context defaults, overridable per device-code approval. */
    deviceCompliant: boolean(),
    location: string(),
  },
);

export const subscriptionCheck = object({ name: name, tenant: string() }, { id: guid });

/**
 * A management group: its name is its id segment (`/providers/Microsoft.Management/managementGroups/<name>`).
 * `parent` names another group (default: the tenant root group); `subscriptions` are by name or id.
 * Scopes may then be written `/providers/Microsoft.Management/managementGroups/<name>` or `mg:<name>`.
 */
export const managementGroupCheck = object(
  { name: string({ pattern: /^[A-Za-z0-9][A-Za-z0-9._()-]{0,89}$/, hint: "a management group name (letters, digits, - _ . ( ))" }), tenant: string() },
  { displayName: string(), parent: string(), subscriptions: array(string()) },
);

export const roleDefinitionCheck = object(
  { name: string() },
  { id: guid, description: string(), actions: array(string()), notActions: array(string()), dataActions: array(string()), notDataActions: array(string()) },
);

export const roleAssignmentCheck = object({ principal: string(), role: string(), scope: string() });

export const virtualNetworkCheck = object(
  { name: name, subscription: string(), resourceGroup: name, addressPrefixes: array(prefix), subnets: array(object({ name: name, addressPrefix: prefix })) },
  { location: string(), peerings: array(string()), tags: stringMap() },
);

export const bastionCheck = object(
  { name: name, subscription: string(), resourceGroup: name, virtualNetwork: string(), sku: oneOf("Basic", "Standard", "Premium", "Developer") },
  { location: string(), enableTunneling: boolean(), enableIpConnect: boolean(), scaleUnits: number({ integer: true, min: 2, max: 50 }), tags: stringMap() },
);

export const vaultCheck = object(
  { name: string({ pattern: /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, hint: "a vault name (3-24 letters, digits, dashes)" }), subscription: string(), resourceGroup: name },
  {
    location: string(),
    /** Literal secrets; VM credentials add theirs at start. */
    secrets: array(object({ name: string(), value: string() }, { contentType: string(), tags: stringMap(), enabled: boolean() })),
  },
);

export const vmCredentialCheck = object(
  { type: oneOf("sshKey", "password"), vault: string(), secretName: string() },
  {
    /** sshKey only (default openssh-ed25519). */
    keyFormat: oneOf("openssh-ed25519", "pem-rsa"),
    /** Write the `azure-jit-connect.secret` / `.username` tags on the VM (default true). */
    tagged: boolean(),
  },
);

export const virtualMachineCheck = object(
  { name: name, subscription: string(), resourceGroup: name, virtualNetwork: string(), subnet: string() },
  {
    location: string(),
    size: string(),
    osType: oneOf("Linux", "Windows"),
    power: oneOf("running", "stopped", "deallocated"),
    /** The OS login; usually "{{osUser}}". */
    adminUsername: string(),
    privateIp: string({ pattern: /^\d{1,3}(\.\d{1,3}){3}$/, hint: "an IPv4 address" }),
    tags: stringMap(),
    credential: vmCredentialCheck,
    /**
     * Microsoft Entra ID login: the AADSSHLoginForLinux extension is installed (sshd trusts the
     * simulated Entra SSH CA and asks RBAC at every login). Default false.
     */
    entraLogin: boolean(),
    /** System-assigned managed identity (default: true when entraLogin; the extension fails without one). */
    managedIdentity: boolean(),
    /** Standing NSG allow rules (besides JIT): the port is reachable from `sourcePrefix` without a JIT request. */
    openPorts: array(object({ port: number({ integer: true, min: 1, max: 65535 }), sourcePrefix: prefix })),
  },
);

export const eligibilityCheck = object(
  { principal: string(), role: string(), scope: string() },
  {
    /** Validity of the eligibility (default: started 30 days ago, ends in 365 days). */
    durationDays: number({ min: 1 }),
    /** Pre-activate the role for this many hours at start (the "ready" VM). */
    activeHours: number({ min: 0.01 }),
  },
);

export const pimPolicyCheck = object(
  { scope: string(), role: string() },
  {
    maximumDuration: isoDuration,
    requireJustification: boolean(),
    requireTicket: boolean(),
    requireMfa: boolean(),
    requireApproval: boolean(),
    requireApprovalForExtension: boolean(),
    /** UPNs of approvers (informational: approval happens through the control API). */
    approvers: array(string()),
    /** Conditional Access authentication context required on activation (acrs claim, e.g. "c1"). */
    authenticationContext: string(),
  },
);

export const jitPortCheck = object(
  { number: number({ integer: true, min: 1, max: 65535 }) },
  { protocol: oneOf("TCP", "UDP", "*"), allowedSourceAddressPrefix: prefix, allowedSourceAddressPrefixes: array(prefix), maxRequestAccessDuration: isoDuration },
);

export const jitPolicyCheck = object(
  { subscription: string(), resourceGroup: name, virtualMachines: array(object({ name: string(), ports: array(jitPortCheck) })) },
  {
    name: name,
    location: string(),
    /** Requests already initiated at start (the "ready" VM). */
    activeRequests: array(object({ vm: string(), port: number({ integer: true }), hours: number({ min: 0.01 }) }, { sourcePrefix: prefix, requestor: string(), justification: string() })),
  },
);

export const scenarioCheck = object(
  { name: string(), tenants: array(tenantCheck), subscriptions: array(subscriptionCheck) },
  {
    description: string(),
    simulation: simulationCheck,
    users: array(userCheck),
    managementGroups: array(managementGroupCheck),
    roleDefinitions: array(roleDefinitionCheck),
    roleAssignments: array(roleAssignmentCheck),
    virtualNetworks: array(virtualNetworkCheck),
    bastions: array(bastionCheck),
    vaults: array(vaultCheck),
    virtualMachines: array(virtualMachineCheck),
    eligibilities: array(eligibilityCheck),
    pimPolicies: array(pimPolicyCheck),
    jitPolicies: array(jitPolicyCheck),
  },
);

export type Scenario = Infer<typeof scenarioCheck>;
export type SimulationSettingsSpec = Infer<typeof simulationCheck>;
export type ConditionalAccessSpec = Infer<typeof conditionalAccessCheck>;
export type TenantSpec = Infer<typeof tenantCheck>;
export type UserSpec = Infer<typeof userCheck>;
export type VirtualMachineSpec = Infer<typeof virtualMachineCheck>;
export type PimPolicySpec = Infer<typeof pimPolicyCheck>;
export type JitPolicySpec = Infer<typeof jitPolicyCheck>;
export type JitPortSpec = Infer<typeof jitPortCheck>;
