#!/usr/bin/env node
// Runs a command with NODE_EXTRA_CA_CERTS pointing at the simulator's CA (created on first use).
// Node reads NODE_EXTRA_CA_CERTS only when a process starts, so tests and benchmarks that start the
// simulator in-process must be launched through this script. Children (ssh -> ProxyCommand ->
// tunnel.js) inherit the variable. It holds a path, not a secret.
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: with-sim-ca.mjs <command> [args...]");
  process.exit(2);
}
const caPath = execFileSync(process.execPath, ["--import", "tsx", path.join(root, "simulator/src/tls/ensureCaCli.ts")], { cwd: root, encoding: "utf8" }).trim();
const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath } });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
