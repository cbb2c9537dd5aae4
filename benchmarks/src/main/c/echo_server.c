/*
 * The C baseline: a single-threaded epoll echo server on 127.0.0.1, as small as an echo server
 * can be while still being correct under back-pressure. It sets the bar the Java servers are
 * measured against ("Roundhouse/C" in BENCHMARKS.md).
 *
 *   echo_server PORT
 *
 * Level-triggered epoll; one 64 KiB buffer per connection. Read, write back what was read; when
 * the socket will not take it all, keep the rest, stop reading and wait for EPOLLOUT (so a peer
 * that does not read cannot make us buffer without bound). TCP_NODELAY on every connection,
 * like the Java servers. Runs until SIGTERM/SIGINT.
 *
 * Built by benchmarks/run-matrix.sh: gcc -O2 -o echo_server echo_server.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_BYTES (64 * 1024)
#define MAX_EVENTS 256

struct conn {
    int fd;
    size_t off, len; /* pending bytes buf[off, off+len) still to write back */
    char buf[BUF_BYTES];
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig; stopping = 1; }

static void conn_close(int ep, struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

static void set_events(int ep, struct conn *c, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what is pending; returns 1 when drained, 0 when the socket is full, -1 on error. */
static int flush_pending(struct conn *c) {
    while (c->len > 0) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->off += (size_t)n;
        c->len -= (size_t)n;
    }
    c->off = 0;
    return 1;
}

static void on_readable(int ep, struct conn *c) {
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, BUF_BYTES, 0);
        if (n == 0) { conn_close(ep, c); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            conn_close(ep, c);
            return;
        }
        c->off = 0;
        c->len = (size_t)n;
        int r = flush_pending(c);
        if (r < 0) { conn_close(ep, c); return; }
        if (r == 0) { set_events(ep, c, EPOLLOUT); return; }
        if ((size_t)n < BUF_BYTES) return; /* short read: the socket is drained */
    }
}

static void on_writable(int ep, struct conn *c) {
    int r = flush_pending(c);
    if (r < 0) { conn_close(ep, c); return; }
    if (r == 1) { set_events(ep, c, EPOLLIN); on_readable(ep, c); }
}

static void on_accept(int ep, int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN, or EMFILE: the benchmark never gets near the limit */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = malloc(sizeof *c);
        if (!c) { close(fd); continue; }
        c->fd = fd;
        c->off = c->len = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) { close(fd); free(c); }
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* The signals are blocked but while epoll_pwait waits, so one that comes just before the wait
       still ends it (EINTR) instead of setting the flag unseen */
    sigset_t stop, waiting;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, &waiting);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGINT);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        perror("echo_server: bind/listen");
        return 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    static int listener_tag; /* data.ptr of the listener: a unique address no conn can have */
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = &listener_tag};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    /* the readiness line run-matrix.sh waits for, as EchoServerMain's (bench-lib.sh server_started) */
    printf("serving c epoll on 127.0.0.1:%s pid=%d\n", argv[1], (int)getpid());
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    while (!stopping) {
        int n = epoll_pwait(ep, events, MAX_EVENTS, -1, &waiting);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("echo_server: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == &listener_tag) { on_accept(ep, lfd); continue; }
            struct conn *c = events[i].data.ptr;
            if (events[i].events & EPOLLOUT) on_writable(ep, c);
            else on_readable(ep, c); /* EPOLLIN, EPOLLHUP and EPOLLERR all surface in recv */
        }
    }
    close(lfd);
    return 0;
}
