import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";
import { KeyStore } from "../../../src/core/credential/keyStore";
import { materialiseCredential } from "../../../src/core/credential/materialiseCredential";
import { PasswordStore } from "../../../src/core/credential/passwordStore";
import type { SecretReader } from "../../../src/core/credential/secretReader";
import { parseSecretUri } from "../../../src/core/credential/secretUri";
import { isJitError } from "../../../src/core/errors";
import { checkSshConfig } from "../../../src/core/ssh/configCheck";
import { deriveHostAlias, deriveHostKeyAlias, type VmIdentity } from "../../../src/core/ssh/hostAlias";
import { recognizeHostKeyChanged } from "../../../src/core/ssh/hostKeyChanged";
import { hostBlockOptionsFor, type TunnelProgram } from "../../../src/core/ssh/hostsFile";
import { forgetPinnedHostKeys, listPinnedHostKeys } from "../../../src/core/ssh/knownHosts";
import type { SshHostEntry } from "../../../src/core/ssh/renderHostBlock";
import { installSshConfig, removeSshConfig } from "../../../src/core/ssh/sshConfigSetup";
import { sshPaths } from "../../../src/core/ssh/sshPaths";
import { run } from "../ssh/helpers/ssh";
import { startSshd, type TestSshd } from "../ssh/helpers/sshd";
import { tempDir } from "../ssh/helpers/tempDir";
import { keygen, opensslKey } from "./helpers/keys";
import { ManualClock } from "./helpers/manualClock";

/**
 * The whole client side against a real sshd: keys from a (fake) Key Vault reader go through
 * classification into the KeyStore, our rendered config reaches sshd through a ProxyCommand (a
 * plain TCP connector standing in for the Bastion tunnel, run via our launcher), the first
 * connection pins the host key under the VM's HostKeyAlias, and a changed host key is refused with
 * the error we recognise, until the pin is forgotten.
 */

/** Test-only stand-in for tunnel.js: relays stdio to 127.0.0.1:<port>. Refuses to run without the launcher's variable. */
const CONNECTOR = `const net = require("node:net");
const [, , mode, alias, port] = process.argv;
if (mode !== "stdio" || !/^azjit-/.test(alias) || process.env.ELECTRON_RUN_AS_NODE !== "1") { process.stderr.write("connector: bad invocation\\n"); process.exit(3); }
const socket = net.connect(Number(port), "127.0.0.1");
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on("error", (e) => { process.stderr.write("connector: " + e.message + "\\n"); process.exit(1); });
socket.on("close", () => process.exit(0));
`;

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups";
const VMS: VmIdentity[] = [
  { id: `${SUB}/rg-ready/providers/Microsoft.Compute/virtualMachines/vm-ready`, name: "vm-ready" },
  { id: `${SUB}/rg-ds/providers/Microsoft.Compute/virtualMachines/gpu-ds-01`, name: "gpu-ds-01" },
  { id: `${SUB}/rg-x/providers/Microsoft.Compute/virtualMachines/vm-x`, name: "vm x\n(pkcs8)" },
];

test("rendered config + stored key + TOFU pinning against a real sshd; a changed host key is refused and recognised", async (t) => {
  // Client-side files live under a folder whose name needs quoting and %-escaping everywhere.
  const home = tempDir(t, "azjit e2e %h #1 (é) ");
  const serverDir = tempDir(t, "azjit-sshd-");
  const clock = new ManualClock(Date.now());
  const paths = sshPaths({ home, platform: process.platform });
  const keyStore = new KeyStore({ dir: paths.keysDir, clock });
  const passwords = new PasswordStore(clock);
  const servers: TestSshd[] = [];
  t.after(async () => {
    for (const s of servers) await s.stop();
    await keyStore.removeAll();
    keyStore.dispose();
  });

  // One key per VM, in the three formats the demo uses: OpenSSH Ed25519, PEM RSA, PKCS#8 Ed25519.
  const keys = [
    (await keygen(serverDir, "vm-ready", "ed25519")).text.replace(/\n/g, "\r\n"), // as the portal stores it
    (await keygen(serverDir, "gpu-ds-01", "rsa", ["-b", "2048", "-m", "PEM"])).text,
    (await opensslKey(serverDir, "vm-x", ["-algorithm", "ed25519"])).text,
  ];
  const secret = parseSecretUri("https://kv-contoso.vault.azure.net/secrets/ssh-key", { vmName: "vm", field: "tag" }, BUILT_IN_CLOUDS.AzureCloud);
  const entries: SshHostEntry[] = [];
  const publicKeys: string[] = [];
  for (const [i, vm] of VMS.entries()) {
    const readSecret: SecretReader = async () => ({ value: keys[i] ?? "", name: "ssh-key", version: "1".repeat(32), vaultUrl: secret.vaultUrl });
    const cred = await materialiseCredential({ alias: deriveHostAlias(vm), secret, expiresAt: clock.now() + 3_600_000 }, { readSecret, keyStore, passwords });
    assert.ok(cred.kind === "key");
    publicKeys.push(cred.publicKey);
    entries.push({ vm, userName: os.userInfo().username, userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: cred.identityFile } });
  }

  const connector = path.join(home, "tunnel %p stand-in.cjs");
  writeFileSync(connector, CONNECTOR);
  const install = async (port: number): Promise<TunnelProgram> => {
    const program: TunnelProgram = { nodePath: process.execPath, tunnelScript: connector, viaLauncher: true, args: [String(port)] };
    await installSshConfig(entries, paths, program, process.platform);
    return program;
  };
  const ssh = (vm: VmIdentity): ReturnType<typeof run> => run("ssh", ["-F", paths.userConfigFile, "-o", "BatchMode=yes", deriveHostAlias(vm), "echo connected"]);

  const first = await startSshd(serverDir, `${publicKeys.join("\n")}\n`);
  servers.push(first);
  const program = await install(first.port);
  assert.deepEqual(await checkSshConfig({ entry: entries[0] as SshHostEntry, options: hostBlockOptionsFor(paths, program), userConfigFile: paths.userConfigFile, client: { configFile: paths.userConfigFile } }), []);

  for (const vm of VMS) {
    const r = await ssh(vm);
    assert.equal(r.code, 0, `${vm.name}: ${r.stderr}`);
    assert.equal(r.stdout, "connected\n");
    const pins = await listPinnedHostKeys(paths.knownHostsFile, deriveHostKeyAlias(vm.id));
    assert.equal(pins.length, 1, `${vm.name}: the first connection pinned the host key under its HostKeyAlias`);
    const expected = (await run("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(serverDir, "host_key.pub")])).stdout.split(" ")[1];
    assert.equal(pins[0]?.fingerprint, expected);
  }
  assert.ok(!readFileSync(paths.knownHostsFile, "utf8").includes("127.0.0.1"), "pins are per VM, never per tunnel address");
  assert.equal((await ssh(VMS[0] as VmIdentity)).code, 0, "a second connection uses the pin");

  // The VM is "rebuilt": same resource id, new host key.
  await first.stop();
  const rebuiltDir = tempDir(t, "azjit-sshd-rebuilt-");
  const second = await startSshd(rebuiltDir, `${publicKeys.join("\n")}\n`);
  servers.push(second);
  await install(second.port);
  const refused = await ssh(VMS[0] as VmIdentity);
  assert.notEqual(refused.code, 0);
  assert.doesNotMatch(refused.stdout, /connected/);
  const error = recognizeHostKeyChanged(refused.stderr, VMS[0] as VmIdentity);
  assert.ok(error && isJitError(error) && error.code === "HostKeyChanged", refused.stderr);
  const newFingerprint = (await run("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(rebuiltDir, "host_key.pub")])).stdout.split(" ")[1];
  assert.equal(error.details["fingerprint"], newFingerprint);

  assert.equal(await forgetPinnedHostKeys(paths.knownHostsFile, deriveHostKeyAlias((VMS[0] as VmIdentity).id)), 1);
  const again = await ssh(VMS[0] as VmIdentity);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await listPinnedHostKeys(paths.knownHostsFile, deriveHostKeyAlias((VMS[0] as VmIdentity).id)))[0]?.fingerprint, newFingerprint);
  assert.equal((await ssh(VMS[1] as VmIdentity)).code, 255, "the other VMs' pins were kept, so they still refuse the new key");

  // Expiry removes the key: ssh can no longer authenticate.
  clock.advance(3_600_000);
  await keyStore.idle();
  const expired = await ssh(VMS[0] as VmIdentity);
  assert.notEqual(expired.code, 0);
  assert.match(expired.stderr, /Permission denied/);

  await removeSshConfig(paths, { forgetHostKeys: true });
});
