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

/**
 * Resolves with the promise, or rejects as soon as the signal aborts: with CancellationError, or
 * with what `rejectWith` returns (the broker rejects with the signal's own reason, a deadline error).
 */
export function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, rejectWith: (signal: AbortSignal) => unknown = () => new CancellationError()): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(rejectWith(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(rejectWith(signal));
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
