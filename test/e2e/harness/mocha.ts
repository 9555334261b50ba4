/// <reference types="mocha" />
import * as path from "node:path";
import { fileSafe, logsDir, repoRoot } from "./paths";
import { startSession, type Session, type SessionOptions } from "./session";

/**
 * Mocha glue for e2e specs: one code-server + Chromium session per `describe`, started in `before`
 * and always disposed in `after`. A failing test leaves a screenshot
 * (test-results/screenshots/<session>--<test>--failure.png) and the session's logs
 * (test-results/logs/<session>/).
 *
 * Options may be a function, evaluated in `before`, so that a spec can start what the session
 * depends on first, for instance the Azure simulator (test/support/simulator.ts; the runner must
 * then run under scripts/with-sim-ca.mjs, as that helper requires):
 *
 *   let sim: TestSimulator;
 *   before(async () => (sim = await startTestSimulator("demo")));
 *   const session = useSession(() => ({
 *     name: "request-access",
 *     settings: sim.settings.raw,                         // seeded into User/settings.json
 *     env: { NODE_EXTRA_CA_CERTS: sim.sim.caCertPath },   // reaches the extension host
 *   }));
 *   after(async () => sim?.stop());
 *
 * Mocha runs `before` hooks and `after` hooks each in registration order: in this order the
 * simulator is up before code-server starts, and stops only after the session is gone.
 */
export function useSession(options: SessionOptions | (() => SessionOptions | Promise<SessionOptions>), startTimeoutMs = 120_000): () => Session {
  let session: Session | undefined;
  let failed = false;

  before(async function (this: Mocha.Context) {
    this.timeout(startTimeoutMs);
    session = await startSession(typeof options === "function" ? await options() : options);
  });

  afterEach(async function (this: Mocha.Context) {
    const test = this.currentTest;
    if (test?.state !== "failed" || !session) return;
    failed = true;
    const file = await session.workbench.screenshot(`${session.name}--${test.title}--failure`).catch((error: unknown) => `(no screenshot: ${String(error)})`);
    process.stderr.write(`    failure screenshot: ${file}\n`);
  });

  after(async function (this: Mocha.Context) {
    this.timeout(60_000);
    if (!session) return;
    await session.dispose({ collectLogs: failed || process.env.AZURE_JIT_E2E_KEEP_LOGS === "1" });
    if (failed) process.stderr.write(`    logs: ${path.relative(repoRoot, path.join(logsDir, fileSafe(session.name)))}/\n`);
  });

  return () => {
    if (!session) throw new Error("the session did not start (see the error of the before hook)");
    return session;
  };
}
