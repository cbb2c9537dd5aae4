#!/usr/bin/env bash
# Profiles one echo server under one workload with JFR and prints where its threads spend time.
#
#   benchmarks/profile-server.sh IMPL WORKLOAD [SECONDS]
#     IMPL      as EchoServerMain --list prints, e.g. roundhouse-nio, netty-nio
#     WORKLOAD  pp1 | pp64 | st16 | conn | rate64 (as in run-matrix.sh; rate64 at $BENCH_RATE, default
#               25,000 messages/s, over epoll)
#
# The server runs pinned to CPU 0 with -XX:StartFlightRecording (profile settings), the C load
# generator pinned to CPU 1 as the matrix runs it (spinning; over io_uring where `loadgen
# uring-check` passes, else epoll), and, when root, in a private network namespace whose loopback
# steers receive processing to CPU 0 (run-matrix.sh --net rps; otherwise the host's loopback, said
# on stderr); then the top Java frames (execution samples), the top native frames (time in
# syscalls) and the allocation pressure by class are printed. The recording is kept in
# bench-results/profile-*/ for `jfr` or JDK Mission Control.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench-lib.sh
. "$ROOT/benchmarks/bench-lib.sh"
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
JFR=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jfr
IMPL=${1:?impl} WORKLOAD=${2:?workload} SECS=${3:-10} PORT=${BENCH_PORT:-18180}
if [ -z "${ROUNDHOUSE_PROFILE_NETNS:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null \
     && unshare -n --mount true 2>/dev/null; then
    exec env ROUNDHOUSE_PROFILE_NETNS=1 unshare -n --mount bash "$0" "$@"
  fi
  echo "profile-server: host loopback (not root, or no unshare/ip): the load generator does the server's receive work" >&2
else
  rps_netns_setup 1 # CPU 0, where the server is pinned
fi
OUT=$ROOT/bench-results/profile-$IMPL-$WORKLOAD-$(date -u +%H%M%S)
BIN=$ROOT/bench-results/bin
mkdir -p "$OUT" "$BIN"
c_programs_build "$BIN" "$ROOT/benchmarks/src/main/c" loadgen echo_server
CLIENT_IO=epoll
if "$BIN/loadgen" uring-check 2>/dev/null; then CLIENT_IO=uring; fi
case $WORKLOAD in
  pp1) ARGS="pingpong $PORT 1 64" ;; pp64) ARGS="pingpong $PORT 64 64" ;;
  st16) ARGS="stream $PORT 16 16384" ;; conn) ARGS="connect $PORT 16 64" ;;
  rate64) ARGS="rate $PORT 64 64" CLIENT_IO=epoll ;;
  *) echo "unknown workload $WORKLOAD" >&2; exit 2 ;;
esac
TAIL=""
[ "$WORKLOAD" = rate64 ] && TAIL=${BENCH_RATE:-25000}
taskset -c 0 "$JAVA" -Xms512m -Xmx512m --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
  "-XX:StartFlightRecording=filename=$OUT/server.jfr,settings=profile" \
  -cp "$ROOT/benchmarks/target/benchmarks.jar" dev.roundhouse.bench.server.EchoServerMain \
  --impl "$IMPL" --port "$PORT" >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
"$BIN/loadgen" wait "$PORT" 20000
# shellcheck disable=SC2086
LOADGEN_POLL=spin LOADGEN_IO=$CLIENT_IO taskset -c 1 "$BIN/loadgen" $ARGS 3 "$SECS" $TAIL | tee "$OUT/loadgen.txt"
kill -TERM $PID; wait $PID 2>/dev/null || true
trap - EXIT

top_frames() { # event, depth
  "$JFR" print --events "$1" --stack-depth "$2" "$OUT/server.jfr" |
    awk -v d="$2" '/sampledThread/ {t=$3} /stackTrace = \[/ {s=""; for (i=0;i<d;i++) {getline; gsub(/^ +/,""); sub(/line:.*/,""); if ($0 ~ /^\]/) break; s=s (i?" < ":"") $0}; print t " " s}' |
    sort | uniq -c | sort -rn | head -"${3:-15}"
}
echo "== Java execution samples (thread, top frames)"; top_frames jdk.ExecutionSample 3 20
echo "== native samples (thread, top frames)"; top_frames jdk.NativeMethodSample 2 10
echo "== allocation samples by class"
"$JFR" print --events jdk.ObjectAllocationSample "$OUT/server.jfr" |
  awk '/objectClass/ {c=$3} /weight/ {m=($4=="kB")?1e3:($4=="MB")?1e6:($4=="GB")?1e9:1; w[c]+=$3*m}
       END {for (k in w) printf "%12.1f MB  %s\n", w[k]/1e6, k}' | sort -rn | head -8
echo "recording: $OUT/server.jfr"
