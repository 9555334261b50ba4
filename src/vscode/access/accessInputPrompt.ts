import * as vscode from "vscode";
import type { AccessInputProvider, AccessInputRequest, AccessInputValues } from "../../core/access/accessInput";
import { describeDuration } from "../../core/azure/isoDuration";
import type { JitConfig } from "../config";
import { inputText, pickOne, pickOrType, type StepInfo } from "../quickInput";
import { durationChoices, preferredDuration, type RecentByRole, recentForRole, rememberForRole } from "./durationChoices";

/** Per role and scope (durationChoices.ts); the earlier single list, `azureJit.recentJustifications`, is no longer read. */
const RECENT_JUSTIFICATIONS = "azureJit.recentJustificationsByRole";
const LAST_TICKET_SYSTEM = "azureJit.lastTicketSystem";

/**
 * The quick-input flow behind "Request access" and "Extend": it asks exactly what the core's
 * `AccessInputRequest` says the policies require (justification, ticket only when required, a
 * duration within the maximum), says up front when an approver must accept, and remembers recent
 * justifications across sessions.
 */
export function createAccessInputPrompt(deps: { globalState: vscode.Memento; config: () => JitConfig }): AccessInputProvider {
  return async (request: AccessInputRequest, signal?: AbortSignal): Promise<AccessInputValues> => {
    const l10n = vscode.l10n;
    const totalSteps = 2 + (request.needs.ticket ? 2 : 0);
    const action = request.purpose === "extend" ? l10n.t("Extend access to {0}", request.vmName) : l10n.t("Request access to {0}", request.vmName);
    // Said on every step, before the user commits: the access will not start at once.
    const base = request.approvalRequired ? l10n.t("{0} (an approver must accept)", action) : action;
    let step = 0;
    const info = (): StepInfo => ({ title: base, step: ++step, totalSteps });
    const approvalNote = request.approvalRequired ? l10n.t("An approver must accept this request before access starts.") : undefined;

    const byRole = deps.globalState.get<RecentByRole>(RECENT_JUSTIFICATIONS, {});
    const recent = recentForRole(byRole, request.role);
    const justification = await pickOrType(
      {
        ...info(),
        placeholder: request.needs.justification ? l10n.t("Why do you need access? (required)") : l10n.t("Why do you need access? (optional: press Enter to skip)"),
        recent,
        recentLabel: l10n.t("Recent justifications"),
        useTypedLabel: () => l10n.t("Use this justification"),
        required: request.needs.justification,
        note: approvalNote ?? (request.roleName ? l10n.t("Role: {0}", request.roleName) : undefined),
      },
      signal,
    );

    let ticket: AccessInputValues["ticket"];
    if (request.needs.ticket) {
      const number = await inputText({ ...info(), prompt: l10n.t("Ticket number (the role's policy requires one)"), validate: (v) => (v.trim() ? undefined : l10n.t("Enter the ticket number.")) }, signal);
      const system = await inputText({ ...info(), prompt: l10n.t("Ticket system (optional), for example ServiceNow"), value: deps.globalState.get<string>(LAST_TICKET_SYSTEM, "") }, signal);
      ticket = { number: number.trim(), ...(system.trim() ? { system: system.trim() } : {}) };
      await deps.globalState.update(LAST_TICKET_SYSTEM, system.trim());
    }

    const preferred = preferredDuration(deps.config().defaultDuration, request.defaultDurationMs, request.maxDurationMs);
    const choices = durationChoices(request.maxDurationMs, preferred, (d) => l10n.t("{0} (maximum)", d));
    const items = choices.map((c) => ({ label: c.label, description: c.isDefault ? l10n.t("default") : undefined, choice: c }));
    const picked = await pickOne(
      {
        ...info(),
        placeholder: approvalNote
          ? l10n.t("How long? At most {0}. {1}", describeDuration(request.maxDurationMs), approvalNote)
          : l10n.t("How long? At most {0}.", describeDuration(request.maxDurationMs)),
        items,
        active: items.find((i) => i.choice.isDefault),
      },
      signal,
    );

    if (justification) await deps.globalState.update(RECENT_JUSTIFICATIONS, rememberForRole(deps.globalState.get<RecentByRole>(RECENT_JUSTIFICATIONS, {}), request.role, justification));
    return { ...(justification ? { justification } : {}), ...(ticket ? { ticket } : {}), durationMs: picked.choice.durationMs };
  };
}
