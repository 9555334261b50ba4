/**
 * The VM-side login decision of Entra ID SSH login, asked by a simulated VM's sshd at every login
 * (vms/entraLogin.ts). What `aad_certhandler` on a real VM decides with pas.windows.net: the login
 * name is the user's UPN (the certificate's principal; the CA signature was already checked by
 * sshd), the certificate was issued in the VM's tenant for that user (key id `<oid>@<tid>`), and
 * Azure RBAC grants `Microsoft.Compute/virtualMachines/login/action` on the VM *now* (Virtual
 * Machine User Login or Administrator Login, standing or PIM-activated; learn.microsoft.com
 * howto-vm-sign-in-azure-ad-linux: Owner/Contributor are not enough). Served on the control
 * origin (`GET /_sim/vms/{vm}/entra-login?user=&keyId=`) because it stands for a call inside the
 * VM, not for an Azure API a client could make.
 */
import { queryParam } from "../http/request";
import type { Reply, Router } from "../http/router";
import type { Directory } from "../world/directory";
import type { VirtualMachineModel } from "../world/model";
import type { Rbac } from "../world/rbac";
import type { World } from "../world/world";

export const VM_LOGIN_ACTION = "Microsoft.Compute/virtualMachines/login/action";
/** Built-in role GUIDs that carry the login data action (User Login, Administrator Login). */
export const VM_LOGIN_ROLE_GUIDS = ["fb879df8-f326-4884-b1cf-06f3ad86be52", "1c0163c0-47e6-4577-8991-ea5c82e286e4"];

export interface SshLoginCheckDeps {
  world: World;
  directory: Directory;
  rbac: Rbac;
}

export type SshLoginDecision = { ok: true; principal: string } | { ok: false; reason: string };

export function decideSshLogin(d: SshLoginCheckDeps, vm: VirtualMachineModel | undefined, loginName: string, keyId: string): SshLoginDecision {
  if (!vm?.entraLogin || !vm.systemIdentityPrincipalId) return { ok: false, reason: "the VM has no working AADSSHLoginForLinux extension" };
  const tenantId = d.world.subscription(vm.subscriptionId)?.tenantId ?? "";
  const user = d.directory.user(loginName);
  if (!user || user.upn.toLowerCase() !== loginName) return { ok: false, reason: `no Entra user ${loginName}` };
  const objectId = user.objectIds.get(tenantId);
  if (!objectId) return { ok: false, reason: `${user.upn} is not a member or guest of the VM's tenant` };
  if (keyId.toLowerCase() !== `${objectId}@${tenantId}`.toLowerCase()) return { ok: false, reason: "the certificate was issued for another user or tenant" };
  if (!d.rbac.can({ objectId }, VM_LOGIN_ACTION, vm.id, true)) return { ok: false, reason: `Azure RBAC does not grant ${user.upn} ${VM_LOGIN_ACTION} on ${vm.name} now` };
  return { ok: true, principal: user.upn };
}

export function registerSshLoginCheck(router: Router, d: SshLoginCheckDeps): void {
  router.add("GET", "/_sim/vms/{vm}/entra-login", (req, p): Reply => {
    const vm = d.world.scenario.vms.find((v) => v.name.toLowerCase() === (p.vm ?? "").toLowerCase() && v.entraLogin);
    const loginName = queryParam(req, "user") ?? "";
    const decision = decideSshLogin(d, vm, loginName, queryParam(req, "keyId") ?? "");
    req.audit.principal = loginName;
    req.audit.detail = decision.ok ? `entra ssh login to ${p.vm}: allowed` : `entra ssh login to ${p.vm}: refused (${decision.reason})`;
    // sshd reads the principals from stdout; curl -f prints nothing on an error status.
    return decision.ok ? { status: 200, contentType: "text/plain", body: `${decision.principal}\n` } : { status: 403, contentType: "text/plain", body: `${decision.reason}\n` };
  });
}
