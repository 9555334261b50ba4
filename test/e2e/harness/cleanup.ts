/**
 * Everything live (sessions with their code-server and Chromium) registers a disposer here, so that
 * the runner can end it all on Ctrl-C or SIGTERM, not only on the normal path.
 */
const live = new Set<() => Promise<void>>();

export function track(dispose: () => Promise<void>): () => void {
  live.add(dispose);
  return () => live.delete(dispose);
}

/** Disposes everything registered, in parallel; failures are reported, not thrown. */
export async function disposeAll(): Promise<void> {
  const pending = [...live];
  live.clear();
  for (const result of await Promise.allSettled(pending.map((dispose) => dispose()))) {
    if (result.status === "rejected") process.stderr.write(`cleanup failed: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}\n`);
  }
}

let installed = false;

/**
 * On SIGINT/SIGTERM: dispose everything, then exit with the conventional 128 + signal number.
 * The listeners stay installed while disposing: a Ctrl-C reaches the whole process group, and the
 * tsx CLI relays it once more; with no listener left, tsx's own handler would exit at once and leave
 * code-server running.
 */
export function disposeOnSignals(): void {
  if (installed) return;
  installed = true;
  let stopping = false;
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${sig}: stopping code-server and Chromium...\n`);
      void disposeAll().finally(() => process.exit(code));
    });
  }
}
