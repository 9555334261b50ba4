import { type Workbench } from "../harness/pageObjects/workbench";
import { escapeRegExp } from "../harness/pageObjects/text";

/**
 * Answers the "Request access to <vm>" quick-input flow (src/vscode/access/accessInputPrompt.ts):
 * justification (typed), then, when the policy wants one, ticket number and ticket system, then the
 * duration (the preselected default unless `duration` names another choice). Each step is awaited
 * by its "(n/total)" title, so an answer never lands in the previous step's box.
 */
export interface AccessAnswers {
  justification: string;
  ticket?: { number: string; system?: string };
  /** A duration choice's label ("2 h"); default: the preselected one. */
  duration?: string;
  /** Called while the justification is typed in, before Enter (for a screenshot of the form). */
  beforeSubmitJustification?: () => Promise<void>;
}

async function waitForStep(workbench: Workbench, vmName: string, step: number, total: number, timeout = 30_000): Promise<void> {
  // "Request access to vm-approval (an approver must accept) (1/4)": a note may sit between the two.
  const title = new RegExp(`^\\s*Request access to ${escapeRegExp(vmName)}\\b.*\\(${step}/${total}\\)\\s*$`);
  await workbench.quickInput.widget.locator(".quick-input-title", { hasText: title }).waitFor({ state: "visible", timeout });
  await workbench.quickInput.waitForOpen(timeout);
}

export async function answerAccessRequest(workbench: Workbench, vmName: string, answers: AccessAnswers): Promise<void> {
  const total = answers.ticket ? 4 : 2;
  const qi = workbench.quickInput;
  let step = 1;

  // The policies are read before the first question: allow for that.
  await waitForStep(workbench, vmName, step, total, 60_000);
  await qi.fill(answers.justification);
  // The typed text becomes the focused "Use this justification" entry.
  await qi.widget.locator(".monaco-list-row.focused", { hasText: answers.justification }).waitFor();
  await answers.beforeSubmitJustification?.();
  await qi.input.press("Enter");

  if (answers.ticket) {
    await waitForStep(workbench, vmName, ++step, total);
    await qi.fill(answers.ticket.number);
    await qi.input.press("Enter");
    await waitForStep(workbench, vmName, ++step, total);
    await qi.fill(answers.ticket.system ?? "");
    await qi.input.press("Enter");
  }

  await waitForStep(workbench, vmName, ++step, total);
  if (answers.duration) {
    await qi.pick(answers.duration);
  } else {
    await qi.widget.locator(".monaco-list-row.focused", { hasText: "default" }).waitFor();
    await qi.input.press("Enter");
    await qi.waitForClosed();
  }
}
