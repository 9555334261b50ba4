/**
 * Entra ID SSH certificates on the simulator: the token endpoint's ssh-cert flavour (through MSAL
 * Node's silent request with extra body fields, as the product sends it), its refusals, the
 * Conditional Access policy of "Azure Linux VM Sign-In", the VM's ARM shape (extension + system
 * identity), and the VM's sshd: a certificate logs the UPN in while Azure RBAC grants the login
 * role, and a new login is refused once the role's activation has expired.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { PublicClientApplication, type AccountInfo } from "@azure/msal-node";
import { createEntraSshKeyPair, type EntraSshKeyPair } from "../../src/core/entraSsh/sshKeyPair";
import { startTestSimulator, type TestSimulator } from "../support/simulator";

const run = promisify(execFile);
const ALICE = "alice@contoso.example";
const PAS_SCOPE = "https://pas.windows.net/CheckMyAccess/Linux/.default";
const asRoot = process.getuid?.() === 0;

function ssh(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Entra ID SSH certificates (simulator)", { timeout: 120_000 }, () => {
  let t: TestSimulator;
  let dir: string;
  let tenantId: string;

  before(async () => {
    t = await startTestSimulator("entra", {
      // alice's login role on vm-entra is active for one hour from the start.
      edit: (s) => {
        const e = s.eligibilities!.find((x) => x.principal === ALICE && x.role === "Virtual Machine User Login" && x.scope.endsWith("rg-vm-entra"))!;
        e.activeHours = 1;
      },
    });
    tenantId = t.sim.scenario.tenants[0]!.id;
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-entra-ssh-"));
  });
  after(async () => {
    await t?.stop();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  async function signIn(upn: string, deviceCompliant?: boolean): Promise<{ app: PublicClientApplication; account: AccountInfo }> {
    const app = new PublicClientApplication({ auth: { clientId: t.settings.clientId, authority: `${t.settings.authorityHost}/${tenantId}`, knownAuthorities: [new URL(t.settings.authorityHost).host] } });
    const result = await app.acquireTokenByDeviceCode({
      scopes: [t.settings.armScope],
      deviceCodeCallback: (r) => void t.control.approveDeviceCode({ userCode: r.userCode, upn, deviceCompliant }),
    });
    assert.ok(result?.account);
    return { app, account: result.account };
  }

  function certificateRequest(app: PublicClientApplication, account: AccountInfo, reqCnf: string, kid: string) {
    return app.acquireTokenSilent({ account, scopes: [PAS_SCOPE], forceRefresh: true, extraParameters: { token_type: "ssh-cert", req_cnf: reqCnf, key_id: kid } });
  }

  async function writeKeyAndCertificate(name: string, key: EntraSshKeyPair, blob: string): Promise<{ keyFile: string; certFile: string }> {
    const keyFile = path.join(dir, name);
    const certFile = `${keyFile}-cert.pub`;
    await fsp.writeFile(keyFile, key.privateKeyPem, { mode: 0o600 });
    await fsp.writeFile(certFile, `ssh-rsa-cert-v01@openssh.com ${blob}\n`, { mode: 0o644 });
    return { keyFile, certFile };
  }

  async function login(port: number, files: { keyFile: string; certFile: string }, user = ALICE) {
    return ssh([
      "-F", "/dev/null", "-p", String(port), "-l", user, "-i", files.keyFile, "-o", `CertificateFile=${files.certFile}`,
      "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
      "127.0.0.1", 'echo "$(id -un) on $AZSIM_VM home=$HOME"',
    ]);
  }

  it("issues an OpenSSH user certificate for the posted RSA key: key id oid@tid, the UPN as principal, about an hour, Entra's extensions", async () => {
    const { app, account } = await signIn(ALICE);
    const key = await createEntraSshKeyPair();
    const result = await certificateRequest(app, account, key.requestJwk, key.kid);
    assert.equal(result.tokenType, "ssh-cert");
    const files = await writeKeyAndCertificate("alice", key, result.accessToken);
    const listing = (await run("ssh-keygen", ["-L", "-f", files.certFile])).stdout;
    const oid = t.sim.scenario.users.find((u) => u.upn === ALICE)!.objectIds.get(tenantId)!;
    assert.match(listing, /Type: ssh-rsa-cert-v01@openssh.com user certificate/);
    assert.match(listing, new RegExp(`Key ID: "${oid}@${tenantId}"`));
    assert.match(listing, /Principals: \n\s+alice@contoso\.example\n/);
    assert.match(listing, new RegExp(`tid@sshservice\\.azure\\.net`));
    assert.match(listing, /oid@sshservice\.azure\.net/);
    assert.match(listing, /permit-pty/);
    assert.match(listing, /Signing CA: RSA /);
    const m = /Valid: from (\S+) to (\S+)/.exec(listing);
    assert.ok(m, listing);
    const hours = (Date.parse(m[2]!) - Date.parse(m[1]!)) / 3600_000;
    assert.ok(hours > 1 && hours < 1.2, `about an hour (plus the back-dated start): ${hours}`);
    assert.ok(result.expiresOn && result.expiresOn.getTime() - Date.now() < 3600_000 + 5_000);
  });

  it("refuses EC keys, keys under 2048 bits and malformed JWKs (invalid_request)", async () => {
    const { app, account } = await signIn(ALICE);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    await assert.rejects(certificateRequest(app, account, JSON.stringify(ec), "k1"), /AADSTS90100.*Only RSA/s);
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    await assert.rejects(certificateRequest(app, account, JSON.stringify({ kty: "RSA", n: small.n, e: small.e }), "k2"), /AADSTS90100.*1024 bits/s);
    await assert.rejects(certificateRequest(app, account, "{not json", "k3"), /AADSTS90100/);
  });

  it("applies Conditional Access of Azure Linux VM Sign-In: carol's non-compliant device gets no certificate (AADSTS53000)", async () => {
    const { app, account } = await signIn("carol@contoso.example", false);
    const key = await createEntraSshKeyPair();
    await assert.rejects(certificateRequest(app, account, key.requestJwk, key.kid), /AADSTS53000/);
    // The same sign-in still gets ARM tokens: the policy targets the Linux VM sign-in app only.
    assert.ok((await app.acquireTokenSilent({ account, scopes: [t.settings.armScope] })).accessToken);
  });

  it("shows the AADSSHLoginForLinux extension and the system-assigned identity in ARM; without an identity the extension failed", async () => {
    const { app, account } = await signIn(ALICE);
    const arm = (await app.acquireTokenSilent({ account, scopes: [t.settings.armScope] })).accessToken;
    const get = async (name: string) => {
      const vm = t.sim.scenario.vms.find((v) => v.name === name)!;
      const res = await fetch(`${t.settings.resourceManagerEndpoint}${vm.id}?api-version=2024-07-01`, { headers: { authorization: `Bearer ${arm}` } });
      assert.equal(res.status, 200);
      return (await res.json()) as { identity?: { type: string; principalId: string; tenantId: string }; resources?: { properties: { publisher: string; type: string; provisioningState: string } }[] };
    };
    const good = await get("vm-entra");
    assert.equal(good.identity?.type, "SystemAssigned");
    assert.equal(good.identity?.tenantId, tenantId);
    assert.deepEqual(good.resources?.map((r) => [r.properties.publisher, r.properties.type, r.properties.provisioningState]), [["Microsoft.Azure.ActiveDirectory", "AADSSHLoginForLinux", "Succeeded"]]);
    const noIdentity = await get("vm-entra-noid");
    assert.equal(noIdentity.identity, undefined);
    assert.equal(noIdentity.resources?.[0]?.properties.provisioningState, "Failed");
    const noExtension = await get("vm-entra-noext");
    assert.equal(noExtension.resources, undefined);
  });

  it("the VM logs the UPN in with the certificate while the login role is active, and refuses a new login once the activation expired", { skip: asRoot ? false : "Entra ID login on simulated VMs needs root (OS accounts)" }, async () => {
    const { app, account } = await signIn(ALICE);
    const key = await createEntraSshKeyPair();
    const files = await writeKeyAndCertificate("alice-login", key, (await certificateRequest(app, account, key.requestJwk, key.kid)).accessToken);
    const vm = await t.control.vm("vm-entra");
    assert.ok(vm.sshPort);
    const ok = await login(vm.sshPort, files);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout.trim(), /^alice@contoso\.example on vm-entra home=\S+entra-home\/alice@contoso\.example$/);

    // The same key without the certificate is refused: only Entra's CA vouches for these accounts.
    const bare = await ssh(["-F", "/dev/null", "-p", String(vm.sshPort), "-l", ALICE, "-i", files.keyFile, "-o", "CertificateFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "127.0.0.1", "true"]);
    assert.notEqual(bare.code, 0);

    const checks = (entries: { detail?: string }[]) => entries.map((a) => a.detail ?? "").filter((d) => d.startsWith("entra ssh login to vm-entra:"));
    // sshd asks once when the client offers the certificate and again for the signed attempt.
    assert.ok(checks(await t.control.audit()).every((d) => d.endsWith("allowed")));

    const seq = await t.control.lastAuditSeq();
    await t.control.advanceClock(2 * 3600);
    const refused = await login(vm.sshPort, files);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Permission denied/);
    const after = checks(await t.control.audit(seq));
    assert.ok(after.length > 0);
    for (const d of after) assert.match(d, /refused \(Azure RBAC does not grant alice@contoso\.example Microsoft\.Compute\/virtualMachines\/login\/action on vm-entra now\)/);
  });
});

describe("req_cnf parsing (simulated token endpoint)", () => {
  it("accepts the Azure CLI's JWK form (padding and the mpint's leading zero kept) and the RFC 7518 form alike", async () => {
    const { parseSshKeyRequest } = await import("../../simulator/src/entra/sshCertificateRequest");
    const jwk = generateKeyPairSync("rsa", { modulusLength: 3072 }).publicKey.export({ format: "jwk" });
    const n = Buffer.from(jwk.n!, "base64url");
    const cliStyle = { kty: "RSA", n: Buffer.concat([Buffer.from([0]), n]).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"), e: "AQAB", kid: "x" };
    assert.match(cliStyle.n, /^AJ|^AK|^AL|^AM|^AN|^AO|^AP|^A[A-Z]/);
    const a = parseSshKeyRequest(JSON.stringify(cliStyle), "x");
    const b = parseSshKeyRequest(JSON.stringify({ kty: "RSA", n: jwk.n, e: jwk.e }), null);
    assert.ok(a.ok && b.ok);
    assert.equal(a.request.publicKeyLine, b.request.publicKeyLine);
    assert.equal(a.request.bits, 3072);
    const c = parseSshKeyRequest(JSON.stringify({ kty: "RSA", n: jwk.n, e: "Ag" }), null);
    assert.ok(!c.ok && /not odd/.test(c.reason));
  });
});
