/** PIM conformance through AuthorizationManagementClient 9 (api 2020-10-01): lists, policies, and every activation rule both ways. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { DeviceCodeCredential } from "@azure/identity";
import type { RestError } from "@azure/core-rest-pipeline";
import type { AuthorizationManagementClient, RoleAssignmentScheduleRequest } from "@azure/arm-authorization";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients } from "./sdkClients";

const ALICE = "alice@contoso.example";
const PROVISIONING_SECONDS = 30;

describe("PIM (Microsoft.Authorization 2020-10-01)", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let auth: AuthorizationManagementClient;
  let dev: string;
  let aliceOid: string;
  let roleGuid: string;

  const scopeOf = (vm: string): string => `subscriptions/${dev}/resourceGroups/rg-${vm}`;
  const eligibilityOf = async (vm: string, client = auth) => {
    const list = [];
    for await (const e of client.roleEligibilityScheduleInstances.listForScope(scopeOf(vm), { filter: "asTarget()" })) list.push(e);
    assert.equal(list.length, 1, `one eligibility for ${vm}`);
    return list[0]!;
  };
  const body = async (vm: string, extra: Partial<RoleAssignmentScheduleRequest> = {}, client = auth): Promise<RoleAssignmentScheduleRequest> => {
    const e = await eligibilityOf(vm, client);
    return {
      principalId: aliceOid,
      roleDefinitionId: e.roleDefinitionId!,
      requestType: "SelfActivate",
      // The schedule's name, as in the API example (PutRoleAssignmentScheduleRequest.json).
      linkedRoleEligibilityScheduleId: e.roleEligibilityScheduleId!.split("/").pop()!,
      justification: "investigating an incident",
      scheduleInfo: { startDateTime: new Date(), expiration: { type: "AfterDuration", duration: "PT2H" } },
      ...extra,
    };
  };
  const rejectsWith = async (p: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<void> => {
    await assert.rejects(p, (e: RestError) => {
      assert.equal(e.statusCode, status, e.message);
      assert.equal(e.code, code, e.message);
      if (message) assert.match(e.message, message);
      return true;
    });
  };
  const activeInstances = async (vm: string): Promise<number> => {
    let n = 0;
    for await (const a of auth.roleAssignmentScheduleInstances.listForScope(scopeOf(vm), { filter: "asTarget()" })) if (a.assignmentType === "Activated") n++;
    return n;
  };

  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false, simulation: { pimProvisioningSeconds: PROVISIONING_SECONDS, tokenLifetimeSeconds: 7 * 86400 } });
    alice = await ts.signInWithDeviceCode(ALICE);
    dev = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    aliceOid = user.objectIds.get(user.homeTenantId)!;
    roleGuid = ts.sim.scenario.roleDefinitions.find((r) => r.name === "JIT VM Operator")!.guid;
    auth = clients(ts, alice, dev).authorization;
  });
  after(() => ts.stop());

  it("lists eligibilities tenant-wide with asTarget(), at a scope with atScope(), and gets one", async () => {
    const all = [];
    for await (const e of auth.roleEligibilityScheduleInstances.listForScope("", { filter: "asTarget()" })) all.push(e);
    assert.equal(all.length, 13, "every Contoso VM's eligibility; Fabrikam's needs a Fabrikam token");
    const e = all.find((x) => x.scope?.endsWith("/rg-vm-dev-01"))!;
    assert.equal(e.principalId, aliceOid);
    assert.equal(e.status, "Provisioned");
    assert.equal(e.memberType, "Direct");
    assert.equal(e.expandedProperties?.roleDefinition?.displayName, "JIT VM Operator");
    assert.equal(e.expandedProperties?.scope?.type, "resourcegroup");
    assert.match(e.roleEligibilityScheduleId ?? "", /\/providers\/Microsoft\.Authorization\/roleEligibilitySchedules\/[0-9a-f-]{36}$/);
    const atScope = [];
    for await (const x of auth.roleEligibilityScheduleInstances.listForScope(scopeOf("vm-dev-01"), { filter: "atScope() and asTarget()" })) atScope.push(x);
    assert.equal(atScope.length, 1);
    const one = await auth.roleEligibilityScheduleInstances.get(scopeOf("vm-dev-01"), e.name!);
    assert.equal(one.id, e.id);
    const schedules = [];
    for await (const s of auth.roleEligibilitySchedules.listForScope(`subscriptions/${dev}`, { filter: "asTarget()" })) schedules.push(s);
    assert.equal(schedules.length, 12, "schedules below the subscription");
    const sched = await auth.roleEligibilitySchedules.get(scopeOf("vm-dev-01"), e.roleEligibilityScheduleId!.split("/").pop()!);
    assert.equal(sched.id, e.roleEligibilityScheduleId);
    await rejectsWith(auth.roleEligibilityScheduleInstances.listForScope("", { filter: "bogus()" }).next(), 400, "InvalidFilter");
  });

  it("shows the pre-activated assignment (vm-ready) as Activated in asTarget() instances and schedules", async () => {
    const inst = [];
    for await (const a of auth.roleAssignmentScheduleInstances.listForScope("", { filter: "asTarget()" })) inst.push(a);
    assert.equal(inst.length, 1);
    assert.equal(inst[0]!.assignmentType, "Activated");
    assert.ok(inst[0]!.linkedRoleEligibilityScheduleId);
    const sch = [];
    for await (const a of auth.roleAssignmentSchedules.listForScope(scopeOf("vm-ready"), { filter: "asTarget()" })) sch.push(a);
    assert.equal(sch.length, 1);
    assert.ok(sch[0]!.endDateTime! > new Date());
  });

  it("reads policies and policy assignments with effectiveRules, and role definitions", async () => {
    const assignments = [];
    for await (const a of auth.roleManagementPolicyAssignments.listForScope(scopeOf("vm-approval"))) assignments.push(a);
    const mine = assignments.find((a) => a.roleDefinitionId?.toLowerCase().endsWith(roleGuid))!;
    const rules = new Map(mine.effectiveRules!.map((r) => [r.id, r as unknown as Record<string, unknown>]));
    assert.equal(rules.get("Expiration_EndUser_Assignment")?.maximumDuration, "PT8H");
    assert.deepEqual(rules.get("Enablement_EndUser_Assignment")?.enabledRules, ["Justification", "Ticketing"]);
    assert.equal((rules.get("Approval_EndUser_Assignment")?.setting as { isApprovalRequired: boolean }).isApprovalRequired, true);
    const got = await auth.roleManagementPolicyAssignments.get(scopeOf("vm-approval"), mine.name!);
    assert.equal(got.policyId, mine.policyId);
    const policy = await auth.roleManagementPolicies.get(scopeOf("vm-mfa"), (await (async () => {
      for await (const a of auth.roleManagementPolicyAssignments.listForScope(scopeOf("vm-mfa"))) if (a.roleDefinitionId?.toLowerCase().endsWith(roleGuid)) return a;
      throw new Error("no policy");
    })()).policyId!.split("/").pop()!);
    const ctx = policy.effectiveRules!.find((r) => r.id === "AuthenticationContext_EndUser_Assignment") as unknown as { isEnabled: boolean; claimValue: string };
    assert.deepEqual([ctx.isEnabled, ctx.claimValue], [true, "c1"]);
    const role = await auth.roleDefinitions.get(`subscriptions/${dev}`, roleGuid);
    assert.equal(role.roleName, "JIT VM Operator");
    assert.ok(role.permissions?.[0]?.actions?.includes("Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"));
    const readers = [];
    for await (const r of auth.roleDefinitions.list(`subscriptions/${dev}`, { filter: "roleName eq 'Reader'" })) readers.push(r);
    assert.equal(readers.length, 1);
  });

  it("SelfActivate: each policy rule refuses, alone and together", async () => {
    const s = scopeOf("vm-dev-01");
    const create = async (b: RoleAssignmentScheduleRequest) => auth.roleAssignmentScheduleRequests.create(s, randomUUID(), b);
    await rejectsWith(create(await body("vm-dev-01", { justification: undefined })), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["JustificationRule"\]/);
    await rejectsWith(create(await body("vm-dev-01", { scheduleInfo: { expiration: { type: "AfterDuration", duration: "PT9H" } } })), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["ExpirationRule"\]/);
    await rejectsWith(create(await body("vm-dev-01", { justification: "", scheduleInfo: { expiration: { type: "NoExpiration" } } })), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["ExpirationRule","JustificationRule"\]/);
    const reader = ts.sim.scenario.roleDefinitions.find((r) => r.name === "Reader")!.guid;
    await rejectsWith(create(await body("vm-dev-01", { roleDefinitionId: `/subscriptions/${dev}/providers/Microsoft.Authorization/roleDefinitions/${reader}` })), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["EligibilityRule"\]/);
    await rejectsWith(create(await body("vm-dev-01", { principalId: randomUUID() })), 403, "AuthorizationFailed");
    assert.equal(await activeInstances("vm-dev-01"), 0);
  });

  it("SelfActivate: accepted → PendingProvisioning → Provisioned on the clock; then RoleAssignmentExists; RBAC follows", async () => {
    const s = scopeOf("vm-dev-01");
    const compute = clients(ts, alice, dev).compute;
    await ts.control.setPower("vm-dev-01", "deallocated");
    await rejectsWith(compute.virtualMachines.start("rg-vm-dev-01", "vm-dev-01").pollUntilDone(), 403, "AuthorizationFailed");
    const name = randomUUID();
    const r = await auth.roleAssignmentScheduleRequests.create(s, name, await body("vm-dev-01"));
    assert.equal(r.status, "PendingProvisioning");
    assert.equal(r.requestType, "SelfActivate");
    assert.equal(await activeInstances("vm-dev-01"), 0, "not effective during provisioning");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-dev-01")), 400, "RoleAssignmentExists");
    await ts.control.advanceClock(PROVISIONING_SECONDS + 1);
    assert.equal((await auth.roleAssignmentScheduleRequests.get(s, name)).status, "Provisioned");
    assert.equal(await activeInstances("vm-dev-01"), 1);
    await compute.virtualMachines.start("rg-vm-dev-01", "vm-dev-01").pollUntilDone();
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-dev-01")), 400, "RoleAssignmentExists");
    const listed = [];
    for await (const x of auth.roleAssignmentScheduleRequests.listForScope(s, { filter: "asRequestor()" })) listed.push(x.name);
    assert.ok(listed.includes(name));
  });

  it("SelfDeactivate: refused within 5 minutes (ActiveDurationTooShort), Revoked afterwards", async () => {
    const s = scopeOf("vm-nojit");
    await auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-nojit"));
    await ts.control.advanceClock(PROVISIONING_SECONDS + 1);
    const e = await eligibilityOf("vm-nojit");
    const deactivate = { principalId: aliceOid, roleDefinitionId: e.roleDefinitionId!, requestType: "SelfDeactivate" as const };
    await assert.rejects(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), deactivate), (e: RestError) => {
      assert.equal(e.statusCode, 400);
      assert.deepEqual(JSON.parse(e.response?.bodyAsText ?? "{}"), { error: { code: "ActiveDurationTooShort", message: "The Active duration is too short. Miniumum Required is 5 minutes." } });
      return true;
    });
    await ts.control.advanceClock(5 * 60);
    const r = await auth.roleAssignmentScheduleRequests.create(s, randomUUID(), deactivate);
    assert.equal(r.status, "Revoked");
    assert.equal(await activeInstances("vm-nojit"), 0);
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), deactivate), 400, "RoleAssignmentDoesNotExist");
  });

  it("approval: TicketingRule, then PendingApproval until denied or approved; cancel of a pending request", async () => {
    const s = scopeOf("vm-approval");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-approval")), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["TicketingRule"\]/);
    const ticket = { ticketInfo: { ticketNumber: "INC-42", ticketSystem: "ServiceNow" } };
    const validated = await auth.roleAssignmentScheduleRequests.validate(s, randomUUID(), await body("vm-approval", ticket));
    assert.equal(validated.status, "PendingEvaluation");
    const first = randomUUID();
    assert.equal((await auth.roleAssignmentScheduleRequests.create(s, first, await body("vm-approval", ticket))).status, "PendingApproval");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-approval", ticket)), 400, "PendingRoleAssignmentRequest");
    assert.ok((await ts.control.pimRequests("PendingApproval")).some((x) => x.name === first && x.ticketNumber === "INC-42"));
    await ts.control.denyPim(first, "not now");
    assert.equal((await auth.roleAssignmentScheduleRequests.get(s, first)).status, "Denied");
    assert.equal(await activeInstances("vm-approval"), 0);

    const cancelled = randomUUID();
    await auth.roleAssignmentScheduleRequests.create(s, cancelled, await body("vm-approval", ticket));
    await auth.roleAssignmentScheduleRequests.cancel(s, cancelled);
    assert.equal((await auth.roleAssignmentScheduleRequests.get(s, cancelled)).status, "Canceled");
    await rejectsWith(auth.roleAssignmentScheduleRequests.cancel(s, cancelled), 400, "InvalidRequestState");

    const second = randomUUID();
    await auth.roleAssignmentScheduleRequests.create(s, second, await body("vm-approval", ticket));
    await ts.control.approvePim(second);
    assert.equal((await auth.roleAssignmentScheduleRequests.get(s, second)).status, "PendingProvisioning");
    await ts.control.advanceClock(PROVISIONING_SECONDS + 1);
    assert.equal((await auth.roleAssignmentScheduleRequests.get(s, second)).status, "Provisioned");
    assert.equal(await activeInstances("vm-approval"), 1);
    await assert.rejects(ts.control.approvePim(second), /RequestNotPending/);
  });

  it("MFA and authentication context: MfaRule without MFA, RoleAssignmentRequestAcrsValidationFailed without acrs, accepted with both", async () => {
    const s = scopeOf("vm-mfa");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-mfa")), 400, "RoleAssignmentRequestPolicyValidationFailed", /\["MfaRule"\]/);
    const mfa = await ts.signInWithDeviceCode(ALICE, { mfa: true });
    const mfaAuth = clients(ts, mfa, dev).authorization;
    await assert.rejects(mfaAuth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-mfa", {}, mfaAuth)), (e: RestError) => {
      assert.equal(e.code, "RoleAssignmentRequestAcrsValidationFailed");
      const claims = decodeURIComponent(e.message.replace(/^&claims=/, ""));
      assert.deepEqual(JSON.parse(claims), { access_token: { acrs: { essential: true, value: "c1" } } });
      return true;
    });
    // The client gets a token with those claims and retries with a new client (the SDK caches tokens per pipeline).
    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    const stepped = await mfa.getToken(ts.settings.armScope, { claims });
    const withAcrs = clients(ts, { getToken: async () => stepped }, dev).authorization;
    const r = await withAcrs.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-mfa", {}, withAcrs));
    assert.equal(r.status, "PendingProvisioning");
  });

  it("an activation cannot be extended or renewed; a second SelfActivate while active is RoleAssignmentExists", async () => {
    const s = scopeOf("vm-locked");
    await auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked", { scheduleInfo: { expiration: { type: "AfterDuration", duration: "PT1H" } } }));
    await ts.control.advanceClock(PROVISIONING_SECONDS + 1);
    assert.equal(await activeInstances("vm-locked"), 1);
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked")), 400, "RoleAssignmentExists", /^The Role assignment already exists\.$/);
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked", { requestType: "SelfExtend", scheduleInfo: { expiration: { type: "AfterDuration", duration: "PT4H" } } })), 400, "SimulatedSelfExtendOfActivationRefused");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked", { requestType: "SelfRenew" })), 400, "RoleAssignmentExists");
    await ts.control.advanceClock(3600);
    assert.equal(await activeInstances("vm-locked"), 0, "expired after its hour");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked", { requestType: "SelfRenew" })), 400, "InvalidRoleAssignmentRequest", /granted by an administrator/);
    const again = await auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-locked"));
    assert.equal(again.status, "PendingProvisioning", "more time is a new activation");
  });

  it("linkedRoleEligibilityScheduleId: the schedule's name or nothing, as the sources show; a resource id is refused", async () => {
    const s = scopeOf("vm-password");
    const e = await eligibilityOf("vm-password");
    await rejectsWith(auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-password", { linkedRoleEligibilityScheduleId: e.roleEligibilityScheduleId! })), 400, "InvalidRoleAssignmentRequest");
    const r = await auth.roleAssignmentScheduleRequests.create(s, randomUUID(), await body("vm-password", { linkedRoleEligibilityScheduleId: undefined }));
    assert.equal(r.status, "PendingProvisioning");
  });

  it("policies need roleManagementPolicies/read (Reader's */read): a user with only an eligibility gets 403 AuthorizationFailed", async () => {
    const dana = await ts.signInWithDeviceCode("dana@contoso.example");
    const danaAuth = clients(ts, dana, dev).authorization;
    await rejectsWith(danaAuth.roleManagementPolicyAssignments.listForScope(scopeOf("vm-dev-01")).next(), 403, "AuthorizationFailed", /roleManagementPolicyAssignments\/read/);
    await rejectsWith(danaAuth.roleManagementPolicies.listForScope(scopeOf("vm-dev-01")).next(), 403, "AuthorizationFailed", /roleManagementPolicies\/read/);
    const own = [];
    for await (const e of danaAuth.roleEligibilityScheduleInstances.listForScope(scopeOf("vm-dev-01"), { filter: "asTarget()" })) own.push(e);
    assert.equal(own.length, 1, "her own eligibility stays readable");
  });

  it("accepts case-insensitive bodies and the /providers/Microsoft.Subscription scope spelling", async () => {
    const e = await eligibilityOf("vm-stopped");
    const res = await clients(ts, alice, dev).raw("GET", `/providers/Microsoft.Subscription/subscriptions/${dev}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01&$filter=asTarget()`);
    assert.equal((res.json as { value: unknown[] }).value.length, 12);
    const single = await clients(ts, alice, dev).raw("GET", `/${scopeOf("vm-stopped")}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01`);
    assert.equal(single.status, 200);
    const pascal = {
      Properties: {
        PrincipalId: aliceOid,
        RoleDefinitionId: e.roleDefinitionId,
        RequestType: "SelfActivate",
        Justification: "PascalCase like az-pim-cli",
        ScheduleInfo: { StartDateTime: null, Expiration: { Type: "AfterDuration", Duration: "PT30M" } },
      },
    };
    const r = await fetch(`${ts.settings.resourceManagerEndpoint}/${scopeOf("vm-stopped")}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${randomUUID()}?api-version=2020-10-01`, {
      method: "PUT",
      headers: { authorization: `Bearer ${(await alice.getToken(ts.settings.armScope))!.token}`, "content-type": "application/json" },
      body: JSON.stringify(pascal),
    });
    assert.equal(r.status, 201);
    assert.equal(((await r.json()) as { properties: { justification: string } }).properties.justification, "PascalCase like az-pim-cli");
  });
  it("SelfExtend / SelfRenew apply to an admin-granted assignment: within 14 days of its end / 30 days after, pending an admin decision", async () => {
    const s = scopeOf("vm-stopped");
    const fullScope = `/${s}`;
    const day = 86400;
    const tenantId = ts.sim.scenario.subscriptions.find((x) => x.id === dev)!.tenantId;
    const granted = await ts.control.adminAssignPim({ principalId: aliceOid, tenantId, roleGuid, scope: fullScope, endsInSeconds: 20 * day });
    const endOf = async (): Promise<number> => {
      for await (const a of client.roleAssignmentSchedules.listForScope(s, { filter: "asTarget()" })) if (a.name === granted.name) return a.endDateTime!.getTime();
      return 0;
    };
    // Weeks pass on the simulated clock: sign in again after each jump (tokens live 7 days here).
    let client = auth;
    const signInAgain = async (): Promise<void> => {
      client = clients(ts, await ts.signInWithDeviceCode(ALICE), dev).authorization;
    };
    const extend = async () => body("vm-stopped", { requestType: "SelfExtend", linkedRoleEligibilityScheduleId: undefined, scheduleInfo: { expiration: { type: "AfterDuration", duration: "P30D" } } }, client);
    await rejectsWith(client.roleAssignmentScheduleRequests.create(s, randomUUID(), await extend()), 400, "SimulatedExtendTooEarly");
    await ts.control.advanceClock(7 * 86400);
    await signInAgain();
    const name = randomUUID();
    const ext = await client.roleAssignmentScheduleRequests.create(s, name, await extend());
    assert.equal(ext.status, "PendingAdminDecision");
    await rejectsWith(client.roleAssignmentScheduleRequests.create(s, randomUUID(), await extend()), 400, "PendingRoleAssignmentRequest");
    await ts.control.approvePim(name);
    const end = await endOf();
    assert.ok(end > Date.parse(granted.endDateTime) + 16 * day * 1000, "extended by the admin's decision");
    await ts.control.advanceClock(Math.ceil((end - Date.parse(granted.endDateTime)) / 1000) + 14 * day);
    await signInAgain();
    const renewName = randomUUID();
    const renew = await client.roleAssignmentScheduleRequests.create(s, renewName, await body("vm-stopped", { requestType: "SelfRenew", linkedRoleEligibilityScheduleId: undefined, scheduleInfo: { expiration: { type: "AfterDuration", duration: "P30D" } } }, client));
    assert.equal(renew.status, "PendingAdminDecision");
    await ts.control.approvePim(renewName);
    await ts.control.advanceClock(PROVISIONING_SECONDS + 1);
    const assigned = [];
    for await (const a of client.roleAssignmentScheduleInstances.listForScope(s, { filter: "asTarget()" })) if (a.assignmentType === "Assigned") assigned.push(a);
    assert.equal(assigned.length, 1, "renewed");
  });
});
