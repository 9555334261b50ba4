import * as path from "node:path";

/** Every location the real-VS-Code harness reads or writes, in one place. */
export const repoRoot = path.resolve(__dirname, "../../..");
export const cacheDir = path.join(repoRoot, ".cache");
export const resultsDir = path.join(repoRoot, "test-results");
export const screenshotsDir = path.join(resultsDir, "screenshots");
/** Logs of failed (or kept) sessions: one sub-folder per session. */
export const logsDir = path.join(resultsDir, "logs");

export const installScript = path.join(repoRoot, "test/e2e/install-code-server.sh");
export const codeServerDir = path.join(cacheDir, "code-server");
/** code-server's CLI entry point; run with the current Node (code-server 4.100.3 needs Node 20). */
export const codeServerEntry = path.join(codeServerDir, "node_modules/code-server/out/node/entry.js");

export const vsixPath = path.join(cacheDir, "azure-jit-connect.vsix");
/** esbuild output of test/vscode (the extension host only loads JavaScript). */
export const vscodeTestsOutDir = path.join(cacheDir, "vscode-tests");
export const vscodeTestsIndex = path.join(vscodeTestsOutDir, "index.js");
export const e2eSpecsDir = path.join(repoRoot, "test/e2e/specs");

/** Chromium from Debian: `npx playwright install` cannot download browsers here. */
export const chromiumPath = process.env.AZURE_JIT_E2E_CHROMIUM ?? "/usr/bin/chromium";

/** Turns arbitrary test titles into safe file names. */
export function fileSafe(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 120) || "unnamed";
}
