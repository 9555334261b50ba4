import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A temporary folder removed after the test. `prefix` may hold characters that ssh and shells treat
 * specially (spaces, `%`, `#`, quotes, unicode): tests use such folders on purpose.
 */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = "azjit-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
