/**
 * Property-based (issue 12): for any VM names, ids and user names, the SSH config the extension
 * writes makes real ssh (`ssh -G -F <file> <alias>`) see exactly the intended config for every
 * alias (the same as a benign reference entry, alias aside), and nothing for any other host; or
 * the writer refuses with a JitError. Bounded runs: every run spawns ssh.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { isJitError } from "../../../src/core/errors";
import { deriveHostAlias, deriveHostKeyAlias } from "../../../src/core/ssh/hostAlias";
import { renderConfigFile, type HostBlockOptions, type SshHostEntry } from "../../../src/core/ssh/renderHostBlock";
import { sshG } from "./helpers/ssh";
import { tempDir } from "./helpers/tempDir";

const hostile = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("Host *", "\nMatch all\n", "x\r\nUser root", "%h%%", '"', "\\", "#", "*", "!x", " ", "\u0000", "\u202e", "ProxyCommand id"),
);
const userName = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/), hostile);

test("property: ssh -G sees exactly the intended config for every alias the writer emits", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const options: HostBlockOptions = {
    proxy: { nodePath: path.join(dir, "node"), tunnelScript: path.join(dir, "tunnel.js") },
    knownHostsFile: path.join(dir, "known_hosts"),
    platform: "linux",
  };
  const entryFor = (id: string, name: string, user: string, keyName: string): SshHostEntry => ({
    vm: { id, name },
    userName: user,
    userField: "osProfile.adminUsername",
    auth: { kind: "key", identityFile: path.join(dir, "keys", keyName) },
  });
  const effective = async (file: string, alias: string): Promise<string[]> => (await sshG(file, alias)).lines.map((l) => l.split(alias).join("<alias>"));
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(hostile, fc.oneof(hostile, fc.uuid()), userName), { minLength: 1, maxLength: 3 }), async (vms) => {
      run++;
      const entries = vms.map(([name, idPart, user], i) => entryFor(`/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${idPart}${i}`, name, user, `key-${i}`));
      let text: string;
      try {
        text = renderConfigFile(entries, options);
      } catch (e) {
        assert.ok(isJitError(e), String(e));
        return;
      }
      const file = path.join(dir, `run-${run}.config`);
      writeFileSync(file, text);
      for (const e of entries) {
        const alias = deriveHostAlias(e.vm);
        const reference = path.join(dir, `run-${run}-ref.config`);
        writeFileSync(reference, renderConfigFile([entryFor(e.vm.id, "reference", e.userName, path.basename(e.auth.kind === "key" ? e.auth.identityFile : ""))], options));
        const got = await effective(file, alias);
        assert.deepEqual(got, await effective(reference, deriveHostAlias({ id: e.vm.id, name: "reference" })));
        assert.ok(got.includes(`user ${e.userName}`), "the intended user");
        assert.ok(got.includes(`hostkeyalias ${deriveHostKeyAlias(e.vm.id)}`));
      }
      const stranger = await sshG(file, "some-other-host");
      assert.ok(!stranger.lines.some((l) => l.startsWith("proxycommand") || l.startsWith("identityfile " + dir)), "nothing applies to other hosts");
    }),
    { numRuns: 25 },
  );
});
