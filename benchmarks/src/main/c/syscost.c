/*
 * The cost of one system call that does nothing (getppid, through syscall(2) so that no library
 * caches it): calls it in windows of 10,000 for MILLIS ms and prints the fastest window's mean, in
 * ns ("syscall_ns=N").
 *
 *   syscost MILLIS
 *
 * Why: every server's work per message is mostly system calls (a read, a write, a wait; iocp's
 * emulation on Linux two more), so what one costs sets how far apart servers that make different
 * numbers of them land. On bare metal with current mitigations a null call is ~0.1-0.3 us; the
 * 2-vCPU VM of 2026-12-06 runs its guest kernel under a PVM hypervisor (dmesg: "Hypervisor
 * detected: PVM"), where every entry to the guest kernel goes through the host: ~1.1 us. The
 * matrix records it in machine.txt. The fastest window, because a window that another thread
 * preempts measures the scheduler.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 10000

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: syscost MILLIS\n");
    return 2;
  }
  uint64_t millis = strtoull(argv[1], NULL, 10);
  uint64_t end = now_ns() + millis * 1000000u;
  double best = -1;
  do {
    uint64_t start = now_ns();
    for (int i = 0; i < WINDOW; i++) {
      syscall(SYS_getppid); /* an external call with side effects: never elided */
    }
    double mean = (double)(now_ns() - start) / WINDOW;
    if (best < 0 || mean < best) best = mean;
  } while (now_ns() < end);
  printf("syscall_ns=%.0f\n", best);
  return 0;
}
