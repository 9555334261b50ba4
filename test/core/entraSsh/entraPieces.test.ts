/**
 * The pure pieces of Entra ID login: which login method a VM gets, the login name taken from the
 * certificate, the VM's extension and identity as ARM reports them, the certificate parser (a
 * certificate for another key is refused), and the host block of a certificate login.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { chooseLoginMethod } from "../../../src/core/entraSsh/loginMethod";
import { entraLoginName, isEntraLoginName } from "../../../src/core/entraSsh/loginName";
import { parseEntraSshCertificate } from "../../../src/core/entraSsh/sshCertificate";
import { createEntraSshKeyPair } from "../../../src/core/entraSsh/sshKeyPair";
import { entraVmState } from "../../../src/core/entraSsh/vmChecks";
import { sshCertificateScope } from "../../../src/core/entraSsh/certificateSource";
import { BUILT_IN_CLOUDS, resolveCloud } from "../../../src/core/cloud";
import { hostDirectives } from "../../../src/core/ssh/renderHostBlock";
import { LINUX_OPTIONS, VM_READY } from "../ssh/fixtures";

const run = promisify(execFile);
const eligible = { eligibility: { id: "e", tenantId: "t", scope: "/subscriptions/s/resourceGroups/rg", roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/fb879df8-f326-4884-b1cf-06f3ad86be52" } };

test("Entra ID is the default when the VM has a login role; the setting and the per-VM choice override it", () => {
  assert.equal(chooseLoginMethod({ entraLoginRole: eligible, keyVaultUsable: true }, "entraIdWhenAvailable", undefined), "entraId");
  assert.equal(chooseLoginMethod({ keyVaultUsable: true }, "entraIdWhenAvailable", undefined), "keyVault");
  assert.equal(chooseLoginMethod({ entraLoginRole: eligible, keyVaultUsable: true }, "keyVault", undefined), "keyVault");
  assert.equal(chooseLoginMethod({ entraLoginRole: eligible, keyVaultUsable: false }, "keyVault", undefined), "entraId", "no secret: Entra ID is the only way");
  assert.equal(chooseLoginMethod({ entraLoginRole: eligible, keyVaultUsable: true }, "entraIdWhenAvailable", "keyVault"), "keyVault");
  assert.equal(chooseLoginMethod({ keyVaultUsable: true }, "keyVault", "entraId"), "entraId");
});

test("the login name is the first principal, lower-cased; anything ssh_config could misread is refused", () => {
  assert.equal(entraLoginName(["Alice.Example@Contoso.com", "other"], "vm"), "alice.example@contoso.com");
  for (const bad of ["alice", "a b@c.d", "a%u@c.d", 'a"@c.d', "a@b@c.d", "-a@c.d", "a@c.d\nHost *", "a@-c.d"]) {
    assert.equal(isEntraLoginName(bad.toLowerCase()), false, bad);
    assert.throws(() => entraLoginName([bad], "vm"), (e: unknown) => isJitError(e) && e.code === "EntraLoginNameInvalid");
  }
  assert.throws(() => entraLoginName([], "vm"), (e: unknown) => isJitError(e) && e.code === "EntraCertificateInvalid");
});

test("the VM needs the AADSSHLoginForLinux extension (Succeeded) and a system-assigned identity", () => {
  const ext = { publisher: "Microsoft.Azure.ActiveDirectory", typePropertiesType: "AADSSHLoginForLinux", provisioningState: "Succeeded", location: "westeurope" };
  assert.deepEqual(entraVmState("vm", { resources: [ext], identity: { type: "SystemAssigned" } }), { ok: true });
  assert.deepEqual(entraVmState("vm", { resources: [ext], identity: { type: "SystemAssigned, UserAssigned" } }), { ok: true });
  assert.equal((entraVmState("vm", { resources: [], identity: { type: "SystemAssigned" } }) as { code: string }).code, "EntraExtensionMissing");
  assert.equal((entraVmState("vm", { resources: [ext], identity: { type: "UserAssigned" } }) as { code: string }).code, "EntraNoManagedIdentity");
  assert.equal((entraVmState("vm", { resources: [ext] }) as { code: string }).code, "EntraNoManagedIdentity");
  const failed = entraVmState("vm", { resources: [{ ...ext, provisioningState: "Failed" }], identity: { type: "SystemAssigned" } });
  assert.equal(failed.ok, false);
  assert.match((failed as { message: string }).message, /Failed/);
});

test("the PAS scope follows the cloud; a custom cloud may name its own", () => {
  assert.equal(sshCertificateScope(BUILT_IN_CLOUDS.AzureCloud), "https://pas.windows.net/CheckMyAccess/Linux/.default");
  assert.equal(sshCertificateScope(BUILT_IN_CLOUDS.AzureUSGovernment), "https://pasff.usgovcloudapi.net/CheckMyAccess/Linux/.default");
  const custom = { authorityHost: "https://login.example", resourceManagerEndpoint: "https://arm.example", keyVaultAudience: "https://vault.example", keyVaultDnsSuffix: ".vault.example" };
  assert.equal(sshCertificateScope(resolveCloud("Custom", custom)), "https://pas.windows.net/CheckMyAccess/Linux/.default");
  assert.equal(sshCertificateScope(resolveCloud("Custom", { ...custom, sshCertificateScope: "https://pas.example/CheckMyAccess/Linux/.default" })), "https://pas.example/CheckMyAccess/Linux/.default");
});

test("a certificate is read from its wire form, and one for another key is refused", async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-cert-"));
  try {
    const key = await createEntraSshKeyPair(2048);
    const other = await createEntraSshKeyPair(2048);
    await run("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path.join(dir, "ca")]);
    // The public key line from the JWK fields, as the simulator would rebuild it.
    const mp = (b: Buffer) => ((b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
    const s = (b: Buffer) => { const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return Buffer.concat([l, b]); };
    const blob = Buffer.concat([s(Buffer.from("ssh-rsa")), s(mp(key.exponent)), s(mp(key.modulus))]);
    await fsp.writeFile(path.join(dir, "u.pub"), `ssh-rsa ${blob.toString("base64")}\n`);
    await run("ssh-keygen", ["-q", "-s", path.join(dir, "ca"), "-I", "oid@tid", "-n", "Alice@Contoso.example", "-V", "-5m:+1h", path.join(dir, "u.pub")]);
    const certBlob = (await fsp.readFile(path.join(dir, "u-cert.pub"), "utf8")).split(" ")[1]!;
    const cert = parseEntraSshCertificate(certBlob, key);
    assert.equal(cert.keyId, "oid@tid");
    assert.deepEqual(cert.principals, ["Alice@Contoso.example"]);
    assert.ok(cert.validBefore - cert.validAfter === 65 * 60_000);
    assert.throws(() => parseEntraSshCertificate(certBlob, other), (e: unknown) => isJitError(e) && e.code === "EntraCertificateInvalid");
    assert.throws(() => parseEntraSshCertificate("not base64!", key), (e: unknown) => isJitError(e) && e.code === "EntraCertificateInvalid");
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test("a certificate host uses IdentityFile + CertificateFile + IdentitiesOnly and a UPN user; other users stay refused", () => {
  const entry = { vm: VM_READY, userName: "alice@contoso.example", userField: "the certificate", auth: { kind: "certificate" as const, identityFile: "/home/u/.ssh/azure-jit-connect/keys/k", certificateFile: "/home/u/.ssh/azure-jit-connect/keys/k-cert.pub" } };
  const directives = hostDirectives(entry, LINUX_OPTIONS);
  assert.deepEqual(directives.slice(8, 11).map(([k]) => k), ["IdentityFile", "CertificateFile", "IdentitiesOnly"]);
  assert.equal(directives.find(([k]) => k === "User")?.[1], "alice@contoso.example");
  assert.throws(() => hostDirectives({ ...entry, userName: "alice@contoso.example %h" }, LINUX_OPTIONS), (e: unknown) => isJitError(e) && e.code === "EntraLoginNameInvalid");
  assert.throws(() => hostDirectives({ ...entry, auth: { kind: "key", identityFile: "/k" } }, LINUX_OPTIONS), (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue", "a UPN is accepted only for certificate logins");
});
