import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { createSecretReader } from "../../../src/core/azure/secretReader";
import { isCancellation } from "../../../src/core/cancellation";
import { listSecretsInVault, listVaultsForVm, type VaultSearchVm } from "../../../src/core/credential/vaultListing";
import type { JitError } from "../../../src/core/errors";
import { loadInventory, type VmEntry } from "../../../src/core/inventory/loadInventory";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger, signedInContext } from "../access/support/simContext";

/**
 * Choose Credential's listing against the simulator (issue 11, point 5): the vaults of the VM's
 * subscription the caller may read (Resource Graph), the secrets of one vault (Key Vault list, paged),
 * and the answers that are not errors: a 403 on listing is "cannot list".
 */

const BULK = 30; // more than one Key Vault page (25)
const SECRET_VALUE = "literal-secret-value-never-listed";

describe("vault and secret listing (simulator)", () => {
  let t: TestSimulator;
  let alice: AzureContext;
  let dana: AzureContext;
  let erin: AzureContext;
  let nosecret: VmEntry;
  let tenantSubscriptions: string[];
  const logger = memoryLogger();

  before(async () => {
    t = await startTestSimulator("demo", {
      startVms: false,
      edit: (doc) => {
        // A central vault in the tenant's other subscription (alice is Reader there too).
        doc.vaults = [...(doc.vaults ?? []), { name: "kv-research", subscription: "Contoso Data Science", resourceGroup: "rg-research-security" }];
        const kv = doc.vaults.find((v) => v.name === "kv-contoso");
        assert.ok(kv, "demo has kv-contoso");
        kv.secrets = [
          ...(kv.secrets ?? []),
          ...Array.from({ length: BULK }, (_, i) => ({ name: `bulk-${String(i).padStart(2, "0")}`, value: SECRET_VALUE })),
          { name: "old-key", value: SECRET_VALUE, contentType: "application/x-pem-file", enabled: false },
          { name: "db-admin", value: SECRET_VALUE, contentType: "password" },
          { name: "tagged-key", value: SECRET_VALUE, tags: { kind: "ssh-private-key" } },
          // Names Key Vault itself would refuse: a hostile or broken service must not get them offered.
          { name: "has space", value: SECRET_VALUE },
          { name: "dotted.name", value: SECRET_VALUE },
          { name: "bidi\u202etxt", value: SECRET_VALUE },
        ];
        // Erin may read a secret she names but not list them (getSecret without readMetadata).
        doc.users = [...(doc.users ?? []), { upn: "erin@contoso.example", displayName: "Erin Narrow", tenant: "Contoso" }];
        doc.roleDefinitions = [...(doc.roleDefinitions ?? []), { name: "Secret Getter", description: "Get secrets only.", dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] }];
        doc.roleAssignments = [
          ...(doc.roleAssignments ?? []),
          { principal: "erin@contoso.example", role: "Reader", scope: "/subscriptions/Contoso Dev" },
          { principal: "erin@contoso.example", role: "Secret Getter", scope: "vault:kv-contoso" },
        ];
      },
    });
    [alice, dana, erin] = await Promise.all([signedInContext(t, "alice@contoso.example", { logger }), signedInContext(t, "dana@contoso.example"), signedInContext(t, "erin@contoso.example")]);
    const inventory = await loadInventory(alice);
    nosecret = inventory.vms.find((v) => v.name === "vm-nosecret") ?? assert.fail("vm-nosecret is in alice's inventory");
    tenantSubscriptions = inventory.subscriptions.filter((s) => s.tenantId === nosecret.tenantId).map((s) => s.subscriptionId);
  });
  after(async () => {
    await t?.stop();
  });

  const searchFor = (vm: VmEntry, currentSecretUri?: string, otherSubscriptionIds?: string[]): VaultSearchVm => ({ tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, currentSecretUri, otherSubscriptionIds });

  it("lists the vaults of the VM's subscription the user can read, with URIs of this cloud", async () => {
    const listing = await listVaultsForVm(alice, searchFor(nosecret));
    assert.equal(listing.kind, "vaults");
    if (listing.kind !== "vaults") return;
    // Reader on Contoso Dev: both of its vaults; kv-fabrikam is in another subscription.
    assert.deepEqual(listing.vaults.map((v) => v.name).sort(), ["kv-contoso", "kv-restricted"]);
    for (const v of listing.vaults) assert.match(v.vaultUrl, new RegExp(`^https://${v.name}\\.vault\\.localhost:\\d+$`));
    assert.equal(listing.dropped, 0);
  });

  it("searches the tenant's other subscriptions after the VM's own: a central vault comes last, the same through Resource Graph and Key Vault's list", async () => {
    assert.ok(tenantSubscriptions.length >= 2, "Contoso has two subscriptions");
    const viaGraph = await listVaultsForVm(alice, searchFor(nosecret, undefined, tenantSubscriptions));
    assert.equal(viaGraph.kind, "vaults");
    if (viaGraph.kind !== "vaults") return;
    assert.deepEqual(viaGraph.vaults.map((v) => [v.name, v.nearness]), [["kv-contoso", "sameSubscription"], ["kv-restricted", "sameSubscription"], ["kv-research", "otherSubscription"]]);
    assert.notEqual(viaGraph.vaults[2]?.subscriptionId.toLowerCase(), nosecret.subscriptionId.toLowerCase());
    const viaKeyVault = await listVaultsForVm(alice, searchFor(nosecret, undefined, tenantSubscriptions), undefined, { useResourceGraph: false });
    assert.deepEqual(viaKeyVault, viaGraph);
  });

  it("Key Vault's list leaves out a subscription that refuses and keeps the others", async () => {
    const research = tenantSubscriptions.find((id) => id.toLowerCase() !== nosecret.subscriptionId.toLowerCase())!;
    const fault = await t.control.addFault({ match: { service: "arm", pathRegex: `^/subscriptions/${research}/providers/Microsoft\\.KeyVault/vaults$` }, status: 403 });
    try {
      const listing = await listVaultsForVm(alice, searchFor(nosecret, undefined, tenantSubscriptions), undefined, { useResourceGraph: false });
      assert.deepEqual(listing.kind === "vaults" && listing.vaults.map((v) => v.name), ["kv-contoso", "kv-restricted"]);
      assert.ok(logger.lines.some((l) => l.includes(`Left out the Key Vaults of subscription ${research}`)));
    } finally {
      await t.control.clearFaults(fault);
    }
  });

  it("puts the vault holding the VM's current secret first", async () => {
    const restricted = (await listVaultsForVm(alice, searchFor(nosecret)));
    assert.equal(restricted.kind, "vaults");
    if (restricted.kind !== "vaults") return;
    const kvRestricted = restricted.vaults.find((v) => v.name === "kv-restricted") ?? assert.fail("kv-restricted listed");
    const listing = await listVaultsForVm(alice, searchFor(nosecret, `${kvRestricted.vaultUrl}/secrets/x`));
    assert.equal(listing.kind === "vaults" && listing.vaults[0]?.name, "kv-restricted");
    assert.equal(listing.kind === "vaults" && listing.vaults[0]?.nearness, "current");
  });

  it("lists no vault for a user without read access to any (Resource Graph filters by RBAC)", async () => {
    // Dana holds VM Viewer (no Microsoft.KeyVault read) on Contoso Dev, and data access on kv-contoso only.
    const listing = await listVaultsForVm(dana, searchFor(nosecret));
    assert.deepEqual(listing, { kind: "vaults", vaults: [], dropped: 0 });
  });

  it("without Resource Graph (setting off), lists the same vaults with Key Vault's own list, and no Resource Graph call", async () => {
    const viaGraph = await listVaultsForVm(alice, searchFor(nosecret));
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const viaKeyVault = await listVaultsForVm(alice, searchFor(nosecret), undefined, { useResourceGraph: false });
    assert.equal(viaKeyVault.kind, "vaults");
    // Same names, URIs, resource groups (read from the ARM id) and order.
    assert.deepEqual(viaKeyVault, viaGraph);
    const calls = await t.control.audit(since);
    assert.ok(!calls.some((e) => e.service === "arm.graph"), "no Resource Graph call");
    const list = calls.find((e) => /\/providers\/Microsoft\.KeyVault\/vaults\?/i.test(e.path)) ?? assert.fail("Key Vault's list was called");
    assert.equal(new URLSearchParams(list.path.split("?")[1] ?? "").get("api-version"), "2023-07-01");
  });

  it("falls back to Key Vault's own list when Resource Graph is unavailable (503), with the same vaults", async () => {
    const viaGraph = await listVaultsForVm(alice, searchFor(nosecret));
    const id = await t.control.addFault({ match: { service: "arm.graph" }, status: 503, retryAfterSeconds: 0 });
    try {
      assert.deepEqual(await listVaultsForVm(alice, searchFor(nosecret)), viaGraph);
    } finally {
      await t.control.clearFaults(id);
    }
  });

  it("a refused Key Vault list (no vaults/read at the subscription) is 'cannot list' with the reason, not an error", async () => {
    const listing = await listVaultsForVm(dana, searchFor(nosecret), undefined, { useResourceGraph: false });
    assert.equal(listing.kind, "cannotList");
    assert.match(listing.kind === "cannotList" ? listing.reason : "", /refused to list the Key Vaults of subscription/);
  });

  it("lists secret names and metadata across pages, never a value; disabled and invalid names left out", async () => {
    const vaults = await listVaultsForVm(alice, searchFor(nosecret));
    const kv = (vaults.kind === "vaults" && vaults.vaults.find((v) => v.name === "kv-contoso")) || assert.fail("kv-contoso listed");
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const listing = await listSecretsInVault(alice, kv.vaultUrl);
    assert.equal(listing.kind, "secrets");
    if (listing.kind !== "secrets") return;
    const names = listing.secrets.map((s) => s.name);
    for (let i = 0; i < BULK; i++) assert.ok(names.includes(`bulk-${String(i).padStart(2, "0")}`), `bulk-${i} listed (second page followed)`);
    assert.ok(names.includes("vm-nosecret-ssh-key"), "the VM's key is offered");
    assert.ok(!names.includes("old-key"), "a disabled secret is not offered");
    assert.equal(listing.disabled, 1);
    assert.ok(names.every((n) => /^[0-9a-zA-Z-]{1,127}$/.test(n)), `only valid names: ${names.join(", ")}`);
    assert.equal(listing.dropped, 3);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base", numeric: true })));
    assert.equal(listing.secrets.find((s) => s.name === "vm-nosecret-ssh-key")?.looksLike, "sshKey");
    assert.equal(listing.secrets.find((s) => s.name === "db-admin")?.looksLike, "password");
    assert.equal(listing.secrets.find((s) => s.name === "tagged-key")?.looksLike, "sshKey");
    assert.equal(listing.secrets.find((s) => s.name === "bulk-00")?.looksLike, undefined);
    assert.equal(listing.secrets.find((s) => s.name === "db-admin")?.uri, `${kv.vaultUrl}/secrets/db-admin`);
    assert.ok(!JSON.stringify(listing).includes(SECRET_VALUE) && !logger.lines.join("\n").includes(SECRET_VALUE), "no value listed or logged");
    const calls = (await t.control.audit(since)).filter((e) => e.service === "keyvault" && e.status === 200);
    assert.ok(calls.length >= 2 && calls.every((e) => /^\/secrets(\?|$)/.test(e.path)), `paged list calls only (no secret read): ${calls.map((e) => e.path).join(", ")}`);
  });

  it("403 on listing (getSecret without readMetadata) is 'cannot list', and the named secret can still be read", async () => {
    const vaults = await listVaultsForVm(erin, searchFor(nosecret));
    const kv = (vaults.kind === "vaults" && vaults.vaults.find((v) => v.name === "kv-contoso")) || assert.fail("kv-contoso listed for erin");
    const listing = await listSecretsInVault(erin, kv.vaultUrl);
    assert.equal(listing.kind, "cannotList");
    assert.match(listing.kind === "cannotList" ? listing.reason : "", /readMetadata/);
    const secret = await createSecretReader(erin)(new URL(`${kv.vaultUrl}/secrets/db-admin`));
    assert.equal(secret.name, "db-admin");
  });

  it("403 from a vault with no data access at all is 'cannot list' too", async () => {
    const vaults = await listVaultsForVm(alice, searchFor(nosecret));
    const kv = (vaults.kind === "vaults" && vaults.vaults.find((v) => v.name === "kv-restricted")) || assert.fail("kv-restricted listed");
    assert.equal((await listSecretsInVault(alice, kv.vaultUrl)).kind, "cannotList");
  });

  it("refuses a vault outside the cloud's Key Vault hosts before sending anything", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const vaults = await listVaultsForVm(alice, searchFor(nosecret));
    const kv = (vaults.kind === "vaults" && vaults.vaults[0]) || assert.fail("a vault listed");
    const armPort = new URL(t.settings.resourceManagerEndpoint).port;
    for (const url of ["https://attacker.example", `https://${new URL(kv.vaultUrl).hostname}:${armPort}`, `https://127.0.0.1:${new URL(kv.vaultUrl).port}`]) {
      await assert.rejects(listSecretsInVault(alice, url), (e: JitError) => e.code === "VaultNotAllowed", url);
    }
    assert.deepEqual((await t.control.audit(since)).filter((e) => e.service === "keyvault"), []);
  });

  it("stops on abort: before the call, and while Key Vault is answering", async () => {
    const vaults = await listVaultsForVm(alice, searchFor(nosecret));
    const kv = (vaults.kind === "vaults" && vaults.vaults.find((v) => v.name === "kv-contoso")) || assert.fail("kv-contoso listed");
    await assert.rejects(listVaultsForVm(alice, searchFor(nosecret), AbortSignal.abort()), isCancellation);
    await assert.rejects(listSecretsInVault(alice, kv.vaultUrl, AbortSignal.abort()), isCancellation);
    const fault = await t.control.addFault({ match: { service: "keyvault", pathRegex: "^/secrets" }, latencyMs: 5_000 });
    try {
      const controller = new AbortController();
      const listing = listSecretsInVault(alice, kv.vaultUrl, controller.signal);
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(listing, isCancellation);
    } finally {
      await t.control.clearFaults(fault);
    }
  });
});
