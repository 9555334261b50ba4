#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3 with a Node extension host) and the Debian packages
# the real-VS-Code tests need, into .cache/code-server/, away from the root node_modules so that a
# plain `npm ci` never depends on it. Idempotent: a stamp file makes the second run instant.
# Facts and workarounds: /work/shared/reference/real-vscode-offline.md.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3" # newest 4.x whose engines.node is 20
# code-server 4.100.3 pins these; the ripgrep cache path below depends on both.
VSCODE_RIPGREP_VERSION="1.15.11"
RIPGREP_ASSET_VERSION="v13.0.0-10"

root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${CODE_SERVER_DIR:-$root/.cache/code-server}"
stamp="$dest/.installed-$CODE_SERVER_VERSION"
bin="$dest/node_modules/code-server/out/node/entry.js"

need=(chromium fonts-liberation libkrb5-dev ripgrep)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "install-code-server: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ -f "$stamp" && -f "$bin" ]]; then
  echo "install-code-server: code-server $CODE_SERVER_VERSION already installed in $dest"
  exit 0
fi

echo "install-code-server: installing code-server $CODE_SERVER_VERSION into $dest"
rm -rf "$dest"
mkdir -p "$dest/tmp"
cat >"$dest/package.json" <<EOF
{
  "name": "azure-jit-connect-code-server",
  "private": true,
  "description": "code-server for the real-VS-Code tests; installed by test/e2e/install-code-server.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It first looks
# in $TMPDIR/vscode-ripgrep-cache-<its version>/ for the release tarball, so seed that with Debian's
# rg (the same 13.0.0). A private TMPDIR keeps the seed and node-gyp's scratch files out of /tmp.
case "$(uname -m)" in
  x86_64) rg_target="x86_64-unknown-linux-musl" ;;
  aarch64) rg_target="aarch64-unknown-linux-musl" ;;
  *) echo "install-code-server: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
export TMPDIR="$dest/tmp"
rg_cache="$TMPDIR/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
mkdir -p "$rg_cache"
tar -czf "$rg_cache/ripgrep-$RIPGREP_ASSET_VERSION-$rg_target.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# code-server's postinstall refuses to run as root without unsafe-perm (npm 11 no longer knows the
# setting and warns about it, but passes it on to the script, which is what counts); node-pty's
# postinstall runs `npx node-gyp`, which the machine's npm config (yes=false) would block at the prompt.
# allowScripts above lists the two install scripts code-server needs (its postinstall, argon2's build).
(
  cd "$dest"
  # The one warning npm prints about it is expected (said above): not shown, everything else is.
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --no-save --loglevel=warn 2> >(grep -v 'Unknown env config "unsafe-perm"' >&2)
)

if [[ ! -f "$bin" ]]; then
  echo "install-code-server: $bin is missing after npm install" >&2
  exit 1
fi
rm -rf "$TMPDIR"
echo "$CODE_SERVER_VERSION" >"$stamp"
echo "install-code-server: done"
