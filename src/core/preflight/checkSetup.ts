import { isCancellation, throwIfAborted } from "../cancellation";
import type { AzureContext } from "../azure/azureContext";
import type { SecretReader } from "../credential/secretReader";
import { errorMessage, isJitError } from "../errors";
import { mapWithConcurrency } from "../inventory/concurrency";
import type { VmEntry } from "../inventory/loadInventory";
import { readRolePermissions, roleAllows, type RolePermissions } from "./roleActions";
import { BUILT_IN_ROLES, GET_SECRET_DATA_ACTION, JIT_INITIATE_ACTION, NATIVE_CLIENT_SKUS, SECRET_TAG, SETUP_DOCS, SSH_PORT, USERNAME_TAG } from "./setupRequirements";

/**
 * "Check my Azure setup": the administrator's prerequisites of docs/azure-setup.md for one VM, each
 * present, missing or impossible to tell with the user's current rights, with the one fix (portal
 * path, `az` command, documentation page). Reads only: the inventory already holds most facts; the
 * role definition and the secret are read here. Never throws for a finding; cancellation propagates.
 */

export type SetupStatus = "present" | "missing" | "unknown" | "optional";

export type SetupRequirementId = "pimEligibility" | "roleActions" | "jitPolicy" | "jitSource" | "bastion" | "bastionNativeClient" | "secretTag" | "secretAccess" | "conditionalAccess";

export interface SetupFix {
  /** Where to click in the Azure portal. */
  portal: string;
  /** The `az` command that does it (names quoted for a POSIX shell). */
  az?: string;
  /** The official documentation page. */
  doc: string;
}

export interface SetupFinding {
  requirement: SetupRequirementId;
  status: SetupStatus;
  /** What was found, in plain words (may quote names from Azure: escape when rendering). */
  detail: string;
  fix?: SetupFix;
}

export interface SetupCheckDeps {
  ctx: AzureContext;
  /** Reads the VM's credential secret (the value is discarded at once). Omit to report "cannot tell". */
  readSecret?: SecretReader;
  /** Reads the eligible role's definition; defaults to ARM. */
  readRole?: (tenantId: string, roleDefinitionId: string, signal?: AbortSignal) => Promise<RolePermissions>;
}

/** One argument for a POSIX shell, whatever Azure put in it. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9._/:=@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

export async function checkSetup(vm: VmEntry, deps: SetupCheckDeps, signal?: AbortSignal): Promise<SetupFinding[]> {
  const r = vm.readiness;
  const q = shellQuote;
  const findings: SetupFinding[] = [];
  const vmScope = `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}`;

  // 1. PIM eligibility for a narrowly scoped role on the VM or its resource group.
  const role = r.role;
  const roleScope = role.scope ?? "";
  const narrow = /\/resourcegroups\//i.test(roleScope);
  findings.push(
    role.state === "none"
      ? {
          requirement: "pimEligibility",
          status: "missing",
          detail: `No PIM eligibility or active assignment of yours covers ${vm.name}.`,
          fix: {
            portal: `Privileged Identity Management → Azure resources → resource group ${vm.resourceGroup} → Assignments → Add assignments (type Eligible).`,
            // Quoted pieces around an unquoted `$(uuidgen)`: the request name is a new GUID, the rest is Azure's text.
            az: `az rest --method put --url ${q(`https://management.azure.com${vmScope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/`)}"$(uuidgen)"${q("?api-version=2020-10-01")} --body @eligibility.json`,
            doc: SETUP_DOCS.pimEligibility,
          },
        }
      : {
          requirement: "pimEligibility",
          status: "present",
          detail: `${role.state === "active" ? "Active" : "Eligible"}: role "${role.roleName ?? role.roleDefinitionId ?? "?"}" at ${roleScope || "an unknown scope"}${narrow ? "" : " (broader than a resource group: consider narrowing it)"}.`,
        },
  );

  // 2. The role can ask for JIT (the one action only the activated role gives).
  const roleRead = await readEligibleRole(vm, deps, signal);
  findings.push(roleActionsFinding(vm, roleRead));

  // 3 and 4. The JIT policy: port 22, and the Bastion subnet as an allowed source.
  const jit = r.jit;
  const jitFix: SetupFix = {
    portal: `Microsoft Defender for Cloud → Workload protections → Just-in-time VM access → Not configured → ${vm.name} → Enable JIT on 1 VM (port ${SSH_PORT}).`,
    az: `az rest --method put --url ${q(`https://management.azure.com${vmScope}/providers/Microsoft.Security/locations/${vm.location}/jitNetworkAccessPolicies/default?api-version=2020-01-01`)} --body @jit-policy.json`,
    doc: SETUP_DOCS.jit,
  };
  findings.push(
    jit.state === "noPolicy"
      ? { requirement: "jitPolicy", status: "missing", detail: `No Defender for Cloud JIT policy lists ${vm.name}.`, fix: jitFix }
      : jit.state === "portNotAllowed"
        ? { requirement: "jitPolicy", status: "missing", detail: `The JIT policy of ${vm.name} has no rule for TCP port ${SSH_PORT}.`, fix: jitFix }
        : { requirement: "jitPolicy", status: "present", detail: `The JIT policy allows port ${SSH_PORT}.` },
  );
  findings.push(jitSourceFinding(r, jitFix));

  // 5 and 6. A Bastion that reaches the VM, Standard or Premium with native client support.
  const b = r.bastion;
  const bastionRecord = vm.bastion;
  if (b.state === "none") {
    findings.push({
      requirement: "bastion",
      status: "missing",
      detail: `No Azure Bastion is in ${vm.name}'s virtual network or a peered one (or its network could not be read).`,
      fix: {
        portal: "Bastions → Create: the VM's (or a peered hub) virtual network, a subnet named AzureBastionSubnet (/26 or larger), tier Standard, Native client support on.",
        az: `az network bastion create --name <bastion> --resource-group <rg> --vnet-name <hub-vnet> --public-ip-address <pip> --sku Standard --enable-tunneling true`,
        doc: SETUP_DOCS.bastionNativeClient,
      },
    });
    findings.push({ requirement: "bastionNativeClient", status: "unknown", detail: "No Bastion to check." });
  } else {
    findings.push({ requirement: "bastion", status: "present", detail: `Bastion ${b.name ?? "?"} reaches ${vm.name} (${b.relation === "sameVnet" ? "same" : "peered"} virtual network).` });
    const sku = b.sku ?? "";
    const tierOk = NATIVE_CLIENT_SKUS.some((s) => s.toLowerCase() === sku.toLowerCase());
    const bastionArgs = `--name ${q(b.name ?? "<bastion>")} --resource-group ${q(bastionRecord?.resourceGroup ?? "<rg>")}`;
    findings.push(
      b.state === "ok"
        ? { requirement: "bastionNativeClient", status: "present", detail: `Bastion ${b.name ?? "?"} is ${sku} with native client support on.` }
        : tierOk
          ? {
              requirement: "bastionNativeClient",
              status: "missing",
              detail: `Bastion ${b.name ?? "?"} has native client support off.`,
              fix: { portal: `Bastions → ${b.name ?? "?"} → Configuration → Native client support.`, az: `az network bastion update ${bastionArgs} --enable-tunneling true`, doc: SETUP_DOCS.bastionNativeClient },
            }
          : {
              requirement: "bastionNativeClient",
              status: "missing",
              detail: `Bastion ${b.name ?? "?"} is ${sku || "of an unknown tier"}; native client needs Standard or Premium.`,
              fix: { portal: `Bastions → ${b.name ?? "?"} → Configuration → Tier: Standard, then Native client support.`, az: `az network bastion update ${bastionArgs} --sku Standard --enable-tunneling true`, doc: SETUP_DOCS.bastionSkus },
            },
    );
  }

  // 7. The VM's tags name the secret (and optionally the user).
  const cred = r.credential;
  const tagFix: SetupFix = {
    portal: `Virtual machines → ${vm.name} → Tags: ${SECRET_TAG} = https://<vault>.vault.azure.net/secrets/<name>, ${USERNAME_TAG} = <login user>.`,
    az: `az tag update --resource-id ${q(vm.id)} --operation Merge --tags ${SECRET_TAG}=https://<vault>.vault.azure.net/secrets/<name> ${USERNAME_TAG}=<user>`,
    doc: SETUP_DOCS.tags,
  };
  findings.push(
    cred.source === "tag"
      ? { requirement: "secretTag", status: "present", detail: `${SECRET_TAG} names ${cred.secretUri ?? "?"}; login user ${cred.username ?? "?"}${vm.tags && Object.keys(vm.tags).some((k) => k.toLowerCase() === USERNAME_TAG) ? "" : " (the VM's admin user: no username tag)"}.` }
      : cred.source === "invalid"
        ? { requirement: "secretTag", status: "missing", detail: cred.problem ?? `The ${SECRET_TAG} tag cannot be used.`, fix: tagFix }
        : { requirement: "secretTag", status: "missing", detail: `${vm.name} has no ${SECRET_TAG} tag${cred.source === "remembered" ? " (you chose a secret yourself; others will have to as well)" : ""}.`, fix: tagFix },
  );

  // 8. Key Vault Secrets User on the secret or its vault, directly or through the PIM role.
  findings.push(await secretAccessFinding(vm, deps, roleRead, signal));

  // 9. Conditional Access authentication context on activation: optional, reported for what it is.
  const req = role.requirements;
  findings.push(
    !req
      ? { requirement: "conditionalAccess", status: "unknown", detail: role.state === "none" ? "No role, so no activation policy to read." : "The role's PIM policy was not read (yet)." }
      : req.authenticationContext
        ? { requirement: "conditionalAccess", status: "present", detail: `Activation requires Conditional Access authentication context ${req.authenticationContext}.` }
        : {
            requirement: "conditionalAccess",
            status: "optional",
            detail: req.mfa ? "Activation requires multi-factor authentication; no authentication context." : "Activation asks for no authentication context (optional).",
            fix: { portal: "Privileged Identity Management → Azure resources → the scope → Settings → the role → Edit → On activation, require Microsoft Entra Conditional Access authentication context.", doc: SETUP_DOCS.authenticationContext },
          },
  );
  return findings;
}

/** The eligible (or active) role's permissions; an Error when they could not be read; undefined without a role. */
async function readEligibleRole(vm: VmEntry, deps: SetupCheckDeps, signal?: AbortSignal): Promise<RolePermissions | Error | undefined> {
  const id = vm.readiness.role.roleDefinitionId;
  if (vm.readiness.role.state === "none" || !id) return undefined;
  const readRole = deps.readRole ?? ((tenantId: string, roleId: string, s?: AbortSignal) => readRolePermissions(deps.ctx, tenantId, roleId, s));
  try {
    throwIfAborted(signal);
    return await readRole(vm.tenantId, id, signal);
  } catch (e) {
    if (isCancellation(e)) throw e;
    return e instanceof Error ? e : new Error(String(e));
  }
}

function roleActionsFinding(vm: VmEntry, roleRead: RolePermissions | Error | undefined): SetupFinding {
  if (roleRead === undefined) return { requirement: "roleActions", status: "unknown", detail: "No role to read." };
  if (roleRead instanceof Error) return { requirement: "roleActions", status: "unknown", detail: `The role definition could not be read: ${errorMessage(roleRead)}` };
  const name = roleRead.roleName ?? vm.readiness.role.roleName ?? "?";
  return roleAllows(roleRead, JIT_INITIATE_ACTION)
    ? { requirement: "roleActions", status: "present", detail: `Role "${name}" may request JIT access (${JIT_INITIATE_ACTION}).` }
    : {
        requirement: "roleActions",
        status: "missing",
        detail: `Role "${name}" does not allow ${JIT_INITIATE_ACTION}: activating it will not let you open port ${SSH_PORT}.`,
        fix: {
          portal: "Subscriptions → the subscription → Access control (IAM) → Roles → a custom role with the actions of docs/azure-setup.md, then make the user eligible for it.",
          az: "az role definition create --role-definition @jit-vm-connector.json",
          doc: SETUP_DOCS.jit,
        },
      };
}

function jitSourceFinding(r: VmEntry["readiness"], jitFix: SetupFix): SetupFinding {
  const jit = r.jit;
  if (jit.state === "noPolicy" || jit.state === "portNotAllowed") return { requirement: "jitSource", status: "unknown", detail: `No JIT rule for port ${SSH_PORT} to check.` };
  const prefix = r.bastion.subnetPrefix;
  const allowed = jit.allowedSourcePrefixes ?? [];
  if (!prefix) return { requirement: "jitSource", status: "unknown", detail: "The Bastion subnet's address prefix is not known (no Bastion, or its virtual network is not readable)." };
  // The product asks for exactly the Bastion subnet prefix; Defender matches it verbatim, or any source for "*".
  const ok = allowed.length === 0 || allowed.some((p) => p === "*" || p.toLowerCase() === "any" || p === prefix);
  return ok
    ? { requirement: "jitSource", status: "present", detail: `Requests from the Bastion subnet ${prefix} are allowed (${allowed.length === 0 ? "any source" : allowed.join(", ")}).` }
    : { requirement: "jitSource", status: "missing", detail: `The JIT rule for port ${SSH_PORT} allows ${allowed.join(", ")}, not the Bastion subnet ${prefix}.`, fix: { ...jitFix, portal: `Microsoft Defender for Cloud → Just-in-time VM access → Configured → the VM → … → Edit → port ${SSH_PORT} → Allowed source IPs: ${prefix}.` } };
}

async function secretAccessFinding(vm: VmEntry, deps: SetupCheckDeps, roleRead: RolePermissions | Error | undefined, signal?: AbortSignal): Promise<SetupFinding> {
  const cred = vm.readiness.credential;
  const kvsu = BUILT_IN_ROLES.keyVaultSecretsUser.name;
  const fix: SetupFix = {
    portal: `Key vaults → the vault → Access control (IAM) → Add role assignment → ${kvsu} → the user (or include ${GET_SECRET_DATA_ACTION} in the PIM role).`,
    az: `az role assignment create --role ${q(kvsu)} --assignee <user@domain> --scope <vault resource id>/secrets/<name>`,
    doc: SETUP_DOCS.keyVaultRbac,
  };
  if (!cred.secretUri || (cred.source !== "tag" && cred.source !== "remembered")) return { requirement: "secretAccess", status: "unknown", detail: "No secret to read." };
  if (!deps.readSecret) return { requirement: "secretAccess", status: "unknown", detail: "Not checked." };
  try {
    throwIfAborted(signal);
    const secret = await deps.readSecret(new URL(cred.secretUri), signal);
    return { requirement: "secretAccess", status: "present", detail: `You can read secret "${secret.name}".` };
  } catch (e) {
    if (isCancellation(e)) throw e;
    const code = isJitError(e) ? e.code : undefined;
    if (code === "SecretNotFound") return { requirement: "secretAccess", status: "missing", detail: errorMessage(e), fix: { ...fix, portal: "Key vaults → the vault → Secrets → Generate/Import: the name the tag gives." } };
    if (code !== "SecretForbidden") return { requirement: "secretAccess", status: "unknown", detail: errorMessage(e) };
    // Forbidden now may still be fine once the PIM role is active, if the role carries the data action.
    const roleActive = vm.readiness.role.state === "active";
    const roleGrants = roleRead === undefined || roleRead instanceof Error ? undefined : roleAllows(roleRead, GET_SECRET_DATA_ACTION, "data");
    if (!roleActive && roleGrants === true) return { requirement: "secretAccess", status: "present", detail: "Readable once the PIM role is active (the role includes the secret read)." };
    if (!roleActive && roleGrants === undefined) return { requirement: "secretAccess", status: "unknown", detail: "Not readable now; it may be once the PIM role is active." };
    return { requirement: "secretAccess", status: "missing", detail: `You cannot read the secret (${q(cred.secretUri)}); you need ${kvsu} on it or its vault.`, fix };
  }
}

const q = shellQuote;

/** One VM's findings, for reports over several VMs. */
export interface VmSetupReport {
  vm: Pick<VmEntry, "id" | "name" | "subscriptionId" | "subscriptionName" | "resourceGroup">;
  findings: SetupFinding[];
}

/**
 * The setup check over several VMs (all listed, or one), a few at a time: each VM's reads are
 * independent, and a tenant with many VMs should neither serialise nor flood ARM.
 */
export async function checkSetupForVms(vms: readonly VmEntry[], deps: SetupCheckDeps, signal?: AbortSignal, concurrency = 4): Promise<VmSetupReport[]> {
  return mapWithConcurrency(
    vms,
    concurrency,
    async (vm) => ({ vm: { id: vm.id, name: vm.name, subscriptionId: vm.subscriptionId, subscriptionName: vm.subscriptionName, resourceGroup: vm.resourceGroup }, findings: await checkSetup(vm, deps, signal) }),
    signal,
  );
}
