/*
 * A minimal io_uring over raw system calls (no liburing), shared by the C io_uring echo server and
 * the load generator's io_uring client: one ring per process, submission entries filled in place
 * and published in one store before each io_uring_enter, completions read in place.
 *
 * Single-threaded use only. Needs Linux 6.0 or later (CQE_SKIP_SUCCESS, MSG_WAITALL on send,
 * multishot accept); uring_setup() says so and exits otherwise.
 */
#ifndef ROUNDHOUSE_URING_H
#define ROUNDHOUSE_URING_H

#include <errno.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct uring {
    int fd;
    unsigned sq_entries;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned sq_local_tail; /* entries filled; published to *sq_tail before each enter */
    unsigned to_submit;     /* entries published or filled but not yet taken by the kernel */
};

static void uring_die(const char *prog, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    exit(1);
}

static inline int uring_enter(struct uring *r, unsigned to_submit, unsigned min_complete, unsigned flags,
                              void *arg, size_t argsz) {
    return (int)syscall(__NR_io_uring_enter, r->fd, to_submit, min_complete, flags, arg, argsz);
}

static inline void uring_publish(struct uring *r) {
    __atomic_store_n(r->sq_tail, r->sq_local_tail, __ATOMIC_RELEASE);
}

/* Submits what is queued without waiting (when the submission queue is full). */
static void uring_submit_now(struct uring *r, const char *prog) {
    uring_publish(r);
    while (r->to_submit > 0) {
        int n = uring_enter(r, r->to_submit, 0, 0, NULL, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
            uring_die(prog, "io_uring_enter (submit)");
        }
        r->to_submit -= (unsigned)n;
    }
}

/* A zeroed submission entry, counted as queued; submits first if the queue is full. */
static inline struct io_uring_sqe *uring_sqe(struct uring *r, const char *prog) {
    if (r->sq_local_tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) >= r->sq_entries) {
        uring_submit_now(r, prog);
    }
    unsigned i = r->sq_local_tail & *r->sq_mask;
    struct io_uring_sqe *sqe = &r->sqes[i];
    memset(sqe, 0, sizeof *sqe);
    r->sq_array[i] = i;
    r->sq_local_tail++;
    r->to_submit++;
    return sqe;
}

/* Sets the ring up: SINGLE_ISSUER + DEFER_TASKRUN (completions are posted only inside
   io_uring_enter with GETEVENTS), CQ_ENTRIES completion slots. Exits on failure. */
static void uring_setup(struct uring *r, unsigned sq_entries, unsigned cq_entries, const char *prog) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    p.cq_entries = cq_entries;
    r->fd = (int)syscall(__NR_io_uring_setup, sq_entries, &p);
    if (r->fd < 0) uring_die(prog, "io_uring_setup (needs Linux 6.0 or later)");
    if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_CQE_SKIP)
        || !(p.features & IORING_FEAT_EXT_ARG)) {
        errno = ENOSYS;
        uring_die(prog, "io_uring without single mmap, CQE_SKIP_SUCCESS or EXT_ARG "
                        "(needs Linux 6.0 or later)");
    }
    size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t ring_bytes = sq_bytes > cq_bytes ? sq_bytes : cq_bytes;
    char *rings = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                       IORING_OFF_SQ_RING);
    if (rings == MAP_FAILED) uring_die(prog, "mmap (rings)");
    r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) uring_die(prog, "mmap (sqes)");
    r->sq_entries = p.sq_entries;
    r->sq_head = (unsigned *)(rings + p.sq_off.head);
    r->sq_tail = (unsigned *)(rings + p.sq_off.tail);
    r->sq_mask = (unsigned *)(rings + p.sq_off.ring_mask);
    r->sq_array = (unsigned *)(rings + p.sq_off.array);
    r->cq_head = (unsigned *)(rings + p.cq_off.head);
    r->cq_tail = (unsigned *)(rings + p.cq_off.tail);
    r->cq_mask = (unsigned *)(rings + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(rings + p.cq_off.cqes);
    r->sq_local_tail = *r->sq_tail;
    r->to_submit = 0;
}

/*
 * Submits what is queued and waits for at least min_complete completions (or the timeout, if
 * timeout_ns >= 0; EINTR, ETIME and EAGAIN count as waking with nothing), then hands each
 * completion to on_cqe and returns how many there were. Exits on any other failure.
 */
static int uring_wait(struct uring *r, unsigned min_complete, long long timeout_ns,
                      void (*on_cqe)(struct io_uring_cqe *), const char *prog) {
    uring_publish(r);
    unsigned flags = IORING_ENTER_GETEVENTS;
    struct __kernel_timespec ts;
    struct io_uring_getevents_arg arg;
    void *argp = NULL;
    size_t argsz = 0;
    if (timeout_ns >= 0 && min_complete > 0) {
        ts.tv_sec = timeout_ns / 1000000000LL;
        ts.tv_nsec = timeout_ns % 1000000000LL;
        memset(&arg, 0, sizeof arg);
        arg.ts = (uint64_t)(uintptr_t)&ts;
        flags |= IORING_ENTER_EXT_ARG;
        argp = &arg;
        argsz = sizeof arg;
    }
    int n = uring_enter(r, r->to_submit, min_complete, flags, argp, argsz);
    if (n < 0) {
        if (errno != EINTR && errno != ETIME && errno != EAGAIN && errno != EBUSY) {
            uring_die(prog, "io_uring_enter");
        }
    } else {
        r->to_submit -= (unsigned)n;
    }
    unsigned head = *r->cq_head;
    unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
    int seen = 0;
    for (; head != tail; head++, seen++) {
        on_cqe(&r->cqes[head & *r->cq_mask]);
        /* hand each entry back at once: a handler that fills the submission queue enters the
           kernel, which may post more completions */
        __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
    }
    return seen;
}

#endif
