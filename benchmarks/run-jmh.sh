#!/usr/bin/env bash
# Runs the JMH microbenchmarks, each Roundhouse loop paired in the same run with Netty's
# equivalent, and writes their tables into BENCHMARKS.md (between the jmh markers).
#
#   benchmarks/run-jmh.sh [--no-write] [extra JMH options, e.g. -wi 1 -i 2]
#
# Benchmarks (dev.roundhouse.bench.jmh): cross-thread execute throughput and wake-up latency
# (vs SingleThreadIoEventLoop), timer schedule+cancel and firing (vs Netty scheduled tasks and
# HashedWheelTimer), dispatch cost per ready event (vs NioIoHandler with a plain NioIoHandle).
# Every available Roundhouse backend is measured with its Netty counterpart. One fork (five for the
# two bistable cross-thread benchmarks, three for the other benchmarks whose thread waits for the
# loop), 3 x 1 s warm-up, 5 x 1 s measurement: about 17 minutes on 2 cores. Those cross-thread
# benchmarks print the core-to-core round trip before each iteration (Placement.java), and the
# report tables their scores by placement as well. Each fork runs with a 1 GiB heap touched up front
# (-XX:+AlwaysPreTouch): without it the first pass of the allocating benchmarks through the fresh
# heap pays a page fault per new page, for Netty and Roundhouse alike (timers from another thread
# ran at a third to a half of their rate for the first one or two measured seconds), which is the
# JVM starting up, not the loop being measured.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
WRITE=1
if [ "${1:-}" = --no-write ]; then WRITE=0; shift; fi
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

"$JAVA" -jar "$JAR" 'ExecuteBenchmark|DispatchBenchmark' -p impl="$LOOPS" \
  -rf csv -rff "$OUT/loops.csv" "$@" | tee "$OUT/loops.txt" >&2
"$JAVA" -jar "$JAR" 'TimerBenchmark' -p impl="$LOOPS,netty-hashedwheel" \
  -rf csv -rff "$OUT/timers.csv" "$@" | tee "$OUT/timers.txt" >&2

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  # /proc and nproc are missing on macOS: fall back to sysctl there
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1 || true)$(sysctl -n machdep.cpu.brand_string 2>/dev/null || true), $(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo '?') cores"
  echo "jdk: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
  echo "jmh: 1.37, forks with -Xms1g -Xmx1g -XX:+AlwaysPreTouch, 1 fork (5 for executeThroughput and both scheduleCancelCrossThread variants; 3 for wakeupLatency, scheduleCancel and scheduleAndFire), defaults of each class unless overridden: ${*:-none}"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load averages*: //')"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$OUT/machine.txt"
ARGS=(--machine "$OUT/machine.txt")
[ "$WRITE" = 1 ] && ARGS+=(--write "$ROOT/BENCHMARKS.md")
"$JAVA" -cp "$JAR" dev.roundhouse.bench.report.JmhReport "${ARGS[@]}" --log "$OUT/loops.txt" --log "$OUT/timers.txt" \
  "$OUT/loops.csv" "$OUT/timers.csv"
echo "raw JMH output in $OUT" >&2
