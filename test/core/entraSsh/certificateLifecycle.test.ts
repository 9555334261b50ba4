/**
 * The certificate's life on this machine, against the simulator's Entra ID: a Conditional Access
 * refusal is its own error with the fix; a certificate is renewed (new key, new certificate) a
 * little before it expires while the grant lasts, on the injected clock; key and certificate go
 * when the grant ends; a sign-in method that cannot get certificates says so.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ClientSecretCredential } from "@azure/identity";
import type { Grant } from "../../../src/core/access/grant";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { KeyStore } from "../../../src/core/credential/keyStore";
import { issueEntraCredential } from "../../../src/core/entraSsh/entraCredential";
import { sshCertificateSourceOf } from "../../../src/core/entraSsh/certificateSource";
import { LoginMethodStore } from "../../../src/core/entraSsh/loginMethod";
import { isJitError } from "../../../src/core/errors";
import type { VmEntry } from "../../../src/core/inventory/loadInventory";
import { EntraLogin } from "../../../src/core/service/entraConnect";
import type { ConnectionProfile } from "../../../src/core/service/connectionProfiles";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { ManualClock } from "../access/support/manualClock";
import { memoryLogger, productCredential, signedInContext, simCloud } from "../access/support/simContext";

const ALICE = "alice@contoso.example";
const ALIAS = "azjit-vm-entra-abc123";

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  // Waits for an event (a renewal finishing its Azure round trip), bounded generously; no duration is asserted.
  for (let i = 0; i < 600; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("Entra ID certificate lifecycle", { timeout: 120_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let tenantId: string;

  before(async () => {
    t = await startTestSimulator("entra", { startVms: false });
    tenantId = t.sim.scenario.tenants[0]!.id;
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-entra-life-"));
  });
  after(async () => {
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("a Conditional Access refusal is EntraCertificateRefused, naming the control and the fix", async () => {
    const credential = await productCredential(t, "carol@contoso.example");
    await credential.getToken(`${simCloud(t).resourceManagerAudience}/.default`); // signs carol in
    const keys = new KeyStore({ dir: path.join(root, "carol-keys") });
    const source = sshCertificateSourceOf(credential);
    assert.ok(source, "the device-code credential can get SSH certificates");
    await assert.rejects(
      issueEntraCredential({ source, keys, logger: memoryLogger() }, { alias: ALIAS, vmName: "vm-entra", tenantId, cloud: simCloud(t), grantEndsAt: Date.now() + 3600_000 }),
      (e: unknown) => isJitError(e) && e.code === "EntraCertificateRefused" && /compliant, managed device/.test(e.message),
    );
    assert.equal(await keys.has(ALIAS), false, "nothing is written when no certificate came");
  });

  it("renews key and certificate before the certificate expires while the grant lasts; both go when the grant ends", async () => {
    const clock = new ManualClock(Date.now());
    const credential = await productCredential(t, ALICE);
    await credential.getToken(`${simCloud(t).resourceManagerAudience}/.default`); // signs alice in
    const ctx: AzureContext = await signedInContext(t, ALICE, { credential });
    const keys = new KeyStore({ dir: path.join(root, "alice-keys"), clock });
    const entra = new EntraLogin({ credential, keys, methods: await LoginMethodStore.open(root, memoryLogger()), logger: memoryLogger(), localClock: clock, preference: () => "entraIdWhenAvailable" });
    const grantEndsAt = Date.now() + 2 * 3600_000;
    const grant = { expiresAt: grantEndsAt } as Grant; // only the end of the grant matters here
    const profile = { alias: ALIAS, vmName: "vm-entra", tenantId } as ConnectionProfile;
    const first = await entra.reissue(ctx, profile, grant);
    assert.equal(first.userName, ALICE);
    const firstKey = await fsp.readFile(first.identityFile, "utf8");
    const firstCert = await fsp.readFile(first.certificateFile, "utf8");
    assert.match(firstCert, /^ssh-rsa-cert-v01@openssh\.com /);

    await clock.advance(50 * 60_000);
    assert.equal(await fsp.readFile(first.certificateFile, "utf8"), firstCert, "not renewed 10 minutes before expiry");
    await clock.advance(6 * 60_000);
    await until("the renewed certificate", async () => (await fsp.readFile(first.certificateFile, "utf8").catch(() => firstCert)) !== firstCert);
    const renewedKey = await fsp.readFile(first.identityFile, "utf8");
    assert.notEqual(renewedKey, firstKey, "a renewal makes a new key too");
    assert.equal((await fsp.stat(first.identityFile)).mode & 0o777, 0o600);

    // The key store removes both with the grant (its expiry timer on the same clock).
    await clock.advance(grantEndsAt - clock.now() + 1000);
    await keys.idle();
    await assert.rejects(fsp.stat(first.identityFile), { code: "ENOENT" });
    await assert.rejects(fsp.stat(first.certificateFile), { code: "ENOENT" });
    entra.dispose();
  });

  it("a sign-in method that cannot get certificates (here a client secret through @azure/identity) is EntraSignInUnsupported", async () => {
    const sp = t.sim.scenario.servicePrincipals[0];
    const credential = new ClientSecretCredential(tenantId, sp?.appId ?? "00000000-0000-0000-0000-000000000000", sp?.secret ?? "x", { authorityHost: t.settings.authorityHost, disableInstanceDiscovery: true });
    assert.equal(sshCertificateSourceOf(credential), undefined);
    const entra = new EntraLogin({ credential, keys: new KeyStore({ dir: path.join(root, "sp-keys") }), methods: await LoginMethodStore.open(root, memoryLogger()), logger: memoryLogger(), localClock: new ManualClock(), preference: () => "entraIdWhenAvailable" });
    // Such a sign-in prefers the Key Vault secret where there is one; without one Entra ID stays (and says why it cannot work).
    const vm = { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-entra", entraLoginRole: { eligibility: { id: "e", tenantId, scope: "/subscriptions/s/resourceGroups/rg", roleDefinitionId: "fb879df8-f326-4884-b1cf-06f3ad86be52" } } } as VmEntry;
    assert.equal(entra.methodFor(vm, true), "keyVault");
    assert.equal(entra.methodFor(vm, false), "entraId");
    await assert.rejects(entra.reissue({} as AzureContext, { alias: ALIAS, vmName: "vm-entra", tenantId } as ConnectionProfile, { expiresAt: Date.now() + 3600_000 } as Grant), (e: unknown) => isJitError(e) && e.code === "EntraSignInUnsupported" && /deviceCode/.test(e.message));
  });
});
