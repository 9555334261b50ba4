import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseTunnelArgs } from "../../src/tunnel/args";
import { ExitCode, exitCodeForError } from "../../src/tunnel/exitCodes";
import { JitError } from "../../src/core/errors";

describe("tunnel.js arguments", { timeout: 60_000 }, () => {
  test("stdio with defaults and with a port", () => {
    assert.deepEqual(parseTunnelArgs(["stdio", "vm-01"]), { ok: true, command: { kind: "stdio", host: "vm-01", port: 22, common: { verbose: false, waitForBrokerMs: 5000 } } });
    assert.deepEqual(parseTunnelArgs(["stdio", "vm-01", "--port", "2222", "--verbose", "--wait-broker=0"]), {
      ok: true,
      command: { kind: "stdio", host: "vm-01", port: 2222, common: { verbose: true, waitForBrokerMs: 0 } },
    });
  });

  test("port mode", () => {
    assert.deepEqual(parseTunnelArgs(["port", "vm-01", "--local-port", "0"]), {
      ok: true,
      command: { kind: "port", host: "vm-01", localPort: 0, remotePort: 22, common: { verbose: false, waitForBrokerMs: 5000 } },
    });
    assert.deepEqual(parseTunnelArgs(["port", "vm-01", "--local-port=8888", "--remote-port=8888"]), {
      ok: true,
      command: { kind: "port", host: "vm-01", localPort: 8888, remotePort: 8888, common: { verbose: false, waitForBrokerMs: 5000 } },
    });
  });

  test("askpass takes ssh's prompt as its argument", () => {
    assert.deepEqual(parseTunnelArgs(["askpass", "azsimpw@vm-pw's password: "]), {
      ok: true,
      command: { kind: "askpass", prompt: "azsimpw@vm-pw's password: ", common: { verbose: false, waitForBrokerMs: 5000 } },
    });
  });

  test("help", () => {
    assert.deepEqual(parseTunnelArgs([]), { ok: true, command: { kind: "help" } });
    assert.deepEqual(parseTunnelArgs(["--help"]), { ok: true, command: { kind: "help" } });
  });

  test("mistakes are explained", () => {
    const cases: [string[], RegExp][] = [
      [["connect", "vm-01"], /unknown command/],
      [["stdio"], /needs a host/],
      [["stdio", "vm-01", "extra"], /unexpected argument/],
      [["stdio", "vm 01"], /not a host alias/],
      [["stdio", "vm-01", "--port", "0"], /--port must be/],
      [["stdio", "vm-01", "--port", "22x"], /--port must be/],
      [["stdio", "vm-01", "--port"], /needs a value/],
      [["stdio", "vm-01", "--local-port", "1"], /does not apply to stdio/],
      [["port", "vm-01", "--local-port", "70000"], /--local-port must be/],
      [["port", "vm-01", "--port", "22"], /does not apply to port/],
      [["stdio", "vm-01", "--token", "x"], /unknown option --token/],
      [["stdio", "vm-01", "--wait-broker", "-1"], /--wait-broker/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseTunnelArgs(argv);
      assert.equal(parsed.ok, false, argv.join(" "));
      if (!parsed.ok) assert.match(parsed.message, message, argv.join(" "));
    }
  });

  test("exit codes by failure", () => {
    assert.equal(exitCodeForError(new JitError("BrokerUnavailable", "x")), ExitCode.brokerUnavailable);
    assert.equal(exitCodeForError(new JitError("RoleNotActive", "x")), ExitCode.refused);
    assert.equal(exitCodeForError(new JitError("BastionRefused", "x")), ExitCode.refused);
    assert.equal(exitCodeForError(new JitError("NetworkError", "x")), ExitCode.unreachable);
    assert.equal(exitCodeForError(new JitError("LocalPortUnavailable", "x")), ExitCode.localPortUnavailable);
    assert.equal(exitCodeForError(new Error("bug")), ExitCode.internal);
  });
});
