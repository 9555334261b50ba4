/**
 * Contract (c): the bodies the product sends have the shape of the official request examples. The
 * product runs its real flow steps against the simulator; a recording policy the test adds to the
 * product's own SDK client (support/replay.ts `recorder`) captures each request as sent.
 * Both directions are checked: every field the product sends is a field of the example with the same
 * JSON type, and every field of the example is sent, except those listed with the reason.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { submitRoleRequest } from "../../src/core/access/pim";
import { initiateJit } from "../../src/core/access/jit";
import { type AzureContext, getCallerIdentity } from "../../src/core/azure/azureContext";
import { listJitPolicies } from "../../src/core/inventory/jitReads";
import { listEligibilities } from "../../src/core/inventory/pimReads";
import { ARG_TYPES, queryResources } from "../../src/core/inventory/resourceGraph";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { signedInContext } from "../core/access/support/simContext";
import { type AllowList, formatGaps, shapeGaps, unusedAllowances } from "./support/shape";
import { lastHop, officialExample, recorder, type RecordedRequest } from "./support/replay";

const ALICE = "alice@contoso.example";
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

/** product ⊆ example (`sentExtra`: fields the product sends that the example does not show) and example ⊆ product (`notSent`). */
function assertRequestShape(what: string, example: unknown, sent: unknown, allow: { sentExtra?: AllowList; notSent?: AllowList }): void {
  const extra = shapeGaps(sent, example, allow.sentExtra ?? {});
  assert.equal(extra.length, 0, `${what}: the product sends fields the official example does not have (or with another type):\n${formatGaps(extra)}`);
  const missing = shapeGaps(example, sent, allow.notSent ?? {});
  assert.equal(missing.length, 0, `${what}: fields of the official request example the product does not send:\n${formatGaps(missing)}`);
  assert.deepEqual(unusedAllowances(sent, example, allow.sentExtra ?? {}), [], `${what}: stale sentExtra allowances`);
  assert.deepEqual(unusedAllowances(example, sent, allow.notSent ?? {}), [], `${what}: stale notSent allowances`);
}

describe("contract (c): request bodies the product sends ⊆⊇ official request examples", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let tenantId: string;
  let dev: string;

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    ctx = await signedInContext(t, ALICE);
    tenantId = t.sim.scenario.tenants.find((x) => x.name === "Contoso")!.id;
    dev = t.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
  });
  after(() => t?.stop());

  it("PIM SelfActivate (roleAssignmentScheduleRequests create)", async () => {
    const log: RecordedRequest[] = [];
    ctx.clients.reset(); // a fresh client, so that the recorder is its only addition
    lastHop(ctx.clients.authorization(tenantId), recorder(log));
    const eligibility = (await listEligibilities(ctx, tenantId)).find((e) => e.scope.toLowerCase().endsWith("/resourcegroups/rg-vm-legacy"));
    assert.ok(eligibility?.roleEligibilityScheduleId, "alice is eligible at rg-vm-legacy");
    const me = await getCallerIdentity(ctx, tenantId);
    const result = await submitRoleRequest(ctx, {
      tenantId,
      scope: eligibility.scope,
      roleDefinitionId: eligibility.roleDefinitionId,
      principalId: me.principalId,
      requestType: "SelfActivate",
      eligibilityScheduleId: eligibility.roleEligibilityScheduleId,
      durationMs: 3600_000,
      justification: "contract test",
    });
    assert.equal(result.status, "Provisioned");
    const put = log.find((r) => r.method === "PUT");
    assert.ok(put, "the activation was sent as a PUT");
    assert.equal(put.url.searchParams.get("api-version"), "2020-10-01");
    const example = obj(officialExample("authorization/PutRoleAssignmentScheduleRequest.json").parameters).parameters;
    assertRequestShape("SelfActivate", example, put.body, {
      sentExtra: {
        "properties.justification": "a RoleAssignmentScheduleRequestProperties member in the spec (RoleAssignmentScheduleRequest.json), echoed in the example's response; the policy requires it here",
      },
      notSent: {
        "properties.scheduleInfo.startDateTime": "left out on purpose: the start is then Azure's now; a skewed local clock could put it in the past",
        "properties.scheduleInfo.expiration.endDateTime": "null in the example (an AfterDuration request has no end time); the product leaves the member out instead of sending null",
        "properties.condition": "the product never attaches an ABAC condition to an activation",
        "properties.conditionVersion": "the product never attaches an ABAC condition to an activation",
      },
    });
  });

  it("PIM SelfDeactivate: every field sent is one of the example's", async () => {
    const log: RecordedRequest[] = [];
    ctx.clients.reset(); // a fresh client, so that the recorder is its only addition
    lastHop(ctx.clients.authorization(tenantId), recorder(log));
    // rg-vm-legacy, activated by the test above: rg-vm-ready's activation must stay for the JIT test.
    const eligibility = (await listEligibilities(ctx, tenantId)).find((e) => e.scope.toLowerCase().endsWith("/resourcegroups/rg-vm-legacy"));
    assert.ok(eligibility, "alice is eligible at rg-vm-legacy");
    const me = await getCallerIdentity(ctx, tenantId);
    // The answer does not matter here (the simulator may refuse within its five-minute floor): the body is what is checked.
    await submitRoleRequest(ctx, { tenantId, scope: eligibility.scope, roleDefinitionId: eligibility.roleDefinitionId, principalId: me.principalId, requestType: "SelfDeactivate", justification: "contract test" }).catch(() => undefined);
    const put = log.find((r) => r.method === "PUT");
    assert.ok(put, "the deactivation was sent as a PUT");
    const example = obj(officialExample("authorization/PutRoleAssignmentScheduleRequest.json").parameters).parameters;
    const extra = shapeGaps(put.body, example, { "properties.justification": "a RoleAssignmentScheduleRequestProperties member in the spec, echoed in the example's response" });
    assert.equal(extra.length, 0, formatGaps(extra));
    assert.equal(obj(obj(put.body).properties).requestType, "SelfDeactivate");
  });

  it("JIT initiate (jitNetworkAccessPolicies initiate)", async () => {
    const policy = (await listJitPolicies(ctx, tenantId, dev)).find((p) => p.resourceGroup.toLowerCase() === "rg-vm-ready");
    assert.ok(policy, "the rg-vm-ready JIT policy is listed");
    const vm = policy.vms[0]!;
    const log: RecordedRequest[] = [];
    ctx.clients.reset(); // a fresh client, so that the recorder is its only addition
    lastHop(ctx.clients.security(tenantId, dev), recorder(log));
    await initiateJit(ctx, { tenantId, policy, vmId: vm.id, vmName: "vm-ready", port: 22, sourcePrefix: "10.0.1.0/26", endsAt: Date.now() + 3600_000, justification: "contract test" });
    const post = log.find((r) => r.method === "POST");
    assert.ok(post, "initiate was sent as a POST");
    assert.match(post.url.pathname, /\/jitNetworkAccessPolicies\/[^/]+\/initiate$/);
    assert.equal(post.url.searchParams.get("api-version"), "2020-01-01");
    assertRequestShape("JIT initiate", obj(officialExample("security/InitiateJitNetworkAccessPolicy_example.json").parameters).body, post.body, {});
  });

  it("Resource Graph resources query", async () => {
    const log: RecordedRequest[] = [];
    ctx.clients.reset(); // a fresh client, so that the recorder is its only addition
    lastHop(ctx.clients.resourceGraph(tenantId), recorder(log));
    const rows = await queryResources(ctx, tenantId, [dev], [ARG_TYPES.virtualMachine]);
    assert.ok(rows.length > 0);
    const post = log.find((r) => r.method === "POST");
    assert.ok(post);
    assertRequestShape("ARG query", obj(officialExample("resourcegraph/ResourcesNextPageQuery.json").parameters).query, post.body, {
      sentExtra: {
        "options.$top": "QueryRequestOptions.$top in the spec (resourcegraph.json): the product asks for full pages of 1000 rows",
        "options.resultFormat": "QueryRequestOptions.resultFormat in the spec: objectArray is asked for explicitly, since an older default was table",
      },
      notSent: { "options.$skipToken": "sent only when asking for a following page; the simulated subscription fits in one" },
    });
  });
});
