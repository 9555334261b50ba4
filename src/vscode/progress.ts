import * as vscode from "vscode";
import { isCancellation } from "../core/cancellation";

/** The outcome of a cancellable operation: cancellation is a result, not an error. */
export type ProgressResult<T> = { ok: true; value: T } | { ok: false; cancelled: true } | { ok: false; cancelled: false; error: unknown };

/** Bridges VS Code's CancellationToken to the AbortSignal the core speaks. The only such bridge. */
export function signalFromToken(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const sub = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => sub.dispose() };
}

export interface StepReporter {
  /** Replaces the progress message ("Activating role (1/3)…"). */
  step(message: string): void;
}

/**
 * Runs `work` with a progress indicator at `location` and a cancel button where the location
 * supports one. Never throws: the caller decides what to show from the result.
 */
export async function withCancellableProgress<T>(
  options: { location: vscode.ProgressLocation | { viewId: string }; title: string; cancellable?: boolean },
  work: (signal: AbortSignal, progress: StepReporter) => Promise<T>,
): Promise<ProgressResult<T>> {
  return vscode.window.withProgress(
    { location: options.location, title: options.title, cancellable: options.cancellable ?? true },
    async (progress, token): Promise<ProgressResult<T>> => {
      const bridge = signalFromToken(token);
      try {
        const value = await work(bridge.signal, { step: (message) => progress.report({ message }) });
        return { ok: true, value };
      } catch (error) {
        if (isCancellation(error) || bridge.signal.aborted) return { ok: false, cancelled: true };
        return { ok: false, cancelled: false, error };
      } finally {
        bridge.dispose();
      }
    },
  );
}
