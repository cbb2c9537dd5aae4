#!/usr/bin/env bash
# Runs the WebSocket fast-path JMH benchmarks (dev.roundhouse.bench.websocket: masking and UTF-8
# validation, ours against our byte-at-a-time references, Netty's websocketx codec and the JDK's
# decoder) on JDK 17 and, if installed, Temurin 25, and rewrites the ws-jmh-table section of
# BENCHMARKS.md with GB/s, the issue-6 ratios and the load average before and after each run.
#
#   benchmarks/run-jmh-websocket.sh [--no-write] [JMH options replacing the defaults below]
#
#   JDKS=17 benchmarks/run-jmh-websocket.sh      # JDK 17 only (about 4 minutes)
#
# Defaults: 1 fork, 2 x 1 s warm-up, 4 x 0.5 s measured per benchmark and size: 48 forks, about
# 4 minutes per JDK on 2 cores, 8 with both. Netty's pipeline needs the full second of warm-up:
# after 0.3 s its decoder still ran ~30x below its warm speed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WRITE=1
if [ "${1:-}" = --no-write ]; then WRITE=0; shift; fi
OPTS=(-f 1 -wi 2 -w 1s -i 4 -r 500ms)
[ $# -gt 0 ] && OPTS=("$@")

JAR=$ROOT/benchmarks/target/benchmarks.jar
if [ ! -f "$JAR" ] || ! unzip -l "$JAR" 'dev/roundhouse/bench/websocket/*' >/dev/null 2>&1; then
  (cd "$ROOT" && ./mvnw -B -q -o -pl websocket -am install -DskipTests \
    && ./mvnw -B -q -o -pl benchmarks package -DskipTests) >&2
fi
OUT=$ROOT/bench-results/ws-jmh-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
cp "$JAR" "$OUT/benchmarks.jar" # other engineers rebuild benchmarks/target while this runs
JAR=$OUT/benchmarks.jar
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain -- websocket/src/main benchmarks/src 2>/dev/null)" ] && COMMIT="$COMMIT+local changes"

T17=${JAVA17:-$(command -v java)}
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JDK_LIST=()
for v in ${JDKS:-17 25}; do
  case $v in
    17) JDK_LIST+=("17:$T17") ;;
    25) if [ -x "$T25" ]; then JDK_LIST+=("25:$T25"); else echo "no $T25: JDK 25 skipped" >&2; fi ;;
  esac
done

REPORT=()
for entry in "${JDK_LIST[@]}"; do
  name=${entry%%:*} java=${entry#*:}
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date -u '+%Y-%m-%d %H:%M UTC')
  echo "JMH websocket on JDK $name ($java), load $before" >&2
  "$java" -jar "$JAR" 'dev\.roundhouse\.bench\.websocket\.' "${OPTS[@]}" \
    -rf csv -rff "$OUT/jdk$name.csv" | tee "$OUT/jdk$name.txt" >&2
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  {
    echo "date: $start to $(date -u '+%H:%M UTC')"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
    echo "jdk: $("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
    echo "jmh: 1.37, ${OPTS[*]}, Netty 4.2.18.Final (leak detection off)"
    echo "load before: $before"
    echo "load after: $after (includes this run's own JVM, about 1)"
    echo "commit: $COMMIT (jar as built at the start)"
  } >"$OUT/machine-jdk$name.txt"
  REPORT+=(--run "$OUT/machine-jdk$name.txt" "$OUT/jdk$name.csv")
done

[ "$WRITE" = 1 ] && REPORT=(--write "$ROOT/BENCHMARKS.md" "${REPORT[@]}")
"$(command -v java)" -cp "$JAR" dev.roundhouse.bench.websocket.WebSocketJmhReport "${REPORT[@]}"
echo "raw JMH output in $OUT" >&2
