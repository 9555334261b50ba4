import * as fs from "node:fs";
import * as path from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One runner at a time per checkout: runs share .cache/ (the .vsix, the test bundle) and
 * test-results/. A lock left by a dead runner is taken over. Returns the release function.
 */
export function acquireLock(file: string): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(fs.readFileSync(file, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw new Error(`another e2e run (pid ${owner}) holds ${file}`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take ${file}`);
}
