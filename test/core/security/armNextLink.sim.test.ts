/**
 * SECURITY.md, "A paged list stays on its service's host": an ARM list whose `nextLink` points at
 * another host is refused by the product's own pipeline before its token policy runs. The simulator
 * writes each page's `nextLink` to one of its other origins (the login service, which records every
 * request it gets), and the product reads the list as it does in the inventory.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AzureContext, getCallerIdentity } from "../../../src/core/azure/azureContext";
import { isJitError } from "../../../src/core/errors";
import { listSubscriptions } from "../../../src/core/inventory/subscriptions";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { signedInContext } from "../access/support/simContext";

describe("an ARM nextLink to another host gets no request and no token (simulator)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let tenantId: string;
  before(async () => {
    // One item per page, so that the subscription list has a nextLink.
    t = await startTestSimulator("demo", { startVms: false, simulation: { armPageSize: 1 } });
    ctx = await signedInContext(t, "alice@contoso.example");
    tenantId = (await getCallerIdentity(ctx, undefined)).tenantId;
  });
  after(async () => {
    await t?.stop();
  });

  it("follows nextLink on Resource Manager's own origin (the list has several pages)", async () => {
    const since = await t.control.lastAuditSeq();
    const subs = await listSubscriptions(ctx, tenantId);
    assert.ok(subs.length >= 2, `${subs.length} subscriptions`);
    const pages = (await t.control.audit(since)).filter((e) => e.service === "arm" && /^\/subscriptions\?/.test(e.path));
    assert.equal(pages.length, subs.length, "one request per page");
  });

  it("refuses a nextLink to the login service's origin: ArmHostNotAllowed, and that origin receives nothing", async () => {
    const other = new URL(t.settings.authorityHost).origin;
    const fault = await t.control.addFault({ match: { service: "arm", pathRegex: "^/subscriptions$" }, nextLinkOrigin: other });
    try {
      const since = await t.control.lastAuditSeq();
      ctx.clients.reset();
      await assert.rejects(listSubscriptions(ctx, tenantId), (e: unknown) => isJitError(e) && e.code === "ArmHostNotAllowed" && e.message.includes(new URL(other).host) && /No token was sent/.test(e.message));
      const entries = await t.control.audit(since);
      assert.equal(entries.filter((e) => e.service === "arm" && /^\/subscriptions\?/.test(e.path)).length, 1, "only the first page was asked for");
      assert.deepEqual(entries.filter((e) => e.service === "login" && e.path.startsWith("/subscriptions")), [], "the other origin got no request");
    } finally {
      await t.control.clearFaults(fault);
    }
  });
});
