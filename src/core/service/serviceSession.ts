import { AccessMachine } from "../access/accessMachine";
import type { GrantStore } from "../access/grantStore";
import type { AuditJournal } from "../audit/auditJournal";
import { createAzureContext, getCallerIdentity, type AzureContext, type CallerIdentity } from "../azure/azureContext";
import type { Clock } from "../clock";
import { errorMessage } from "../errors";
import type { Logger } from "../logger";
import type { JitConnectServiceOptions } from "./serviceTypes";

/** What exists only while signed in. */
export interface SignedInSession {
  ctx: AzureContext;
  identity: CallerIdentity;
  machine: AccessMachine;
}

/**
 * Signs in: gets a token for the home tenant (this is when the user sees a device code or a
 * Conditional Access refusal) and builds the access machine on that context.
 */
export async function openSession(
  options: Pick<JitConnectServiceOptions, "cloud" | "credential" | "stepUpHandler" | "accessInput">,
  deps: { grants: GrantStore; journal: AuditJournal; logger: Logger; localClock: Clock },
  signal?: AbortSignal,
): Promise<SignedInSession> {
  const ctx = await createAzureContext({ cloud: options.cloud, credential: options.credential, stepUpHandler: options.stepUpHandler, logger: deps.logger, localClock: deps.localClock });
  const identity = await getCallerIdentity(ctx, undefined, signal);
  const machine = new AccessMachine({ ctx, store: deps.grants, input: options.accessInput, audit: deps.journal, localClock: deps.localClock });
  return { ctx, identity, machine };
}

/** Picks up the requests a previous run left pending (approvals may have been decided meanwhile). */
export function resumeInBackground(machine: AccessMachine, logger: Logger): void {
  void machine.resumePending().then(
    (outcomes) => {
      for (const o of outcomes) if (o.outcome !== "unchanged") logger.info(`Resumed access for ${o.vmName}: ${o.outcome}${o.error ? ` (${o.error.message})` : ""}`);
    },
    (e: unknown) => logger.warn(`Could not resume pending access requests: ${errorMessage(e)}`),
  );
}
