#!/usr/bin/env bash
# Runs the JMH microbenchmarks, each Roundhouse loop paired in the same run with Netty's
# equivalent, and writes their tables into BENCHMARKS.md (between the jmh markers).
#
#   benchmarks/run-jmh.sh [--no-write] [--rounds N] [--listening] [extra JMH options, e.g. -wi 1 -i 2]
#
# Benchmarks (dev.roundhouse.bench.jmh): cross-thread execute throughput and wake-up latency
# (vs SingleThreadIoEventLoop), timer schedule+cancel and firing (vs Netty scheduled tasks and
# HashedWheelTimer), dispatch cost per ready event (vs NioIoHandler with a plain NioIoHandle).
# Every available Roundhouse backend is measured with its Netty counterpart.
#
# Rounds (default 3): each round runs every benchmark once per loop, one fork each (-f 1), and
# the next round runs the loops in the reverse order; the report gives each figure as the median
# of the rounds with their range, and the ratios of the medians. On this shared VM the machine
# drifts over minutes (the vCPUs' placement, and with it every cross-thread figure, changes), and
# with all forks of one loop in a row (the classes' own @Fork counts, --rounds 0) a pair's two
# loops were measured minutes apart: the same pair read 1.06 in one order and 0.88 in the other,
# and one Netty loop measured twice in one run differed by 9 %. With rounds both loops of a pair
# sample the whole run. 3 x 1 s warm-up, 5 x 1 s measurement per fork: about 37 minutes on 2
# cores. The cross-thread benchmarks print the core-to-core round trip before each iteration
# (Placement.java), and the report tables their scores by placement as well. A -f N among the extra
# JMH options gives N forks per loop in each round instead of one. Each fork runs with a 1 GiB heap
# touched up front (-XX:+AlwaysPreTouch): without it the first pass of the allocating benchmarks
# through the fresh heap pays a page fault per new page, for Netty and Roundhouse alike (timers
# from another thread ran at a third to a half of their rate for the first one or two measured
# seconds), which is the JVM starting up, not the loop being measured.
#
# --listening: each round also runs the cross-thread execute benchmarks and the timer chains on
# every loop again with a listening socket in it (impl NAME+listening: a server on a loopback port
# nobody connects to, Netty's loops too), as in a server's loop. Without one a completion loop has
# nothing in its port (iocp's then parks instead of waiting in the port); with one, an accept is
# always pending. About 6 more minutes per round.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
WRITE=1 ROUNDS=3 LISTENING=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-write) WRITE=0; shift ;;
    --listening) LISTENING=1; shift ;;
    --rounds)
      case "${2:-}" in ''|*[!0-9]*) echo "--rounds takes a number of rounds (0: the classes' own fork counts in one pass), not '${2:-}'" >&2; exit 2 ;; esac
      ROUNDS=$2; shift 2 ;;
    *) break ;;
  esac
done
JAR=$ROOT/benchmarks/target/benchmarks.jar
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl benchmarks -am package -DskipTests) >&2
fi
OUT=$ROOT/bench-results/jmh-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
cp "$JAR" "$OUT/benchmarks.jar"
JAR=$OUT/benchmarks.jar

# The loops to pair: every available Roundhouse backend and the Netty transport it is compared with.
AVAILABLE=$("$JAVA" --add-exports java.base/sun.nio.ch=ALL-UNNAMED -cp "$JAR" \
  dev.roundhouse.bench.server.EchoServerMain --list 2>/dev/null | tr -d '\r' | tr '\n' ' ')  # \r: Windows
LOOPS="" NETTY="netty-nio"
for impl in $AVAILABLE; do
  case $impl in
    roundhouse-*) LOOPS="$LOOPS,$impl"
      b=${impl#roundhouse-}; b=${b/iouring/io_uring}
      case " $AVAILABLE " in *" netty-$b "*) case ",$NETTY," in *",netty-$b,"*) ;; *) NETTY="$NETTY,netty-$b" ;; esac ;; esac ;;
  esac
done
LOOPS="${LOOPS#,},$NETTY"
echo "JMH: loops $LOOPS" >&2

TIMERS="$LOOPS,netty-hashedwheel"
LISTENERS=$(sed 's/,/+listening,/g; s/$/+listening/' <<<"$LOOPS")
LISTENED='ExecuteBenchmark|TimerBenchmark.fireAfter'
reversed() { awk -F, '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? "," : "\n") }' <<<"$1"; } # no tac on macOS
# jmh NAME REGEX IMPLS [JMH options]: one JMH run, raw output and CSV kept under $OUT
jmh() {
  local name=$1 regex=$2 impls=$3; shift 3
  "$JAVA" -jar "$JAR" "$regex" -p impl="$impls" -rf csv -rff "$OUT/$name.csv" "$@" | tee "$OUT/$name.txt" >&2
  CSVS+=("$OUT/$name.csv") LOGS+=(--log "$OUT/$name.txt")
}
CSVS=() LOGS=()
FORKS=(-f 1) # per round, unless the caller's JMH options name a count (JMH refuses -f twice)
for a in "$@"; do case $a in -f|-f[0-9]*) FORKS=() ;; esac; done
if [ "$ROUNDS" = 0 ]; then
  jmh loops 'ExecuteBenchmark|DispatchBenchmark' "$LOOPS" "$@"
  jmh timers 'TimerBenchmark' "$TIMERS" "$@"
  if [ "$LISTENING" = 1 ]; then jmh listening "$LISTENED" "$LISTENERS" "$@"; fi
else
  for r in $(seq 1 "$ROUNDS"); do
    echo "JMH: round $r of $ROUNDS" >&2
    loops=$LOOPS timers=$TIMERS listeners=$LISTENERS
    if [ $((r % 2)) = 0 ]; then
      loops=$(reversed "$LOOPS") timers=$(reversed "$TIMERS") listeners=$(reversed "$LISTENERS")
    fi
    jmh "loops-$r" 'ExecuteBenchmark|DispatchBenchmark' "$loops" ${FORKS[@]+"${FORKS[@]}"} "$@"
    jmh "timers-$r" 'TimerBenchmark' "$timers" ${FORKS[@]+"${FORKS[@]}"} "$@"
    if [ "$LISTENING" = 1 ]; then
      jmh "listening-$r" "$LISTENED" "$listeners" ${FORKS[@]+"${FORKS[@]}"} "$@"
    fi
  done
fi

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  # /proc and nproc are missing on macOS: fall back to sysctl there
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1 || true)$(sysctl -n machdep.cpu.brand_string 2>/dev/null || true), $(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo '?') cores"
  echo "jdk: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
  if [ "$ROUNDS" = 0 ]; then
    plan="1 fork (5 for executeThroughput and both scheduleCancelCrossThread variants; 3 for wakeupLatency, scheduleCancel and scheduleAndFire)"
  else
    plan="$ROUNDS rounds of one fork per benchmark and loop (or as many as a -f below says), the loops' order reversed every other round"
  fi
  echo "jmh: 1.37, forks with -Xms1g -Xmx1g -XX:+AlwaysPreTouch, $plan; defaults of each class unless overridden: ${*:-none}"
  if [ "$LISTENING" = 1 ]; then echo "loops NAME+listening: the same loop with a listening socket in it (ExecuteBenchmark and the timer chains)"; fi
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load averages*: //')"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$OUT/machine.txt"
ARGS=(--machine "$OUT/machine.txt")
[ "$WRITE" = 1 ] && ARGS+=(--write "$ROOT/BENCHMARKS.md")
"$JAVA" -cp "$JAR" dev.roundhouse.bench.report.JmhReport "${ARGS[@]}" "${LOGS[@]}" "${CSVS[@]}"
echo "raw JMH output in $OUT" >&2
