/**
 * Preflight before privilege: a connection bound to fail stops before any PIM activation or JIT
 * request, with a message naming the cause and the next step, and the simulator's audit log shows
 * no PIM or JIT request after the refusal.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { secretReadability } from "../../../src/core/preflight/privilegePreflight";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger } from "../access/support/simContext";
import { startSimService } from "../../support/simService";
import { privilegedRequests } from "../../support/controlClient";

const ALICE = "alice@contoso.example";

describe("preflight before privilege", { timeout: 180_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  const asked: string[] = [];
  const vmId = (name: string): string => service.inventory!.vms.find((v) => v.name === name)?.id ?? assert.fail(`${name} is listed`);

  before(async () => {
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-preflight-"));
    service = await startSimService(t, { user: ALICE, root, accessInput: async (request) => {
        asked.push(request.vmName);
        return { justification: "preflight test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) };
      }, logger: memoryLogger() });
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("a VM whose Key Vault secret the role will not make readable: refused before PIM and JIT", async () => {
    const since = await t.control.lastAuditSeq();
    await assert.rejects(service.connect(vmId("vm-forbidden")), (e: unknown) => {
      assert.ok(isJitError(e));
      assert.equal(e.code, "SecretForbidden");
      assert.match(e.message, /will not be readable/);
      assert.match(e.message, /getSecret/);
      assert.match(e.message, /Key Vault Secrets User/);
      return true;
    });
    assert.deepEqual(privilegedRequests(await t.control.audit(since)), [], "no PIM or JIT request after the refusal");
    assert.ok(!asked.includes("vm-forbidden"), "no request form");
    assert.equal(service.activeGrant(vmId("vm-forbidden")), undefined);
  });

  it("a deallocated VM: refused before PIM and JIT, saying to start it and that the role allows it", async () => {
    const since = await t.control.lastAuditSeq();
    await assert.rejects(service.connect(vmId("vm-stopped")), (e: unknown) => {
      assert.ok(isJitError(e));
      assert.equal(e.code, "VmNotRunning");
      assert.match(e.message, /deallocated/);
      assert.match(e.message, /allows starting it/);
      return true;
    });
    assert.deepEqual(privilegedRequests(await t.control.audit(since)), []);
  });

  it("the verdict for a secret the user can read through a standing role is 'readable'", async () => {
    const vm = service.vm(vmId("vm-dev-01"))!;
    const uri = vm.readiness.credential.secretUri ?? assert.fail("vm-dev-01 is tagged");
    const subs = service.availableScopes()!.subscriptions.filter((s) => s.tenantId === vm.tenantId).map((s) => s.subscriptionId);
    const verdict = await secretReadability(service.azureContext()!, vm, uri, subs);
    assert.equal(verdict.verdict, "readable", verdict.reason);
    assert.match(verdict.reason, /Key Vault Secrets User/);
  });
});
