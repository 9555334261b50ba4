/**
 * A refused token keeps the last known inventory (the VS Code layer marks it stale and offers "Sign
 * in again"); after signing in again, the state is read from Azure afresh.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TokenCredential } from "@azure/core-auth";
import { MemoryCredentialChoiceStore } from "../../../src/core/credential/credentialSource";
import { isJitError } from "../../../src/core/errors";
import { JitConnectService } from "../../../src/core/service/jitConnectService";
import { isSignInRefusal } from "../../../src/core/service/signInRefusal";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger, productCredential, simCloud } from "../access/support/simContext";
import { tunnelProgram } from "../../tunnel/support/tunnelWorld";

const ALICE = "alice@contoso.example";

describe("sign-in recovery in place", { timeout: 180_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  const prompts: string[] = [];
  let credential: TokenCredential;

  before(async () => {
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-signin-"));
    service = await JitConnectService.create({
      cloud: simCloud(t),
      credential: (credential = await productCredential(t, ALICE, { prompts })),
      accessInput: async (request) => ({ justification: "test", durationMs: request.maxDurationMs }),
      storageDir: path.join(root, "storage"),
      home: path.join(root, "home"),
      tunnelProgram: { nodePath: process.execPath, tunnelScript: await tunnelProgram(), viaLauncher: false },
      credentialChoices: new MemoryCredentialChoiceStore(),
      logger: memoryLogger(),
      brokerRuntimeDir: path.join(root, "xdg", "azure-jit-connect"),
    });
    await service.signIn();
    await service.refreshInventory();
  });

  after(async () => {
    await t?.control.clearFaults().catch(() => undefined);
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("a refused token fails the refresh with one sign-in error and keeps the last known VMs", async () => {
    const before = service.inventory!.vms.map((v) => v.name);
    assert.ok(before.length > 5);
    await t.control.addFault({ match: { service: "arm" }, status: 401 });
    await assert.rejects(service.refreshInventory(), (e: unknown) => {
      assert.ok(isJitError(e) && isSignInRefusal(e), String(e));
      assert.equal(e.code, "NotSignedIn");
      assert.equal(e.details.signInRefused, true);
      assert.match(e.message, /Sign in again/);
      return true;
    });
    assert.deepEqual(service.inventory!.vms.map((v) => v.name), before, "the last known list stays");
  });

  it("after signing in again, the state is read from Azure afresh", async () => {
    await t.control.clearFaults();
    await t.control.portalActivate(ALICE, "vm-dev-01");
    await t.control.portalJit(ALICE, "vm-dev-01");
    await service.signIn();
    const inventory = await service.refreshInventory();
    const vm = inventory.vms.find((v) => v.name === "vm-dev-01")!;
    assert.equal(vm.readiness.status, "ready", "what happened in Azure meanwhile is seen");
    assert.ok(service.activeGrant(vm.id));
  });

  it("sessions revoked by an administrator: the CAE challenge ends in one sign-in error, with no device code nobody asked for", async () => {
    const before = service.inventory!.vms.map((v) => v.name);
    const codes = prompts.length;
    // Tokens carry whole seconds: the revocation falls in a later second than the last token's issue.
    await t.control.advanceClock(2);
    await t.control.revokeSignInSessions(ALICE);
    await assert.rejects(service.refreshInventory(), (e: unknown) => {
      assert.ok(isJitError(e) && isSignInRefusal(e), String(e));
      return true;
    });
    assert.equal(prompts.length, codes, "a device code was started during a refresh");
    assert.deepEqual(service.inventory!.vms.map((v) => v.name), before, "the last known list stays");
    // Signing in again is the user's act ("Sign In Again" forgets the refused tokens first): a new
    // device code, then the refresh works.
    await (credential as unknown as { signOut(): Promise<void> }).signOut();
    await service.signIn();
    assert.equal(prompts.length, codes + 1);
    assert.ok((await service.refreshInventory()).vms.length >= before.length);
  });
});

