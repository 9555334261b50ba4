#!/usr/bin/env node
// Runs node:test suites (TypeScript via tsx) found under the given folders. Node 20's --test does
// not expand globs itself, and a shell's globbing is not portable, so this walks the folders.
// Usage: run-node-tests.mjs [--concurrency N] <folder>... [-- extra node --test args]
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

const argv = process.argv.slice(2);
let concurrency = 2;
const folders = [];
const extra = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--concurrency") concurrency = Number(argv[++i]);
  else if (argv[i] === "--") extra.push(...argv.slice(i + 1)), (i = argv.length);
  else folders.push(argv[i]);
}

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = folders.flatMap((f) => walk(f, []));
if (files.length === 0) {
  console.error(`No *.test.ts files under: ${folders.join(", ")}`);
  process.exit(1);
}
const child = spawn(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...extra, ...files], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
