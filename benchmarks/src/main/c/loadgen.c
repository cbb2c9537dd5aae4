/*
 * The echo load generator: one thread, one io_uring or epoll set, many connections to 127.0.0.1.
 * Written in C so that it cannot be the bottleneck: the matrix shows it driving the C echo servers
 * faster than any Java server, and it reports its own CPU use (client_cpu, 1.0 = its core
 * saturated; when it spins, LOADGEN_POLL=spin, the CPU it used minus the time its polls found
 * nothing).
 *
 *   loadgen pingpong PORT CONNS BYTES WARMUP_S DURATION_S
 *       every connection sends BYTES, waits for all of them to come back, sends the next message;
 *       reports round trips/s and latency percentiles (p50/p99/p999/max).
 *   loadgen stream PORT CONNS BYTES WARMUP_S DURATION_S WINDOW_BYTES
 *       every connection keeps up to WINDOW_BYTES in flight, written BYTES at a time; reports MiB/s
 *       of echoed bytes.
 *   loadgen connect PORT CONNS BYTES WARMUP_S DURATION_S
 *       CONNS connections at a time, each: connect, send BYTES, read them back, close;
 *       reports completed connections/s and the latency of the whole cycle.
 *   loadgen rate PORT CONNS BYTES WARMUP_S DURATION_S RATE
 *       open loop: RATE messages of BYTES per second in all, round robin over the connections,
 *       each sent when it is due whether or not the ones before it have come back (a connection may
 *       have several in flight); reports the rate achieved and the latency of each message from
 *       the time it was due to be sent (not from when it went out), so a server that falls behind
 *       shows its whole backlog in the percentiles (no coordinated omission). The offered load is
 *       the same for every server: unlike ping-pong, where a server that batches its answers is sent
 *       bigger batches, what is measured does not feed back into what is offered. Always spins
 *       (a sleeping client would send late) and runs over epoll only.
 *   loadgen wait PORT TIMEOUT_MS
 *       connects until the server accepts (readiness by connecting, not by sleeping); exit 0/1.
 *   loadgen wait-closed PORT TIMEOUT_MS
 *       connects until the port refuses (the server's listener is gone); exit 0/1.
 *   loadgen uring-check
 *       exit 0 if LOADGEN_IO=uring can run here (Linux 6.0+), else 1 with the reason on stderr.
 *
 * LOADGEN_POLL=spin polls without blocking (the CPU never idles, no echo waits for the load
 * generator to wake); block (default) sleeps in the wait. LOADGEN_IO=uring drives every mode over
 * io_uring (one io_uring_enter per batch instead of a recv and a send per message: less CPU per
 * operation, see the uring client below); epoll (default) over epoll and plain system calls.
 *
 * Every byte that comes back is compared with what was sent (a pseudo-random stream per
 * connection, compared with memcmp so that checking costs little). A mismatch, a connection
 * lost mid-run or five seconds without progress end the run with exit status 1. Prints one
 * line: "RESULT mode=... key=value ...".
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
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "histogram.h"
#include "uring.h"

#define PATTERN_BYTES 65536u          /* the stream repeats every 64 KiB */
#define IO_BYTES (64 * 1024)
#define STALL_NS (5ull * 1000000000ull)

enum mode { PINGPONG, STREAM, CONNECT, RATE };

struct conn {
    int fd;
    int connected;
    uint32_t start;       /* this connection's offset into the pattern */
    uint64_t sent, recvd; /* stream offsets */
    uint64_t msg_start_ns;
    int idx;              /* rate: the connection's place in the round robin */
    uint64_t msgs_due;    /* rate: messages of this connection that fell due so far */
    uint64_t msgs_done;   /* rate: messages of this connection that came back whole */
};

static uint8_t pattern[2 * PATTERN_BYTES]; /* twice, so any window of <= 64 KiB is contiguous */
static uint8_t rbuf[IO_BYTES];
static enum mode mode;
static int port, nconns;
static size_t msg_bytes, window_bytes;
static int ep;
static uint64_t next_conn_id;
static struct histogram hist;
static int measuring;
static uint64_t count_ops, count_bytes, last_progress_ns;
/* waits (epoll_wait, io_uring_enter), the events (completions) they returned, the waits that found
   nothing to do (no event, nothing submitted) and those that returned events, while measuring:
   how much each wake-up batched (events per wait that had any) and, when spinning, the idle share */
static uint64_t count_waits, count_events, count_empty_waits, count_event_waits;
/* rate: messages per second offered, when the schedule began (all connections made), the next
   message in the round robin (message g goes to connection g % nconns) */
static double rate;
static uint64_t rate_start_ns, rate_next;
static struct conn *rate_conns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void fail(const char *what, struct conn *c) {
    fprintf(stderr, "loadgen: %s (conn fd %d, sent %llu, received %llu, errno %s)\n", what,
            c ? c->fd : -1, c ? (unsigned long long)c->sent : 0ull,
            c ? (unsigned long long)c->recvd : 0ull, strerror(errno));
    printf("RESULT mode=error reason=\"%s\"\n", what);
    exit(1);
}

static void fill_pattern(void) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < PATTERN_BYTES; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        pattern[i] = pattern[i + PATTERN_BYTES] = (uint8_t)(x >> 24);
    }
}

static const uint8_t *pattern_at(const struct conn *c, uint64_t offset) {
    return pattern + (uint32_t)((c->start + offset) % PATTERN_BYTES);
}

static struct sockaddr_in server_addr(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* Gives c the next connection's identity on fd: its offset into the pattern, counters at zero.
 * Returns the connection's number. */
static uint64_t conn_begin(struct conn *c, int fd) {
    uint64_t id = next_conn_id++;
    c->fd = fd;
    c->start = (uint32_t)((id * 4099u) % PATTERN_BYTES);
    c->sent = c->recvd = 0;
    return id;
}

/* Connect mode: binds fd to a source address in 127.0.0.2-201 picked by the connection's number
 * (the port is chosen at connect, IP_BIND_ADDRESS_NO_PORT), so that tens of thousands of short
 * connections do not exhaust one address's ephemeral ports. */
static void bind_spread_source(int fd, uint64_t id) {
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7F000002u + (uint32_t)(id % 200));
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) fail("bind source address", NULL);
}

/* Opens a non-blocking connection (connect mode: from a spread source address). */
static void conn_open(struct conn *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket", NULL);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint64_t id = conn_begin(c, fd);
    if (mode == CONNECT) bind_spread_source(fd, id);
    struct sockaddr_in a = server_addr();
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) fail("connect", NULL);
    c->connected = 0;
    c->msg_start_ns = now_ns();
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl", c);
}

/* Sends up to `limit` bytes of the stream; stops early when the socket is full. */
static void send_upto(struct conn *c, uint64_t limit) {
    while (c->sent < limit) {
        size_t n = (size_t)(limit - c->sent);
        if (n > PATTERN_BYTES) n = PATTERN_BYTES;
        ssize_t w = send(c->fd, pattern_at(c, c->sent), n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return; /* EPOLLOUT (edge) will call again */
            fail("send", c);
        }
        c->sent += (uint64_t)w;
    }
}

/* What to send now: ping-pong and connect wait for the whole message back, streaming keeps the
 * window full, a message at a time. */
static void pump_send(struct conn *c) {
    if (mode == RATE) {
        send_upto(c, c->msgs_due * msg_bytes); /* what fell due, also what a full socket held back */
    } else if (mode == STREAM) {
        while (c->sent - c->recvd < window_bytes) {
            uint64_t room = window_bytes - (c->sent - c->recvd);
            uint64_t before = c->sent;
            send_upto(c, c->sent + (room < msg_bytes ? room : msg_bytes));
            if (c->sent == before) return;
        }
    } else if (c->sent == c->recvd && !(mode == CONNECT && c->sent > 0)) {
        c->msg_start_ns = mode == CONNECT ? c->msg_start_ns : now_ns();
        send_upto(c, c->sent + msg_bytes);
    } else if (c->sent % msg_bytes != 0) {
        send_upto(c, c->sent - c->sent % msg_bytes + msg_bytes); /* finish a partial message */
    }
}

static void on_message_done(struct conn *c, uint64_t t) {
    if (measuring) {
        count_ops++;
        hist_record(&hist, t - c->msg_start_ns);
    }
}

/* rate: when message k of connection i is due to be sent. */
static uint64_t rate_due_ns(int i, uint64_t k) {
    return rate_start_ns + (uint64_t)((double)(k * (uint64_t)nconns + (uint64_t)i) * 1e9 / rate);
}

/* rate: sends every message due by now (the schedule starts once every connection is made).
 * Returns how many fell due. */
static int rate_send_due(uint64_t now) {
    if (rate_start_ns == 0) {
        for (int i = 0; i < nconns; i++) if (!rate_conns[i].connected) return 0;
        rate_start_ns = now;
    }
    int n = 0;
    while (rate_due_ns((int)(rate_next % (uint64_t)nconns), rate_next / (uint64_t)nconns) <= now) {
        struct conn *c = &rate_conns[rate_next % (uint64_t)nconns];
        c->msgs_due++;
        pump_send(c);
        rate_next++;
        n++;
    }
    return n;
}

/* rate: the messages of c that have come back whole, each timed from when it was due. */
static void rate_messages_done(struct conn *c) {
    while (c->recvd >= (c->msgs_done + 1) * msg_bytes) {
        c->msg_start_ns = rate_due_ns(c->idx, c->msgs_done);
        on_message_done(c, last_progress_ns);
        c->msgs_done++;
    }
}

/* Checks r echoed bytes against the stream sent on c and counts them as progress. */
static void check_echo(struct conn *c, const uint8_t *buf, size_t r) {
    if ((uint64_t)r > c->sent - c->recvd) fail("received more bytes than were sent", c);
    size_t done = 0;
    while (done < r) { /* the pattern is contiguous for at most 64 KiB */
        size_t n = r - done;
        if (memcmp(buf + done, pattern_at(c, c->recvd), n) != 0) fail("echoed bytes differ", c);
        c->recvd += n;
        done += n;
    }
    last_progress_ns = now_ns();
    if (measuring) count_bytes += (uint64_t)r;
}

/* Reads until the socket is drained, checking every byte. Returns 0 if the connection is done
 * (connect mode) and has been replaced. A read shorter than the buffer counts as drained, as in
 * the C server: with EPOLLET any byte arriving after that read queues a new event, so nothing is
 * missed, and the load generator does not pay a second, EAGAIN-returning recv per message that
 * the servers it measures do not pay. */
static int pump_recv(struct conn *c) {
    for (;;) {
        ssize_t r = recv(c->fd, rbuf, sizeof rbuf, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
            fail("recv", c);
        }
        if (r == 0) fail("server closed the connection", c);
        check_echo(c, rbuf, (size_t)r);
        if (mode == RATE) {
            rate_messages_done(c);
        } else if (mode != STREAM && c->recvd == c->sent && c->sent % msg_bytes == 0) {
            on_message_done(c, last_progress_ns);
            if (mode == CONNECT) {
                close(c->fd); /* graceful close; the server closes on EOF */
                conn_open(c);
                return 0;
            }
            pump_send(c);
        }
        if ((size_t)r < sizeof rbuf) return 1;
    }
}

static void on_event(struct conn *c, uint32_t events) {
    if (!c->connected) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) { errno = err; fail("connect failed", c); }
        c->connected = 1;
    }
    if (!pump_recv(c)) return;
    pump_send(c);
}

/* ---- LOADGEN_IO=uring: the client over io_uring (uring.h) ----
 * One io_uring_enter per batch: the operations that a batch of completions calls for go to the
 * kernel in the one enter that then waits (or, spinning, polls) for the next batch, instead of a
 * recv and a send per message and an epoll_wait per batch. Per connection one recv is always in
 * flight into the connection's own buffer.
 *   pingpong: each message one send with MSG_WAITALL whose success posts nothing (CQE_SKIP_SUCCESS).
 *   stream:   at most one send in flight per connection (two sends in flight on one socket could
 *             complete out of order), BYTES at a time with MSG_WAITALL, its completion counted; the
 *             next goes out when a send completes or an echo makes room in the window.
 *   connect:  socket, IP_BIND_ADDRESS_NO_PORT and bind stay plain system calls (the source address
 *             spread needs them before the connect); then connect -> send -> recv as one linked
 *             chain, only the recv (or a failure) posting, and close through the ring. No
 *             TCP_NODELAY: each connection sends one message with nothing unacknowledged before
 *             it, which Nagle's algorithm never holds back. */
enum { U_RECV = 1, U_SEND = 2, U_CONNECT = 3, U_CLOSE = 4, U_OPS = 3 }; /* user_data: index << U_OPS | op */

static struct uring ring;
static struct conn *uconns;
static uint8_t *ubufs;      /* IO_BYTES per connection */
static uint8_t *usending;   /* stream: a send is in flight on connection i */

static struct io_uring_sqe *u_sqe(int i, int op, int fd, uint8_t flags) {
    struct io_uring_sqe *sqe = uring_sqe(&ring, "loadgen");
    sqe->opcode = (uint8_t)(op == U_RECV ? IORING_OP_RECV : op == U_SEND ? IORING_OP_SEND
                            : op == U_CONNECT ? IORING_OP_CONNECT : IORING_OP_CLOSE);
    sqe->flags = flags;
    sqe->fd = fd;
    sqe->user_data = (uint64_t)i << U_OPS | (uint64_t)op;
    return sqe;
}

static void u_post_recv(int i) {
    struct io_uring_sqe *sqe = u_sqe(i, U_RECV, uconns[i].fd, 0);
    sqe->addr = (uint64_t)(uintptr_t)(ubufs + (size_t)i * IO_BYTES);
    sqe->len = IO_BYTES;
}

/* Queues a send of n bytes of the stream; counts them as sent (MSG_WAITALL: all or a failure). */
static void u_post_send(int i, size_t n, uint8_t flags) {
    struct conn *c = &uconns[i];
    struct io_uring_sqe *sqe = u_sqe(i, U_SEND, c->fd, flags);
    sqe->addr = (uint64_t)(uintptr_t)pattern_at(c, c->sent);
    sqe->len = (unsigned)n;
    sqe->msg_flags = MSG_WAITALL | MSG_NOSIGNAL;
    c->sent += n;
}

static void u_send_message(int i) {
    uconns[i].msg_start_ns = now_ns();
    u_post_send(i, msg_bytes, IOSQE_CQE_SKIP_SUCCESS);
}

/* stream: the next send if none is in flight and the window has room. */
static void u_stream_send(int i) {
    struct conn *c = &uconns[i];
    uint64_t room = window_bytes - (c->sent - c->recvd);
    if (usending[i] || room == 0) return;
    usending[i] = 1;
    u_post_send(i, room < msg_bytes ? (size_t)room : msg_bytes, 0);
}

/* connect: a new connection in slot i, its connect, send and recv linked into one chain. */
static void u_connect_open(int i) {
    struct conn *c = &uconns[i];
    static struct sockaddr_in dst;
    dst = server_addr();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket", NULL);
    bind_spread_source(fd, conn_begin(c, fd));
    c->msg_start_ns = now_ns();
    struct io_uring_sqe *sqe = u_sqe(i, U_CONNECT, c->fd, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
    sqe->addr = (uint64_t)(uintptr_t)&dst;
    sqe->off = sizeof dst; /* the address length */
    u_post_send(i, msg_bytes, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
    u_post_recv(i);
}

static void u_on_cqe(struct io_uring_cqe *cqe) {
    int i = (int)(cqe->user_data >> U_OPS);
    int op = (int)(cqe->user_data & ((1u << U_OPS) - 1));
    struct conn *c = &uconns[i];
    if (cqe->res < 0) { /* a failed link cancels the rest of its chain: report the first failure */
        errno = -cqe->res;
        fail(op == U_RECV ? "recv" : op == U_SEND ? "send" : op == U_CONNECT ? "connect" : "close", c);
    }
    if (op == U_SEND) { /* stream only: the others' sends post nothing when they succeed */
        if (mode != STREAM) fail("a send that succeeded posted a completion", c);
        usending[i] = 0;
        u_stream_send(i);
        return;
    }
    if (op != U_RECV) return; /* a connect or close that succeeded posts nothing either */
    if (cqe->res == 0) fail("server closed the connection", c);
    check_echo(c, ubufs + (size_t)i * IO_BYTES, (size_t)cqe->res);
    if (mode == STREAM) {
        u_stream_send(i);
    } else if (c->recvd == c->sent) {
        on_message_done(c, last_progress_ns);
        if (mode == CONNECT) { /* graceful close; the server closes on EOF */
            u_sqe(i, U_CLOSE, c->fd, IOSQE_CQE_SKIP_SUCCESS);
            u_connect_open(i);
            return;
        }
        u_send_message(i);
    }
    u_post_recv(i);
}

/* Starts every connection. Ping-pong and streaming connections connect blocking (the server's
 * backlog takes them) and start with a recv and their first send; connect mode starts one chain
 * per slot. */
static void u_start(void) {
    uring_setup(&ring, 2048, 8192, "loadgen");
    uconns = calloc((size_t)nconns, sizeof *uconns);
    ubufs = malloc((size_t)nconns * IO_BYTES);
    usending = calloc((size_t)nconns, 1);
    if (!uconns || !ubufs || !usending) fail("out of memory", NULL);
    for (int i = 0; i < nconns; i++) {
        if (mode == CONNECT) {
            u_connect_open(i);
            continue;
        }
        struct conn *c = &uconns[i];
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket", NULL);
        conn_begin(c, fd);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in a = server_addr();
        if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect", c);
        c->connected = 1;
        u_post_recv(i);
        if (mode == STREAM) u_stream_send(i); else u_send_message(i);
    }
}

static int u_poll(int spin) {
    return uring_wait(&ring, spin ? 0 : 1, spin ? -1 : 100000000LL, u_on_cqe, "loadgen");
}

static int epoll_poll(int spin) {
    static struct epoll_event events[512];
    int n = epoll_wait(ep, events, 512, spin ? 0 : 100);
    if (n < 0) {
        if (errno != EINTR) fail("epoll_wait", NULL);
        return 0;
    }
    for (int i = 0; i < n; i++) on_event(events[i].data.ptr, events[i].events);
    return n;
}

/* Connects every 20 ms until the port accepts (open = 1: the server is ready) or refuses (open = 0:
 * nothing listens any more); 0 then, 1 on timeout. The outcome is the connect, not the sleeping. */
static int wait_port(int open, int timeout_ms) {
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
    do {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = server_addr();
        int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
        int refused = rc < 0 && errno == ECONNREFUSED;
        close(fd);
        if (open ? rc == 0 : refused) return 0;
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    } while (now_ns() < deadline);
    fprintf(stderr, open ? "loadgen: nothing accepted on 127.0.0.1:%d within %d ms\n"
                         : "loadgen: 127.0.0.1:%d still accepts connections after %d ms\n", port, timeout_ms);
    return 1;
}

/* A two-valued environment option: 0 if unset or `off`, 1 if `on`; anything else exits 2. */
static int env_choice(const char *name, const char *off, const char *on) {
    const char *v = getenv(name);
    if (v == NULL || strcmp(v, off) == 0) return 0;
    if (strcmp(v, on) == 0) return 1;
    fprintf(stderr, "loadgen: %s takes %s or %s, not %s\n", name, off, on, v);
    exit(2);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && strcmp(argv[1], "uring-check") == 0) {
        struct uring probe;
        uring_setup(&probe, 8, 16, "loadgen"); /* exits 1, saying why, where it cannot run */
        close(probe.fd);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "wait") == 0) {
        port = atoi(argv[2]);
        return wait_port(1, atoi(argv[3]));
    }
    if (argc == 4 && strcmp(argv[1], "wait-closed") == 0) {
        port = atoi(argv[2]);
        return wait_port(0, atoi(argv[3]));
    }
    if (argc < 7) {
        fprintf(stderr, "usage: loadgen pingpong|stream|connect PORT CONNS BYTES WARMUP_S DURATION_S [WINDOW]\n"
                        "       loadgen rate PORT CONNS BYTES WARMUP_S DURATION_S RATE\n"
                        "       loadgen wait PORT TIMEOUT_MS\n"
                        "       loadgen wait-closed PORT TIMEOUT_MS\n"
                        "       loadgen uring-check\n"
                        "  LOADGEN_POLL=spin: poll without blocking, so the load generator's CPU never\n"
                        "  idles and no echo waits for it to be woken\n"
                        "  LOADGEN_IO=uring: every mode over io_uring (Linux 6.0+)\n");
        return 2;
    }
    const char *m = argv[1];
    mode = strcmp(m, "pingpong") == 0 ? PINGPONG : strcmp(m, "stream") == 0 ? STREAM
         : strcmp(m, "rate") == 0 ? RATE : CONNECT;
    if (mode == CONNECT && strcmp(m, "connect") != 0) { fprintf(stderr, "unknown mode %s\n", m); return 2; }
    port = atoi(argv[2]);
    nconns = atoi(argv[3]);
    msg_bytes = (size_t)atol(argv[4]);
    double warmup_s = atof(argv[5]), duration_s = atof(argv[6]);
    window_bytes = argc > 7 && mode != RATE ? (size_t)atol(argv[7]) : 4 * msg_bytes;
    rate = mode == RATE && argc > 7 ? atof(argv[7]) : 0;
    if (mode == RATE && !(rate >= 1 && rate <= 10e6)) {
        fprintf(stderr, "loadgen: rate takes RATE, messages per second in all, 1 to 10,000,000\n");
        return 2;
    }
    if (nconns < 1 || msg_bytes < 1 || msg_bytes > PATTERN_BYTES || duration_s <= 0 || duration_s > 600
        || warmup_s < 0 || warmup_s > 600 || window_bytes < msg_bytes) {
        fprintf(stderr, "loadgen: bad arguments\n");
        return 2;
    }
    int spin = env_choice("LOADGEN_POLL", "block", "spin") || mode == RATE;
    int uring = env_choice("LOADGEN_IO", "epoll", "uring");
    if (uring && mode == RATE) {
        fprintf(stderr, "loadgen: rate runs over epoll only (LOADGEN_IO=epoll)\n");
        return 2;
    }
    fill_pattern();
    hist_init(&hist);
    if (uring) {
        u_start();
    } else {
        ep = epoll_create1(EPOLL_CLOEXEC);
        struct conn *conns = calloc((size_t)nconns, sizeof *conns);
        if (!conns) fail("out of memory", NULL);
        rate_conns = conns;
        for (int i = 0; i < nconns; i++) {
            conns[i].idx = i;
            conn_open(&conns[i]);
        }
    }
    int (*poll_once)(int) = uring ? u_poll : epoll_poll;

    uint64_t t0 = now_ns();
    uint64_t measure_at = t0 + (uint64_t)(warmup_s * 1e9);
    uint64_t end_at = measure_at + (uint64_t)(duration_s * 1e9);
    double cpu_at_measure = 0;
    last_progress_ns = t0;
    uint64_t spin_idle_ns = 0, prev_t = t0; /* spin: time in polls that found nothing, i.e. headroom */
    int prev_empty = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (spin && measuring && prev_empty) spin_idle_ns += t - prev_t;
        prev_t = t;
        if (!measuring && t >= measure_at) {
            measuring = 1;
            cpu_at_measure = cpu_seconds();
            measure_at = t;
        }
        if (t >= end_at) break;
        if (t - last_progress_ns > STALL_NS) fail("no progress for 5 s", NULL);
        /* io_uring makes the sends inside the next wait: a wait that submitted did work even if
           it brought back no completion (with epoll the sends are made between the waits); so
           did a pass of rate mode that sent messages which fell due */
        int submitted = (uring && ring.to_submit > 0) || (mode == RATE && rate_send_due(t) > 0);
        int n = poll_once(spin);
        prev_empty = n == 0 && !submitted;
        if (measuring) {
            count_waits++;
            count_events += (uint64_t)n;
            count_empty_waits += (uint64_t)prev_empty;
            count_event_waits += n > 0;
        }
    }
    if (count_bytes == 0) fail("nothing was echoed during the measurement", NULL);
    double secs = (now_ns() - measure_at) / 1e9;
    double cpu = (cpu_seconds() - cpu_at_measure) / secs;
    if (spin) { /* a spinning client is always on its CPU: its load is the time it found work */
        cpu -= spin_idle_ns / 1e9 / secs;
        if (cpu < 0) cpu = 0;
    }
    printf("RESULT mode=%s conns=%d bytes=%zu window=%zu rate=%.0f secs=%.2f ops=%llu ops_per_s=%.0f "
           "mib_per_s=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f client_cpu=%.2f cpu_total_s=%.3f "
           "events_per_wait=%.2f empty_waits_pct=%.1f poll=%s io=%s\n",
           m, nconns, msg_bytes, mode == STREAM ? window_bytes : msg_bytes, rate, secs,
           (unsigned long long)count_ops, count_ops / secs, count_bytes / secs / (1024.0 * 1024.0),
           hist_percentile(&hist, 50.0) / 1e3, hist_percentile(&hist, 99.0) / 1e3,
           hist_percentile(&hist, 99.9) / 1e3, hist_max(&hist) / 1e3, cpu, cpu_seconds(),
           count_event_waits ? (double)count_events / (double)count_event_waits : 0.0,
           count_waits ? 100.0 * (double)count_empty_waits / (double)count_waits : 0.0, spin ? "spin" : "block",
           uring ? "uring" : "epoll");
    return 0;
}
