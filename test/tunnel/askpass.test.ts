/**
 * `tunnel.js askpass`: ssh's SSH_ASKPASS helper for password VMs. The password comes from the
 * broker and goes to ssh's pipe only: stdout holds the password and nothing else, and the password
 * is never in argv or the environment.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { ExitCode } from "../../src/tunnel/exitCodes";
import { runTunnel, sshThroughTunnel, startTunnelWorld, type TunnelWorld } from "./support/tunnelWorld";

describe("tunnel.js askpass", { timeout: 5 * 60_000 }, () => {
  let world: TunnelWorld;
  let password: string | undefined;
  before(async () => {
    world = await startTunnelWorld({ passwordVm: true });
    password = world.passwordVm && "password" in world.passwordVm ? world.passwordVm.password : undefined;
  });
  after(async () => {
    await world.close();
  });

  test("prints the VM's password, a newline, and nothing else", async (t) => {
    if (!password) return t.skip("password VMs need root");
    const result = await runTunnel(world, ["askpass", "--wait-broker", "0", "azsimpw@vm-pw's password: "], { env: { AZURE_JIT_ASKPASS_HOST: "vm-pw" } });
    assert.equal(result.code, ExitCode.ok, result.stderr);
    assert.equal(result.stdout, `${password}\n`);
    assert.equal(result.stderr, "");
  });

  test("declines what is not a password prompt, without printing anything", async () => {
    const env = { AZURE_JIT_ASKPASS_HOST: "vm-pw" };
    const confirm = await runTunnel(world, ["askpass", "--wait-broker", "0", "Are you sure you want to continue connecting (yes/no/[fingerprint])?"], {
      env: { ...env, SSH_ASKPASS_PROMPT: "confirm" },
    });
    assert.equal(confirm.code, ExitCode.refused);
    assert.equal(confirm.stdout, "");
    assert.match(confirm.stderr, /only password prompts for vm-pw are answered/);
    const passphrase = await runTunnel(world, ["askpass", "--wait-broker", "0", "Enter passphrase for key '/home/u/.ssh/id_ed25519': "], { env });
    assert.equal(passphrase.code, ExitCode.refused);
    assert.equal(passphrase.stdout, "");
    const notice = await runTunnel(world, ["askpass", "--wait-broker", "0", "Host key verified"], { env: { ...env, SSH_ASKPASS_PROMPT: "none" } });
    assert.equal(notice.code, ExitCode.ok);
    assert.equal(notice.stdout, "");
  });

  test("explains a missing host, a VM without a password, and a missing VS Code", async () => {
    const noHost = await runTunnel(world, ["askpass", "--wait-broker", "0", "password: "]);
    assert.equal(noHost.code, ExitCode.usage);
    assert.match(noHost.stderr, /AZURE_JIT_ASKPASS_HOST is not set/);
    assert.equal(noHost.stdout, "");

    const keyVm = await runTunnel(world, ["askpass", "--wait-broker", "0", "password: "], { env: { AZURE_JIT_ASKPASS_HOST: "vm-01" } });
    assert.equal(keyVm.code, ExitCode.refused);
    assert.equal(keyVm.stderr, "azure-jit-connect: vm-01 has no password credential\n");
    assert.equal(keyVm.stdout, "");

    await world.broker?.close();
    try {
      const none = await runTunnel(world, ["askpass", "--wait-broker", "0", "password: "], { env: { AZURE_JIT_ASKPASS_HOST: "vm-pw" } });
      assert.equal(none.code, ExitCode.brokerUnavailable);
      assert.equal(none.stderr, "azure-jit-connect: Azure JIT Connect is not running in any VS Code window: open VS Code and run Request access for vm-pw\n");
    } finally {
      await world.startBroker();
    }
  });

  test("ssh logs in with the password through the tunnel; the password is in no argv or environment", async (t) => {
    if (!password) return t.skip("password VMs need root");
    // SSH_ASKPASS must name one executable: a launcher, as the extension writes. It records what
    // the askpass process gets (argv, environment) before exec'ing the helper.
    const script = path.join(world.root, "askpass.sh");
    const argvFile = path.join(world.root, "askpass-argv");
    const environFile = path.join(world.root, "askpass-environ");
    await fsp.writeFile(
      script,
      `#!/bin/sh\nprintf '%s\\0' "$0" "$@" > '${argvFile}'\ncat /proc/$$/environ > '${environFile}'\nexec '${process.execPath}' '${world.tunnelJs}' askpass --wait-broker 0 "$@"\n`,
      { mode: 0o700 },
    );
    let sshPid = 0;
    let sshEnviron = "";
    const result = await sshThroughTunnel(world, {
      host: "vm-pw",
      command: 'echo "$AZSIM_VM"',
      identity: false,
      options: ["PreferredAuthentications=password", "PubkeyAuthentication=no", "NumberOfPasswordPrompts=1"],
      env: { SSH_ASKPASS: script, SSH_ASKPASS_REQUIRE: "force", AZURE_JIT_ASKPASS_HOST: "vm-pw" },
      onSpawn: (pid) => {
        sshPid = pid;
        void fsp.readFile(`/proc/${pid}/environ`, "utf8").then((e) => (sshEnviron = e), () => undefined);
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "vm-pw\n");
    assert.ok(sshPid > 0);
    const argv = await fsp.readFile(argvFile, "utf8");
    assert.match(argv, /password/i, "ssh passed its prompt");
    for (const [what, text] of [["askpass argv", argv], ["askpass environment", await fsp.readFile(environFile, "utf8")], ["ssh environment", sshEnviron]] as const) {
      assert.ok(!text.includes(password), `the password is in the ${what}`);
    }
  });
});
