#!/usr/bin/env bash
# Profiles one echo server under one workload and prints where its threads spend time (JFR), or
# counts the system calls it makes per operation (perf).
#
#   benchmarks/profile-server.sh IMPL WORKLOAD [SECONDS]
#   PROFILER=syscalls benchmarks/profile-server.sh IMPL WORKLOAD [SECONDS]
#   PROFILER=perf benchmarks/profile-server.sh IMPL WORKLOAD [SECONDS]
#   PROFILER=sched benchmarks/profile-server.sh IMPL WORKLOAD [SECONDS]
#     IMPL      as EchoServerMain --list prints, e.g. roundhouse-nio, netty-nio, or c / c-io_uring
#               (the C servers; syscalls only)
#     WORKLOAD  pp1 | pp64 | st16 | conn | rate64 (as in run-matrix.sh; rate64 at $BENCH_RATE, default
#               25,000 messages/s, over epoll)
#
# The server runs pinned to CPU 0, the C load generator pinned to CPU 1 as the matrix runs it
# (spinning; over io_uring where `loadgen uring-check` passes, else epoll), and, when root, in a
# private network namespace whose loopback steers receive processing to CPU 0 (run-matrix.sh --net
# rps; otherwise the host's loopback, said on stderr).
#
# PROFILER=jfr (default): the server runs with -XX:StartFlightRecording (profile settings); then
# the top Java frames (execution samples), the top native frames (time in syscalls) and the
# allocation pressure by class are printed. The recording is kept in bench-results/profile-*/ for
# `jfr` or JDK Mission Control.
#
# PROFILER=syscalls: `perf stat` counts the server's system calls by kind (tracepoints, counting
# only: no sampling) over the measured window but its first second, and prints each kind per
# operation (per round trip, connection or message; per MiB on st16) with the server's CPU per
# operation and the load generator's figures (the kinds counted: $SYSCALL_KINDS, space-separated
# names, or the I/O and socket set-up calls below; the rest are summed as "other kinds"). Needs
# perf (Debian: linux-perf) and a readable
# tracefs (root). What a system call costs differs by machine (syscost.c; ~1.1 us under the PVM
# hypervisor of 2026-12-06, where it is most of a server's work per message).
#
# PROFILER=perf: `perf record -g` samples the server's CPU 0 as a whole (the server's threads, the
# receive processing steered there, idle) over the same window, Java frames named through the JVM's
# perf map (-XX:+DumpPerfMapAtExit), and prints the CPU's time by kind (the server's user code, its
# system calls, softirq, idle) in microseconds per operation, then the top frames of each kind; C
# servers too. Without a PMU (a VM) perf samples with the cpu-clock timer, which cannot sample where
# interrupts are off: time spent there is counted in the frame that turned them back on.
#
# PROFILER=sched: `perf sched record` of CPU 0 over the same window, then the CPU's time by task, the
# scheduling delay of the server's threads (from their wake-up to their run) as a distribution, and
# each task's runs of 0.1 ms or more (sched_summary in bench-lib.sh): what a server thread woken by
# a message can have waited behind, for tails such as rate64's. perf's own runs are among them.
#
# SERVER_JVM_FLAGS: extra JVM flags for a Java server, space-separated (e.g.
# -Droundhouse.bench.stallThresholdMs=0 for a loop without the stall watchdog).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench-lib.sh
# shellcheck source=bench-lib.sh
. "$ROOT/benchmarks/bench-lib.sh"
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
IMPL=${1:?impl} WORKLOAD=${2:?workload} SECS=${3:-10} PORT=${BENCH_PORT:-18180}
PROFILER=${PROFILER:-jfr}
case $PROFILER in
  jfr) case $IMPL in c|c-io_uring) echo "PROFILER=jfr profiles Java servers; $IMPL is a C one" >&2; exit 2 ;; esac ;;
  syscalls|perf|sched) command -v perf >/dev/null || { echo "PROFILER=$PROFILER needs perf (Debian: linux-perf)" >&2; exit 2; } ;;
  *) echo "PROFILER takes jfr, syscalls, perf or sched, not $PROFILER" >&2; exit 2 ;;
esac
# syscalls and perf: the window counted, from one second into the measured window (the load
# generator's warm-up is 3 s) to its end
COUNTED=$((SECS - 1))
if [ "$PROFILER" != jfr ] && [ "$COUNTED" -lt 1 ]; then
  echo "PROFILER=$PROFILER needs SECONDS of 2 or more" >&2; exit 2
fi
enter_server_netns "$0" "$@"
OUT=$ROOT/bench-results/profile-$IMPL-$WORKLOAD-$(date -u +%H%M%S)
BIN=$ROOT/bench-results/bin
mkdir -p "$OUT" "$BIN"
c_programs_build "$BIN" "$ROOT/benchmarks/src/main/c" loadgen echo_server uring_echo_server
CLIENT_IO=epoll
if "$BIN/loadgen" uring-check 2>/dev/null; then CLIENT_IO=uring; fi
ARGS=$(workload_args "$WORKLOAD" "$PORT") || exit 2
[ "$WORKLOAD" = rate64 ] && CLIENT_IO=epoll # the rate mode spins over epoll only
TAIL=""
[ "$WORKLOAD" = rate64 ] && TAIL=${BENCH_RATE:-25000}
JFR_FLAGS=()
[ "$PROFILER" = jfr ] && JFR_FLAGS=("-XX:StartFlightRecording=filename=$OUT/server.jfr,settings=profile")
[ "$PROFILER" = perf ] && JFR_FLAGS=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit)
read -r -a EXTRA_FLAGS <<<"${SERVER_JVM_FLAGS:-}"
case $IMPL in
  c) taskset -c 0 "$BIN/echo_server" "$PORT" >"$OUT/server.log" 2>&1 & ;;
  c-io_uring) taskset -c 0 "$BIN/uring_echo_server" "$PORT" >"$OUT/server.log" 2>&1 & ;;
  *) taskset -c 0 "$JAVA" -Xms512m -Xmx512m --add-exports java.base/sun.nio.ch=ALL-UNNAMED ${JFR_FLAGS[@]+"${JFR_FLAGS[@]}"} ${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"} \
       -cp "$ROOT/benchmarks/target/benchmarks.jar" dev.roundhouse.bench.server.EchoServerMain \
       --impl "$IMPL" --port "$PORT" >"$OUT/server.log" 2>&1 & ;;
esac
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
"$BIN/loadgen" wait "$PORT" 20000

if [ "$PROFILER" = perf ]; then
  ( # the counted window (benchmark timing, not synchronisation)
    sleep 4
    perf record -q -C 0 -g -F 4999 -o "$OUT/perf.data" sleep "$COUNTED" 2>"$OUT/perf.err"
  ) &
  COUNTER=$!
fi
if [ "$PROFILER" = sched ]; then
  [ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
  ( # the counted window (benchmark timing, not synchronisation)
    sleep 4
    perf sched record -C 0 -o "$OUT/sched.data" sleep "$COUNTED" >"$OUT/perf.err" 2>&1
  ) &
  COUNTER=$!
fi
if [ "$PROFILER" = syscalls ]; then
  [ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
  KINDS=${SYSCALL_KINDS:-"read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait epoll_pwait2 epoll_ctl io_uring_enter futex accept accept4 close shutdown setsockopt getsockopt getsockname getpeername fcntl ioctl"}
  EVENTS=raw_syscalls:sys_enter
  for k in $KINDS; do EVENTS+=",syscalls:sys_enter_$k"; done
  # the counted window, the CPU ticks over the same window (benchmark timing, not synchronisation)
  (
    sleep 4
    t0=$(proc_ticks "$PID")
    perf stat -x, -e "$EVENTS" -p "$PID" -o "$OUT/perf.csv" sleep "$COUNTED" 2>"$OUT/perf.err"
    echo "$t0 $(proc_ticks "$PID")" >"$OUT/ticks"
  ) &
  COUNTER=$!
fi
# shellcheck disable=SC2086
LOADGEN_POLL=spin LOADGEN_IO=$CLIENT_IO taskset -c 1 "$BIN/loadgen" $ARGS 3 "$SECS" $TAIL | tee "$OUT/loadgen.txt"
if [ "$PROFILER" != jfr ]; then wait "$COUNTER" || true; fi
kill -TERM $PID; wait $PID 2>/dev/null || true
trap - EXIT
if [ "$PROFILER" != jfr ]; then # the operations of the counted window: PER, N of them
  LINE=$(grep RESULT "$OUT/loadgen.txt")
  PER=operation N=$(awk -v r="$(field ops_per_s "$LINE")" -v s="$COUNTED" 'BEGIN {print r * s}')
  [ "$WORKLOAD" = st16 ] && PER=MiB N=$(awk -v r="$(field mib_per_s "$LINE")" -v s="$COUNTED" 'BEGIN {print r * s}')
fi

if [ "$PROFILER" = syscalls ]; then
  if ! { [ -s "$OUT/perf.csv" ] && grep -q '^[0-9]' "$OUT/perf.csv"; }; then
    echo "perf counted nothing:"; cat "$OUT/perf.err" "$OUT/perf.csv"; exit 1
  fi
  read -r T0 T1 <"$OUT/ticks"
  echo "== $IMPL $WORKLOAD: system calls per $PER ($COUNTED s counted, $(printf '%.0f' "$N") ${PER}s)"
  awk -F, -v n="$N" '$1 ~ /^[0-9]+$/ {
      name = $3; sub(/^.*sys_enter_?/, "", name); if (name == "") name = "all"
      if (name == "all") all = $1; else { kind[name] = $1; sum += $1 } }
    END {
      for (k in kind) if (kind[k] / n >= 0.0005) printf "%9.3f  %s\n", kind[k] / n, k
      if ((all - sum) / n >= 0.0005) printf "%9.3f  (other kinds)\n", (all - sum) / n
      printf "%9.3f  all\n", all / n }' "$OUT/perf.csv" | sort -k2,2 | sort -s -rn -k1,1
  awk -v a="$T0" -v b="$T1" -v hz="$(getconf CLK_TCK)" -v n="$N" -v per="$PER" \
    'BEGIN {printf "%9.1f  us of server CPU per %s\n", (b - a) / hz * 1e6 / n, per}'
  echo "counts: $OUT/perf.csv"
  exit 0
fi

if [ "$PROFILER" = perf ]; then
  [ -s "$OUT/perf.data" ] || { echo "perf recorded nothing:"; cat "$OUT/perf.err"; exit 1; }
  # one line per sample: its kind (from the comm and the whole stack), its leaf frame
  perf script -i "$OUT/perf.data" -F comm,pid,tid,period,ip,sym,dso 2>/dev/null | perf_samples "$PID" >"$OUT/samples.txt"
  echo "== $IMPL $WORKLOAD: CPU 0's time per $PER ($COUNTED s sampled, $(printf '%.0f' "$N") ${PER}s)"
  awk -v n="$N" '{t[$1] += $2; all += $2; k = $1; sub(/:.*/, "", k); if (k != $1) t[k " (all)"] += $2} END {
      for (k in t) printf "%9.2f us  %5.1f %%  %s\n", t[k] / 1e3 / n, 100 * t[k] / all, k
      printf "%9.2f us  100.0 %%  all\n", all / 1e3 / n }' "$OUT/samples.txt" | sort -rn
  for kind in user kernel softirq; do
    echo "== top leaf frames: $kind"
    awk -v k="$kind" 'index($1, k) == 1 {t[$3] += $2; all += $2} END {for (f in t) printf "%5.1f %%  %s\n", 100 * t[f] / all, f}' \
      "$OUT/samples.txt" | sort -rn | head -12
  done
  echo "samples: $OUT/perf.data (perf report -i …), $OUT/samples.txt"
  exit 0
fi

if [ "$PROFILER" = sched ]; then
  [ -s "$OUT/sched.data" ] || { echo "perf recorded nothing:"; cat "$OUT/perf.err"; exit 1; }
  perf sched timehist -i "$OUT/sched.data" >"$OUT/timehist.txt" 2>/dev/null
  echo "== $IMPL $WORKLOAD: CPU 0 ($COUNTED s recorded, $(printf '%.0f' "$N") ${PER}s)"
  sched_summary "$PID" "$COUNTED" <"$OUT/timehist.txt"
  echo "switches: $OUT/timehist.txt (perf sched timehist), $OUT/sched.data"
  exit 0
fi

JFR=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jfr
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
