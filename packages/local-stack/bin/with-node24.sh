#!/usr/bin/env bash
# Runs a command under Node 24 LTS with the workspace installed, fetching both from the npm registry on a fresh clone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
NODE_VERSION="24.21.0"

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" != "24" ]; then
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "unsupported OS $(uname -s): install Node 24 yourself" >&2; exit 1 ;; esac
  case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported CPU $(uname -m): install Node 24 yourself" >&2; exit 1 ;; esac
  pkg="node-$os-$arch"
  nodedir="$root/.cache/node-$NODE_VERSION"
  if [ ! -x "$nodedir/node_modules/$pkg/bin/node" ]; then
    echo "[switchboard] Node $(node -v 2>/dev/null || echo 'not found') is not 24: fetching $pkg@$NODE_VERSION from the npm registry into .cache/" >&2
    npm install --prefix "$nodedir" --no-save --no-package-lock --no-audit --no-fund "$pkg@$NODE_VERSION" >&2
  fi
  export PATH="$nodedir/node_modules/$pkg/bin:$PATH"
fi

# Install (or refresh) the workspace when the lockfile is newer than what node_modules holds.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[switchboard] installing dependencies with npm ci (Node $(node -v))" >&2
  npm ci --no-audit --no-fund >&2
fi

export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
