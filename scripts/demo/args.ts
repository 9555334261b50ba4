import { parseArgs } from "node:util";

/** The demo's command line. */
export interface DemoArgs {
  /** code-server's port on 127.0.0.1; undefined: a free one (two demos, or a demo beside the tests, never collide). */
  port: number | undefined;
  /** Launch a visible Chromium on the workbench (when a display exists). */
  open: boolean;
  /** Start everything, verify it end to end in headless Chromium, stop, exit 0/1. */
  check: boolean;
  /** Keep the run's folders (settings, logs) after stopping. */
  keep: boolean;
}

export const USAGE = `usage: node --import tsx scripts/demo.ts [--port N] [--open] [--check] [--keep]

Azure JIT Connect on the built-in Azure simulator, in a real VS Code (code-server) on this machine.
No Azure subscription needed.

  --port N   code-server's port on 127.0.0.1 (default: a free port; the URL is printed)
  --open     also launch Chromium on it (needs a display)
  --check    start everything, verify that the workbench loads, the extension activates and the
             VM view lists the demo VMs after sign-in, save a screenshot, then stop (for CI)
  --keep     keep this run's folders (.cache/demo/run-<pid>/: settings, logs) after stopping
  --help     this text`;

export class UsageError extends Error {}

export function parseDemoArgs(argv: readonly string[]): DemoArgs | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        open: { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help) return "help";
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) throw new UsageError(`--port must be a whole number from 1024 to 65535, not "${values.port}"\n\n${USAGE}`);
  return { port, open: values.open, check: values.check, keep: values.keep };
}
