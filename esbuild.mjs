// Bundles the extension. Three kinds of output in dist/:
//  - extension.js: what VS Code loads on activation. Kept small: no Azure SDK inside.
//  - lazy chunks (azureSdk.js, ...): heavy libraries, `require`d on first use through a dynamic
//    `import("./<chunk>")` that this script turns into an external require of the sibling file.
//  - tunnel.js: the program `ssh` runs as ProxyCommand (and the askpass helper). No `vscode`.
// Type checking is separate (`npm run typecheck`).
import * as esbuild from "esbuild";
import { rmSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

/** Lazily loaded chunks: the import specifier (as written in src) -> its entry point. */
const lazyChunks = {
  azureSdk: "src/core/azure/azureSdk.ts",
  // @microsoft/vscode-azext-utils (~790 KB): only needed to normalise an unexpected error.
  azextUtils: "src/vscode/errors/azextUtils.ts",
};

const lazyChunkPlugin = {
  name: "lazy-chunks",
  setup(build) {
    const names = Object.keys(lazyChunks).join("|");
    build.onResolve({ filter: new RegExp(`^\\./(${names})$`) }, (args) => {
      // Only dynamic imports are split; a static import would defeat the purpose.
      if (args.kind !== "dynamic-import") return undefined;
      return { path: `./${args.path.slice(2)}.js`, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: production ? false : "linked",
  minify: production,
  legalComments: "linked",
  logLevel: "info",
  // Dynamic imports become require() calls, which the extension host and Node load synchronously.
  supported: { "dynamic-import": false },
  // ws tries these optional native add-ons; we ship pure JS.
  external: ["vscode", "bufferutil", "utf-8-validate"],
};

const builds = [
  { ...common, entryPoints: { extension: "src/extension.ts" }, outdir: "dist", plugins: [lazyChunkPlugin] },
  { ...common, entryPoints: lazyChunks, outdir: "dist", plugins: [lazyChunkPlugin] },
  { ...common, entryPoints: { tunnel: "src/tunnel/main.ts" }, outdir: "dist" },
];

if (!watch) rmSync("dist", { recursive: true, force: true });
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build({ ...options, metafile: true })));
  if (process.argv.includes("--analyze")) {
    for (const r of results) console.log(await esbuild.analyzeMetafile(r.metafile));
  }
}
