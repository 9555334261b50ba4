/**
 * The Entra ID login role is activated alongside the access request, not after it, when the access
 * role's policy needs no approval: PIM provisions both at once. The simulator's PIM provisioning runs
 * on its own clock, which only the test moves, so "both requests were submitted while neither role is
 * effective yet" is observed without any timing: until the clock moves, nothing can finish.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { mayActivateLoginRoleAlongside } from "../../../src/core/entraSsh/loginRole";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger } from "../access/support/simContext";
import { startSimService } from "../../support/simService";

const ALICE = "alice@contoso.example";
const PROVISIONING_S = 120;

describe("mayActivateLoginRoleAlongside", () => {
  const loginRole = { eligibility: { roleName: "Virtual Machine User Login" } } as never;
  it("only when the access role's policy is known and needs no approval, and a login role is eligible", () => {
    assert.equal(mayActivateLoginRoleAlongside({ pimRequirements: { approval: false }, entraLoginRole: loginRole }), true);
    assert.equal(mayActivateLoginRoleAlongside({ pimRequirements: { approval: true }, entraLoginRole: loginRole }), false, "an approver may still refuse the access");
    assert.equal(mayActivateLoginRoleAlongside({ entraLoginRole: loginRole }), false, "an unreadable policy may need approval");
    assert.equal(mayActivateLoginRoleAlongside({ pimRequirements: { approval: false } }), false, "no login role to activate");
  });
});

describe("Entra ID connect: the login role is activated alongside the access request (simulator)", { timeout: 120_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  const logger = memoryLogger();
  const steps: string[] = [];
  let formAnswered = false;

  before(async () => {
    t = await startTestSimulator("entra", { startVms: false, simulation: { pimProvisioningSeconds: PROVISIONING_S } });
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-entra-alongside-"));
    service = await startSimService(t, {
      user: ALICE,
      root,
      logger,
      accessInput: async (request) => {
        formAnswered = true;
        return { justification: "alongside test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) };
      },
    });
  });
  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("submits the login role's activation while the JIT role is still provisioning; both complete once PIM has provisioned them", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-entra") ?? assert.fail("vm-entra listed");
    assert.equal(mayActivateLoginRoleAlongside(vm), true, "the entra scenario's JIT role needs no approval");
    let loginRoleSubmitted!: () => void;
    const submitted = new Promise<void>((resolve) => (loginRoleSubmitted = resolve));
    let accessSettled = false;
    const connecting = service.connect(vm.id, undefined, (step) => {
      steps.push(step);
      // Sent after PIM accepted the login role's request (loginRole.ts).
      if (/Waiting for "Virtual Machine User Login" on vm-entra to take effect/.test(step)) loginRoleSubmitted();
    });
    void connecting.then(() => (accessSettled = true), () => (accessSettled = true));

    await submitted;
    assert.ok(formAnswered, "the login role was requested only after the access form was answered");
    const jitRole = (await t.control.pimRequests()).find((r) => r.role === "JIT VM Operator") ?? assert.fail("the JIT role's request came first");
    assert.equal(accessSettled, false, "the connection is still waiting for the JIT role");
    const requests = await t.control.pimRequests();
    assert.deepEqual(requests.map((r) => r.role).sort(), ["JIT VM Operator", "Virtual Machine User Login"], "both activations are with PIM at once");
    assert.equal(service.activeGrant(vm.id), undefined, "no grant yet: the JIT role is still provisioning");
    assert.equal(jitRole.status, "PendingProvisioning", "PIM accepted the JIT role (not refused, not waiting for an approver) and is still provisioning it");
    assert.ok(logger.lines.some((l) => /PIM accepted the access role of vm-entra: activating its login role alongside/.test(l)), "the log says why");

    await t.control.advanceClock(PROVISIONING_S + 1);
    const info = await connecting;
    assert.equal(info.auth, "certificate");
    assert.ok(service.activeGrant(vm.id), "access granted");
    const order = steps.map((s) => s.replace(/…$/, ""));
    assert.ok(order.indexOf(`Activating "Virtual Machine User Login" on vm-entra`) >= 0);
    assert.ok(order.some((s) => /Getting an SSH certificate/.test(s)));
  });
});
