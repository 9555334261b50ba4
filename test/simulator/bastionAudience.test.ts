/**
 * The Bastion `aztoken` audience: the product sends what az sends (a token for the cloud's
 * `activeDirectoryResourceId`, https://management.core.windows.net/), the simulated Bastion checks it,
 * and a switch makes it also accept the ARM endpoint's audience. Every POST is a new session.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../src/core/azure/azureContext";
import { getArmAccessToken } from "../../src/core/azure/azureContext";
import { getBastionAccessToken } from "../../src/core/bastion/bastionToken";
import { requestSession } from "../../src/core/bastion/tokenApi";
import { bastionTokenScope, BUILT_IN_CLOUDS } from "../../src/core/cloud";
import type { JitError } from "../../src/core/errors";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { signedInContext } from "../core/access/support/simContext";

function audienceOf(jwt: string): unknown {
  return (JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as { aud?: unknown }).aud;
}

function target(t: TestSimulator): { endpoint: string; resourceId: string } {
  const bastion = t.sim.scenario.bastions.find((b) => b.name === "bas-hub");
  const vm = t.sim.scenario.vms.find((v) => v.name === "vm-ready");
  assert.ok(bastion && vm);
  return { endpoint: bastion.dnsName, resourceId: vm.id };
}

describe("Bastion aztoken audience", () => {
  it("the public cloud asks for az's resource, trailing slash kept (https://management.core.windows.net//.default)", () => {
    assert.equal(bastionTokenScope(BUILT_IN_CLOUDS.AzureCloud), "https://management.core.windows.net//.default");
    assert.equal(bastionTokenScope(BUILT_IN_CLOUDS.AzureUSGovernment), "https://management.core.usgovcloudapi.net//.default");
  });

  describe("default simulator (ARM-endpoint audience refused)", () => {
    let t: TestSimulator;
    let ctx: AzureContext;
    before(async () => {
      t = await startTestSimulator("demo", { startVms: false });
      ctx = await signedInContext(t);
    });
    after(() => t?.stop());

    it("the product's Bastion token carries the activeDirectoryResourceId audience and opens a session", async () => {
      const token = await getBastionAccessToken(ctx, undefined);
      assert.equal(audienceOf(token.token), "https://management.core.windows.net/");
      const session = await requestSession({ ...target(t), port: 22, armToken: token.token });
      assert.ok(session.authToken && session.websocketUrl);
    });

    it("a token for the ARM endpoint (what the product used to send) is refused with 401", async () => {
      const arm = await getArmAccessToken(ctx, undefined);
      await assert.rejects(requestSession({ ...target(t), port: 22, armToken: arm.token }), (e: JitError) => {
        assert.equal(e.code, "BastionRefused");
        assert.match(e.message, /HTTP 401.*wrong audience/);
        return true;
      });
    });

    it("every POST /api/tokens is its own session with its own single-use WebSocket token", async () => {
      const token = (await getBastionAccessToken(ctx, undefined)).token;
      const a = await requestSession({ ...target(t), port: 22, armToken: token });
      const b = await requestSession({ ...target(t), port: 22, armToken: token });
      assert.notEqual(a.authToken, b.authToken);
      assert.notEqual(a.websocketUrl, b.websocketUrl);
    });
  });

  describe("switch bastionAcceptsResourceManagerAudience", () => {
    let t: TestSimulator;
    let ctx: AzureContext;
    before(async () => {
      t = await startTestSimulator("demo", { startVms: false, simulation: { bastionAcceptsResourceManagerAudience: true } });
      ctx = await signedInContext(t);
    });
    after(() => t?.stop());

    it("accepts the ARM endpoint's audience too", async () => {
      const arm = await getArmAccessToken(ctx, undefined);
      const session = await requestSession({ ...target(t), port: 22, armToken: arm.token });
      assert.ok(session.authToken);
    });
  });
});
