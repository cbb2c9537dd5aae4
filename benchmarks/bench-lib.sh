# shellcheck shell=bash
# Shared by run-matrix.sh and profile-server.sh (sourced, not run): building the C programs,
# preparing the private network namespace the echo benchmarks run in, the workloads' load generator
# arguments, a process's CPU ticks and the fields of the load generator's RESULT line.

# c_programs_build BIN SRC_DIR PROG...: compiles each SRC_DIR/PROG.c into BIN/PROG unless the binary
# is newer than its source and the shared headers (histogram.h, uring.h).
c_programs_build() {
  local bin=$1 src_dir=$2 prog src
  shift 2
  for prog in "$@"; do
    src=$src_dir/$prog.c
    if [ ! -x "$bin/$prog" ] || [ "$src" -nt "$bin/$prog" ] || [ "$src_dir/histogram.h" -nt "$bin/$prog" ] \
       || [ "$src_dir/uring.h" -nt "$bin/$prog" ]; then
      gcc -O2 -Wall -Wextra -pthread -o "$bin/$prog" "$src"
    fi
  done
}

# rps_netns_setup MASK: inside a fresh `unshare -n --mount`, brings this namespace's loopback up and
# steers its receive processing to the CPUs in MASK (RPS), through a sysfs mounted aside for the
# purpose (one mounted now shows this namespace's devices); /sys itself stays the host's, whose
# cgroup accounts run-matrix.sh reads. Returns 1, saying so on stderr, if RPS could not be set.
rps_netns_setup() {
  local sys rc=0
  sys=$(mktemp -d) || return 1
  mount -t sysfs sysfs "$sys" || { rmdir "$sys"; return 1; }
  ip link set lo up
  echo "$1" >"$sys/class/net/lo/queues/rx-0/rps_cpus"
  [ "$(cat "$sys/class/net/lo/queues/rx-0/rps_cpus")" -eq "$1" ] || { echo "could not set RPS on lo" >&2; rc=1; }
  umount "$sys" && rmdir "$sys"
  return "$rc"
}

# workload_args WORKLOAD PORT: the load generator's mode and arguments for one of the matrix's
# workloads, before its warm-up and duration (rate64's rate follows them; see run-matrix.sh).
# Returns 2, saying so on stderr, for an unknown workload.
workload_args() {
  case $1 in
    pp1) echo "pingpong $2 1 64" ;; pp64) echo "pingpong $2 64 64" ;;
    st16) echo "stream $2 16 16384" ;; conn) echo "connect $2 16 64" ;;
    rate64) echo "rate $2 64 64" ;;
    *) echo "unknown workload $1 (pp1, pp64, st16, conn, rate64)" >&2; return 2 ;;
  esac
}

# enter_server_netns SCRIPT ARGS...: re-runs SCRIPT in a private network and mount namespace whose
# loopback steers receive processing to CPU 0, where the server is pinned (as run-matrix.sh --net
# rps), when root with unshare and ip; inside it (or when that is not possible: the host's
# loopback, said on stderr) it returns and the caller goes on.
enter_server_netns() {
  if [ -n "${ROUNDHOUSE_BENCH_NETNS:-}" ]; then
    rps_netns_setup 1 || exit 1
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null \
     && unshare -n --mount true 2>/dev/null; then
    exec env ROUNDHOUSE_BENCH_NETNS=1 unshare -n --mount bash "$@"
  fi
  echo "$(basename "$1"): host loopback (not root, or no unshare/ip): the load generator does the server's receive work" >&2
}

# perf_samples PID: reads `perf script -F comm,pid,tid,period,ip,sym,dso` of a CPU-wide recording
# with call chains and prints one line per sample: its kind, its period (ns) and its leaf frame.
# Kinds: softirq (a softirq frame on the stack, in whatever context), idle (pid 0), user and
# kernel (the server PID's threads; kernel: the leaf is in the kernel, named after the system call
# on the stack when there is one, the frame do_syscall_64 called, e.g. kernel:io_uring_enter),
# other (any other process).
perf_samples() {
  awk -v pid="$1" '
    function flush(   kind) {
      if (!have) return
      if (soft) kind = "softirq"
      else if (p == 0) kind = "idle"
      else if (p == pid) kind = leafdso ~ /kernel/ ? "kernel" (sys != "" ? ":" sys : "") : "user"
      else kind = "other"
      print kind, period, leaf
      have = 0
    }
    /^[^ \t]/ {
      flush()
      split($(NF - 1), pt, "/"); p = pt[1] + 0; period = $NF; have = 1; depth = 0; soft = 0; sys = ""; prev = ""; leaf = "?"
      next
    }
    /^[ \t]+[0-9a-f]+ / {
      dso = $NF; sym = $2; for (i = 3; i < NF; i++) sym = sym "_" $i
      if (depth++ == 0) { leaf = sym; leafdso = dso }
      if (sym ~ /^(handle_softirqs|__do_softirq|net_rx_action|do_softirq)/) soft = 1
      if (sys == "" && sym == "do_syscall_64") { sys = prev; sub(/^(__x64_sys_|__do_sys_|ksys_|__sys_)/, "", sys) }
      if (sym != "x64_sys_call") prev = sym
    }
    END { flush() }'
}

# sched_summary PID SECONDS: reads `perf sched timehist` of one CPU (one line per switch away from a
# task: time, [cpu], the task as comm[tid/pid] or <idle>, its wait, its scheduling delay and the
# run that just ended, all three in ms) and prints the CPU's time by task, the scheduling delay of
# PID's threads (wake-up to run) as a distribution, and each task's runs of 0.1 ms or more, the
# ones a woken server thread can have waited behind. Task names may hold spaces.
sched_summary() {
  awk -v pid="$1" -v secs="$2" '
    function pct(q,   need, c, b) { need = q * nd; for (b = 0; b <= maxb; b++) { c += hist[b]; if (c >= need && c > 0) return b } return maxb }
    $2 ~ /^\[[0-9]+\]$/ && NF >= 6 {
      run = $NF; delay = $(NF - 1); task = $3
      for (i = 4; i <= NF - 3; i++) task = task " " $i
      p = ""; t = task
      if (match(task, /\[[0-9]+\/[0-9]+\]$/)) { split(substr(task, RSTART + 1, RLENGTH - 2), tp, "/"); p = tp[2]; t = substr(task, 1, RSTART - 1) }
      else if (match(task, /\[[0-9]+\]$/)) { p = substr(task, RSTART + 1, RLENGTH - 2); t = substr(task, 1, RSTART - 1) }
      if (task == "<idle>") { key = "<idle>"; p = "" } else key = (p == pid ? "server: " : "") t
      runs[key] += run; count[key]++; if (run > longest[key]) longest[key] = run
      if (p == pid) {
        b = int(delay * 1000); hist[b]++; nd++; if (b > maxb) maxb = b
        if (delay >= 0.1) over100++
        if (delay >= 1) over1000++
      }
      if (key != "<idle>" && run >= 0.1) { long[key]++; longsum[key] += run }
    }
    END {
      printf "== time by task (ms of %.1f s; runs; longest run, ms)\n", secs
      for (k in runs) printf "%10.1f  %7d  %8.3f  %s\n", runs[k], count[k], longest[k], k | "sort -rn"
      close("sort -rn")
      printf "== the server'\''s threads: scheduling delay, wake-up to run (%d runs; 1 us buckets)\n", nd
      if (nd > 0) printf "   p50 %d us  p99 %d us  p999 %d us  max %d us  >=0.1 ms: %d  >=1 ms: %d\n",
        pct(0.5), pct(0.99), pct(0.999), maxb, over100 + 0, over1000 + 0
      print "== runs of 0.1 ms or more, by task (count, ms in all): what a woken thread waits behind if it cannot preempt"
      for (k in long) printf "%7d  %8.1f  %s\n", long[k], longsum[k], k | "sort -k2,2rn"
      close("sort -k2,2rn")
    }'
}

# server_started LOG PID TIMEOUT_MS: waits until an echo server's LOG has its "serving " line, which
# EchoServerMain prints once its start has returned and the C servers once they listen, or the
# process has gone (status 1), or TIMEOUT_MS has passed (status 1). A Java server's port accepts
# connections earlier, from the listen call on: one stopped (SIGSTOP) in between found its start's
# own timeout passed when continued (every Roundhouse server of the matrices of 2026-12-08
# 00:58-02:20 logged a TimeoutException from its main thread; they served on, the figures stand).
server_started() {
  local waited=0
  until grep -q '^serving ' "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || return 1
    [ "$waited" -lt "$3" ] || return 1
    sleep 0.02 # a poll of the log, not a synchronisation between tests
    waited=$((waited + 20))
  done
}

# proc_ticks PID: the CPU a process has used (user + system, its waited-for children's too), in
# clock ticks (getconf CLK_TCK); 0 once it has gone.
proc_ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# field NAME LINE: the value of NAME=value in a load generator's RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
