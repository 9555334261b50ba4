/**
 * Contract (a): the product's readers understand every official example response. Each test plays
 * the example's bytes to the product's own SDK client (support/replay.ts) and calls the real product
 * function, so SDK deserialisation and the product's normalisers run exactly as against Azure.
 * Expected values are read off the example files by hand.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SecretClient } from "@azure/keyvault-secrets";
import { cancelRoleRequest, getRoleRequest, submitRoleRequest } from "../../src/core/access/pim";
import { initiateJit } from "../../src/core/access/jit";
import type { AzureContext } from "../../src/core/azure/azureContext";
import { createSecretReader } from "../../src/core/azure/secretReader";
import { listVaultsForVm } from "../../src/core/credential/vaultListing";
import type { ArmListClient } from "../../src/core/azure/azureSdk";
import { getJitPolicy, listJitPolicies } from "../../src/core/inventory/jitReads";
import { vmFromAzure } from "../../src/core/inventory/normalize";
import { listActiveAssignments, listEligibilities, PimPolicyReader } from "../../src/core/inventory/pimReads";
import { queryResources } from "../../src/core/inventory/resourceGraph";
import { listSubscriptionResources } from "../../src/core/inventory/sdkListing";
import { listSubscriptions, listTenants } from "../../src/core/inventory/subscriptions";
import { EXAMPLE_TENANT, exampleBody, lastHop, offlineContext, officialExample, type RecordedRequest, replay } from "./support/replay";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

describe("contract (a): the product reads the official example responses", () => {
  let ctx: AzureContext;
  before(async () => {
    ctx = await offlineContext();
  });

  describe("PIM (Microsoft.Authorization 2020-10-01)", () => {
    const SUB = "dfa2a084-766f-4003-8ae1-c4aeb893a99f";

    it("roleEligibilityScheduleInstances list → eligibilities", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 200, body: exampleBody("authorization/GetRoleEligibilityScheduleInstancesByScope.json") }), log));
      const [e, ...rest] = await listEligibilities(ctx, EXAMPLE_TENANT);
      assert.equal(rest.length, 0);
      assert.equal(e?.scope, `/subscriptions/${SUB}`);
      assert.equal(e?.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`);
      assert.equal(e?.roleEligibilityScheduleId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/RoleEligibilitySchedules/b1477448-2cc6-4ceb-93b4-54a202a89413`);
      assert.equal(e?.roleName, "Contributor");
      assert.equal(e?.scopeDisplayName, "Pay-As-You-Go");
      assert.equal(e?.principalId, "a3bb8764-cb92-4276-9d2a-ca1e895e55ea");
      assert.equal(e?.endsAt, Date.parse("2021-09-10T00:31:41.477Z"));
      assert.equal(log[0]?.url.searchParams.get("$filter"), "asTarget()");
    });

    it("roleAssignmentScheduleInstances list → active assignments", async () => {
      ctx.clients.reset();
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 200, body: exampleBody("authorization/GetRoleAssignmentScheduleInstancesByScope.json") })));
      const [a, ...rest] = await listActiveAssignments(ctx, EXAMPLE_TENANT);
      assert.equal(rest.length, 0);
      assert.equal(a?.scope, `/subscriptions/${SUB}`);
      assert.equal(a?.assignmentType, "Assigned");
      assert.equal(a?.roleName, "Contributor");
      assert.equal(a?.roleAssignmentScheduleId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/RoleAssignmentSchedules/c9e264ff-3133-4776-a81a-ebc7c33c8ec6`);
      // The example links the eligibility by bare GUID, where live responses give the full id: kept verbatim.
      assert.equal(a?.linkedRoleEligibilityScheduleId, "b1477448-2cc6-4ceb-93b4-54a202a89413");
      assert.equal(a?.startsAt, Date.parse("2020-09-09T21:35:27.91Z"));
      assert.equal(a?.endsAt, Date.parse("2020-09-10T05:35:17.91Z"));
    });

    it("roleAssignmentScheduleRequests create (SelfActivate) → 201 read as Provisioned", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 201, body: exampleBody("authorization/PutRoleAssignmentScheduleRequest.json", 201) }), log));
      const status = await submitRoleRequest(ctx, {
        tenantId: EXAMPLE_TENANT,
        scope: `/subscriptions/${SUB}`,
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/c8d4ff99-41c3-41a8-9f60-21dfdad59608`,
        principalId: "a3bb8764-cb92-4276-9d2a-ca1e895e55ea",
        requestType: "SelfActivate",
        requestName: "fea7a502-9a96-4806-a26f-eee560e52045",
        eligibilityScheduleId: "b1477448-2cc6-4ceb-93b4-54a202a89413",
        durationMs: 8 * 3600_000,
      });
      assert.equal(status.requestName, "fea7a502-9a96-4806-a26f-eee560e52045");
      assert.equal(status.status, "Provisioned");
      assert.equal(status.createdAt, Date.parse("2020-09-09T21:35:27.91Z"));
      assert.equal(log[0]?.method, "PUT");
      assert.match(log[0]!.url.pathname, new RegExp(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/fea7a502-9a96-4806-a26f-eee560e52045$`));
    });

    it("roleAssignmentScheduleRequests get → the request's status", async () => {
      ctx.clients.reset();
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 200, body: exampleBody("authorization/GetRoleAssignmentScheduleRequestByName.json") })));
      const status = await getRoleRequest(ctx, EXAMPLE_TENANT, `/subscriptions/${SUB}`, "fea7a502-9a96-4806-a26f-eee560e52045");
      assert.deepEqual(status, { requestName: "fea7a502-9a96-4806-a26f-eee560e52045", status: "Provisioned", createdAt: Date.parse("2020-09-09T21:35:27.91Z") });
    });

    it("roleAssignmentScheduleRequests cancel → 200 with no body is a successful cancel", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      assert.equal(officialExample("authorization/CancelRoleAssignmentScheduleRequestByName.json").responses["200"]?.body, undefined);
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 200 }), log));
      assert.equal(await cancelRoleRequest(ctx, EXAMPLE_TENANT, `/subscriptions/${SUB}`, "fea7a502-9a96-4806-a26f-eee560e52045"), true);
      assert.equal(log[0]?.method, "POST");
      assert.match(log[0]!.url.pathname, /\/roleAssignmentScheduleRequests\/fea7a502-9a96-4806-a26f-eee560e52045\/cancel$/);
    });

    it("roleManagementPolicyAssignments list → the EndUser Assignment rules only", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      lastHop(ctx.clients.authorization(EXAMPLE_TENANT), replay(() => ({ status: 200, body: exampleBody("authorization/GetRoleManagementPolicyAssignmentByScope.json") }), log));
      const scope = "/subscriptions/129ff972-28f8-46b8-a726-e497be039368";
      const policy = await new PimPolicyReader(ctx, EXAMPLE_TENANT).get(scope, `${scope}/providers/Microsoft.Authorization/roleDefinitions/a1705bd2-3a8f-45a5-8683-466fcfd5cc24`);
      assert.equal(policy?.policyId, `${scope}/providers/Microsoft.Authorization/roleManagementPolicies/b959d571-f0b5-4042-88a7-01be6cb22db9`);
      // Expiration_EndUser_Assignment PT7H, Enablement_EndUser_Assignment [MFA, Justification, Ticketing],
      // Approval_EndUser_Assignment required; the Admin rules (P90D, Admin MFA) must not leak in.
      assert.deepEqual(policy?.requirements, { approval: true, approvalForExtension: false, mfa: true, justification: true, ticket: true, maxDurationMs: 7 * 3600_000 });
      assert.equal(log.length, 1, "effectiveRules on the assignment: no second read of the policy");
    });

    it("roleManagementPolicies get → the rules, when an assignment carries no effectiveRules", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      // The product's fallback path: the official assignment with its effectiveRules taken out, then
      // the official policy. Everything else is the examples' bytes.
      const assignments = structuredClone(obj(exampleBody("authorization/GetRoleManagementPolicyAssignmentByScope.json")));
      for (const a of assignments.value as Obj[]) delete obj(a.properties).effectiveRules;
      lastHop(
        ctx.clients.authorization(EXAMPLE_TENANT),
        replay((r) => ({ status: 200, body: /\/roleManagementPolicyAssignments$/i.test(r.url.pathname) ? assignments : exampleBody("authorization/GetRoleManagementPolicyByName.json") }), log),
      );
      const scope = "/subscriptions/129ff972-28f8-46b8-a726-e497be039368";
      const policy = await new PimPolicyReader(ctx, EXAMPLE_TENANT).get(scope, `${scope}/providers/Microsoft.Authorization/roleDefinitions/a1705bd2-3a8f-45a5-8683-466fcfd5cc24`);
      assert.deepEqual(policy?.requirements, { approval: true, approvalForExtension: false, mfa: true, justification: true, ticket: true, maxDurationMs: 7 * 3600_000 });
      assert.match(log[1]!.url.pathname, /\/roleManagementPolicies\/b959d571-f0b5-4042-88a7-01be6cb22db9$/);
    });
  });

  describe("Defender for Cloud JIT (Microsoft.Security 2020-01-01)", () => {
    const VM = "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1";
    const checkPolicy = (p: Awaited<ReturnType<typeof getJitPolicy>>): void => {
      assert.equal(p?.name, "default");
      assert.equal(p?.resourceGroup, "myRg1");
      assert.equal(p?.location, "westeurope");
      assert.deepEqual(p?.vms.map((v) => [v.id, v.ports.map((x) => [x.number, x.protocol, x.allowedSourceAddressPrefixes, x.maxDurationMs])]), [
        [VM, [[22, "*", ["*"], 3 * 3600_000], [3389, "*", ["*"], 3 * 3600_000]]],
      ]);
      assert.deepEqual(p?.requests, [
        {
          vmId: VM,
          port: 3389,
          status: "Initiated",
          statusReason: "UserRequested",
          endsAt: Date.parse("2018-05-17T09:06:45.5691611Z"),
          startedAt: Date.parse("2018-05-17T08:06:45.5691611Z"),
          sourcePrefixes: ["192.127.0.2"],
          requestor: "barbara@contoso.com",
          justification: "testing a new version of the product",
        },
      ]);
    };

    it("jitNetworkAccessPolicies list (subscription) → policies with their requests", async () => {
      ctx.clients.reset();
      lastHop(ctx.clients.security(EXAMPLE_TENANT, "20ff7fc3-e762-44dd-bd96-b71116dcdc23"), replay(() => ({ status: 200, body: exampleBody("security/GetJitNetworkAccessPoliciesSubscription_example.json") })));
      const policies = await listJitPolicies(ctx, EXAMPLE_TENANT, "20ff7fc3-e762-44dd-bd96-b71116dcdc23");
      assert.equal(policies.length, 1);
      checkPolicy(policies[0]);
    });

    it("jitNetworkAccessPolicies get → the same record", async () => {
      ctx.clients.reset();
      lastHop(ctx.clients.security(EXAMPLE_TENANT, "20ff7fc3-e762-44dd-bd96-b71116dcdc23"), replay(() => ({ status: 200, body: exampleBody("security/GetJitNetworkAccessPolicy_example.json") })));
      checkPolicy(await getJitPolicy(ctx, EXAMPLE_TENANT, { subscriptionId: "20ff7fc3-e762-44dd-bd96-b71116dcdc23", resourceGroup: "myRg1", location: "westeurope", name: "default" }));
    });

    it("jitNetworkAccessPolicies initiate → 202 with the request read back", async () => {
      ctx.clients.reset();
      lastHop(ctx.clients.security(EXAMPLE_TENANT, "20ff7fc3-e762-44dd-bd96-b71116dcdc23"), replay(() => ({ status: 202, body: exampleBody("security/InitiateJitNetworkAccessPolicy_example.json", 202) })));
      const endsAt = Date.parse("2018-07-12T09:53:03.3658798Z");
      const result = await initiateJit(ctx, {
        tenantId: EXAMPLE_TENANT,
        policy: { subscriptionId: "20ff7fc3-e762-44dd-bd96-b71116dcdc23", resourceGroup: "myRg1", location: "westeurope", name: "default" },
        vmId: VM,
        vmName: "vm1",
        port: 3389,
        sourcePrefix: "192.127.0.2",
        endsAt,
      });
      // The example's response names the VM under another subscription (3eeab341-…) than its request
      // (20ff7fc3-…): the product does not take a port of another VM for its own, and falls back to
      // "Initiating" and the end it asked for, which is also what the example says.
      assert.deepEqual(result, { status: "Initiating", startedAt: Date.parse("2018-07-12T08:53:03.3658798Z"), endsAt });
    });
  });

  describe("Compute and Network (per-subscription listing)", () => {
    it("virtualMachines listAll, networkInterfaces, bastionHosts list → inventory records", async () => {
      ctx.clients.reset();
      const sub = "{subscriptionId}";
      const vmList = exampleBody("compute/VirtualMachine_ListBySubscription_ByLocation.json");
      lastHop(
        ctx.clients.compute(EXAMPLE_TENANT, sub),
        // No official example exists for `statusOnly=true`; an empty status list leaves power unknown.
        replay((r) => ({ status: 200, body: r.url.searchParams.get("statusOnly") === "true" ? { value: [] } : vmList })),
      );
      lastHop(
        ctx.clients.network(EXAMPLE_TENANT, sub),
        replay((r) => {
          // An ARM list is `{"value": [items]}`; the NIC list is the official NIC in that envelope.
          if (/\/networkInterfaces$/i.test(r.url.pathname)) return { status: 200, body: { value: [exampleBody("network/NetworkInterfaceGet.json")] } };
          if (/\/bastionHosts$/i.test(r.url.pathname)) return { status: 200, body: exampleBody("network/BastionHostListBySubscription.json") };
          return { status: 200, body: { value: [] } };
        }),
      );
      const res = await listSubscriptionResources(ctx, EXAMPLE_TENANT, sub);
      assert.equal(res.vms.length, 2);
      const vm = res.vms[0]!;
      assert.equal(vm.id, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{virtualMachineName}");
      assert.equal(vm.name, "{virtualMachineName}");
      assert.equal(vm.resourceGroup, "{resourceGroupName}");
      assert.equal(vm.location, "eastus");
      assert.equal(vm.osType, "Windows");
      assert.equal(vm.vmSize, "Standard_A0");
      assert.equal(vm.adminUsername, "Foo12");
      assert.equal(vm.computerName, "Test");
      assert.deepEqual(vm.tags, { RG: "rg", testTag: "1" });
      assert.deepEqual(vm.nicIds, ["/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}"]);
      assert.equal(vm.powerState, "unknown");

      assert.deepEqual(res.nics, [
        {
          id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/test-nic",
          subnetIds: ["/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/rg1-vnet/subnets/default", "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/rg1-vnet/subnets/default"],
          privateIp: "172.20.2.4",
        },
      ]);

      const bastions = new Map(res.bastions.map((b) => [b.name, b]));
      assert.deepEqual([...bastions.keys()], ["bastionhosttenant", "bastionhostdeveloper", "bastionhost3", "bastionhost4"]);
      assert.deepEqual(bastions.get("bastionhosttenant"), {
        id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/bastionHosts/bastionhosttenant",
        name: "bastionhosttenant",
        subscriptionId: "subid",
        resourceGroup: "rg1",
        location: "West US",
        sku: "Standard",
        enableTunneling: false,
        dnsName: "bst-9d89d361-100e-4c01-b92d-466548c476dc.bastion.azure.com",
        subnetId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet/subnets/AzureBastionSubnet",
        vnetId: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet",
      });
      const developer = bastions.get("bastionhostdeveloper");
      assert.equal(developer?.sku, "Developer");
      assert.equal(developer?.dnsName, "omnibrain.uswest.bastionglobal.azure.com");
      assert.equal(developer?.subnetId, undefined);
      assert.equal(developer?.vnetId, "/subscriptions/subid/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet2");
      assert.equal(bastions.get("bastionhost3")?.sku, "Premium");
    });

    it("a VM with its instance view ($expand=instanceView puts it under properties) → power state", () => {
      const vm = obj(exampleBody("compute/VirtualMachine_Get.json"));
      const withView = { ...vm, properties: { ...obj(vm.properties), instanceView: exampleBody("compute/VirtualMachine_Get_InstanceView.json") } };
      const record = vmFromAzure(withView);
      assert.equal(record?.name, "myVM");
      assert.equal(record?.resourceGroup, "myResourceGroup");
      assert.equal(record?.powerState, "running");
      assert.equal(record?.osType, "Windows");
      assert.deepEqual(record?.nicIds, ["/subscriptions/{subscription-id}/resourceGroups/myResourceGroup/providers/Microsoft.Network/networkInterfaces/{myNIC}"]);
    });
  });

  describe("Resource Graph", () => {
    it("resources: follows $skipToken, then reads the object rows", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      const next = exampleBody("resourcegraph/ResourcesNextPageQuery.json");
      const last = exampleBody("resourcegraph/ResourcesBasicQuery.json");
      lastHop(ctx.clients.resourceGraph(EXAMPLE_TENANT), replay((r) => ({ status: 200, body: obj(obj(r.body).options)["$skipToken"] ? last : next }), log));
      const rows = await queryResources(ctx, EXAMPLE_TENANT, ["cfbbd179-59d2-4052-aa06-9270a38aa9d6"], ["microsoft.compute/virtualmachines"]);
      assert.deepEqual(
        rows.map((r) => r.name),
        ["second_OsDisk_dddddbcb625a457bb69fe2abf5975820", "AATest", "RBTest", "myNetworkInterface", "myVnet", "myPublicIp"],
      );
      assert.deepEqual(rows[3]?.tags, { tag1: "Value1" });
      assert.equal(log.length, 2);
      assert.equal(obj(obj(log[1]!.body).options)["$skipToken"], obj(next)["$skipToken"], "the second page is asked with the example's $skipToken");
    });
  });

  describe("Subscriptions and tenants (Microsoft.Resources 2022-12-01)", () => {
    // The list client is the product's thin wrapper over one SDK pipeline; the example's `nextLink`
    // is the placeholder "...", not a URL, so the page's items are handed over as the wrapper would.
    const listFrom = (file: string): ArmListClient => ({ listAll: async () => obj(exampleBody(file)).value as unknown[] });

    it("tenants → id, name, default domain", async () => {
      ctx.clients.reset();
      ctx.clients.armList = () => listFrom("resources/GetTenants.json");
      const tenants = await listTenants(ctx);
      assert.deepEqual(tenants[1], { tenantId: "83abe5cd-bcc3-441a-bd86-e6a75360cecc", displayName: "Contoso Corp.", defaultDomain: "auxteststagemanual.ccsctp.net" });
      assert.equal(tenants.length, 3);
    });

    it("subscriptions → id, name, tenant, state", async () => {
      ctx.clients.reset();
      ctx.clients.armList = () => listFrom("resources/GetSubscriptions.json");
      const subs = await listSubscriptions(ctx, "31c75423-32d6-4322-88b7-c478bdde4858");
      assert.deepEqual(subs[0], { subscriptionId: "291bba3f-e0a5-47bc-a099-3bdcb2a50a05", displayName: "Example Subscription", tenantId: "31c75423-32d6-4322-88b7-c478bdde4858", state: "Enabled" });
      assert.equal(subs[1]?.tenantId, "2a0ff0de-96b2-4859-bb7c-a430d07a3e0c");
    });
  });

  describe("Key Vault management (Vaults_ListBySubscription)", () => {
    it("vaults list (Resource Graph off) → a vault choice with its URI of the cloud and its resource group from the id", async () => {
      ctx.clients.reset();
      const asked: string[] = [];
      ctx.clients.armList = () => ({
        listAll: async (path, apiVersion) => {
          asked.push(`${path}?api-version=${apiVersion}`);
          return obj(exampleBody("keyvault/listVaultBySubscription.json")).value as unknown[];
        },
      });
      const listing = await listVaultsForVm(ctx, { tenantId: EXAMPLE_TENANT, subscriptionId: "00000000-0000-0000-0000-000000000000", resourceGroup: "rg-vm" }, undefined, { useResourceGraph: false });
      assert.deepEqual(listing, { kind: "vaults", vaults: [{ name: "sample-vault", vaultUrl: "https://sample-vault.vault.azure.net", resourceGroup: "sample-group", subscriptionId: "00000000-0000-0000-0000-000000000000", nearness: "sameSubscription" }], dropped: 0 });
      assert.deepEqual(asked, ["/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01"]);
    });
  });

  describe("Key Vault (7.5)", () => {
    it("get secret → value, name, version", async () => {
      ctx.clients.reset();
      const log: RecordedRequest[] = [];
      // SecretClient keeps its pipeline private; the test builds one the way the product does for
      // the public cloud and gives it the replay as its last hop.
      ctx.clients.secrets = (vaultUrl) =>
        new SecretClient(vaultUrl, ctx.credential, { additionalPolicies: [{ policy: replay(() => ({ status: 200, body: exampleBody("keyvault/GetSecret-example.json") }), log), position: "perRetry" }] });
      const secret = await createSecretReader(ctx)(new URL("https://myvault.vault.azure.net/secrets/mysecretname/4387e9f3d6e14c459867679a90fd0f79"));
      assert.deepEqual(secret, { value: "mysecretvalue", contentType: undefined, name: "mysecretname", version: "4387e9f3d6e14c459867679a90fd0f79", vaultUrl: "https://myvault.vault.azure.net" });
      assert.match(log[0]!.url.pathname, /^\/secrets\/mysecretname\/4387e9f3d6e14c459867679a90fd0f79$/);
    });
  });
});
