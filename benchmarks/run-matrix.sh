#!/usr/bin/env bash
# Runs the echo benchmark matrix and writes its tables into BENCHMARKS.md.
#
#   benchmarks/run-matrix.sh [--short] [--runs N] [--impls "netty-epoll c ..."] [--no-write] [--no-pin]
#                            [--net auto|rps|loopback] [--workloads "pp64 conn"] [--jar FILE]
#                            [--client-poll spin|block] [--client-io auto|epoll|uring] [--rate N]
#                            [--variant LABEL="JVM FLAGS"]... [--fill N [--fill-minutes M]]
#                            [--order server|workload]
#
# Every echo server that can run here (EchoServerMain --list: each available Roundhouse backend,
# Netty nio/epoll/io_uring, the C baselines: `c` over epoll, `c-io_uring` over io_uring on Linux
# 6.0+) is started alone, pinned to CPU 0, and driven by the C load generator pinned to CPU 1
# through four workloads:
#   pp1   ping-pong, 1 connection, 64 B messages       (round trips/s, p50/p99/p999)
#   pp64  ping-pong, 64 connections, 64 B messages     (round trips/s, p50/p99/p999)
#   st16  streaming, 16 connections, 16 KiB writes, 64 KiB in flight per connection (MiB/s)
#   conn  connect, send 64 B, read them back, close; 16 at a time (connections/s)
# and, only when named in --workloads:
#   rate64  open loop, 64 connections, 64 B messages offered at --rate per second in all (default
#           25,000, below every server's pp64 rate here), each sent when due whether or not the ones
#           before it came back; latency from when each was due (p50/p99/p999), the load generator
#           spinning over epoll whatever --client-poll/--client-io say. The offered load is the same
#           for every server, where ping-pong's feeds back: a server that batches is sent bigger batches.
# The whole matrix runs --runs times (3 by default), servers interleaved within each run so that
# a burst of outside load spreads over all of them, in reverse order every other run so that the
# machine's drift over a run (measured: one server's figure 1.5x apart from run to run, its
# neighbours' too) does not always fall on the same servers, after a discarded ping-pong against the C
# server (the first measurement after a pause reads low); BENCHMARKS.md gets the median of the runs with
# their spread. Each measurement also records how much CPU the rest of the machine used meanwhile
# ("foreign CPU"), so that runs taken under load can be told apart, and what the kernel did
# (kernel.tsv: IPIs received per op on CPUs 0 and 1, softirq share of each, the server's blocking
# waits per op, the load generator's events per epoll_wait), which tells a run's regime.
#
# --order: workload (default since 2026-12-08) starts every server of a run at once, each pinned
# to CPU 0 and listening on its own port (the port, +1, +2, ...), and measures each workload on each
# server in turn, so that a workload's figures of two servers are seconds apart and the report's
# *Ratios run by run* compares them within the minute they ran in; the servers not being measured
# are stopped (SIGSTOP, SIGCONT before their turn), because idle JVMs pinned beside the measured
# server, Netty's as ours, raised its tail: the C server's rate64 p99 read 114-338 us alone, 782-840
# with one idle JVM beside it, 1.2-1.8 ms with seven and 305 beside four stopped ones (2026-12-08
# 00:52-00:57). server (the order before) starts one server at a time and measures every workload
# on it: a run's servers are then minutes apart (each server's workloads take ~40 s), and a swing
# of the machine that lasts a minute marks every workload of one server. Measured (2026-12-07 23:20-23:57, PVM, 2 matrices of each order
# alternated, 5 servers): the ranges of the runs' ratios were 17 % and 17 % wide on average in
# workload order, 44 % and 23 % in server order; the servers' own figures read the same either way.
#
# --short: one run, 1 s warm-up + 2 s per workload, tables printed and not written (what
# `roundhouse bench` runs). Loopback only; every run is bounded in time; servers are stopped by PID.
#
# --net: where the kernel's receive processing runs. On loopback the sending process does the
# receiving socket's TCP work too, so on a 2-core machine the load generator pays for half of the
# server's receive path and saturates its core before a fast server does. `rps` runs the whole
# matrix in a private network namespace (unshare -n) whose loopback steers all receive processing
# to the server's CPU (RPS, /sys/class/net/lo/queues/rx-0/rps_cpus): the server's core then carries
# the kernel's receive work of both directions - the same for every server - and the load
# generator's core has room to spare. `loopback` keeps the host's loopback as it is. `auto`
# (default) uses rps when pinned and allowed (root, unshare, ip), otherwise loopback, and says why.
# The host's own loopback is never changed.
#
# --workloads: a subset of "pp1 pp64 st16 conn rate64", in that spelling. --jar: run the Java servers from
# this benchmarks jar instead of benchmarks/target/benchmarks.jar, e.g. the copy an earlier matrix
# left in bench-results/<stamp>/ (an A/B of two commits, run alternately). The report and the fill's
# choices still come from benchmarks/target/benchmarks.jar (built if missing): they read what this
# script writes, so they belong to it, not to the servers' commit.
# --client-poll: spin (default) makes the load generator poll without blocking, so its CPU never
# idles and an echo never waits for it to be woken (on this VM a halted vCPU takes tens of us to
# wake, and a pp1 round trip paid that twice); its client CPU is then the share of time its polls
# found work. block: it sleeps in epoll_wait (the figures before 2026-12-04 23:00 UTC).
# --client-io: how the load generator drives its connections. uring (what auto picks on Linux 6.0+)
# makes one io_uring_enter per batch of echoes instead of a recv and a send per echo and an
# epoll_wait per batch (connect mode: a linked connect -> send -> recv chain and a close through the
# ring per connection), so it has room to spare where over epoll it saturated its core (pp64,
# 2026-12-05 01:10 UTC; st16 and conn, 06:00 UTC); epoll (auto's choice elsewhere) as before: the
# figures before 2026-12-05 01:10 UTC, and st16 and conn before 06:00 UTC.
# --variant LABEL="FLAGS": a Java server in --impls may be named IMPL@LABEL: IMPL's server started with
# these JVM flags too (e.g. --variant handoff=-Droundhouse.iocp.completions=handoff --impls
# "roundhouse-iocp roundhouse-iocp@handoff netty-nio"). The report compares it with IMPL as well as
# with IMPL's counterparts: an A/B within one matrix, both sides at the same moments.
# --fill N: after the --runs runs, more runs, one server at a time, until every server has N runs
# at each vCPU placement (both probes on one side of the widest gap of the probes: the report's
# *Ratios at one vCPU placement*), or --fill-minutes (default 30) have passed. Before each, the core
# round trip is probed and the server with the fewest runs at that placement is started
# (report.PlacementFill), and measured if a probe once it has started still reads that placement
# (else it is stopped and the fill asks again); when every server has N there the script probes
# again 5 s later.
# Needs pinning (taskset, 2+ CPUs). Best with one workload (st16 is the one that follows placement).
# Needs: bash, gcc, a JDK (JAVA or java on PATH), taskset (optional; without it nothing is pinned),
# for --net rps also root, unshare and ip (iproute2).
set -euo pipefail
ORIG_ARGS=("$@")

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench-lib.sh
# shellcheck source=bench-lib.sh
. "$ROOT/benchmarks/bench-lib.sh"
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
RUNS=3 WARMUP_S=3 MEASURE_S=5 WRITE=1 PIN=1 IMPLS="" SHORT=0 PORT=${BENCH_PORT:-18080} NET=auto CLIENT_POLL=spin CLIENT_IO=auto
WORKLOADS=(pp1 pp64 st16 conn) JAR="" SERVERS_JAR="" RATE=25000 FILL=0 FILL_MINUTES=30 ORDER_BY=workload
declare -A VARIANT_FLAGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) SHORT=1 RUNS=1 WARMUP_S=1 MEASURE_S=2 WRITE=0 ;;
    --runs) RUNS=$2; shift ;;
    --impls) IMPLS=$2; shift ;;
    --workloads) read -r -a WORKLOADS <<<"$2"; shift
      for w in "${WORKLOADS[@]}"; do
        case $w in pp1|pp64|st16|conn|rate64) ;; *) echo "--workloads takes pp1, pp64, st16, conn and rate64, not $w" >&2; exit 2 ;; esac
      done ;;
    --jar) JAR=$2; SERVERS_JAR=$2; shift
      [ -f "$JAR" ] || { echo "--jar: no such file: $JAR" >&2; exit 2; } ;;
    --rate) RATE=$2; shift
      [[ $RATE =~ ^[1-9][0-9]*$ ]] || { echo "--rate takes messages per second, a whole number, not $RATE" >&2; exit 2; } ;;
    --variant) v=$2; shift
      label=${v%%=*}
      [[ $v == *=* && $label =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "--variant takes LABEL=\"JVM FLAGS\" (label: letters, digits, _ . -), not $v" >&2; exit 2; }
      VARIANT_FLAGS[$label]=${v#*=} ;;
    --fill) FILL=$2; shift
      [[ $FILL =~ ^[1-9][0-9]*$ ]] || { echo "--fill takes runs per placement, a positive whole number, not $FILL" >&2; exit 2; } ;;
    --fill-minutes) FILL_MINUTES=$2; shift
      [[ $FILL_MINUTES =~ ^[1-9][0-9]*$ ]] || { echo "--fill-minutes takes a positive whole number, not $FILL_MINUTES" >&2; exit 2; } ;;
    --order) ORDER_BY=$2; shift
      case $ORDER_BY in server|workload) ;; *) echo "--order takes server or workload, not $ORDER_BY" >&2; exit 2 ;; esac ;;
    --no-write) WRITE=0 ;;
    --no-pin) PIN=0 ;;
    --client-poll) CLIENT_POLL=$2; shift
      case $CLIENT_POLL in spin|block) ;; *) echo "--client-poll takes spin or block, not $CLIENT_POLL" >&2; exit 2 ;; esac ;;
    --client-io) CLIENT_IO=$2; shift
      case $CLIENT_IO in auto|epoll|uring) ;; *) echo "--client-io takes auto, epoll or uring, not $CLIENT_IO" >&2; exit 2 ;; esac ;;
    --net) NET=$2; shift
      case $NET in auto|rps|loopback) ;; *) echo "--net takes auto, rps or loopback, not $NET" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '2,86p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

BASE_PORT=$PORT
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench-results/$STAMP
BIN=$ROOT/bench-results/bin
BUILT_JAR=$ROOT/benchmarks/target/benchmarks.jar
JAR=${JAR:-$BUILT_JAR}
RESULTS=$OUT/results.tsv

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
build() {
  c_programs_build "$BIN" "$ROOT/benchmarks/src/main/c" loadgen echo_server uring_echo_server corelat syscost
  if [ ! -f "$BUILT_JAR" ]; then # the report's, and the servers' unless --jar names others
    log "building $BUILT_JAR"
    (cd "$ROOT" && ./mvnw -B -q -pl benchmarks -am package -DskipTests) >&2
  fi
}

# ---------------------------------------------------------------- pinning and CPU accounting
SERVER_PIN=() CLIENT_PIN=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c 0) CLIENT_PIN=(taskset -c 1)
else
  PIN=0
fi
# ---------------------------------------------------------------- network namespace (--net)
SERVER_CPU_MASK=1 # CPU 0, where the server is pinned
net_rps_blocker() { # prints why rps cannot be used here, or nothing
  if [ "$PIN" != 1 ]; then echo "nothing is pinned (needs taskset and 2+ CPUs)"
  elif [ "$(id -u)" != 0 ]; then echo "not root (a network namespace with its own sysfs needs root)"
  elif ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then echo "unshare or ip (iproute2) missing"
  elif ! unshare -n --mount true 2>/dev/null; then echo "unshare -n --mount is not permitted here"
  fi
}
if [ -z "${ROUNDHOUSE_MATRIX_NETNS:-}" ] && [ "$NET" != loopback ]; then
  why=$(net_rps_blocker)
  if [ -z "$why" ]; then
    # Re-run this script inside a new network and mount namespace; the mount namespace lets it
    # mount a sysfs that shows the namespace's own loopback (the host's is never touched).
    exec env ROUNDHOUSE_MATRIX_NETNS=1 unshare -n --mount bash "$0" "${ORIG_ARGS[@]}"
  elif [ "$NET" = rps ]; then
    log "--net rps: $why"; exit 2
  fi
  log "network: host loopback, because $why (the load generator also does the server's receive work)"
  NET=loopback
fi
if [ -n "${ROUNDHOUSE_MATRIX_NETNS:-}" ]; then
  rps_netns_setup "$SERVER_CPU_MASK" || exit 1
  NET=rps
fi

HZ=$(getconf CLK_TCK)
NCPU=$(grep -c '^cpu[0-9]' /proc/stat)  # the CPUs /proc/stat's first line sums, whatever our affinity
# The CPU time the machine has used so far, in ns, for "foreign CPU": what of it over a measurement
# neither the server nor the load generator used. It is the time the scheduler charged to every task
# (the root cgroup's account: v1 cpuacct.usage, v2 cpu.stat's usage_usec), which it clocks at each
# switch, plus the time the hypervisor stole (/proc/stat). Not /proc/stat's busy fields: the tick
# samples those, and with a CPU that wakes for microseconds tens of thousands of times a second they
# disagree with the tasks' own accounts either way (measured 2026-12-07 on PVM, idle machine: on
# the host's loopback, the C server pinned to CPU 0 under rate64 ran 1.13 s in 5 s by its own
# account while CPU 0's busy fields grew by 0.06 s; in the matrix's namespace they exceeded the
# server's and the load generator's times by 10-30 % of the machine on pp1 and rate64, against
# 1-2 % by the tasks' account). Nor the complement of the idle time, which is clocked but also
# holds the kernel's work outside any task around each wake-up (interrupts, idle entry and exit,
# receive processing on an idle CPU): 3-9 % of the machine on pp1 and rate64. Without a root
# cgroup account it falls back to that complement (`cpu_source` says which).
ROOT_CPUACCT=/sys/fs/cgroup/cpuacct/cpuacct.usage
ROOT_CPUSTAT=/sys/fs/cgroup/cpu.stat
# Which account this machine has, decided once: v1, v2 or idle (the fall-back).
if [ -r "$ROOT_CPUACCT" ]; then CPU_ACCOUNT=v1
elif [ -r "$ROOT_CPUSTAT" ] && grep -q '^usage_usec' "$ROOT_CPUSTAT"; then CPU_ACCOUNT=v2
else CPU_ACCOUNT=idle; fi
cpu_source() {
  case $CPU_ACCOUNT in
    v1) echo "tasks' CPU time (cgroup v1 cpuacct) and steal" ;;
    v2) echo "tasks' CPU time (cgroup v2 cpu.stat) and steal" ;;
    *) echo "wall time less idle (/proc/stat; kernel work around wake-ups included)" ;;
  esac
}
machine_cpu_ns() {
  local steal
  steal=$(awk -v hz="$HZ" '/^cpu /{printf "%.0f", $9 * 1e9 / hz}' /proc/stat)
  case $CPU_ACCOUNT in
    v1) echo $(($(cat "$ROOT_CPUACCT") + steal)) ;;
    v2) echo $(($(awk '$1 == "usage_usec" {print $2}' "$ROOT_CPUSTAT") * 1000 + steal)) ;;
    *) awk -v t="$(now_ns)" -v n="$NCPU" -v hz="$HZ" '/^cpu /{printf "%.0f", t * n - ($5 + $6) * 1e9 / hz}' /proc/stat ;;
  esac
}
now_ns() { date +%s%N; }
# CPU 0's idle time so far (idle + iowait), in ns: with the server pinned there, the wall time less
# this is the busy time of the server's core, the server and the kernel's work on its behalf that is
# charged to no task (receive processing while it sleeps, each wake-up's interrupt and idle exit):
# "server core CPU". Clocked at each idle entry and exit, not sampled at the tick.
server_core_idle_ns() { awk -v hz="$HZ" '$1 == "cpu0" { printf "%.0f", ($5 + $6) * 1e9 / hz }' /proc/stat; }
# What the kernel did for CPUs 0 and 1 (server and client when pinned), to tell a run's regime:
# IPIs received (function-call + rescheduling interrupts: RPS hand-offs and remote wake-ups),
# softirq ticks, and the server's voluntary context switches (each a block: a wait that found
# nothing to do), summed over its threads.
ipis() { awk '$1 == "CAL:" || $1 == "RES:" { c0 += $2; c1 += $3 } END { print c0 + 0, c1 + 0 }' /proc/interrupts; }
softirq_ticks() { awk '$1 == "cpu0" { a = $8 } $1 == "cpu1" { b = $8 } END { print a + 0, b + 0 }' /proc/stat; }
server_blocks() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
}

# ---------------------------------------------------------------- servers
SERVER_PID=""
STARTS=0 # server starts so far: each start logs to a file of its own (server-IMPL-N.log)
start_server() {
  local impl=$1 log_file
  STARTS=$((STARTS + 1))
  log_file=$OUT/server-$impl-$STARTS.log
  if [ "$impl" = c ]; then
    "${SERVER_PIN[@]}" "$BIN/echo_server" "$PORT" >"$log_file" 2>&1 &
  elif [ "$impl" = c-io_uring ]; then
    "${SERVER_PIN[@]}" "$BIN/uring_echo_server" "$PORT" >"$log_file" 2>&1 &
  else
    local flags=() # a variant's JVM flags (--variant)
    [[ $impl == *@* ]] && read -r -a flags <<<"${VARIANT_FLAGS[${impl#*@}]}"
    "${SERVER_PIN[@]}" "$JAVA" -Xms512m -Xmx512m --add-exports java.base/sun.nio.ch=ALL-UNNAMED ${flags[@]+"${flags[@]}"} \
      -cp "$JAR" dev.roundhouse.bench.server.EchoServerMain --impl "${impl%%@*}" --port "$PORT" \
      >"$log_file" 2>&1 &
  fi
  SERVER_PID=$!
  if ! "$BIN/loadgen" wait "$PORT" 20000; then
    log "server $impl did not accept connections; its log:"; cat "$log_file" >&2
    stop_server; return 1
  fi
  if ! server_started "$log_file" "$SERVER_PID" 20000; then
    log "server $impl accepted connections but did not say it was serving; its log:"; cat "$log_file" >&2
    stop_server; return 1
  fi
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -CONT "$SERVER_PID" 2>/dev/null || true # --order workload stops the servers it does not measure
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  # The next server's readiness check must not reach this one's listener. One measurement failed
  # with "connect: Connection refused" right after that check succeeded, on the Java server that
  # followed c-io_uring (2026-12-05 02:10 UTC): as if the check had reached the old listener, which
  # an io_uring accept in flight can keep alive until the kernel tears the ring down after the exit.
  "$BIN/loadgen" wait-closed "$PORT" 10000 || log "port $PORT still accepted connections 10 s after the server exited"
}
# --order workload: the servers of the run that are up, "PID PORT" each; stopped at the run's end.
RUNNING=()
stop_all() {
  stop_server
  local entry
  for entry in ${RUNNING[@]+"${RUNNING[@]}"}; do
    read -r SERVER_PID PORT <<<"$entry"
    stop_server
  done
  RUNNING=()
  PORT=$BASE_PORT
}
trap stop_all EXIT INT TERM

# ---------------------------------------------------------------- workloads
loadgen_args() { workload_args "$1" "$PORT"; } # bench-lib.sh
# What follows the load generator's warm-up and duration: rate64's offered rate.
loadgen_tail() { if [ "$1" = rate64 ]; then echo "$RATE"; fi; }

# The round trip between CPU 0 and CPU 1 right now, in ns (corelat.c: on the VM of 2026-11-22 it
# switched between ~50-140 and ~470-600 ns as the host moved the vCPUs); "-" when nothing is pinned.
placement() {
  if [ "$PIN" = 1 ]; then "$BIN/corelat" 0 1 100 | sed -n 's/^corelat_ns=//p'; else echo -; fi
}

# What the kernel says it runs under ("none" without the CPU's hypervisor flag): under PVM, as on
# the VM of 2026-12-06, every entry to the guest kernel passes through the host.
hypervisor() {
  local h
  h=$(dmesg 2>/dev/null | sed -n 's/.*Hypervisor detected: //p' | head -1)
  if [ -n "$h" ]; then echo "$h"
  elif grep -qw hypervisor /proc/cpuinfo; then echo "yes (kernel log not readable)"
  else echo none; fi
}
# The kernel's DAMON monitors (kdamonds), each "N state operations", or "none": a running one is an
# unbound kernel thread that lands on the server's CPU while the load generator spins on the other,
# with runs of up to 4 ms that the server's thread waits behind (rate64's tail; PROFILER=sched
# profile-server.sh, 2026-12-08).
damon_state() {
  local d out=""
  for d in /sys/kernel/mm/damon/admin/kdamonds/[0-9]*; do
    [ -r "$d/state" ] || continue
    out+="${out:+, }kdamond ${d##*/} $(cat "$d/state") ($(cat "$d/contexts/0/operations" 2>/dev/null || echo '?'))"
  done
  echo "${out:-none}"
}
# The cost of a null system call on the server's CPU right now, in ns (syscost.c).
syscall_cost() { ${SERVER_PIN[@]+"${SERVER_PIN[@]}"} "$BIN/syscost" 200 | sed -n 's/^syscall_ns=//p'; }

# Runs one workload against the running server; appends one line to results.tsv and, with the
# core round trip before and after it, one to placement.tsv.
measure() {
  local run=$1 impl=$2 w=$3 line
  local t0 b0 s0 t1 b1 s1
  # shellcheck disable=SC2046
  set -- $(loadgen_args "$w")
  local before after
  before=$(placement)
  t0=$(now_ns) b0=$(machine_cpu_ns) s0=$(proc_ticks "$SERVER_PID")
  local lgout=$OUT/loadgen.out lgpid sm tm
  local io=$CLIENT_IO
  [ "$w" = rate64 ] && io=epoll # rate mode spins over epoll only
  # shellcheck disable=SC2046
  LOADGEN_IO=$io LOADGEN_POLL=$CLIENT_POLL "${CLIENT_PIN[@]}" "$BIN/loadgen" "$@" "$WARMUP_S" "$MEASURE_S" $(loadgen_tail "$w") \
    >"$lgout" 2>>"$OUT/loadgen.log" &
  lgpid=$!
  # The server's CPU over the measured window, not the warm-up (which includes JIT compilation):
  # sampled half a second before the window opens (a quarter of the warm-up when it is shorter
  # than 2 s), so that the dozen processes sampling starts do not preempt the pinned server and
  # load generator inside it: sampled at its start, they put milliseconds into its first moments
  # (rate64's p99 against the C server 0.6-1.6 ms, 66-117 us with nothing sampled; 2026-12-06).
  # The figures per second then include that last half second of the warm-up. Benchmark timing,
  # not synchronisation.
  sleep "$(awk -v w="$WARMUP_S" 'BEGIN { print (w >= 2 ? w - 0.5 : w * 3 / 4) }')"
  tm=$(now_ns) sm=$(proc_ticks "$SERVER_PID") cm=$(server_core_idle_ns)
  local im sq vm
  im=$(ipis) sq=$(softirq_ticks) vm=$(server_blocks "$SERVER_PID")
  if ! wait "$lgpid"; then
    log "  $impl $w: FAILED ($(tail -1 "$OUT/loadgen.log"))"
    printf '%s\t%s\t%s\tFAILED\n' "$run" "$impl" "$w" >>"$RESULTS"
    return 0
  fi
  line=$(cat "$lgout")
  t1=$(now_ns) b1=$(machine_cpu_ns) s1=$(proc_ticks "$SERVER_PID") c1=$(server_core_idle_ns)
  local i1 q1 v1
  i1=$(ipis) q1=$(softirq_ticks) v1=$(server_blocks "$SERVER_PID")
  after=$(placement)
  printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$impl" "$w" "$before" "$after" >>"$OUT/placement.tsv"
  # per operation (per MiB for st16) over the measured window, from the load generator's rate
  local kline
  kline=$(awk -v run="$run" -v impl="$impl" -v w="$w" -v ops="$(field ops_per_s "$line")" -v mib="$(field mib_per_s "$line")" \
    -v t="$((t1 - tm))" -v hz="$HZ" -v im="$im" -v i1="$i1" -v sq="$sq" -v q1="$q1" -v vm="$vm" -v v1="$v1" \
    -v epw="$(field events_per_wait "$line")" 'BEGIN {
      split(im, a, " "); split(i1, b, " "); split(sq, c, " "); split(q1, d, " ")
      secs = t / 1e9; n = (w == "st16" ? mib : ops) * secs; if (n <= 0) n = 1
      printf "%s\t%s\t%s\t%.3f\t%.3f\t%.1f\t%.1f\t%.3f\t%s\n", run, impl, w,
        (b[1] - a[1]) / n, (b[2] - a[2]) / n, (d[1] - c[1]) / hz / secs * 100, (d[2] - c[2]) / hz / secs * 100,
        (v1 - vm) / n, epw }')
  printf '%s\n' "$kline" >>"$OUT/kernel.tsv"
  local kernel
  kernel=$(awk -F'\t' '{ printf "IPIs/op %s+%s, server blocks/op %s, client events/wait %s", $4, $5, $8, $9 }' <<<"$kline")
  local server_cpu
  server_cpu=$(awk -v s="$((s1 - sm))" -v hz="$HZ" -v t="$((t1 - tm))" 'BEGIN { printf "%.3f", (s / hz) / (t / 1e9) }')
  local core_cpu=NaN # the server's core: only when the server is pinned to CPU 0
  [ "$PIN" = 1 ] && core_cpu=$(awk -v i="$((c1 - cm))" -v t="$((t1 - tm))" 'BEGIN { c = (t - i) / t; if (c < 0) c = 0; printf "%.3f", c }')
  local foreign
  foreign=$(awk -v u="$((b1 - b0))" -v s="$((s1 - s0))" -v c="$(field cpu_total_s "$line")" \
    -v hz="$HZ" -v t="$((t1 - t0))" -v n="$NCPU" \
    'BEGIN { w = t / 1e9 * n; f = (u / 1e9 - s / hz - c) / w * 100; if (f < 0) f = 0; printf "%.0f", f }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$impl" "$w" \
    "$(field ops_per_s "$line")" "$(field mib_per_s "$line")" "$(field p50_us "$line")" \
    "$(field p99_us "$line")" "$(field p999_us "$line")" "$(field max_us "$line")" \
    "$(field client_cpu "$line")" "$foreign" "$(cut -d' ' -f1 /proc/loadavg)" "$server_cpu" "$core_cpu" >>"$RESULTS"
  case $w in
    st16) log "  $(printf '%-18s %-5s %10s MiB/s' "$impl" "$w" "$(field mib_per_s "$line")")  foreign CPU ${foreign}%  core round trip ${before}/${after} ns  $kernel" ;;
    *) log "  $(printf '%-18s %-5s %10s /s   p99 %s us' "$impl" "$w" "$(field ops_per_s "$line")" "$(field p99_us "$line")")  foreign CPU ${foreign}%  core round trip ${before}/${after} ns  $kernel" ;;
  esac
}

# ---------------------------------------------------------------- main
mkdir -p "$OUT" "$BIN"
build
if [ "$CLIENT_IO" = auto ]; then
  if "$BIN/loadgen" uring-check 2>>"$OUT/loadgen.log"; then CLIENT_IO=uring; else
    CLIENT_IO=epoll; log "load generator: over epoll, io_uring cannot run here ($(tail -1 "$OUT/loadgen.log"))"
  fi
fi
cp "$JAR" "$OUT/benchmarks.jar" # a rebuild during the run must not change the servers under test
JAR=$OUT/benchmarks.jar
# The report and the fill's choices: this script's own tools, whatever jar the servers come from
# (an earlier commit's jar may lack PlacementFill, or write the tables in an older shape).
REPORT_JAR=$JAR
if ! cmp -s "$BUILT_JAR" "$JAR"; then
  cp "$BUILT_JAR" "$OUT/report.jar"
  REPORT_JAR=$OUT/report.jar
fi
if [ -z "$IMPLS" ]; then
  IMPLS=$("$JAVA" --add-exports java.base/sun.nio.ch=ALL-UNNAMED -cp "$JAR" \
    dev.roundhouse.bench.server.EchoServerMain --list 2>"$OUT/unavailable.txt" | tr '\n' ' ')
fi
read -r -a IMPL_LIST <<<"$IMPLS"
for impl in "${IMPL_LIST[@]}"; do
  if [[ $impl == *@* ]]; then
    [[ $impl == roundhouse-* || $impl == netty-* ]] || { log "$impl: only a Java server can be a variant"; exit 2; }
    [ -n "${VARIANT_FLAGS[${impl#*@}]+set}" ] || { log "$impl: no --variant ${impl#*@}=\"FLAGS\" given"; exit 2; }
  fi
done
for label in "${!VARIANT_FLAGS[@]}"; do
  [[ " ${IMPL_LIST[*]} " == *"@$label "* ]] || { log "--variant $label: no server named IMPL@$label in --impls"; exit 2; }
done
if [ "$FILL" -gt 0 ] && [ "$PIN" != 1 ]; then
  log "--fill needs the server and the load generator pinned (taskset, 2+ CPUs): the placement is theirs"; exit 2
fi
TOTAL=$((RUNS * ${#IMPL_LIST[@]}))
log "matrix: ${IMPL_LIST[*]} x ${WORKLOADS[*]} x $RUNS run(s), ${WARMUP_S}s warm-up + ${MEASURE_S}s each; pinned: $PIN"
# JDK 22+ warns on stderr about Netty's native library; only the servers' own reasons are shown
if [ -s "$OUT/unavailable.txt" ]; then
  grep -v -e '^WARNING: ' -e '^[[:space:]]*$' "$OUT/unavailable.txt" | sed 's/^/  not run: /' >&2 || true
fi
printf 'run\timpl\tworkload\tround_trip_before_ns\tround_trip_after_ns\n' >"$OUT/placement.tsv"
printf 'run\timpl\tworkload\tipis_cpu0_per_op\tipis_cpu1_per_op\tsoftirq_cpu0_pct\tsoftirq_cpu1_pct\tserver_blocks_per_op\tclient_events_per_wait\n' >"$OUT/kernel.tsv"
printf 'run\timpl\tworkload\tops_per_s\tmib_per_s\tp50_us\tp99_us\tp999_us\tmax_us\tclient_cpu\tforeign_cpu_pct\tloadavg\tserver_cpu\tserver_core_cpu\n' >"$RESULTS"
# The first measurement after a pause read low whichever server it was (Netty nio too: 32.1 k
# round trips/s, then 41.0 k in its next run; 2026-12-05): a discarded ping-pong against the C
# server runs first, so that run 1 does not start cold.
WARMED=0
if [ "$SHORT" = 0 ] && start_server c; then
  log "warm-up (discarded): c pp1, $((WARMUP_S + MEASURE_S)) s"
  read -r -a wargs <<<"$(loadgen_args pp1)"
  if LOADGEN_IO=$CLIENT_IO LOADGEN_POLL=$CLIENT_POLL "${CLIENT_PIN[@]}" "$BIN/loadgen" "${wargs[@]}" "$WARMUP_S" "$MEASURE_S" \
    >/dev/null 2>>"$OUT/loadgen.log"; then
    WARMED=1
  else
    log "warm-up failed ($(tail -1 "$OUT/loadgen.log")); the matrix starts cold"
  fi
  stop_server
fi
# Every workload measured on the running server, which is then stopped.
measure_all() {
  local w
  for w in "${WORKLOADS[@]}"; do measure "$1" "$2" "$w"; done
  stop_server
}
# One server start: every workload measured on it, or FAILED lines if it does not start.
run_server() {
  local run=$1 impl=$2 w
  if ! start_server "$impl"; then
    for w in "${WORKLOADS[@]}"; do printf '%s\t%s\t%s\tFAILED\n' "$run" "$impl" "$w" >>"$RESULTS"; done
    return 0
  fi
  measure_all "$run" "$impl"
}
# --order workload: one run with every server up at once, each workload measured on each in turn.
run_interleaved() {
  local run=$1 i impl w
  local -a pids=()
  for i in "${!ORDER[@]}"; do
    impl=${ORDER[$i]} PORT=$((BASE_PORT + i))
    step=$((step + 1))
    log "[$step/$TOTAL] run $run: starting $impl on port $PORT"
    pids[i]=""
    if start_server "$impl"; then
      pids[i]=$SERVER_PID
      RUNNING+=("$SERVER_PID $PORT")
      kill -STOP "$SERVER_PID" 2>/dev/null || true # frozen until measured: an idle JVM beside the measured server costs its tail
      SERVER_PID=""
    fi
  done
  for w in "${WORKLOADS[@]}"; do
    for i in "${!ORDER[@]}"; do
      impl=${ORDER[$i]}
      if [ -z "${pids[i]}" ]; then
        printf '%s\t%s\t%s\tFAILED\n' "$run" "$impl" "$w" >>"$RESULTS"
        continue
      fi
      SERVER_PID=${pids[i]} PORT=$((BASE_PORT + i))
      kill -CONT "$SERVER_PID" 2>/dev/null || true # one that died since: its measurement reads FAILED
      measure "$run" "$impl" "$w"
      kill -STOP "$SERVER_PID" 2>/dev/null || true
    done
    SERVER_PID=""
  done
  stop_all
}
step=0
for run in $(seq "$RUNS"); do
  ORDER=("${IMPL_LIST[@]}")
  if [ $((run % 2)) = 0 ]; then # every other run backwards: drift within a run spreads over both ends
    ORDER=()
    for ((i = ${#IMPL_LIST[@]} - 1; i >= 0; i--)); do ORDER+=("${IMPL_LIST[$i]}"); done
  fi
  if [ "$ORDER_BY" = workload ]; then
    run_interleaved "$run"
    continue
  fi
  for impl in "${ORDER[@]}"; do
    step=$((step + 1))
    log "[$step/$TOTAL] run $run: $impl"
    run_server "$run" "$impl"
  done
done
# --fill: runs where the placement cells lack them (PlacementFill decides from placement.tsv).
fill_decision() {
  "$JAVA" -cp "$REPORT_JAR" dev.roundhouse.bench.report.PlacementFill --placement "$OUT/placement.tsv" \
    --probe "$1" --impls "${IMPL_LIST[*]}" --workloads "${WORKLOADS[*]}" --want "$FILL"
}
if [ "$FILL" -gt 0 ]; then
  fill_end=$(($(date +%s) + FILL_MINUTES * 60))
  run=$RUNS
  log "fill: until every server has $FILL run(s) at each placement, at most $FILL_MINUTES min"
  while :; do
    if [ "$(date +%s)" -ge "$fill_end" ]; then log "fill: $FILL_MINUTES min passed; stopping with the runs made"; break; fi
    probe=$(placement)
    decision=$(fill_decision "$probe")
    case $decision in
      done) log "fill: every server has $FILL run(s) at each placement"; break ;;
      "wait "*) sleep 5 ;; # every server has its runs at this placement: wait for the host to move the vCPUs
      "run "*)
        read -r _ impl where <<<"$decision"
        start_server "$impl" || { log "fill: $impl did not start"; break; }
        # the host often moves the vCPUs while a server starts: run it only if still where it was picked for
        again=$(placement)
        if [ "$(fill_decision "$again" | awk '{ print $NF }')" != "$where" ]; then
          log "[fill] $impl was picked at $probe ns ($where), $again ns once started: not run"
          stop_server
          continue
        fi
        run=$((run + 1))
        log "[fill] run $run: $impl ($where: core round trip $probe ns, $again ns once started)"
        measure_all "$run" "$impl" ;;
      *) log "fill: unexpected answer from PlacementFill: $decision"; break ;;
    esac
  done
fi

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $NCPU cores"
  echo "memory: $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -sr)"
  echo "hypervisor: $(hypervisor)"
  echo "damon: $(damon_state)"
  echo "system call: $(syscall_cost) ns for a null one (getppid, fastest window of 10,000; syscost.c)"
  echo "jdk: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p') ($("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.vendor = //p'))"
  echo "jvm flags: -Xms512m -Xmx512m (defaults otherwise; pinned to one CPU the JVM picks SerialGC)"
  echo "pinning: $([ "$PIN" = 1 ] && echo 'server on CPU 0, load generator on CPU 1 (taskset)' || echo none)"
  if [ "$NET" = rps ]; then
    echo "network: private network namespace; loopback receive processing steered to CPU 0 (RPS mask $SERVER_CPU_MASK)"
  else
    echo "network: host loopback (receive processing runs on the sender's CPU)"
  fi
  echo "timing: $RUNS run(s), $([ "$ORDER_BY" = workload ] && echo "every server of a run up at once (stopped while not measured) and each workload measured on each in turn" || echo "one server at a time, every workload measured on it"), the servers in reverse order every other run; per workload ${WARMUP_S} s warm-up + ${MEASURE_S} s measured$([ "$WARMED" = 1 ] && echo "; first a discarded $((WARMUP_S + MEASURE_S)) s ping-pong against the C server")$([ "$FILL" -gt 0 ] && echo "; then filled toward $FILL run(s) per server at each vCPU placement, at most $FILL_MINUTES min")"
  for label in "${!VARIANT_FLAGS[@]}"; do echo "variant @$label: ${VARIANT_FLAGS[$label]}"; done
  echo "load generator: $([ "$CLIENT_POLL" = spin ] && echo 'spins (polls with timeout 0: its CPU never idles)' || echo 'blocks in its wait'); every workload over $([ "$CLIENT_IO" = uring ] && echo 'io_uring (one io_uring_enter per batch)' || echo 'epoll')$(for w in "${WORKLOADS[@]}"; do [ "$w" = rate64 ] && echo "; rate64 offered $RATE messages/s, spinning over epoll"; done)"
  echo "foreign CPU: from the $(cpu_source), less the server's and the load generator's"
  echo "gcc: $(gcc -dumpfullversion) -O2"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -n "$SERVERS_JAR" ] && echo " (the report's; the Java servers from --jar $SERVERS_JAR)")"
} >"$OUT/machine.txt"

REPORT_ARGS=(--results "$RESULTS" --machine "$OUT/machine.txt" --kernel "$OUT/kernel.tsv" --placement "$OUT/placement.tsv")
if [ "$WRITE" = 1 ]; then
  "$JAVA" -cp "$REPORT_JAR" dev.roundhouse.bench.report.MatrixReport "${REPORT_ARGS[@]}" --write "$ROOT/BENCHMARKS.md"
  log "wrote $ROOT/BENCHMARKS.md (raw results in $OUT)"
else
  "$JAVA" -cp "$REPORT_JAR" dev.roundhouse.bench.report.MatrixReport "${REPORT_ARGS[@]}"
  log "raw results in $OUT"
fi
