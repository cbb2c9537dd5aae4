#!/usr/bin/env bash
# Installs what the WebSocket interop tests need: Debian's chromium and node/npm, and the npm
# packages pinned in package-lock.json (ws, playwright-core) into websocket/interop/node_modules.
# Fails LOUDLY (non-zero exit, a banner on stderr) if any install fails: the interop tests must
# never be skipped silently in CI. Idempotent; safe to run on every CI run.
#
# Usage: bash websocket/interop/setup.sh
# Then:  ROUNDHOUSE_REQUIRE_INTEROP=1 ./mvnw -B -f websocket/pom.xml test   (InteropTest fails instead of skipping)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  {
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! websocket/interop/setup.sh FAILED: $*"
    echo "!! The WebSocket interop tests (npm ws, headless Chromium) cannot run."
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  } >&2
  exit 1
}

# as_root, apt_install
# shellcheck source=../../.ci/apt.sh
. "$here/../../.ci/apt.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
command -v chromium >/dev/null || apt_install chromium
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing after install"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error || fail "npm ci in websocket/interop"
node -e "require.resolve('ws'); require.resolve('playwright-core')" || fail "ws or playwright-core not resolvable after npm ci"

echo "websocket/interop/setup.sh: ready: node $(node --version), $(chromium --version 2>/dev/null | head -n 1), $(node -p "'ws ' + require('ws/package.json').version + ', playwright-core ' + require('playwright-core/package.json').version")"
