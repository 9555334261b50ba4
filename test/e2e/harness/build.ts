import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { cacheDir, installScript, repoRoot, vscodeTestsOutDir, vsixPath } from "./paths";
import { runChecked } from "./processes";

/** Installs code-server and the Debian packages on first use; instant when the stamp exists. */
export async function ensureCodeServer(): Promise<void> {
  await runChecked("bash", [installScript], { cwd: repoRoot, inherit: true });
}

/**
 * The project's own build (`node esbuild.mjs --production`) then `vsce package`, into .cache/ (or
 * `out`: the demo packages its own copy, so that it never swaps the .vsix under a running test).
 */
export async function buildAndPackageExtension(out: string = vsixPath): Promise<string> {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await runChecked(process.execPath, ["esbuild.mjs", "--production"], { cwd: repoRoot, timeoutMs: 120_000 });
  fs.rmSync(out, { force: true });
  await runChecked(path.join(repoRoot, "node_modules/.bin/vsce"), ["package", "--no-dependencies", "--out", out], { cwd: repoRoot, timeoutMs: 120_000 });
  return out;
}

const testBundleOptions: esbuild.BuildOptions = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // `vscode` exists only inside the extension host; mocha is resolved from node_modules at run
  // time (bundling it breaks its reporters' dynamic requires).
  external: ["vscode", "mocha"],
  sourcemap: "inline",
  logLevel: "warning",
};

/**
 * Bundles test/vscode (index + suite/*.test.ts) to .cache/vscode-tests/, keeping the layout, since
 * the extension host only loads JavaScript.
 */
export async function bundleExtensionHostTests(): Promise<string> {
  const srcDir = path.join(repoRoot, "test/vscode");
  const suites = fs.readdirSync(path.join(srcDir, "suite")).filter((f) => f.endsWith(".test.ts")).map((f) => path.join(srcDir, "suite", f));
  fs.rmSync(vscodeTestsOutDir, { recursive: true, force: true });
  await esbuild.build({ ...testBundleOptions, entryPoints: [path.join(srcDir, "index.ts"), ...suites], outbase: srcDir, outdir: vscodeTestsOutDir });
  return path.join(vscodeTestsOutDir, "index.js");
}

/** A tiny extension with one of each UI surface, to test the page objects themselves. */
export const probeSourceDir = path.join(repoRoot, "test/e2e/fixtures/probe");
export const probeOutDir = path.join(cacheDir, "probe-extension");

export async function buildProbeExtension(): Promise<string> {
  fs.rmSync(probeOutDir, { recursive: true, force: true });
  fs.mkdirSync(probeOutDir, { recursive: true });
  await esbuild.build({ ...testBundleOptions, external: ["vscode"], entryPoints: [path.join(probeSourceDir, "extension.ts")], outfile: path.join(probeOutDir, "dist/extension.js") });
  for (const file of ["package.json", "probe.svg"]) fs.copyFileSync(path.join(probeSourceDir, file), path.join(probeOutDir, file));
  return probeOutDir;
}
