/**
 * Microsoft.Compute virtual machines (§4.1): listAll (incl. statusOnly=true), list by resource
 * group, get (with $expand=instanceView), instanceView, and start as a real ARM long-running
 * operation: 202 + `Azure-AsyncOperation` (status monitor) + `Location` (final result), which is
 * what arm-compute 24's poller follows (resourceLocationConfig "location").
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "../http/errors";
import { page } from "../http/paging";
import { queryParam, type SimRequest } from "../http/request";
import type { Reply, Router } from "../http/router";
import type { VirtualMachineModel } from "../world/model";
import { callerOf, requireAction, requireSubscription, resourceNotFound, type ArmDeps } from "./armContext";
import { vmInstanceView, vmToArm } from "./shapes";

const READ = "Microsoft.Compute/virtualMachines/read";

interface Operation {
  id: string;
  vmId: string;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

export function registerCompute(router: Router, deps: ArmDeps): void {
  const operations = new Map<string, Operation>();
  const base = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines";

  const findVm = (req: SimRequest, sub: string, rg: string, name: string, action: string): VirtualMachineModel => {
    requireSubscription(deps, req, sub);
    const vm = deps.world.vm(`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`);
    if (!vm) {
      requireAction(deps, req, action, `/subscriptions/${sub}/resourceGroups/${rg}`);
      throw resourceNotFound("Microsoft.Compute/virtualMachines", name, rg);
    }
    requireAction(deps, req, action, vm.id);
    return vm;
  };
  const list = (req: SimRequest, vms: VirtualMachineModel[], statusOnly: boolean): Reply => {
    const nowIso = deps.clock.nowIso();
    const caller = callerOf(req);
    const visible = vms.filter((v) => deps.rbac.can(caller, READ, v.id));
    return { status: 200, body: page(req, visible.map((v) => vmToArm(v, { instanceView: statusOnly, nowIso, tenantId: deps.world.subscription(v.subscriptionId)?.tenantId })), deps.settings.armPageSize) };
  };

  router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines", (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, READ, `/subscriptions/${p.sub}`);
    const statusOnly = (queryParam(req, "statusOnly") ?? "").toLowerCase() === "true";
    return list(req, deps.world.inSubscription(p.sub!, ["microsoft.compute/virtualmachines"]) as VirtualMachineModel[], statusOnly);
  });
  router.add("GET", base, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, READ, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
    return list(req, deps.world.inResourceGroup(p.sub!, p.rg!, "Microsoft.Compute/virtualMachines") as VirtualMachineModel[], false);
  });
  router.add("GET", `${base}/{vm}`, (req, p) => {
    const vm = findVm(req, p.sub!, p.rg!, p.vm!, READ);
    const expand = (queryParam(req, "$expand") ?? "").toLowerCase();
    return { status: 200, body: vmToArm(vm, { instanceView: expand === "instanceview", nowIso: deps.clock.nowIso(), tenantId: deps.world.subscription(vm.subscriptionId)?.tenantId }) };
  });
  router.add("GET", `${base}/{vm}/instanceView`, (req, p) => {
    const vm = findVm(req, p.sub!, p.rg!, p.vm!, READ);
    return { status: 200, body: vmInstanceView(vm, deps.clock.nowIso()) };
  });
  router.add("POST", `${base}/{vm}/start`, (req, p) => {
    const vm = findVm(req, p.sub!, p.rg!, p.vm!, "Microsoft.Compute/virtualMachines/start/action");
    const op: Operation = { id: randomUUID(), vmId: vm.id, status: "InProgress", startTime: deps.clock.nowIso() };
    operations.set(op.id, op);
    req.audit.detail = `start ${vm.name}`;
    deps.power.start(vm.id).then(
      () => {
        op.status = "Succeeded";
        op.endTime = deps.clock.nowIso();
      },
      (e: unknown) => {
        op.status = "Failed";
        op.endTime = deps.clock.nowIso();
        op.error = { code: "VMStartFailed", message: e instanceof Error ? e.message : String(e) };
      },
    );
    const apiVersion = queryParam(req, "api-version") ?? "";
    const opBase = `${req.origin}/subscriptions/${vm.subscriptionId}/providers/Microsoft.Compute/locations/${vm.location}/operations/${op.id}`;
    return {
      status: 202,
      headers: {
        "Azure-AsyncOperation": `${opBase}?p=${encodeURIComponent(vm.vmGuid)}&api-version=${apiVersion}`,
        Location: `${opBase}?p=${encodeURIComponent(vm.vmGuid)}&monitor=true&api-version=${apiVersion}`,
        "Retry-After": retryAfter(deps),
      },
    };
  });
  router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/operations/{op}", (req, p): Reply => {
    requireSubscription(deps, req, p.sub!);
    const op = operations.get(p.op!);
    if (!op) throw new HttpError(404, "NotFound", `The operation '${p.op}' was not found.`);
    if ((queryParam(req, "monitor") ?? "").toLowerCase() === "true") {
      // The Location URL: 202 while running, then the operation's result (start has no body).
      if (op.status === "InProgress") return { status: 202, headers: { "Retry-After": retryAfter(deps) } };
      if (op.status === "Failed") throw new HttpError(500, op.error!.code, op.error!.message);
      return { status: 200 };
    }
    return {
      status: 200,
      headers: op.status === "InProgress" ? { "Retry-After": retryAfter(deps) } : {},
      body: { startTime: op.startTime, ...(op.endTime ? { endTime: op.endTime } : {}), status: op.status, name: op.id, ...(op.error ? { error: op.error } : {}) },
    };
  });
}

function retryAfter(deps: ArmDeps): string {
  return deps.settings.vmStartSeconds > 0 ? "1" : "0";
}
