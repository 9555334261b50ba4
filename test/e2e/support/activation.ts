import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Whether VS Code activated an extension, from the extension host's own log
 * (`<user-data>/logs/<time>/exthost1/remoteexthost.log` in code-server): independent of anything
 * the extension itself prints.
 */
export type ActivationState = { state: "activated" } | { state: "failed"; line: string } | { state: "notYet" };

function extensionHostLogs(userDataDir: string): string[] {
  const logsRoot = path.join(userDataDir, "logs");
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(full, depth + 1);
      else if (e.isFile() && /exthost\.log$/i.test(e.name)) files.push(full);
    }
  };
  walk(logsRoot, 0);
  return files;
}

export function activationState(userDataDir: string, extensionId: string): ActivationState {
  const id = extensionId.toLowerCase();
  for (const file of extensionHostLogs(userDataDir)) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const failed = lines.find((l) => l.toLowerCase().includes(`activating extension '${id}' failed`) || l.toLowerCase().includes(`activating extension ${id} failed`));
    if (failed) return { state: "failed", line: failed.trim() };
    if (lines.some((l) => l.toLowerCase().includes(`_doactivateextension ${id},`))) return { state: "activated" };
  }
  return { state: "notYet" };
}

/** Resolves once the extension host has activated the extension; throws on a failed activation or timeout. */
export async function waitForActivation(userDataDir: string, extensionId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = activationState(userDataDir, extensionId);
    if (s.state === "activated") return;
    if (s.state === "failed") throw new Error(`VS Code could not activate ${extensionId}: ${s.line}`);
    if (Date.now() > deadline) throw new Error(`${extensionId} was not activated within ${timeoutMs} ms (no _doActivateExtension line in ${path.join(userDataDir, "logs")})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
