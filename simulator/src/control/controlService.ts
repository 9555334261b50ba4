/**
 * The control API (`http://127.0.0.1:<port>/_sim/...`, docs/ARCHITECTURE.md): health, settings,
 * state, clock, device-code approval, PIM approve/deny, VM power and rebuild (new host key), a user's
 * revokeSignInSessions, faults, audit. Plain HTTP on
 * loopback, deliberately outside the Azure surface. Extras beyond the contract: `GET
 * /_sim/devicecode` (pending codes), `GET /_sim/faults`, `POST /_sim/cae {count}` (arms the CAE
 * challenge on the next ARM calls).
 */
import { HttpError } from "../http/errors";
import type { SimRequest } from "../http/request";
import { Router, type Reply } from "../http/router";
import type { SimClock } from "../clock";
import type { LoginService } from "../entra/loginService";
import type { SignInStore } from "../entra/signInStore";
import type { AuditLog } from "../observe/auditLog";
import type { FaultRules } from "../observe/faults";
import type { PimStore } from "../arm/pim/pimStore";
import type { JitStore } from "../arm/jit/jitStore";
import type { ArmService } from "../arm/armService";
import type { VmFleet } from "../dataplane/vmFleet";
import type { World } from "../world/world";
import type { Directory } from "../world/directory";
import type { Rbac } from "../world/rbac";
import { isObject } from "../util/caseInsensitive";
import { registerPortalControl } from "./portalControl";

export interface ControlDeps {
  clock: SimClock;
  world: World;
  directory: Directory;
  rbac: Rbac;
  login: LoginService;
  signIns: SignInStore;
  pim: PimStore;
  jit: JitStore;
  arm: ArmService;
  fleet: VmFleet;
  audit: AuditLog;
  faults: FaultRules;
  settings: () => Record<string, unknown>;
  endpoints: () => Record<string, string>;
  startedAt: number;
}

function json(req: SimRequest): Record<string, unknown> {
  const text = req.body.toString("utf8").trim();
  if (!text) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, "InvalidJson", "The body is not valid JSON.");
  }
  if (!isObject(v)) throw new HttpError(400, "InvalidJson", "The body must be a JSON object.");
  return v;
}

const optBool = (v: unknown, name: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new HttpError(400, "InvalidField", `${name} must be true or false.`);
  return v;
};

export function createControlRouter(d: ControlDeps): Router {
  const r = new Router();
  const pimRequest = (x: (typeof d.pim.requests)[number]): Record<string, unknown> => ({
    name: x.name,
    status: d.pim.status(x),
    requestType: x.requestType,
    scope: x.scope,
    role: d.rbac.role(x.roleGuid)?.name ?? x.roleGuid,
    principalId: x.principalId,
    requestor: x.requestorName,
    justification: x.justification ?? null,
    ticketNumber: x.ticketInfo.ticketNumber ?? null,
    linkedRoleEligibilityScheduleId: x.linkedRoleEligibilityScheduleId ?? null,
    sentStartDateTime: x.sentStartDateTime ?? null,
    createdOn: new Date(x.createdOn).toISOString(),
  });

  r.add("GET", "/_sim/health", () => ({ status: 200, body: { status: "ok", scenario: d.world.scenario.name, now: d.clock.nowIso(), uptimeSeconds: Math.round((Date.now() - d.startedAt) / 1000) } }));
  r.add("GET", "/_sim/settings", () => ({ status: 200, body: d.settings() }));
  r.add("GET", "/_sim/state", () => {
    const s = d.world.scenario;
    return {
      status: 200,
      body: {
        scenario: s.name,
        now: d.clock.nowIso(),
        endpoints: d.endpoints(),
        tenants: s.tenants.map((t) => ({ id: t.id, name: t.name, domain: t.domain })),
        users: s.users.map((u) => ({ upn: u.upn, displayName: u.displayName, homeTenantId: u.homeTenantId, objectIds: Object.fromEntries(u.objectIds) })),
        subscriptions: s.subscriptions,
        vaults: s.vaults.map((v) => ({ name: v.name, id: v.id, uri: v.uri, secrets: [...v.secrets.values()].map((x) => x.name) })),
        bastions: s.bastions.map((b) => ({ name: b.name, id: b.id, sku: b.sku, enableTunneling: b.enableTunneling, dnsName: b.dnsName })),
        vms: d.fleet.info(),
        pim: {
          requests: d.pim.requests.map(pimRequest),
          activeAssignments: d.pim.assignments.filter((a) => d.pim.assignmentActive(a)).map((a) => ({ scope: a.scope, role: d.rbac.role(a.roleGuid)?.name, principalId: a.principalId, endDateTime: new Date(a.end).toISOString() })),
        },
        jit: d.jit.policies.map((p) => ({ id: p.id, requests: p.requests.map((q) => d.jit.requestToArm(p, q)) })),
        faults: d.faults.list(),
      },
    };
  });
  r.add("GET", "/_sim/clock", () => ({ status: 200, body: { now: d.clock.nowIso() } }));
  r.add("POST", "/_sim/clock", (req) => {
    const b = json(req);
    if (typeof b.advanceSeconds !== "number" || !Number.isFinite(b.advanceSeconds) || b.advanceSeconds < 0) {
      throw new HttpError(400, "InvalidField", "advanceSeconds must be a non-negative number.");
    }
    d.clock.advance(b.advanceSeconds);
    req.audit.detail = `clock +${b.advanceSeconds}s`;
    return { status: 200, body: { now: d.clock.nowIso() } };
  });
  r.add("GET", "/_sim/devicecode", () => ({
    status: 200,
    body: { pending: d.signIns.pendingDeviceCodes(d.clock.now()).map((c) => ({ userCode: c.userCode, clientId: c.clientId, scope: c.scope, expiresAt: new Date(c.expiresAt).toISOString() })) },
  }));
  r.add("POST", "/_sim/devicecode/approve", (req) => {
    const b = json(req);
    if (typeof b.userCode !== "string" || typeof b.upn !== "string") throw new HttpError(400, "InvalidField", "userCode and upn are required strings.");
    if (b.location !== undefined && typeof b.location !== "string") throw new HttpError(400, "InvalidField", "location must be a string.");
    const res = d.login.approveDeviceCode({
      userCode: b.userCode,
      upn: b.upn,
      mfa: optBool(b.mfa, "mfa"),
      deviceCompliant: optBool(b.deviceCompliant, "deviceCompliant"),
      location: b.location as string | undefined,
      deny: optBool(b.deny, "deny"),
    });
    req.audit.principal = res.upn;
    return { status: 200, body: { approved: res.approval !== undefined, ...res.approval } };
  });
  r.add("GET", "/_sim/pim/requests", (req) => {
    const status = req.query.get("status");
    const list = d.pim.requests.filter((x) => !status || d.pim.status(x).toLowerCase() === status.toLowerCase());
    return { status: 200, body: { value: list.map(pimRequest) } };
  });
  for (const verb of ["approve", "deny"] as const) {
    r.add("POST", `/_sim/pim/requests/{name}/${verb}`, (req, p) => {
      const b = json(req);
      const x = d.pim.decide(p.name!, verb === "approve", typeof b.justification === "string" ? b.justification : undefined);
      req.audit.detail = `PIM ${verb} ${x.name}`;
      return { status: 200, body: pimRequest(x) };
    });
  }
  // An administrator grants a time-bound active assignment (AdminAssign), to which PIM's SelfExtend/SelfRenew apply.
  r.add("POST", "/_sim/pim/assignments", (req) => {
    const b = json(req);
    const text = (k: string): string => (typeof b[k] === "string" ? (b[k] as string) : "");
    const now = d.clock.now();
    const endsInSeconds = typeof b.endsInSeconds === "number" ? b.endsInSeconds : 30 * 86400;
    const a = d.pim.adminAssign({ principalId: text("principalId"), tenantId: text("tenantId"), roleGuid: text("roleGuid"), scope: text("scope"), start: now, end: now + endsInSeconds * 1000 });
    req.audit.detail = `PIM admin assignment ${a.name}`;
    return { status: 201, body: { name: a.name, endDateTime: new Date(a.end).toISOString() } };
  });
  r.add("GET", "/_sim/vms", () => ({ status: 200, body: { value: d.fleet.info() } }));
  r.add("POST", "/_sim/vms/{vm}/power", async (req, p): Promise<Reply> => {
    const b = json(req);
    const vm = d.world.vmByName(p.vm!) ?? d.world.vm(p.vm!);
    if (!vm) throw new HttpError(404, "VmNotFound", `No VM named '${p.vm}'.`);
    if (b.state !== "running" && b.state !== "stopped" && b.state !== "deallocated") throw new HttpError(400, "InvalidField", 'state must be "running", "stopped" or "deallocated".');
    if (b.state === "running") await d.fleet.start(vm.id);
    else await d.fleet.stop(vm.id, b.state);
    req.audit.detail = `power ${vm.name} → ${b.state}`;
    return { status: 200, body: d.fleet.info().find((x) => x.id === vm.id) };
  });
  // Not an Azure operation: what the user meets after a VM was reimaged or recreated from its image.
  r.add("POST", "/_sim/vms/{vm}/rebuild", async (req, p): Promise<Reply> => {
    const vm = d.world.vmByName(p.vm!) ?? d.world.vm(p.vm!);
    if (!vm) throw new HttpError(404, "VmNotFound", `No VM named '${p.vm}'.`);
    if (!(await d.fleet.rebuild(vm.id))) throw new HttpError(409, "VmNotRunning", `VM '${vm.name}' is not running; start it first.`);
    req.audit.detail = `rebuild ${vm.name} (new host key)`;
    return { status: 200, body: d.fleet.info().find((x) => x.id === vm.id) };
  });
  r.add("GET", "/_sim/faults", () => ({ status: 200, body: { value: d.faults.list() } }));
  r.add("POST", "/_sim/faults", (req) => {
    const rule = d.faults.add(json(req));
    return { status: 201, body: { id: rule.id, rule } };
  });
  r.add("DELETE", "/_sim/faults", () => {
    d.faults.remove();
    return { status: 204 };
  });
  r.add("DELETE", "/_sim/faults/{id}", (_req, p) => {
    if (!d.faults.remove(p.id!)) throw new HttpError(404, "FaultNotFound", `No fault rule '${p.id}'.`);
    return { status: 204 };
  });
  r.add("POST", "/_sim/cae", (req) => {
    const b = json(req);
    const count = typeof b.count === "number" && Number.isInteger(b.count) && b.count >= 0 ? b.count : 1;
    d.arm.armCaeChallenge(count);
    return { status: 200, body: { armed: count } };
  });
  // What an administrator (or the user) does with Graph's revokeSignInSessions, e.g. after a lost device.
  r.add("POST", "/_sim/users/{upn}/revokeSignInSessions", (req, p) => {
    const user = d.directory.user(p.upn!);
    if (!user) throw new HttpError(404, "UserNotFound", `No user '${p.upn}'.`);
    d.signIns.revokeSignInSessions(user.upn, d.clock.now());
    req.audit.detail = `revokeSignInSessions ${user.upn}`;
    return { status: 200, body: { value: true, signInSessionsValidFromDateTime: d.clock.nowIso() } };
  });
  r.add("GET", "/_sim/audit", (req) => {
    const since = Number(req.query.get("since") ?? "0");
    return { status: 200, body: { value: d.audit.since(Number.isFinite(since) ? since : 0) } };
  });
  registerPortalControl(r, { world: d.world, pim: d.pim, jit: d.jit, now: () => d.clock.now() });
  return r;
}
