#!/usr/bin/env bash
# The one test command (README, CI): static checks, build, then every suite.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck"; npx tsc --noEmit -p .
step "lint"; npx eslint .
step "build"; node esbuild.mjs --production
step "unit, simulator conformance and end-to-end core tests (node:test)"; npm run --silent test:unit
step "real VS Code: extension-host tests and end-to-end in Chromium (code-server)"; npm run --silent test:e2e
step "the README's first command: npm run demo (started, checked in Chromium, stopped)"; npm run --silent demo:check
step "benchmarks, smoke only (tiny sizes, figures mean nothing; fails only on broken behaviour)"; npm run --silent bench -- --quick
