/** Microsoft.Security JIT routes (§3 table, api 2020-01-01, through `SecurityCenter` 5). */
import { HttpError } from "../../http/errors";
import { page } from "../../http/paging";
import type { SimRequest } from "../../http/request";
import type { Reply, Router } from "../../http/router";
import { prop, str } from "../../util/caseInsensitive";
import { idKey } from "../../util/ids";
import { callerOf, requireAction, requireSubscription, type ArmDeps } from "../armContext";
import { checkInitiateShape, type JitPolicy } from "./jitStore";

const NS = "providers/Microsoft.Security";
const READ = "Microsoft.Security/locations/jitNetworkAccessPolicies/read";
const WRITE = "Microsoft.Security/locations/jitNetworkAccessPolicies/write";
const DELETE = "Microsoft.Security/locations/jitNetworkAccessPolicies/delete";
const INITIATE = "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action";

export function registerJit(router: Router, deps: ArmDeps): void {
  const list = (req: SimRequest, sub: string, filter: (p: JitPolicy) => boolean): Reply => {
    requireSubscription(deps, req, sub);
    const caller = callerOf(req);
    const value = deps.jit.policies.filter((p) => idKey(p.subscriptionId) === idKey(sub) && filter(p) && deps.rbac.can(caller, READ, p.id)).map((p) => deps.jit.policyToArm(p));
    return { status: 200, body: page(req, value, deps.settings.armPageSize) };
  };
  const eq = (a: string, b: string): boolean => idKey(a) === idKey(b);
  router.add("GET", `/subscriptions/{sub}/${NS}/jitNetworkAccessPolicies`, (req, p) => list(req, p.sub!, () => true));
  router.add("GET", `/subscriptions/{sub}/${NS}/locations/{loc}/jitNetworkAccessPolicies`, (req, p) => list(req, p.sub!, (x) => eq(x.location, p.loc!)));
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/${NS}/jitNetworkAccessPolicies`, (req, p) => list(req, p.sub!, (x) => eq(x.resourceGroup, p.rg!)));
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/${NS}/locations/{loc}/jitNetworkAccessPolicies`, (req, p) => list(req, p.sub!, (x) => eq(x.resourceGroup, p.rg!) && eq(x.location, p.loc!)));

  const one = `/subscriptions/{sub}/resourceGroups/{rg}/${NS}/locations/{loc}/jitNetworkAccessPolicies/{name}`;
  const findOr404 = (req: SimRequest, p: Record<string, string>, action: string): JitPolicy => {
    requireSubscription(deps, req, p.sub!);
    const policy = deps.jit.find(p.sub!, p.rg!, p.loc!, p.name!);
    if (!policy) {
      requireAction(deps, req, action, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
      throw new HttpError(404, "ResourceNotFound", `The JIT network access policy '${p.name}' was not found in resource group '${p.rg}' and location '${p.loc}'.`);
    }
    return policy;
  };
  router.add("GET", one, (req, p) => {
    const policy = findOr404(req, p, READ);
    requireAction(deps, req, READ, policy.id);
    return { status: 200, body: deps.jit.policyToArm(policy) };
  });
  router.add("PUT", one, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, WRITE, `/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/Microsoft.Security/locations/${p.loc}/jitNetworkAccessPolicies/${p.name}`);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8") || "{}");
    } catch {
      throw new HttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    }
    const policy = deps.jit.upsert(p.sub!, p.rg!, p.loc!, p.name!, body, (id) => deps.world.vm(id) !== undefined);
    return { status: 200, body: deps.jit.policyToArm(policy) };
  });
  router.add("DELETE", one, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, DELETE, `/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/Microsoft.Security/locations/${p.loc}/jitNetworkAccessPolicies/${p.name}`);
    const policy = deps.jit.find(p.sub!, p.rg!, p.loc!, p.name!);
    if (!policy) return { status: 204 };
    deps.jit.remove(policy);
    return { status: 200 };
  });
  router.add("POST", `${one}/initiate`, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8") || "{}");
    } catch {
      throw new HttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    }
    checkInitiateShape(body);
    const policy = deps.jit.find(p.sub!, p.rg!, p.loc!, p.name!);
    if (!policy) {
      requireAction(deps, req, READ, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
      throw new HttpError(404, "PolicyNotFound", `The JIT network access policy '${p.name}' was not found in resource group '${p.rg}' and location '${p.loc}'.`);
    }
    const caller = callerOf(req);
    // RBAC first, at each VM's scope, so that an unauthorised caller learns nothing about the policy.
    const vms = prop(body, "virtualMachines");
    for (const v of Array.isArray(vms) ? vms : []) {
      const id = str(prop(v, "id"));
      if (id) requireAction(deps, req, INITIATE, id);
    }
    const request = deps.jit.initiate(policy, body, caller.name, req.remoteAddress);
    req.audit.detail = `JIT initiate ${request.virtualMachines.map((v) => `${v.id.split("/").pop()}:${v.ports.map((x) => x.number).join(",")}`).join(" ")}`;
    return { status: 202, body: deps.jit.requestToArm(policy, request) };
  });
}
