import assert from "node:assert/strict";
import { test } from "node:test";
import { BUILT_IN_CLOUDS, resolveCloud } from "../../../src/core/cloud";
import { MemoryCredentialChoiceStore, SECRET_TAG, USERNAME_TAG, rememberCredentialChoice, resolveCredentialSource, type CredentialVm } from "../../../src/core/credential/credentialSource";
import { parseSecretUri } from "../../../src/core/credential/secretUri";
import { isJitError } from "../../../src/core/errors";

const CLOUD = BUILT_IN_CLOUDS.AzureCloud;
const VM: CredentialVm = { id: "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm-ready", name: "vm-ready", adminUsername: "azureuser" };
const URI = "https://kv-contoso.vault.azure.net/secrets/vm-ready-key";
const ORIGIN = { vmName: "vm-ready", field: `tag "${SECRET_TAG}"` };

test("secret URIs: https, /secrets/<name>[/<version>], a vault host of this cloud", () => {
  const latest = parseSecretUri(URI, ORIGIN, CLOUD);
  assert.deepEqual([latest.uri.href, latest.vaultUrl, latest.name, latest.version], [URI, "https://kv-contoso.vault.azure.net", "vm-ready-key", undefined]);
  const v = "0123456789ABCDEF0123456789abcdef";
  const versioned = parseSecretUri(` ${URI}/${v}/ `, ORIGIN, CLOUD);
  assert.equal(versioned.uri.href, `${URI}/${v.toLowerCase()}`);
  assert.equal(versioned.version, v.toLowerCase());
  const sim = resolveCloud("Custom", { authorityHost: "https://localhost:1", resourceManagerEndpoint: "https://localhost:2", keyVaultAudience: "https://vault.localhost", keyVaultDnsSuffix: ".vault.localhost", keyVaultPorts: [8443] });
  assert.equal(parseSecretUri("https://kv.vault.localhost:8443/secrets/k", ORIGIN, sim).vaultUrl, "https://kv.vault.localhost:8443");
});

test("bad secret URIs are refused, naming the VM and the tag; foreign hosts are VaultNotAllowed", () => {
  const invalid = [
    "not a url",
    "http://kv-contoso.vault.azure.net/secrets/k",
    "https://user:pw@kv-contoso.vault.azure.net/secrets/k",
    "https://kv-contoso.vault.azure.net/secrets/k?api-version=1",
    "https://kv-contoso.vault.azure.net/secrets/k#x",
    "https://kv-contoso.vault.azure.net/keys/k",
    "https://kv-contoso.vault.azure.net/secrets/",
    "https://kv-contoso.vault.azure.net/secrets/k/notaversion",
    "https://kv-contoso.vault.azure.net/secrets/k/v/extra",
    "https://kv-contoso.vault.azure.net/secrets/under_score",
    `https://kv-contoso.vault.azure.net/secrets/${"a".repeat(128)}`,
    "https://kv-contoso.vault.azure.net/secrets/..%2f..%2fkeys",
  ];
  for (const uri of invalid) {
    assert.throws(() => parseSecretUri(uri, ORIGIN, CLOUD), (e: unknown) => isJitError(e) && e.code === "InvalidInput" && e.message.includes('"vm-ready"') && e.message.includes(SECRET_TAG), uri);
  }
  for (const uri of ["https://evil.example/secrets/k", "https://kv.vault.azure.net.evil.example/secrets/k", "https://vault.azure.net/secrets/k", "https://kv.vault.azure.cn/secrets/k"]) {
    assert.throws(() => parseSecretUri(uri, ORIGIN, CLOUD), (e: unknown) => isJitError(e) && e.code === "VaultNotAllowed", uri);
  }
});

test("tags win: secret and user name from tags (tag names are case-insensitive)", async () => {
  const store = new MemoryCredentialChoiceStore();
  await store.set(VM.id, { secretUri: "https://kv-other.vault.azure.net/secrets/x", userName: "remembered" });
  const source = await resolveCredentialSource({ ...VM, tags: { "Azure-JIT-Connect.Secret": URI, [USERNAME_TAG]: "deploy" } }, store, CLOUD);
  assert.equal(source.kind, "secret");
  assert.ok(source.kind === "secret");
  assert.equal(source.origin, "tag");
  assert.equal(source.secret.name, "vm-ready-key");
  assert.deepEqual(source.user, { name: "deploy", origin: "tag", field: `tag "${USERNAME_TAG}"` });
});

test("the user name defaults to osProfile.adminUsername", async () => {
  const source = await resolveCredentialSource({ ...VM, tags: { [SECRET_TAG]: URI } }, new MemoryCredentialChoiceStore(), CLOUD);
  assert.ok(source.kind === "secret");
  assert.deepEqual(source.user, { name: "azureuser", origin: "adminUsername", field: "osProfile.adminUsername" });
});

test("without tags, the remembered choice is used (keyed case-insensitively by VM id); else unknown", async () => {
  const store = new MemoryCredentialChoiceStore();
  const unknown = await resolveCredentialSource(VM, store, CLOUD);
  assert.deepEqual(unknown, { kind: "unknown", user: { name: "azureuser", origin: "adminUsername", field: "osProfile.adminUsername" } });
  await rememberCredentialChoice(VM, { secretUri: URI, userName: "me" }, store, CLOUD);
  const remembered = await resolveCredentialSource({ ...VM, id: VM.id.toUpperCase() }, store, CLOUD);
  assert.ok(remembered.kind === "secret");
  assert.equal(remembered.origin, "remembered");
  assert.equal(remembered.user?.name, "me");
  assert.equal((await resolveCredentialSource({ ...VM, adminUsername: undefined }, new MemoryCredentialChoiceStore(), CLOUD)).kind, "unknown");
});

test("hostile tags give kind invalid with an error naming the VM and the tag, never a silently altered value", async () => {
  const store = new MemoryCredentialChoiceStore();
  const badUser = await resolveCredentialSource({ ...VM, tags: { [SECRET_TAG]: URI, [USERNAME_TAG]: "root\n  ProxyCommand evil" } }, store, CLOUD);
  assert.ok(badUser.kind === "invalid");
  assert.equal(badUser.error.code, "SshConfigUnsafeValue");
  assert.ok(badUser.error.message.includes(USERNAME_TAG) && badUser.error.message.includes('"vm-ready"'));
  const badAdmin = await resolveCredentialSource({ ...VM, adminUsername: "Admin User" }, store, CLOUD);
  assert.ok(badAdmin.kind === "invalid" && badAdmin.error.message.includes("osProfile.adminUsername"));
  const badSecret = await resolveCredentialSource({ ...VM, tags: { [SECRET_TAG]: "https://attacker.example/secrets/k" } }, store, CLOUD);
  assert.ok(badSecret.kind === "invalid" && badSecret.error.code === "VaultNotAllowed");
  await assert.rejects(rememberCredentialChoice(VM, { secretUri: "http://x/secrets/k" }, store, CLOUD), (e: unknown) => isJitError(e) && e.code === "InvalidInput");
  assert.equal(await store.get(VM.id), undefined, "an invalid choice is not remembered");
});

test("an aborted signal stops resolution", async () => {
  await assert.rejects(resolveCredentialSource(VM, new MemoryCredentialChoiceStore(), CLOUD, AbortSignal.abort()), { name: "CancellationError" });
});
