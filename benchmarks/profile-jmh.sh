#!/usr/bin/env bash
# Profiles JMH benchmarks with async-profiler and prints, per fork, where each thread spent its
# samples (leaf frames, inlined methods included), so a ratio below Netty can be given a cause.
#
#   benchmarks/profile-jmh.sh <JMH benchmark regex> [JMH options, e.g. -p impl=roundhouse-iocp -f 3]
#
# async-profiler (tools.profiler:async-profiler, Maven Central) is fetched into the local Maven
# repository by the wrapper on first use; its native library for this platform is extracted under
# benchmarks/target/async-profiler. Sampling is by CPU timer (event=itimer), which works without
# perf events (containers, VMs without a PMU); 200 µs interval. Each fork writes a collapsed-stack
# file (one line per distinct stack: frames joined by ';', then the sample count) into
# bench-results/profile-<time>/, which flame-graph tools read as is. The summary groups samples by
# thread role: "loop" (a stack through LoopRunner.run, Netty's SingleThreadEventExecutor or the
# HashedWheelTimer's worker),
# "bench" (through a @Benchmark method: JMH's *_jmhStub frames), "other" (JIT, GC, JMH).
#
# Needs: bash, a JDK, unzip, awk; Linux x64/arm64 or macOS. Profile a quiet machine.
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
VERSION=3.0
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux-x64 ;;
  Linux-aarch64) PLATFORM=linux-arm64 ;;
  Darwin-*) PLATFORM=macos ;;
  *) echo "profile-jmh: async-profiler $VERSION has no library for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac

JAR=$ROOT/benchmarks/target/benchmarks.jar
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl benchmarks -am package -DskipTests) >&2
fi

REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository} # where the wrapper keeps artifacts unless told otherwise
AP_JAR=$REPO/tools/profiler/async-profiler/$VERSION/async-profiler-$VERSION.jar
if [ ! -f "$AP_JAR" ]; then
  echo "profile-jmh: fetching tools.profiler:async-profiler:$VERSION" >&2
  (cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$VERSION -Dtransitive=false) >&2
fi
LIB_DIR=$ROOT/benchmarks/target/async-profiler
LIB=$LIB_DIR/$PLATFORM/libasyncProfiler.so
if [ ! -f "$LIB" ]; then
  mkdir -p "$LIB_DIR"
  unzip -q -o "$AP_JAR" "$PLATFORM/libasyncProfiler.so" -d "$LIB_DIR"
fi

OUT=$ROOT/bench-results/profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
PATTERN=$1
shift
echo "profile-jmh: $PATTERN $* -> $OUT" >&2
# -jvmArgsPrepend, not -jvmArgsAppend: on the command line the latter replaces the benchmarks'
# own @Fork(jvmArgsAppend) flags (heap size, --add-exports) instead of adding to them.
"$JAVA" -jar "$JAR" "$PATTERN" "$@" \
  -jvmArgsPrepend "-agentpath:$LIB=start,event=itimer,interval=200us,file=$OUT/fork-%p.collapsed,collapsed" \
  | tee "$OUT/jmh.txt" | grep -E '^(# Fork|# Parameters|Iteration|[A-Z][A-Za-z]+Benchmark\.)' || true

for f in "$OUT"/fork-*.collapsed; do
  [ -f "$f" ] || continue
  echo
  echo "== $(basename "$f") (samples by role, then the top leaf frames)"
  awk '{
      n = $NF; $NF = ""; sub(/ $/, "")
      role = "other"
      if ($0 ~ /LoopRunner\.run|SingleThreadEventExecutor|SingleThreadIoEventLoop|HashedWheelTimer\$Worker/) role = "loop"
      else if ($0 ~ /_jmhStub/) role = "bench"
      k = split($0, fr, ";"); leaf = fr[k]
      total[role] += n; all += n; byLeaf[role " " leaf] += n
    }
    END {
      for (r in total) printf "  %-5s %6d samples (%.0f%%)\n", r, total[r], 100 * total[r] / all
      for (k in byLeaf) print byLeaf[k], k | "sort -nr | head -25"
    }' "$f"
done
echo
echo "collapsed stacks and JMH output: $OUT"
