import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveCloud } from "../../../src/core/cloud";
import { isSecretName, isVaultName, secretChoices, secretKindHint, vaultChoices } from "../../../src/core/credential/vaultCatalog";

/** Choose Credential's choices from what Azure returned: every name and URI is hostile until checked. */

const cloud = resolveCloud("AzureCloud", undefined);
const vm = { tenantId: "t", subscriptionId: "s", resourceGroup: "rg-vm" };
const row = (name: unknown, vaultUri: unknown, resourceGroup = "rg-kv", subscriptionId = "s"): Record<string, unknown> => ({ name, resourceGroup, subscriptionId, properties: { vaultUri } });

describe("vault choices", () => {
  it("applies Key Vault's naming rules", () => {
    for (const ok of ["abc", "kv-contoso", "A1-b2", "a".repeat(24)]) assert.equal(isVaultName(ok), true, ok);
    for (const bad of ["ab", "a".repeat(25), "1kv", "kv-", "kv--x", "kv_x", "kv.x", "kv x", "kv\u202ex", "", 42, undefined]) assert.equal(isVaultName(bad), false, String(bad));
    for (const ok of ["a", "vm-key", "A".repeat(127)]) assert.equal(isSecretName(ok), true, ok);
    for (const bad of ["", "A".repeat(128), "a.b", "a/b", "a b", "a\u202eb", "ключ", null]) assert.equal(isSecretName(bad), false, String(bad));
  });

  it("keeps only vaults whose URI is this cloud's vault host for that very name; the VM's own vault and resource group first", () => {
    const rows = [
      row("kv-zeta", "https://kv-zeta.vault.azure.net/"),
      row("kv-alpha", "https://kv-alpha.vault.azure.net/"),
      row("kv-near", "https://kv-near.vault.azure.net/", "RG-VM"),
      row("kv-central", "https://kv-central.vault.azure.net/", "rg-platform", "platform-sub"),
      row("kv-also-rg-vm", "https://kv-also-rg-vm.vault.azure.net/", "rg-vm", "platform-sub"), // same RG name, other subscription
      row("kv-mine", "https://KV-MINE.vault.azure.net/"),
      row("kv-mine", "https://kv-mine.vault.azure.net/"), // duplicate
      row("kv-evil", "https://kv-evil.attacker.example/"), // another domain
      row("kv-port", "https://kv-port.vault.azure.net:8443/"), // another port
      row("kv-other", "https://kv-somebody-else.vault.azure.net/"), // name and host disagree
      row("kv-path", "https://kv-path.vault.azure.net/secrets/"), // more than an origin
      row("kv-http", "http://kv-http.vault.azure.net/"),
      row("kv-user", "https://u:p@kv-user.vault.azure.net/"),
      row("kv-deep", "https://x.kv-deep.vault.azure.net/"),
      row("bad name", "https://bad.vault.azure.net/"),
      row("kv-none", undefined),
      row("kv-junk", "not a url"),
      { name: "kv-noprops" },
    ];
    const { vaults, dropped } = vaultChoices(rows, { ...vm, currentSecretUri: "https://kv-mine.vault.azure.net/secrets/vm-key" }, cloud);
    assert.deepEqual(
      vaults.map((v) => [v.name, v.nearness]),
      [
        ["kv-mine", "current"],
        ["kv-near", "sameResourceGroup"],
        ["kv-alpha", "sameSubscription"],
        ["kv-zeta", "sameSubscription"],
        ["kv-also-rg-vm", "otherSubscription"],
        ["kv-central", "otherSubscription"],
      ],
    );
    assert.equal(vaults[0]?.vaultUrl, "https://kv-mine.vault.azure.net");
    assert.equal(dropped, 11);
  });
});

describe("secret choices", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("offers enabled secrets with valid names, sorted, with the URI of the latest version", () => {
    const { secrets, disabled, dropped } = secretChoices(
      [
        { name: "vm-key", enabled: true, contentType: "application/x-pem-file", updatedOn: new Date(now - 1000) },
        { name: "Admin-Password", contentType: "password" },
        { name: "retired", enabled: false },
        { name: "old", expiresOn: new Date(now - 1) },
        { name: "a.b" },
        { name: "x\u202ey" },
        { name: 7 },
        { name: "VM-KEY" }, // Key Vault names are case-insensitive: the same secret
      ],
      "https://kv.vault.azure.net",
      now,
    );
    assert.deepEqual(
      secrets.map((s) => [s.name, s.looksLike, s.expired]),
      [
        ["Admin-Password", "password", false],
        ["old", undefined, true],
        ["vm-key", "sshKey", false],
      ],
    );
    assert.equal(secrets[2]?.uri, "https://kv.vault.azure.net/secrets/vm-key");
    assert.equal(secrets[2]?.updatedOn, now - 1000);
    assert.equal(disabled, 1);
    assert.equal(dropped, 3);
  });

  it("reads a kind only when contentType or tags say one thing", () => {
    assert.equal(secretKindHint("application/x-pem-file", undefined), "sshKey");
    assert.equal(secretKindHint(undefined, { type: "ssh-private-key" }), "sshKey");
    assert.equal(secretKindHint("text/plain", { purpose: "VM password" }), "password");
    assert.equal(secretKindHint("text/plain", {}), undefined);
    assert.equal(secretKindHint("ssh key or password", {}), undefined);
    assert.equal(secretKindHint(42, "tags"), undefined);
  });
});
