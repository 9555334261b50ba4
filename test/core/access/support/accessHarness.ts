import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccessInputProvider, AccessInputRequest, AccessInputValues } from "../../../../src/core/access/accessInput";
import { type AccessEvent, AccessMachine, type AccessMachineOptions } from "../../../../src/core/access/accessMachine";
import { GrantStore } from "../../../../src/core/access/grantStore";
import { AuditJournal } from "../../../../src/core/audit/auditJournal";
import type { AzureContext } from "../../../../src/core/azure/azureContext";
import { type Inventory, loadInventory, type VmEntry } from "../../../../src/core/inventory/loadInventory";
import { readinessGrantFor } from "../../../../src/core/access/readinessGrant";

/** Quick polling for tests: the simulator answers at once, nothing needs minutes of backoff. */
export const FAST_TIMING: AccessMachineOptions["timing"] = {
  approvalBackoff: { initialMs: 40, maxMs: 250, factor: 1.5, jitter: 0.2 },
  provisioningBackoff: { initialMs: 20, maxMs: 200, factor: 1.5, jitter: 0.2 },
  roleEffectiveTimeoutMs: 30_000,
  jitOpenTimeoutMs: 30_000,
};

/** An AccessInputProvider with canned answers that records what it was asked. */
export function cannedInput(values: Partial<AccessInputValues> = {}, asked: AccessInputRequest[] = []): AccessInputProvider {
  return async (request) => {
    asked.push(request);
    return { durationMs: values.durationMs ?? request.defaultDurationMs, justification: values.justification ?? "Investigating incident", ticket: values.ticket ?? { number: "INC-1001", system: "ServiceNow" } };
  };
}

export interface Harness {
  ctx: AzureContext;
  dir: string;
  store: GrantStore;
  journal: AuditJournal;
  machine: AccessMachine;
  events: AccessEvent[];
  asked: AccessInputRequest[];
  inventory(): Promise<Inventory>;
  vm(name: string): Promise<VmEntry>;
  /** A second machine over the same store file (what a restart builds). */
  restart(input?: AccessInputProvider): Promise<{ store: GrantStore; machine: AccessMachine }>;
  dispose(): Promise<void>;
}

export async function accessHarness(ctx: AzureContext, options: { input?: AccessInputProvider; values?: Partial<AccessInputValues> } = {}): Promise<Harness> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "access-"));
  const store = await GrantStore.open(path.join(dir, "state", "grants.json"), { logger: ctx.logger });
  const journal = await AuditJournal.open(path.join(dir, "audit"), { clock: ctx.clock });
  const asked: AccessInputRequest[] = [];
  const machine = new AccessMachine({ ctx, store, input: options.input ?? cannedInput(options.values, asked), audit: journal, timing: FAST_TIMING });
  const events: AccessEvent[] = [];
  machine.onDidChange((e) => events.push(e));
  const inventory = (): Promise<Inventory> => loadInventory(ctx, { grantFor: (id) => readinessGrantFor(store, id, ctx.clock.now()) });
  return {
    ctx,
    dir,
    store,
    journal,
    machine,
    events,
    asked,
    inventory,
    async vm(name) {
      const found = (await inventory()).vms.find((v) => v.name === name);
      if (!found) throw new Error(`VM ${name} not in the inventory`);
      return found;
    },
    async restart(input) {
      await store.flush();
      const store2 = await GrantStore.open(store.file, { logger: ctx.logger });
      return { store: store2, machine: new AccessMachine({ ctx, store: store2, input: input ?? cannedInput(options.values), audit: journal, timing: FAST_TIMING }) };
    },
    async dispose() {
      await store.flush();
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when an event matching `predicate` is emitted. */
export function waitForEvent(machine: AccessMachine, predicate: (e: AccessEvent) => boolean): Promise<AccessEvent> {
  return new Promise((resolve) => {
    const off = machine.onDidChange((e) => {
      if (predicate(e)) {
        off();
        resolve(e);
      }
    });
  });
}
