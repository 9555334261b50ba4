// Lazy chunk for @microsoft/vscode-azext-utils (about 790 KB bundled). Only the command boundary
// reaches it, through `describeUnknownError`, and only for errors that are not the product's own
// JitErrors: activation never pays for it. esbuild entry: `lazyChunks.azextUtils` in esbuild.mjs.
export { parseError } from "@microsoft/vscode-azext-utils";
