import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningVm, type VmSshSpec } from "../../simulator/src/contracts";
import { createVmHost, ensurePasswordUser, generateKeyPair, osUser, type SshdVmHost, VM_FILES } from "../../simulator/src/vms";
import { isAlive, listPids, readEnviron } from "../../simulator/src/vms/processTree";
import { renderSshdConfig } from "../../simulator/src/vms/sshdConfig";
import {
  makePrivateTempDir,
  REPO_ROOT,
  runSsh,
  waitUntil,
  writeAskpassScript,
  writeKnownHosts,
  writePrivateFile,
} from "../support/sshdTestKit";

const isRoot = process.getuid?.() === 0;

function vmSpec(name: string, authorizedKeys: string[], overrides: Partial<VmSshSpec> = {}): VmSshSpec {
  return {
    vmId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-${name}/providers/Microsoft.Compute/virtualMachines/${name}`,
    vmName: name,
    loginUser: osUser(),
    authorizedKeys,
    passwordAuthentication: false,
    ...overrides,
  };
}

function connectOutcome(port: number): Promise<"connected" | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe("simulated VMs (real sshd)", () => {
  let dir: string;
  let host: SshdVmHost;
  let ed25519: { privateKeyFile: string; publicKey: string };
  let rsa: { privateKeyFile: string; publicKey: string };
  let stranger: { privateKeyFile: string; publicKey: string };

  before(async () => {
    dir = await makePrivateTempDir("azsim-vms-test-");
    // The password VM logs in another account, which must be able to reach its VM's home.
    await fsp.chmod(dir, 0o711);
    host = createVmHost({ baseDir: path.join(dir, "vms") });
    const [a, b, c] = await Promise.all([generateKeyPair("openssh-ed25519"), generateKeyPair("pem-rsa"), generateKeyPair("openssh-ed25519")]);
    ed25519 = { privateKeyFile: await writePrivateFile(dir, "id_ed25519", a.privateKey), publicKey: a.publicKey };
    rsa = { privateKeyFile: await writePrivateFile(dir, "id_rsa", b.privateKey), publicKey: b.publicKey };
    stranger = { privateKeyFile: await writePrivateFile(dir, "id_stranger", c.privateKey), publicKey: c.publicKey };
  });

  after(async () => {
    await host.stopAll();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  test("generateKeyPair produces both formats as ssh-keygen would", async () => {
    const pem = await generateKeyPair("pem-rsa");
    assert.match(pem.privateKey, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(pem.publicKey, /^ssh-rsa AAAA\S+ azsim-pem-rsa$/);
    assert.equal(pem.format, "pem-rsa");
    const ed = await generateKeyPair("openssh-ed25519");
    assert.match(ed.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    assert.match(ed.publicKey, /^ssh-ed25519 AAAA\S+ /);
    assert.notEqual(ed.privateKey, (await generateKeyPair("openssh-ed25519")).privateKey);
  });

  test("ssh with an ed25519 key and with a PEM RSA key runs commands on the VM", async () => {
    const vm = await host.start(vmSpec("vm-keys", [ed25519.publicKey, rsa.publicKey]));
    assert.match(vm.hostPublicKey, /^ssh-ed25519 AAAA\S+$/);
    const layout = path.dirname(vm.homeDir);
    for (const file of [VM_FILES.config, VM_FILES.hostKey, VM_FILES.authorizedKeys, VM_FILES.log]) {
      await fsp.access(path.join(layout, file));
    }
    // StrictHostKeyChecking=yes with only this line: success also proves hostPublicKey is the VM's key.
    const knownHostsFile = await writeKnownHosts(dir, "vm-keys", vm.hostPublicKey);
    for (const [label, key] of [["ed25519", ed25519], ["rsa", rsa]] as const) {
      const result = await runSsh({
        user: osUser(),
        port: vm.port,
        identityFile: key.privateKeyFile,
        knownHostsFile,
        hostKeyAlias: "vm-keys",
        command: `echo "$AZSIM_VM"; echo "$HOME"; printf 'written by %s' "${label}" > "$AZSIM_VM_HOME/proof-${label}.txt"`,
      });
      assert.equal(result.code, 0, result.stderr);
      // HOME is the VM's own home too, so the simulator account's rc files stay out of VM sessions.
      assert.deepEqual(result.stdout.trim().split("\n"), ["vm-keys", vm.homeDir]);
      assert.equal(await fsp.readFile(path.join(vm.homeDir, `proof-${label}.txt`), "utf8"), `written by ${label}`);
    }
    assert.match(await fsp.readFile(vm.logFile, "utf8"), /Accepted publickey for/);
  });

  test("a rebuilt VM comes back with a new host key: the old pin fails, the new key works", async () => {
    const before = await host.start(vmSpec("vm-rebuilt", [ed25519.publicKey]));
    const pinned = await writeKnownHosts(dir, "vm-rebuilt", before.hostPublicKey);
    const ssh = (port: number, knownHostsFile: string) => runSsh({ user: osUser(), port, identityFile: ed25519.privateKeyFile, knownHostsFile, hostKeyAlias: "vm-rebuilt", command: "true" });
    assert.equal((await ssh(before.port, pinned)).code, 0);
    const after = await host.rebuild(before.vmId);
    assert.ok(after, "rebuild of a running VM returns it");
    assert.notEqual(after.hostPublicKey, before.hostPublicKey);
    const stale = await ssh(after.port, pinned);
    assert.equal(stale.code, 255);
    assert.match(stale.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    assert.equal((await ssh(after.port, await writeKnownHosts(dir, "vm-rebuilt", after.hostPublicKey))).code, 0);
    assert.equal(await host.rebuild(vmSpec("vm-never-started", []).vmId), undefined, "a VM that is not running is not rebuilt");
  });

  test("a key that is not authorized is refused, and so is a wrong host key", async () => {
    const vm = await host.start(vmSpec("vm-refuse", [ed25519.publicKey]));
    const knownHostsFile = await writeKnownHosts(dir, "vm-refuse", vm.hostPublicKey);
    const refused = await runSsh({ user: osUser(), port: vm.port, identityFile: stranger.privateKeyFile, knownHostsFile, hostKeyAlias: "vm-refuse", command: "true" });
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Permission denied/);

    const other = await host.start(vmSpec("vm-other", [ed25519.publicKey]));
    assert.notEqual(other.hostPublicKey, vm.hostPublicKey, "each VM has its own host key");
    const wrongHost = await runSsh({ user: osUser(), port: other.port, identityFile: ed25519.privateKeyFile, knownHostsFile, hostKeyAlias: "vm-refuse", command: "true" });
    assert.equal(wrongHost.code, 255);
    assert.match(wrongHost.stderr, /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  test("start is idempotent; a changed key list applies without a restart", async () => {
    const first = await host.start(vmSpec("vm-idem", [ed25519.publicKey]));
    const pids = host.processIds(first.vmId);
    const again = await host.start(vmSpec("vm-idem", [ed25519.publicKey, stranger.publicKey]));
    assert.equal(again.port, first.port);
    assert.deepEqual(host.processIds(first.vmId), pids);
    const knownHostsFile = await writeKnownHosts(dir, "vm-idem", first.hostPublicKey);
    const result = await runSsh({ user: osUser(), port: first.port, identityFile: stranger.privateKeyFile, knownHostsFile, hostKeyAlias: "vm-idem", command: "echo ok" });
    assert.equal(result.stdout.trim(), "ok", result.stderr);
  });

  test("a restart keeps the host key; stop() leaves nothing listening and no process", async () => {
    const vm = await host.start(vmSpec("vm-stop", [ed25519.publicKey]));
    const pids = host.processIds(vm.vmId);
    assert.ok(pids);
    assert.equal(await connectOutcome(vm.port), "connected");
    await host.stop(vm.vmId);
    assert.equal(host.get(vm.vmId), undefined);
    assert.equal(await connectOutcome(vm.port), "ECONNREFUSED");
    assert.equal(await isAlive(pids.sshd), false);
    assert.equal(await isAlive(pids.guardian), false);
    await host.stop(vm.vmId); // no-op when not running

    const restarted = await host.start(vmSpec("vm-stop", [ed25519.publicKey]));
    assert.equal(restarted.hostPublicKey, vm.hostPublicKey);
  });

  test("stop() also ends live sessions on the VM", async () => {
    const vm = await host.start(vmSpec("vm-session", [ed25519.publicKey]));
    const knownHostsFile = await writeKnownHosts(dir, "vm-session", vm.hostPublicKey);
    const session = runSsh({ user: osUser(), port: vm.port, identityFile: ed25519.privateKeyFile, knownHostsFile, hostKeyAlias: "vm-session", command: "echo started; exec sleep 600" });
    await waitUntil("the session runs on the VM", async () => (await sessionPids(vm)).length > 0);
    await host.stop(vm.vmId);
    const result = await session;
    assert.notEqual(result.code, 0);
    await waitUntil("the session's processes are gone", async () => (await sessionPids(vm)).length === 0);
  });

  test("a login user that does not exist on this machine is refused with the reason", async () => {
    await assert.rejects(host.start(vmSpec("vm-nouser", [], { loginUser: "azsim-no-such-user" })), /not an account on this machine/);
  });

  test("an sshd that cannot start reports its log", async () => {
    const broken = createVmHost({ baseDir: path.join(dir, "broken"), sshdPath: "/nonexistent/sshd" });
    await assert.rejects(broken.start(vmSpec("vm-broken", [])), /OpenSSH server not found/);
    await broken.stopAll();
  });

  test("sshd_config rendering: quoting, and names that could inject configuration are refused", () => {
    const base = {
      vmName: "vm-1",
      port: 2222,
      hostKeyFile: "/tmp/with space/key",
      authorizedKeysFile: "/tmp/100%/keys",
      homeDir: "/tmp/h",
      loginUser: "root",
      passwordAuthentication: false,
      disablePerSourcePenalties: false,
    };
    const text = renderSshdConfig(base);
    assert.match(text, /^HostKey "\/tmp\/with space\/key"$/m);
    assert.match(text, /^AuthorizedKeysFile \/tmp\/100%%\/keys$/m);
    assert.match(text, /^PermitRootLogin prohibit-password$/m);
    assert.match(text, /^SetEnv AZSIM_VM=vm-1 AZSIM_VM_HOME=\/tmp\/h HOME=\/tmp\/h$/m);
    assert.doesNotMatch(text, /PerSourcePenalties/);
    assert.match(renderSshdConfig({ ...base, disablePerSourcePenalties: true }), /^PerSourcePenalties no$/m);
    assert.throws(() => renderSshdConfig({ ...base, vmName: "vm\nPermitEmptyPasswords yes" }), /Unsupported VM name/);
    assert.throws(() => renderSshdConfig({ ...base, homeDir: '/tmp/"x' }), /Unsupported character/);
  });

  test("password login through SSH_ASKPASS (root only)", { skip: isRoot ? false : "needs root: sshd checks real OS passwords" }, async () => {
    const account = await ensurePasswordUser();
    assert.ok("user" in account, "unavailable" in account ? account.unavailable : "");
    assert.deepEqual(await ensurePasswordUser(), account, "one password per simulator process");
    const vm = await host.start(vmSpec("vm-password", [], { loginUser: account.user, passwordAuthentication: true }));
    const knownHostsFile = await writeKnownHosts(dir, "vm-password", vm.hostPublicKey);
    const askpassDir = await makePrivateTempDir("azsim-askpass-");
    try {
      const goodScript = await writeAskpassScript(askpassDir, await writePrivateFile(askpassDir, "password", account.password));
      const ok = await runSsh({ user: account.user, port: vm.port, askpassScript: goodScript, knownHostsFile, hostKeyAlias: "vm-password", command: 'echo "$AZSIM_VM $(id -un)"; touch "$AZSIM_VM_HOME/by-password"' });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), `vm-password ${account.user}`);
      await fsp.access(path.join(vm.homeDir, "by-password"));

      const badDir = path.join(askpassDir, "bad");
      await fsp.mkdir(badDir, { mode: 0o700 });
      const badScript = await writeAskpassScript(badDir, await writePrivateFile(badDir, "password", `${account.password}x`));
      const refused = await runSsh({ user: account.user, port: vm.port, askpassScript: badScript, knownHostsFile, hostKeyAlias: "vm-password", command: "true" });
      assert.equal(refused.code, 255);
      assert.match(refused.stderr, /Permission denied/);
    } finally {
      await fsp.rm(askpassDir, { recursive: true, force: true });
    }
  });

  test("a key VM refuses password login even for the password account", { skip: isRoot ? false : "needs root" }, async () => {
    const account = await ensurePasswordUser();
    assert.ok("user" in account);
    const vm = await host.start(vmSpec("vm-nopassword", [], { loginUser: account.user, passwordAuthentication: false }));
    const knownHostsFile = await writeKnownHosts(dir, "vm-nopassword", vm.hostPublicKey);
    const askpassDir = await makePrivateTempDir("azsim-askpass-");
    try {
      const script = await writeAskpassScript(askpassDir, await writePrivateFile(askpassDir, "password", account.password));
      const refused = await runSsh({ user: account.user, port: vm.port, askpassScript: script, knownHostsFile, hostKeyAlias: "vm-nopassword", command: "true" });
      assert.equal(refused.code, 255);
    } finally {
      await fsp.rm(askpassDir, { recursive: true, force: true });
    }
  });
});

describe("no stray sshd", () => {
  let dir: string;
  let publicKeyFile: string;
  let privateKeyFile: string;

  before(async () => {
    dir = await makePrivateTempDir("azsim-stray-test-");
    const key = await generateKeyPair("openssh-ed25519");
    publicKeyFile = await writePrivateFile(dir, "key.pub", key.publicKey);
    privateKeyFile = await writePrivateFile(dir, "key", key.privateKey);
  });
  after(() => fsp.rm(dir, { recursive: true, force: true }));

  test("SIGKILL of the simulator process takes its sshd and the VM's sessions down", async () => {
    const baseDir = path.join(dir, "killed");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "test/support/sshdChildHost.ts"), baseDir, publicKeyFile], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const info = JSON.parse(await firstLine(child)) as { port: number; sshd: number; guardian: number; homeDir: string; hostPublicKey: string };
      assert.equal(await isAlive(info.sshd), true);
      const knownHostsFile = await writeKnownHosts(dir, "vm-child", info.hostPublicKey);
      const vm = { homeDir: info.homeDir };
      const session = runSsh({ user: osUser(), port: info.port, identityFile: privateKeyFile, knownHostsFile, hostKeyAlias: "vm-child", command: "exec sleep 600" });
      await waitUntil("the session runs on the VM", async () => (await sessionPids(vm)).length > 0);

      child.kill("SIGKILL");
      await waitUntil("the sshd listener is gone", async () => !(await isAlive(info.sshd)));
      await waitUntil("the guardian is gone", async () => !(await isAlive(info.guardian)));
      await waitUntil("the session's processes are gone", async () => (await sessionPids(vm)).length === 0);
      assert.notEqual((await session).code, 0);
      assert.equal(await connectOutcome(info.port), "ECONNREFUSED");
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("the start-time sweep kills a stray recorded by an earlier run, and only that", async () => {
    const baseDir = path.join(dir, "swept");
    const earlier = createVmHost({ baseDir });
    const vm = await earlier.start(vmSpec("vm-stray", []));
    await earlier.stopAll();
    const vmDir = path.dirname(vm.homeDir);

    // What a crashed run without guardian protection would leave: an unsupervised sshd on the VM's
    // config, recorded in the VM folder's pid file.
    const stray = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(vmDir, VM_FILES.config)], { detached: true, stdio: "ignore" });
    stray.unref();
    assert.ok(stray.pid);
    await fsp.writeFile(path.join(vmDir, VM_FILES.sshdPid), `${stray.pid}\n`);
    await waitUntil("the stray sshd listens", async () => (await connectOutcome(vm.port)) === "connected");

    // A pid file naming a process that is not ours (pid reuse) must not get it killed.
    const bystander = spawn("sleep", ["600"], { stdio: "ignore" });
    const bystanderDir = path.join(baseDir, "vm-reused-00000000");
    await fsp.mkdir(bystanderDir, { recursive: true });
    await fsp.writeFile(path.join(bystanderDir, VM_FILES.sshdPid), `${bystander.pid}\n`);
    try {
      const later = createVmHost({ baseDir });
      const killed = await later.swept;
      assert.ok(killed.includes(stray.pid), `swept ${killed.join(",")}`);
      assert.ok(bystander.pid && !killed.includes(bystander.pid));
      assert.equal(await isAlive(stray.pid), false);
      assert.equal(await isAlive(bystander.pid ?? 0), true);
      assert.equal(await connectOutcome(vm.port), "ECONNREFUSED");
      await later.stopAll();
    } finally {
      bystander.kill("SIGKILL");
      if (await isAlive(stray.pid)) process.kill(stray.pid, "SIGKILL");
    }
  });
});

/** Pids of login sessions on a VM: processes whose environment carries the VM's AZSIM_VM_HOME. */
async function sessionPids(vm: Pick<RunningVm, "homeDir">): Promise<number[]> {
  const result: number[] = [];
  for (const pid of await listPids()) {
    if (!(await isAlive(pid))) continue;
    const env = await readEnviron(pid);
    if (env?.includes(`AZSIM_VM_HOME=${vm.homeDir}`)) result.push(pid);
  }
  return result;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf("\n");
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
}
