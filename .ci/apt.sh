# shellcheck shell=bash
# Installing Debian packages from the project's scripts (sourced, not run; websocket/interop/setup.sh
# and .ci/lint/run.sh): as root, or through sudo. The sourcing script defines fail MESSAGE, which
# these call on any failure.

# as_root COMMAND...: runs it as root (directly, or through sudo), or fails.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root for: $*"; fi
}

# apt_install PACKAGE...: installs them, running apt-get update first once per script.
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -q || fail "apt-get update"
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" || fail "apt-get install $*"
}
