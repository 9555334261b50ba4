/**
 * Azure is the truth about access: a role and a JIT rule activated outside the extension (the
 * simulator's portal control, standing for the Azure portal, az or another machine) are recognised
 * at the next refresh: the VM's grant is in the countdown, Connect goes straight to the connection,
 * and a grant ended outside disappears with its key file.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger } from "../access/support/simContext";
import { startSimService } from "../../support/simService";
import { privilegedRequests } from "../../support/controlClient";

const ALICE = "alice@contoso.example";

describe("recognition of access granted outside the extension", { timeout: 180_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  const inputsAsked: string[] = [];
  const vmId = (name: string): string => service.inventory!.vms.find((v) => v.name === name)?.id ?? assert.fail(`${name} is listed`);

  before(async () => {
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-recognition-"));
    service = await startSimService(t, { user: ALICE, root, accessInput: async (request) => {
        inputsAsked.push(request.vmName);
        return { justification: "recognition test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) };
      }, logger: memoryLogger() });
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("a VM whose role and JIT rule were active before sign-in is granted, in the countdown, and Connect makes no request", async () => {
    const id = vmId("vm-ready");
    const grant = service.activeGrant(id) ?? assert.fail("vm-ready's access is recognised");
    const vm = service.vm(id)!;
    assert.equal(grant.expiresAt, Math.min(vm.activeAssignment!.endsAt!, vm.readiness.jit.endsAt!), "the earliest of the role's and the JIT window's end");
    assert.ok(service.activeGrants().some((g) => g.vmId === id) && service.countdown() !== undefined, "the countdown shows it");

    const since = await t.control.lastAuditSeq();
    const steps: string[] = [];
    const info = await service.connect(id, undefined, (s) => steps.push(s));
    assert.equal(info.grant.vmId, id);
    assert.ok(!steps.some((s) => /Requesting access/.test(s)), `no access request: ${steps.join(" | ")}`);
    assert.deepEqual(privilegedRequests(await t.control.audit(since)), [], "no PIM or JIT request was sent");
    assert.ok(!inputsAsked.includes("vm-ready"), "no request form was shown");
  });

  it("a role and JIT rule activated in the portal after sign-in are recognised at the next refresh", async () => {
    const id = vmId("vm-dev-01");
    assert.equal(service.activeGrant(id), undefined);
    await t.control.portalActivate(ALICE, "vm-dev-01", { hours: 2 });
    await t.control.portalJit(ALICE, "vm-dev-01", { hours: 1 });
    await service.refreshInventory();
    const grant = service.activeGrant(id) ?? assert.fail("recognised");
    assert.equal(service.vm(id)!.readiness.status, "ready");
    assert.equal(grant.expiresAt, grant.jit.endsAt, "the JIT window ends first");
    assert.equal(grant.roleAssignment.reused, true);
  });

  it("with only the role active (portal), requesting access opens JIT without a PIM request", async () => {
    const id = vmId("vm-password");
    await t.control.portalActivate(ALICE, "vm-password", { hours: 2 });
    await service.refreshInventory();
    assert.equal(service.vm(id)!.readiness.role.state, "active");
    assert.equal(service.vm(id)!.readiness.needs.pim, false);
    const since = await t.control.lastAuditSeq();
    await service.requestAccess(id);
    const sent = privilegedRequests(await t.control.audit(since));
    assert.deepEqual(sent.map((e) => e.method), ["POST"], "one JIT initiate, no PIM request");
  });

  it("a grant deactivated in the portal leaves the countdown at the next refresh and its key file is removed", async () => {
    const id = vmId("vm-dev-01");
    const info = await service.connect(id);
    const keyFile = path.join(service.paths.keysDir, info.alias);
    await fsp.stat(keyFile);
    // PIM refuses a deactivation in the first five minutes of an activation.
    await t.control.advanceClock(6 * 60);
    await t.control.portalDeactivate(ALICE, "vm-dev-01");
    await service.refreshInventory();
    assert.equal(service.activeGrant(id), undefined);
    assert.ok(!service.activeGrants().some((g) => g.vmId === id), "gone from the countdown");
    await assert.rejects(fsp.stat(keyFile), { code: "ENOENT" });
    assert.notEqual(service.vm(id)!.readiness.status, "ready");
  });
});
