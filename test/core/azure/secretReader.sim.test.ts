import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { createSecretReader, parseSecretUri } from "../../../src/core/azure/secretReader";
import type { JitError } from "../../../src/core/errors";
import { loadInventory } from "../../../src/core/inventory/loadInventory";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger, signedInContext } from "../access/support/simContext";

describe("SecretReader (Key Vault, simulator)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  const logger = memoryLogger();
  const secretOf = new Map<string, string>();

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    ctx = await signedInContext(t, "alice@contoso.example", { logger });
    for (const vm of (await loadInventory(ctx)).vms) if (vm.readiness.credential.secretUri) secretOf.set(vm.name, vm.readiness.credential.secretUri);
  });
  after(async () => {
    await t?.stop();
  });

  it("reads the secret a VM tag points to", async () => {
    const read = createSecretReader(ctx);
    const secret = await read(new URL(secretOf.get("vm-dev-01") ?? assert.fail("no tag")));
    assert.match(secret.value, /-----BEGIN OPENSSH PRIVATE KEY-----/);
    assert.equal(secret.name, "vm-dev-01-ssh-key");
    assert.match(secret.version, /^[0-9a-f]{32}$/);
    assert.match(secret.vaultUrl, /^https:\/\/kv-contoso\.vault\.localhost:\d+$/);
    assert.ok(!logger.lines.join("\n").includes("PRIVATE KEY-----\n"), "the value never reaches the log");
  });

  it("403 → SecretForbidden naming the vault and the secret (vm-forbidden lives in kv-restricted)", async () => {
    const uri = new URL(secretOf.get("vm-forbidden") ?? assert.fail("no tag"));
    await assert.rejects(createSecretReader(ctx)(uri), (e: JitError) => e.code === "SecretForbidden" && e.message.includes("vm-forbidden-ssh-key") && e.message.includes(uri.host) && /Key Vault Secrets User/.test(e.message));
  });

  it("404 → SecretNotFound", async () => {
    const uri = new URL(secretOf.get("vm-dev-01") ?? assert.fail("no tag"));
    const missing = new URL(`${uri.origin}/secrets/does-not-exist`);
    await assert.rejects(createSecretReader(ctx)(missing), (e: JitError) => e.code === "SecretNotFound" && e.message.includes("does-not-exist"));
  });

  it("a host outside the cloud's Key Vault suffix is refused before any token is sent", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    // The simulator's own vault, addressed by a host that is not under the cloud's suffix, and a
    // vault host on another port (the ARM port here): had anything been sent, the audit would say so.
    const real = new URL(secretOf.get("vm-dev-01") ?? assert.fail("no tag"));
    const elsewhere = new URL(`https://127.0.0.1:${real.port}${real.pathname}`);
    await assert.rejects(createSecretReader(ctx)(elsewhere), (e: JitError) => e.code === "VaultNotAllowed" && /No token was sent/.test(e.message));
    for (const other of [new URL(t.settings.resourceManagerEndpoint).port, new URL(t.settings.authorityHost).port]) {
      await assert.rejects(createSecretReader(ctx)(new URL(`https://${real.hostname}:${other}${real.pathname}`)), (e: JitError) => e.code === "VaultNotAllowed");
      await assert.rejects(createSecretReader(ctx)(new URL(`https://localhost:${other}${real.pathname}`)), (e: JitError) => e.code === "VaultNotAllowed");
    }
    await assert.rejects(createSecretReader(ctx)(new URL("https://attacker.example/secrets/x")), (e: JitError) => e.code === "VaultNotAllowed");
    assert.deepEqual((await t.control.audit(since)).filter((e) => e.service !== "control"), []);
  });

  it("refuses what is not a secret URI", () => {
    assert.throws(() => parseSecretUri(new URL("https://kv.vault.azure.net/keys/k")), (e: JitError) => e.code === "InvalidInput");
    assert.throws(() => parseSecretUri(new URL("http://kv.vault.azure.net/secrets/k")), (e: JitError) => e.code === "InvalidInput");
    assert.deepEqual(parseSecretUri(new URL("https://kv.vault.azure.net/secrets/k/abc")), { vaultUrl: "https://kv.vault.azure.net", name: "k", version: "abc" });
  });
});
