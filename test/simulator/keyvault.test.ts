/** Key Vault through SecretClient (keyvault-secrets 4.11): challenge, versions, RBAC data actions, tenants, errors. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential, type DeviceCodeCredential } from "@azure/identity";
import type { RestError } from "@azure/core-rest-pipeline";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { loopbackGet } from "../support/loopbackHttps";
import { clients } from "./sdkClients";

const ALICE = "alice@contoso.example";

describe("Key Vault", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  const vault = (name: string): string => ts.sim.scenario.vaults.find((v) => v.name === name)!.uri;
  before(async () => {
    ts = await startTestSimulator("demo", {
      startVms: false,
      edit: (s) => s.vaults!.find((v) => v.name === "kv-contoso")!.secrets = [{ name: "note", value: "plain text", contentType: "text/plain" }, { name: "retired", value: "old", enabled: false }],
    });
    alice = await ts.signInWithDeviceCode(ALICE);
  });
  after(() => ts.stop());

  it("serves the VM key stored at start, by name and by version (the tag's URI)", async () => {
    const sc = clients(ts, alice).secrets(vault("kv-contoso"));
    const latest = await sc.getSecret("vm-dev-01-ssh-key");
    assert.match(latest.value ?? "", /^-----BEGIN OPENSSH PRIVATE KEY-----/);
    assert.equal(latest.properties.vaultUrl, vault("kv-contoso"));
    const byVersion = await sc.getSecret("vm-dev-01-ssh-key", { version: latest.properties.version! });
    assert.equal(byVersion.value, latest.value);
    const pem = await sc.getSecret("gpu-ds-01-ssh-key");
    assert.match(pem.value ?? "", /^-----BEGIN (RSA )?PRIVATE KEY-----/);
    const vms = clients(ts, alice, ts.sim.scenario.subscriptions[0]!.id).compute;
    const tagged = await vms.virtualMachines.get("rg-vm-dev-01", "vm-dev-01");
    assert.equal(tagged.tags?.["azure-jit-connect.secret"], `${vault("kv-contoso")}/secrets/vm-dev-01-ssh-key`);
    const untagged = await vms.virtualMachines.get("rg-vm-nosecret", "vm-nosecret");
    assert.equal(untagged.tags?.["azure-jit-connect.secret"], undefined);
    const names = [];
    for await (const p of sc.listPropertiesOfSecrets()) names.push(p.name);
    assert.ok(names.includes("note") && names.includes("vm-nosecret-ssh-key"));
  });

  it("lists in pages of at most 25 with a nextLink on the vault's origin; a disabled secret is listed but not readable", async () => {
    const sc = clients(ts, alice).secrets(vault("kv-contoso"));
    const pages: string[][] = [];
    for await (const page of sc.listPropertiesOfSecrets().byPage({ maxPageSize: 5 })) pages.push(page.map((p) => p.name));
    const total = ts.sim.scenario.vaults.find((v) => v.name === "kv-contoso")!.secrets.size;
    assert.ok(total > 5);
    assert.equal(pages.length, Math.ceil(total / 5));
    assert.ok(pages.slice(0, -1).every((p) => p.length === 5));
    assert.equal(new Set(pages.flat()).size, total, "every secret once");
    let retired: boolean | undefined;
    for await (const p of sc.listPropertiesOfSecrets()) if (p.name === "retired") retired = p.enabled;
    assert.equal(retired, false);
    await assert.rejects(sc.getSecret("retired"), (e: RestError) => e.statusCode === 403 && e.code === "Forbidden" && /disabled secret/.test(e.message));
    const token = (await alice.getToken(`${ts.settings.keyVaultAudience}/.default`))!.token;
    for (const max of ["0", "26", "x"]) {
      const res = await loopbackGet(`${vault("kv-contoso")}/secrets?api-version=7.5&maxresults=${max}`, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 400, `maxresults=${max}`);
    }
    const first = JSON.parse((await loopbackGet(`${vault("kv-contoso")}/secrets?api-version=7.5&maxresults=5`, { authorization: `Bearer ${token}` })).text) as { value: unknown[]; nextLink: string | null };
    assert.equal(first.value.length, 5);
    assert.match(first.nextLink ?? "", new RegExp(`^${vault("kv-contoso").replace(/[.]/g, "\\.")}/secrets\\?api-version=7\\.5&\\$skiptoken=[\\w-]+&maxresults=5$`));
    const byDefault = JSON.parse((await loopbackGet(`${vault("kv-contoso")}/secrets?api-version=7.5`, { authorization: `Bearer ${token}` })).text) as { value: unknown[] };
    assert.equal(byDefault.value.length, Math.min(25, total));
  });

  it("challenges first: the unauthenticated request gets 401 with authorization and resource", async () => {
    const res = await loopbackGet(`${vault("kv-contoso")}/secrets/note/?api-version=2025-07-01`);
    assert.equal(res.status, 401);
    const contoso = ts.sim.scenario.tenants[0]!.id;
    assert.equal(res.headers["www-authenticate"], `Bearer authorization="${ts.settings.authorityHost}/${contoso}", resource="${ts.settings.keyVaultAudience}"`);
    // The resource is the parent domain of the vault host, so SDKs verifying the challenge accept it.
    assert.ok(new URL(vault("kv-contoso")).hostname.endsWith(`.${new URL(ts.settings.keyVaultAudience).hostname}`));
  });

  it("refuses without the data action (Forbidden/ForbiddenByRbac) and answers SecretNotFound", async () => {
    await assert.rejects(clients(ts, alice).secrets(vault("kv-restricted")).getSecret("vm-forbidden-ssh-key"), (e: RestError) => {
      assert.equal(e.statusCode, 403);
      assert.equal(e.code, "Forbidden");
      assert.match(e.message, /getSecret\/action/);
      return true;
    });
    await assert.rejects(clients(ts, alice).secrets(vault("kv-contoso")).getSecret("missing"), (e: RestError) => e.statusCode === 404 && e.code === "SecretNotFound");
    await assert.rejects(clients(ts, alice).secrets(vault("kv-contoso")).getSecret("note", { version: "0".repeat(32) }), (e: RestError) => e.statusCode === 404);
    const contoso = ts.sim.scenario.tenants[0]!;
    const sp = ts.sim.scenario.servicePrincipals[0]!;
    const app = new ClientSecretCredential(contoso.id, sp.appId, sp.secret, { authorityHost: ts.settings.authorityHost, disableInstanceDiscovery: true });
    await assert.rejects(clients(ts, app).secrets(vault("kv-contoso")).getSecret("note"), (e: RestError) => e.statusCode === 403);
  });

  it("a vault in the guest tenant accepts only that tenant's tokens", async () => {
    // identity 4.13 answers the challenge's tenant from its cached home-tenant account (silent
    // requests ignore tenantId), so the home credential is refused by the guest tenant's vault...
    await assert.rejects(clients(ts, alice).secrets(vault("kv-fabrikam")).getSecret("vm-fabrikam-ssh-key"), (e: RestError) => {
      assert.equal(e.statusCode, 401);
      assert.match(e.message, /^AKV10032: Invalid issuer/);
      return true;
    });
    // ...and a credential signed in to the guest tenant reads it.
    const fabrikam = ts.sim.scenario.tenants.find((t) => t.name === "Fabrikam")!;
    const guest = await ts.signInWithDeviceCode(ALICE, { tenantId: fabrikam.id });
    const secret = await clients(ts, guest).secrets(vault("kv-fabrikam")).getSecret("vm-fabrikam-ssh-key");
    assert.match(secret.value ?? "", /PRIVATE KEY/);
  });

  it("rejects ARM-audience tokens", async () => {
    const arm = await alice.getToken(ts.settings.armScope);
    const res = await loopbackGet(`${vault("kv-contoso")}/secrets/note?api-version=2025-07-01`, { authorization: `Bearer ${arm!.token}` });
    assert.equal(res.status, 401);
    assert.match((JSON.parse(res.text) as { error: { message: string } }).error.message, /^AKV10022: Invalid audience/);
  });

  it("serves every vault on one port, told apart by host; an unknown host names no vault", async () => {
    const a = new URL(vault("kv-contoso"));
    const b = new URL(vault("kv-restricted"));
    assert.equal(a.port, b.port);
    assert.notEqual(a.hostname, b.hostname);
    const res = await loopbackGet(`https://nosuchvault.vault.localhost:${a.port}/secrets/note?api-version=2025-07-01`);
    assert.equal(res.status, 404);
  });
});
