import { isCancellation, throwIfAborted } from "../cancellation";
import { type AzureContext, getCallerIdentity } from "../azure/azureContext";
import { describeDuration } from "../azure/isoDuration";
import type { SecretReader } from "../credential/secretReader";
import { type ErrorCode, errorMessage, isJitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import { findSshClient } from "./sshClient";

export type PreflightStatus = "ok" | "warn" | "fail" | "skipped";

export type PreflightCheckId = "signedIn" | "clock" | "os" | "power" | "role" | "jitPolicy" | "jitWindow" | "bastion" | "credentialSource" | "credentialReadable" | "sshClient" | "sshConfig" | "broker";

export interface PreflightItem {
  check: PreflightCheckId;
  title: string;
  status: PreflightStatus;
  detail: string;
  /** What the user can do about a warn or fail. */
  fix?: string;
  /** The error code a connection attempt would fail with. */
  code?: ErrorCode;
}

export interface PreflightDeps {
  ctx: AzureContext;
  /** Reads the VM's credential secret (the value is discarded at once). Omit to skip the check. */
  readSecret?: SecretReader;
  /** Finds the local `ssh`; defaults to running `ssh -V`. */
  findSsh?: () => Promise<string | undefined>;
}

const SKEW_WARNING_MS = 5 * 60_000;

/**
 * Runs every connectivity check for one VM and returns them in the order a user fixes them: sign-in
 * and clock, the VM itself, access (PIM role, JIT), the network path (Bastion), the credential, the
 * local ssh client. Checks that depend on a failed one are skipped, not failed again. Never throws
 * for a failed check; only cancellation propagates.
 */
export async function checkConnectivity(vm: VmEntry, deps: PreflightDeps, signal?: AbortSignal): Promise<PreflightItem[]> {
  const r = vm.readiness;
  const now = deps.ctx.clock.now();
  const items: PreflightItem[] = [];
  const add = (item: PreflightItem): void => {
    items.push(item);
  };

  // Sign-in to the VM's tenant (a guest needs a token from the resource tenant).
  let signedIn = false;
  try {
    const who = await getCallerIdentity(deps.ctx, vm.tenantId, signal);
    signedIn = true;
    add({ check: "signedIn", title: "Signed in", status: "ok", detail: `Signed in as ${who.upn ?? who.principalId} in tenant ${vm.tenantName ?? vm.tenantId}.` });
  } catch (e) {
    if (isCancellation(e)) throw e;
    add({ check: "signedIn", title: "Signed in", status: "fail", detail: errorMessage(e), fix: "Sign in to Azure again (Azure JIT Connect: Sign In).", code: isJitError(e) ? e.code : "NotSignedIn" });
  }

  const skew = Math.abs(deps.ctx.clock.skew);
  add(
    skew > SKEW_WARNING_MS
      ? { check: "clock", title: "Clock", status: "warn", detail: `Your clock differs from Azure's by ${describeDuration(skew)}. Countdowns follow Azure's clock, but other tools may not.`, fix: "Turn on automatic time synchronisation." }
      : { check: "clock", title: "Clock", status: "ok", detail: "Your clock agrees with Azure's." },
  );

  add(
    r.os === "Windows"
      ? { check: "os", title: "Operating system", status: "fail", detail: `${vm.name} runs Windows; SSH is not offered.`, fix: "Use RDP through Azure Bastion in the portal.", code: "VmIsWindows" }
      : r.os === "Linux"
        ? { check: "os", title: "Operating system", status: "ok", detail: "Linux." }
        : { check: "os", title: "Operating system", status: "warn", detail: "The OS type is not reported; assuming it runs sshd." },
  );

  add(
    r.power === "running"
      ? { check: "power", title: "VM running", status: "ok", detail: `${vm.name} is running.` }
      : { check: "power", title: "VM running", status: "fail", detail: `${vm.name} is ${r.power}.`, fix: "Start the VM (portal, or your team's start procedure), then refresh.", code: "VmNotRunning" },
  );

  const role = r.role;
  add(
    role.state === "active"
      ? { check: "role", title: "PIM role", status: "ok", detail: role.endsAt === undefined ? `Role "${role.roleName ?? ""}" is assigned permanently.` : `Role "${role.roleName ?? ""}" is active for another ${describeDuration(Math.max(0, role.endsAt - now))}.` }
      : role.state === "eligible"
        ? { check: "role", title: "PIM role", status: "warn", detail: r.reasons.find((x) => x.includes("must be activated")) ?? "The role must be activated.", fix: "Request access: it activates the role and opens JIT." }
        : role.state === "pendingApproval"
          ? { check: "role", title: "PIM role", status: "warn", detail: "The activation is waiting for an approver.", fix: "Wait for the approval, or contact an approver." }
          : { check: "role", title: "PIM role", status: "fail", detail: "No eligible or active role covers this VM.", fix: "Ask your administrator for a PIM eligibility on the VM or its resource group.", code: "NoEligibleRole" },
  );

  const jit = r.jit;
  add(
    jit.state === "noPolicy"
      ? { check: "jitPolicy", title: "JIT policy", status: "fail", detail: "No Defender for Cloud JIT policy covers this VM.", fix: "Ask a security administrator to enable JIT VM access with port 22.", code: "NoJitPolicy" }
      : jit.state === "portNotAllowed"
        ? { check: "jitPolicy", title: "JIT policy", status: "fail", detail: "The VM's JIT policy does not include port 22.", fix: "Ask a security administrator to add port 22 to the JIT policy.", code: "JitPortNotAllowed" }
        : jit.state === "sourceNotAllowed"
        ? { check: "jitPolicy", title: "JIT policy", status: "fail", detail: jit.fix ?? "The VM's JIT policy does not allow port 22 from the Bastion subnet.", fix: "Ask a security administrator to add the Bastion subnet prefix to the port 22 rule.", code: "JitSourceNotAllowed" }
        : { check: "jitPolicy", title: "JIT policy", status: "ok", detail: `Port 22 may be requested${jit.maxDurationMs !== undefined ? ` for up to ${describeDuration(jit.maxDurationMs)}` : ""}.` },
  );
  add(
    jit.state === "noPolicy" || jit.state === "portNotAllowed" || jit.state === "sourceNotAllowed"
      ? { check: "jitWindow", title: "JIT window", status: "skipped", detail: "No JIT policy for port 22 from the Bastion subnet." }
      : jit.state === "active"
        ? { check: "jitWindow", title: "JIT window", status: "ok", detail: `Port 22 is open to the Bastion subnet for another ${describeDuration(Math.max(0, (jit.endsAt ?? now) - now))}.` }
        : { check: "jitWindow", title: "JIT window", status: "warn", detail: "Port 22 is closed (no open JIT request from the Bastion subnet).", fix: "Request access." },
  );

  const b = r.bastion;
  add(
    b.state === "ok"
      ? { check: "bastion", title: "Bastion", status: b.subnetPrefix ? "ok" : "warn", detail: `Bastion ${b.name ?? ""} (${b.sku ?? ""}, native client) reaches the VM through the ${b.relation === "sameVnet" ? "same" : "peered"} virtual network${b.subnetPrefix ? `; its subnet is ${b.subnetPrefix}` : "; its subnet address is unknown"}.`, fix: b.subnetPrefix ? undefined : "Make sure you can read the Bastion's virtual network." }
      : b.state === "noNativeClient"
        ? { check: "bastion", title: "Bastion", status: "fail", detail: b.problem ?? `Bastion ${b.name ?? ""} cannot tunnel SSH.`, fix: "Ask the network owner for a Standard or Premium Bastion with native client support.", code: (b.sku ?? "").toLowerCase() === "standard" || (b.sku ?? "").toLowerCase() === "premium" ? "BastionTunnelingDisabled" : "BastionSkuUnsupported" }
        : { check: "bastion", title: "Bastion", status: "fail", detail: r.reasons.find((x) => x.includes("Bastion") || x.includes("network")) ?? "No Bastion reaches the VM.", fix: "Ask the network owner for a Standard Bastion with native client support in the VM's or a peered virtual network.", code: "NoBastion" },
  );

  const cred = r.credential;
  add(
    cred.source === "unknown"
      ? { check: "credentialSource", title: "Credential source", status: "warn", detail: "The VM has no azure-jit-connect.secret tag and no credential was chosen.", fix: "Tag the VM with azure-jit-connect.secret (a Key Vault secret URI), or choose the secret when connecting.", code: "NoCredentialSource" }
      : { check: "credentialSource", title: "Credential source", status: "ok", detail: `Key Vault secret ${cred.secretUri ?? ""}${cred.source === "remembered" ? " (your choice)" : " (VM tag)"}, user ${cred.username ?? "?"}.` },
  );

  if (cred.source === "unknown" || !cred.secretUri || !deps.readSecret) {
    add({ check: "credentialReadable", title: "Credential readable", status: "skipped", detail: cred.source === "unknown" ? "No credential source." : "Not checked." });
  } else if (!signedIn) {
    add({ check: "credentialReadable", title: "Credential readable", status: "skipped", detail: "Not signed in." });
  } else {
    try {
      throwIfAborted(signal);
      const secret = await deps.readSecret(new URL(cred.secretUri), signal);
      add({ check: "credentialReadable", title: "Credential readable", status: "ok", detail: `Secret "${secret.name}" can be read${secret.contentType ? ` (${secret.contentType})` : ""}.` });
    } catch (e) {
      if (isCancellation(e)) throw e;
      const code = isJitError(e) ? e.code : undefined;
      const fix =
        code === "SecretForbidden"
          ? "Ask for the Key Vault Secrets User role on the vault."
          : code === "SecretNotFound"
            ? "Fix the azure-jit-connect.secret tag, or ask the VM owner where the credential is."
            : code === "VaultNotAllowed"
              ? "The tag points outside this cloud's Key Vault service; fix the tag."
              : undefined;
      add({ check: "credentialReadable", title: "Credential readable", status: "fail", detail: errorMessage(e), fix, code });
    }
  }

  const ssh = await (deps.findSsh ?? (() => findSshClient()))();
  add(
    ssh
      ? { check: "sshClient", title: "Local ssh", status: "ok", detail: ssh }
      : { check: "sshClient", title: "Local ssh", status: "fail", detail: "No OpenSSH client (ssh) was found on PATH.", fix: "Install the OpenSSH client (Windows: Settings → Optional features → OpenSSH Client).", code: "SshClientMissing" },
  );
  return items;
}
