/**
 * The production bundles, built by the repository's own esbuild.mjs (`--production`: minified, no
 * source maps) into a private folder: esbuild.mjs empties `dist/` first, and other work on this
 * machine uses `dist/` at the same time. esbuild.mjs names its inputs and output relative to the
 * working directory, so it runs in a temporary folder where `src` links to the repository's.
 */
import { execFile } from "node:child_process";
import { promises as fsp, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface ProductionBuild {
  dir: string;
  tunnelJs: string;
  extensionJs: string;
  /** File name → size in bytes, for every .js file of the build. */
  sizes: Record<string, number>;
  buildMs: number;
}

let building: Promise<ProductionBuild> | undefined;

export function productionBuild(): Promise<ProductionBuild> {
  building ??= (async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-bench-build-"));
    process.on("exit", () => rmSync(root, { recursive: true, force: true }));
    await fsp.symlink(path.join(REPO_ROOT, "src"), path.join(root, "src"));
    const started = performance.now();
    await run(process.execPath, [path.join(REPO_ROOT, "esbuild.mjs"), "--production"], { cwd: root });
    const buildMs = performance.now() - started;
    const dir = path.join(root, "dist");
    const sizes: Record<string, number> = {};
    for (const name of await fsp.readdir(dir)) {
      if (name.endsWith(".js")) sizes[name] = (await fsp.stat(path.join(dir, name))).size;
    }
    return { dir, tunnelJs: path.join(dir, "tunnel.js"), extensionJs: path.join(dir, "extension.js"), sizes, buildMs };
  })();
  return building;
}
