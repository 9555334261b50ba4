/**
 * Cancellation in the core is an `AbortSignal`; VS Code's `CancellationToken` is bridged once, at the
 * edge (src/vscode/progress.ts). Cancellation is never an error shown to the user.
 */

/** Thrown when an operation stops because its signal was aborted. */
export class CancellationError extends Error {
  override readonly name = "CancellationError";
  constructor(message = "Cancelled") {
    super(message);
  }
}

/** One predicate for every way cancellation surfaces (ours, DOM AbortError, Azure SDK AbortError). */
export function isCancellation(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return e.name === "CancellationError" || e.name === "AbortError";
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancellationError();
}

/** Resolves with the promise, or rejects with CancellationError as soon as the signal aborts. */
export function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancellationError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancellationError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** A signal that aborts when any of the given signals aborts (undefined entries are ignored). */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return AbortSignal.any(present);
}
