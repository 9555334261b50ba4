import * as vscode from "vscode";
import { anySignal, CancellationError } from "../core/cancellation";
import { signalFromToken } from "./progress";

/**
 * Promise wrappers over `createQuickPick`/`createInputBox` for multi-step flows: a step resolves
 * with the answer, and rejects with a CancellationError when the user presses Escape or the flow's
 * signal aborts (the core treats both as cancellation, never as a failure).
 */

export interface StepInfo {
  title: string;
  /** "2/3" in the title, for multi-step flows. */
  step?: number;
  totalSteps?: number;
}

export async function pickOne<T extends vscode.QuickPickItem>(
  info: StepInfo & { placeholder: string; items: readonly T[]; active?: T; matchOnDescription?: boolean },
  signal?: AbortSignal,
): Promise<T> {
  const picked = await withQuickPick<T, T>(
    (qp, accept) => {
      qp.placeholder = info.placeholder;
      qp.items = info.items;
      qp.matchOnDescription = info.matchOnDescription ?? false;
      if (info.active) qp.activeItems = [info.active];
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item) accept(item);
      });
    },
    info,
    signal,
  );
  return picked;
}

/**
 * A pick whose items load after it opens: busy, with `loadingPlaceholder`, until `load` settles.
 * Escape (or the flow's signal) also stops the load: hiding the pick cancels a CancellationToken,
 * bridged to the AbortSignal `load` receives. A failed load rejects the step with its error.
 */
export function pickOneLoading<T extends vscode.QuickPickItem>(
  info: StepInfo & { placeholder: string; loadingPlaceholder: string; load: (signal: AbortSignal) => Promise<readonly T[]>; matchOnDescription?: boolean },
  signal?: AbortSignal,
): Promise<T> {
  const hidden = new vscode.CancellationTokenSource();
  const bridge = signalFromToken(hidden.token);
  const loadSignal = anySignal(signal, bridge.signal);
  const picked = withQuickPick<T, T>(
    (qp, accept, fail) => {
      qp.placeholder = info.loadingPlaceholder;
      qp.matchOnDescription = info.matchOnDescription ?? false;
      qp.busy = true;
      qp.onDidHide(() => hidden.cancel());
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item && !qp.busy) accept(item);
      });
      info.load(loadSignal).then(
        (items) => {
          qp.items = items;
          qp.placeholder = info.placeholder;
          qp.busy = false;
        },
        (e: unknown) => fail(e),
      );
    },
    info,
    signal,
  );
  return picked.finally(() => {
    hidden.cancel();
    bridge.dispose();
    hidden.dispose();
  });
}

/** A free-text step that also offers recent values (justification): resolves with the text, or undefined when empty and optional. */
export function pickOrType(info: StepInfo & { placeholder: string; recent: readonly string[]; recentLabel: string; useTypedLabel: (value: string) => string; required: boolean; note?: string }, signal?: AbortSignal): Promise<string | undefined> {
  return withQuickPick<vscode.QuickPickItem, string | undefined>(
    (qp, accept) => {
      qp.placeholder = info.placeholder;
      let typed: vscode.QuickPickItem | undefined;
      const render = (): void => {
        const value = qp.value.trim();
        const items: vscode.QuickPickItem[] = [];
        if (info.note) items.push({ label: info.note, kind: vscode.QuickPickItemKind.Separator });
        typed = value ? { label: `$(edit) ${value}`, description: info.useTypedLabel(value), alwaysShow: true } : undefined;
        if (typed) items.push(typed);
        if (info.recent.length > 0) items.push({ label: info.recentLabel, kind: vscode.QuickPickItemKind.Separator }, ...info.recent.map((r) => ({ label: r })));
        qp.items = items;
      };
      render();
      qp.onDidChangeValue(render);
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        const value = qp.value.trim();
        if (item && item === typed) return accept(value);
        if (item) return accept(item.label);
        if (value) return accept(value);
        if (!info.required) return accept(undefined);
        // Required and empty: stay on the step.
      });
    },
    info,
    signal,
  );
}

export function inputText(info: StepInfo & { prompt: string; value?: string; placeholder?: string; password?: boolean; validate?: (value: string) => string | undefined }, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  const box = vscode.window.createInputBox();
  Object.assign(box, { title: info.title, step: info.step, totalSteps: info.totalSteps, prompt: info.prompt, value: info.value ?? "", placeholder: info.placeholder ?? "", password: info.password ?? false, ignoreFocusOut: true });
  return showUntilSettled<string>(box, signal, (accept) => {
    box.onDidChangeValue((v) => (box.validationMessage = info.validate?.(v)));
    box.onDidAccept(() => {
      const problem = info.validate?.(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      accept(box.value);
    });
  });
}

function withQuickPick<T extends vscode.QuickPickItem, R>(setup: (qp: vscode.QuickPick<T>, accept: (value: R) => void, fail: (error: unknown) => void) => void, info: StepInfo, signal?: AbortSignal): Promise<R> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  const qp = vscode.window.createQuickPick<T>();
  qp.title = info.title;
  qp.step = info.step;
  qp.totalSteps = info.totalSteps;
  qp.ignoreFocusOut = true;
  return showUntilSettled<R>(qp, signal, (accept, fail) => setup(qp, accept, fail));
}

/**
 * Shows a quick input until it settles, once: accepted through `accept`, failed through `fail`,
 * hidden by the user (Escape: CancellationError) or aborted by the flow (CancellationError); then
 * disposes it.
 */
function showUntilSettled<R>(input: vscode.QuickInput, signal: AbortSignal | undefined, wire: (accept: (value: R) => void, fail: (error: unknown) => void) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      signal?.removeEventListener("abort", onAbort);
      input.dispose();
    };
    const onAbort = (): void => finish(() => reject(new CancellationError()));
    signal?.addEventListener("abort", onAbort, { once: true });
    wire(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
    input.onDidHide(() => finish(() => reject(new CancellationError())));
    input.show();
  });
}
