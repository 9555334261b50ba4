/**
 * One "VS Code window" for twoWindows.test.ts: rounds of what a window does to the shared files on
 * connect (profile, SSH config, key) and at shutdown (keys no live grant needs), on the folder given.
 * Prints "ok <rounds>" or the error, and exits accordingly.
 */
import * as path from "node:path";
import { KeyStore } from "../../../../src/core/credential/keyStore";
import { ConnectionProfileStore } from "../../../../src/core/service/connectionProfiles";
import { writeProfilesSshHosts } from "../../../../src/core/service/connectionSetup";
import { deriveHostAlias } from "../../../../src/core/ssh/hostAlias";
import { sshPaths } from "../../../../src/core/ssh/sshPaths";

async function main(): Promise<void> {
  const [root, worker, roundsText] = process.argv.slice(2);
  if (!root || !worker || !roundsText) throw new Error("usage: sharedStateWorker <root> <worker> <rounds>");
  const paths = sshPaths({ home: root });
  const program = { nodePath: process.execPath, tunnelScript: path.join(root, "tunnel.js"), viaLauncher: false };
  const keys = new KeyStore({ dir: paths.keysDir });
  const profiles = await ConnectionProfileStore.open(path.join(root, "globalStorage", "profiles.json"));
  for (let round = 0; round < Number(roundsText); round++) {
    const vmName = `vm-${worker}-${round}`;
    const vmId = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    const alias = deriveHostAlias({ id: vmId, name: vmName });
    const keyFile = await keys.write(alias, `-----BEGIN OPENSSH PRIVATE KEY-----\n${vmName}\n-----END OPENSSH PRIVATE KEY-----\n`, Date.now() + 3_600_000);
    await profiles.put({
      alias,
      vmId,
      vmName,
      tenantId: "t",
      subscriptionId: "s",
      resourceGroup: "rg",
      bastion: { id: "b", name: "bas", dnsName: "bst-1.bastion.azure.com", sku: "Standard" },
      userName: "azureuser",
      secretUri: "https://kv.vault.azure.net/secrets/k",
      auth: "key",
      updatedAt: Date.now(),
    });
    await writeProfilesSshHosts(profiles, paths, program, (p) => ({ kind: "key", identityFile: path.join(paths.keysDir, p.alias) }));
    if (keyFile !== path.join(paths.keysDir, alias)) throw new Error(`unexpected key path ${keyFile}`);
    // A shutdown in between: only keys whose access ended may go.
    await keys.removeExpired();
  }
  keys.dispose();
  process.stdout.write(`ok ${roundsText}\n`);
}

main().catch((e: unknown) => {
  process.stdout.write(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
