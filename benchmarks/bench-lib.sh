# Shared by run-matrix.sh and profile-server.sh (sourced, not run): building the C programs and
# preparing the private network namespace the echo benchmarks run in.

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

# rps_netns_setup MASK: inside a fresh `unshare -n --mount`, mounts a sysfs that shows this
# namespace's own loopback, brings it up and steers its receive processing to the CPUs in MASK (RPS).
# Returns 1, saying so on stderr, if RPS could not be set.
rps_netns_setup() {
  mount -t sysfs sysfs /sys
  ip link set lo up
  echo "$1" >/sys/class/net/lo/queues/rx-0/rps_cpus
  [ "$(cat /sys/class/net/lo/queues/rx-0/rps_cpus)" -eq "$1" ] || { echo "could not set RPS on lo" >&2; return 1; }
}
