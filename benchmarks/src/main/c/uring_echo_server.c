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
 * One ring (uring.h: SINGLE_ISSUER + DEFER_TASKRUN), one multishot accept, and per connection
 * one 64 KiB buffer and one chain at a time: a recv, then, for the bytes it got, a send with
 * MSG_WAITALL linked to the next recv. The send's success posts no completion (CQE_SKIP_SUCCESS),
 * so a round trip is one completion and, when the answer is not there yet, one io_uring_enter
 * that submits the chain and waits. A send that cannot finish (a
 * peer that does not read) holds the chain, so the next recv never starts: nothing is buffered
 * without bound. TCP_NODELAY on every connection, like the other servers. Runs until SIGTERM or
 * SIGINT; a fatal error (no io_uring, a kernel before 6.0) prints one line and exits 1.
 *
 * Built by benchmarks/run-matrix.sh: gcc -O2 -o uring_echo_server uring_echo_server.c (with uring.h)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uring.h"

#define BUF_BYTES (64 * 1024)
#define SQ_ENTRIES 1024
#define CQ_ENTRIES 8192
#define PROG "uring_echo_server"

/* user_data: a connection's address with the operation in its low bits (malloc aligns to 16);
   the values below 16 name the server's own requests */
enum { OP_RECV = 1, OP_SEND = 2, OP_MASK = 3 };
enum { UD_ACCEPT = 0, UD_SIGNAL = 1, UD_CANCEL = 2 };

struct conn {
    int fd;
    char buf[BUF_BYTES];
};

static struct uring ring;
static int lfd, sfd;
static int stopping;
static struct signalfd_siginfo siginfo;

/* SIGTERM and SIGINT are blocked and read from a signalfd through the ring, so a signal always
   ends the wait it arrives in (a handler's flag could be set just before the wait begins). */
static void post_signal_read(void) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, PROG);
    sqe->opcode = IORING_OP_READ;
    sqe->fd = sfd;
    sqe->addr = (uint64_t)(uintptr_t)&siginfo;
    sqe->len = sizeof siginfo;
    sqe->user_data = UD_SIGNAL;
}

static void post_accept(void) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, PROG);
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = lfd;
    sqe->ioprio = IORING_ACCEPT_MULTISHOT;
    sqe->accept_flags = SOCK_CLOEXEC;
    sqe->user_data = UD_ACCEPT;
}

static void post_recv(struct conn *c) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, PROG);
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = c->fd;
    sqe->addr = (uint64_t)(uintptr_t)c->buf;
    sqe->len = BUF_BYTES;
    sqe->user_data = (uint64_t)(uintptr_t)c | OP_RECV;
}

/* The echo of n bytes, then the next recv once every byte has left. */
static void post_echo(struct conn *c, unsigned n) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, PROG);
    sqe->opcode = IORING_OP_SEND;
    sqe->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    sqe->fd = c->fd;
    sqe->addr = (uint64_t)(uintptr_t)c->buf;
    sqe->len = n;
    sqe->msg_flags = MSG_WAITALL | MSG_NOSIGNAL;
    sqe->user_data = (uint64_t)(uintptr_t)c | OP_SEND;
    post_recv(c);
}

static void conn_close(struct conn *c) {
    close(c->fd);
    free(c);
}

static void on_accepted(struct io_uring_cqe *cqe) {
    if (cqe->res == -EINVAL) {
        errno = EINVAL;
        uring_die(PROG, "multishot accept (needs Linux 5.19 or later)");
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) post_accept(); /* the multishot accept ended: re-arm */
    if (cqe->res < 0) return; /* EMFILE and the like: the benchmark never gets near the limit */
    int fd = cqe->res, one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    if (!c) { close(fd); return; }
    c->fd = fd;
    post_recv(c);
}

/*
 * A connection has one chain in flight: a recv, or a send and its linked recv. A failed send
 * posts its error first and then the recv's -ECANCELED, so the connection is freed on its recv's
 * completion alone: EOF, an error or the cancel, after which nothing of it is in flight.
 */
static void on_completion(struct io_uring_cqe *cqe) {
    uint64_t ud = cqe->user_data;
    if (ud == UD_ACCEPT) { on_accepted(cqe); return; }
    if (ud == UD_SIGNAL) { stopping = 1; return; }
    struct conn *c = (struct conn *)(uintptr_t)(ud & ~(uint64_t)OP_MASK);
    if ((ud & OP_MASK) == OP_SEND) return; /* only failures post: the linked recv is cancelled */
    if (cqe->res <= 0) { conn_close(c); return; }
    post_echo(c, (unsigned)cqe->res);
}

static int accept_ended;

static void on_stopping_completion(struct io_uring_cqe *cqe) {
    if (cqe->user_data == UD_ACCEPT && !(cqe->flags & IORING_CQE_F_MORE)) accept_ended = 1;
}

/* Cancels the multishot accept and waits (at most 1 s) for its last completion: a request in
 * flight holds the listening socket until the kernel tears the ring down, after the exit, so
 * without this the port could still accept connections once the process is gone. */
static void stop_accepting(void) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, PROG);
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->addr = UD_ACCEPT; /* the user_data of the request to cancel */
    sqe->user_data = UD_CANCEL; /* its own completion is ignored */
    for (int i = 0; i < 10 && !accept_ended; i++) {
        uring_wait(&ring, 1, 100000000LL, on_stopping_completion, PROG);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    sfd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) uring_die(PROG, "signalfd");

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        uring_die(PROG, "bind/listen");
    }
    uring_setup(&ring, SQ_ENTRIES, CQ_ENTRIES, PROG);
    post_signal_read();
    post_accept();
    /* the readiness line run-matrix.sh waits for, as EchoServerMain's (bench-lib.sh server_started) */
    printf("serving c io_uring on 127.0.0.1:%s pid=%d\n", argv[1], (int)getpid());
    fflush(stdout);
    while (!stopping) uring_wait(&ring, 1, -1, on_completion, PROG);
    stop_accepting();
    close(lfd);
    return 0;
}
