/**
 * A minimal typed event emitter for the core (VS Code's EventEmitter is not available here). The
 * returned function unsubscribes, like `Disposable.dispose`; a throwing listener does not stop the
 * others.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A listener's failure is its own; the emitter keeps notifying the rest.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
