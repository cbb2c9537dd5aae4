/*
 * The C io_uring baseline: a single-threaded echo server on 127.0.0.1 over raw io_uring system
 * calls (no liburing), as small as such a server can be while still being correct under
 * back-pressure. It answers one question the epoll baseline (echo_server.c) cannot: can the load
 * generator drive a server faster than the best Java server? The Java io_uring servers batch
 * their system calls and beat the one-recv-one-send epoll server on 64-connection ping-pong, so
 * the epoll baseline alone cannot show that the load generator had room.
 *
 *   uring_echo_server PORT
 *
 * One ring (SINGLE_ISSUER + DEFER_TASKRUN where the kernel has them, plain otherwise), one
 * multishot accept, and per connection one 64 KiB buffer and one chain at a time: a recv, then,
 * for the bytes it got, a send with MSG_WAITALL linked to the next recv. The send's success posts
 * no completion (CQE_SKIP_SUCCESS), so a round trip is one completion and, when the answer is not
 * there yet, one io_uring_enter that submits the chain and waits. A send that cannot finish (a
 * peer that does not read) holds the chain, so the next recv never starts: nothing is buffered
 * without bound. TCP_NODELAY on every connection, like the other servers. Runs until SIGTERM or
 * SIGINT; a fatal error (no io_uring, a kernel before 6.0) prints one line and exits 1.
 *
 * Built by benchmarks/run-matrix.sh: gcc -O2 -o uring_echo_server uring_echo_server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BUF_BYTES (64 * 1024)
#define SQ_ENTRIES 1024
#define CQ_ENTRIES 8192

/* user_data: a connection's address with the operation in its low bits (malloc aligns to 16) */
enum { OP_ACCEPT = 0, OP_RECV = 1, OP_SEND = 2, OP_MASK = 3 };

struct conn {
    int fd;
    char buf[BUF_BYTES];
};

static struct {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned sq_local_tail; /* SQEs filled; published to *sq_tail before each enter */
    unsigned to_submit;
} ring;

static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig; stopping = 1; }

static void die(const char *what) {
    fprintf(stderr, "uring_echo_server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int enter(unsigned to_submit, unsigned min_complete, unsigned flags) {
    return (int)syscall(__NR_io_uring_enter, ring.fd, to_submit, min_complete, flags, NULL, 0);
}

static void publish(void) {
    __atomic_store_n(ring.sq_tail, ring.sq_local_tail, __ATOMIC_RELEASE);
}

/* Submits what is queued without waiting (used only when the submission queue is full). */
static void submit_now(void) {
    publish();
    while (ring.to_submit > 0) {
        int n = enter(ring.to_submit, 0, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
            die("io_uring_enter (submit)");
        }
        ring.to_submit -= (unsigned)n;
    }
}

static struct io_uring_sqe *next_sqe(void) {
    if (ring.sq_local_tail - __atomic_load_n(ring.sq_head, __ATOMIC_ACQUIRE) >= SQ_ENTRIES) {
        submit_now();
    }
    unsigned i = ring.sq_local_tail & *ring.sq_mask;
    struct io_uring_sqe *sqe = &ring.sqes[i];
    memset(sqe, 0, sizeof *sqe);
    ring.sq_array[i] = i;
    ring.sq_local_tail++;
    ring.to_submit++;
    return sqe;
}

static void post_accept(int lfd) {
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = lfd;
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->accept_flags = SOCK_CLOEXEC;
    sqe->user_data = OP_ACCEPT;
}

static void post_recv(struct conn *c, uint8_t flags) {
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_RECV;
    sqe->flags = flags;
    sqe->fd = c->fd;
    sqe->addr = (uint64_t)(uintptr_t)c->buf;
    sqe->len = BUF_BYTES;
    sqe->user_data = (uint64_t)(uintptr_t)c | OP_RECV;
}

/* The echo of n bytes, then the next recv once every byte has left. */
static void post_echo(struct conn *c, unsigned n) {
    struct io_uring_sqe *sqe = next_sqe();
    sqe->opcode = IORING_OP_SEND;
    sqe->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    sqe->fd = c->fd;
    sqe->addr = (uint64_t)(uintptr_t)c->buf;
    sqe->len = n;
    sqe->msg_flags = MSG_WAITALL | MSG_NOSIGNAL;
    sqe->user_data = (uint64_t)(uintptr_t)c | OP_SEND;
    post_recv(c, 0);
}

static void setup(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    p.cq_entries = CQ_ENTRIES;
    ring.fd = (int)syscall(__NR_io_uring_setup, SQ_ENTRIES, &p);
    if (ring.fd < 0 && errno == EINVAL) { /* a kernel before 6.1: no DEFER_TASKRUN */
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_CQSIZE;
        p.cq_entries = CQ_ENTRIES;
        ring.fd = (int)syscall(__NR_io_uring_setup, SQ_ENTRIES, &p);
    }
    if (ring.fd < 0) die("io_uring_setup");
    if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_CQE_SKIP)) {
        errno = ENOSYS;
        die("io_uring without single mmap or CQE_SKIP_SUCCESS (needs Linux 6.0 or later)");
    }
    size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t ring_bytes = sq_bytes > cq_bytes ? sq_bytes : cq_bytes;
    char *rings = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
                       IORING_OFF_SQ_RING);
    if (rings == MAP_FAILED) die("mmap (rings)");
    ring.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);
    if (ring.sqes == MAP_FAILED) die("mmap (sqes)");
    ring.sq_head = (unsigned *)(rings + p.sq_off.head);
    ring.sq_tail = (unsigned *)(rings + p.sq_off.tail);
    ring.sq_mask = (unsigned *)(rings + p.sq_off.ring_mask);
    ring.sq_array = (unsigned *)(rings + p.sq_off.array);
    ring.cq_head = (unsigned *)(rings + p.cq_off.head);
    ring.cq_tail = (unsigned *)(rings + p.cq_off.tail);
    ring.cq_mask = (unsigned *)(rings + p.cq_off.ring_mask);
    ring.cqes = (struct io_uring_cqe *)(rings + p.cq_off.cqes);
    ring.sq_local_tail = *ring.sq_tail;
}

static void conn_close(struct conn *c) {
    close(c->fd);
    free(c);
}

static void on_accepted(int lfd, struct io_uring_cqe *cqe) {
    if (cqe->res == -EINVAL) {
        errno = EINVAL;
        die("multishot accept (needs Linux 5.19 or later)");
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) post_accept(lfd); /* the multishot accept ended: re-arm */
    if (cqe->res < 0) return; /* EMFILE and the like: the benchmark never gets near the limit */
    int fd = cqe->res, one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    if (!c) { close(fd); return; }
    c->fd = fd;
    post_recv(c, 0);
}

/*
 * A connection has one chain in flight: a recv, or a send and its linked recv. A failed send
 * posts its error first and then the recv's -ECANCELED, so the connection is freed on its recv's
 * completion alone: EOF, an error or the cancel, after which nothing of it is in flight.
 */
static void on_completion(int lfd, struct io_uring_cqe *cqe) {
    uint64_t ud = cqe->user_data;
    if (ud == OP_ACCEPT) { on_accepted(lfd, cqe); return; }
    struct conn *c = (struct conn *)(uintptr_t)(ud & ~(uint64_t)OP_MASK);
    if ((ud & OP_MASK) == OP_SEND) return; /* only failures post: the linked recv is cancelled */
    if (cqe->res <= 0) { conn_close(c); return; }
    post_echo(c, (unsigned)cqe->res);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: io_uring_enter returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        die("bind/listen");
    }
    setup();
    post_accept(lfd);
    while (!stopping) {
        publish();
        int n = enter(ring.to_submit, 1, IORING_ENTER_GETEVENTS);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
            die("io_uring_enter");
        }
        ring.to_submit -= (unsigned)n;
        unsigned head = *ring.cq_head;
        unsigned tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            on_completion(lfd, &ring.cqes[head & *ring.cq_mask]);
            /* hand each entry back at once: the handlers may submit, and a full submission queue
               makes them enter the kernel, which may post more completions */
            __atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);
        }
    }
    close(lfd);
    return 0;
}
