import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifySshFailure } from "../../../src/core/ssh/sshFailure";

const classify = (stderr: string, tunnelExitCode?: number) => classifySshFailure({ exitCode: 255, stderr, vmName: "vm-1", tunnelExitCode });

describe("ssh failure classification (OpenSSH's messages and the tunnel's line)", () => {
  it("names each cause with one sentence and the next action", () => {
    assert.equal(classify("user@127.0.0.1: Permission denied (publickey).\n").cause, "permissionDenied");
    assert.equal(classify("ssh: connect to host 10.0.0.4 port 22: Connection refused\n").cause, "connectionRefused");
    assert.equal(classify("ssh: connect to host 10.0.0.4 port 22: Connection timed out\n").cause, "timeout");
    assert.equal(classify("azure-jit-connect: The Bastion could not open the tunnel to vm-1: Connection refused: nothing listens on port 22 of 'vm-1'.\nkex_exchange_identification: Connection closed by remote host\n").cause, "connectionRefused");
    assert.equal(classify("azure-jit-connect: The Bastion refused a tunnel to vm-1 (HTTP 403): Forbidden\n").cause, "bastionRefused");
    assert.equal(classify("azure-jit-connect: The Bastion at bas.example could not be reached (ETIMEDOUT)\n").cause, "bastionUnreachable");
    const f = classify("user@h: Permission denied (publickey).");
    assert.match(f.message, /^vm-1 refused the credential/);
    assert.match(f.message, /choose another credential\.$/);
    const changed = classify("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nHost key verification failed.\n");
    assert.equal(changed.cause, "hostKeyChanged");
    assert.equal(changed.evidence, "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!", "the evidence keeps ssh's words, not its @ frame");
  });

  it("ssh's own text cannot be faked through the tunnel's quoted Azure text, nor the reverse", () => {
    // A line from the tunnel quoting "Permission denied" is still the tunnel's.
    assert.notEqual(classify("azure-jit-connect: dropped: Permission denied by upstream\n").cause, "permissionDenied");
    // An ssh line mentioning a network security group is not a JIT verdict.
    assert.notEqual(classify("debug1: network security group\n").cause, "jitMissing");
  });

  it("falls back to the tunnel's exit code, then to the last line", () => {
    assert.equal(classify("kex_exchange_identification: Connection closed by remote host\n", 3).cause, "brokerGone");
    assert.equal(classify("", 6).cause, "dropped");
    const unknown = classify("something odd happened\n");
    assert.equal(unknown.cause, "unknown");
    assert.match(unknown.message, /something odd happened/);
    assert.match(unknown.message, /Check Connectivity/);
  });

  it("redacts secrets in the evidence and the message", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const f = classify(`weird failure with ${jwt}\n`);
    assert.ok(!f.message.includes(jwt) && !(f.evidence ?? "").includes(jwt));
  });
});
