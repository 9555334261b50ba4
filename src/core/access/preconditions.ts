import { JitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";

/** Refuses a request that cannot succeed, before any state change, naming what must change. */
export function checkPreconditions(vm: VmEntry): void {
  const r = vm.readiness;
  if (r.os === "Windows") throw new JitError("VmIsWindows", `${vm.name} runs Windows; Azure JIT Connect offers SSH only.`);
  if (!vm.eligibility && !vm.activeAssignment) throw new JitError("NoEligibleRole", `You have no eligible or active role that covers ${vm.name}. Ask for a PIM eligibility on it.`);
  if (r.jit.state === "noPolicy" || !vm.jitPolicy) throw new JitError("NoJitPolicy", `No Defender for Cloud JIT policy covers ${vm.name}. Ask a security administrator to enable JIT VM access (port 22) for it.`);
  if (r.jit.state === "portNotAllowed") throw new JitError("JitPortNotAllowed", `The JIT policy of ${vm.name} does not include port 22. Ask a security administrator to add it.`);
  if (r.jit.state === "sourceNotAllowed") throw new JitError("JitSourceNotAllowed", `${vm.name}: ${r.jit.fix ?? "the JIT policy does not allow port 22 from the Bastion subnet."}`);
  if (r.bastion.state === "none") throw new JitError("NoBastion", r.reasons.find((x) => /Bastion/.test(x)) ?? `No Azure Bastion can reach ${vm.name}.`);
  if (r.bastion.state === "noNativeClient") {
    const sku = (r.bastion.sku ?? "").toLowerCase();
    throw new JitError(sku === "standard" || sku === "premium" ? "BastionTunnelingDisabled" : "BastionSkuUnsupported", r.bastion.problem ?? `Bastion ${r.bastion.name ?? ""} cannot tunnel SSH.`, { details: { bastion: r.bastion.name, sku: r.bastion.sku } });
  }
}
