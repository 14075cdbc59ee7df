/*
 * loadgen: a closed-loop load generator for Gemini (TLS) and Gopher (TCP).
 *
 * Each of -c connection slots sends one request, waits for the whole
 * response and the server's close, and starts the next request at once;
 * the run stops after -n requests or -t seconds, whichever comes first.
 *
 * --rate R makes it open-loop instead: requests arrive R times a second,
 * evenly spaced, whatever the server does, each on a free slot of the -c
 * (an arrival that finds every slot busy is counted as a "no_slot" error:
 * offered but not sent). Latency is measured from the arrival's scheduled
 * time, so a stalled generator does not hide the server's queueing
 * (coordinated omission). This is how an overload is offered: a refused
 * request is not followed at once by another one, as in a closed loop.
 * Only loopback targets are accepted: this tool loads the machine it runs on.
 *
 * The figure that matters on a shared machine is the server's CPU time per
 * request (--pid): the client competes with the server for the same cores,
 * so requests per second alone says little. CPU time is read from
 * /proc/PID/stat (utime + stime cover every thread; cutime + cstime cover
 * reaped children) summed over the whole process tree below each PID, so a
 * server that forks per connection (inetd style) is counted in full.
 *
 * --trace FILE writes one line per request ended (answered or failed) to
 * FILE, in microseconds from the start of the run: when it was due (open
 * loop) or started, when its connect was sent, when TCP was established,
 * when the server's first handshake message came (its ServerHello: the
 * accept and the server's handshake work are behind it), when the TLS
 * handshake was done, when the reply's first byte came and
 * when it ended, then its status or error kind: where each request's time
 * went.
 *
 * --idle N measures memory instead: it opens N TLS connections, completes
 * the handshakes, sends nothing, and reports the server's RSS growth per
 * held connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "url.h"

#define MAX_PIDS 16
#define MAX_HEADER 1029 /* 2 digits, space, 1024 bytes of meta, CRLF */

enum proto { PROTO_GEMINI, PROTO_GOPHER };

enum err_kind {
	ERR_CONNECT,
	ERR_REFUSED,
	ERR_HANDSHAKE,
	ERR_WRITE,
	ERR_READ,
	ERR_RESET,
	ERR_TRUNCATED,
	ERR_TIMEOUT,
	ERR_HEADER,
	ERR_BODY_SIZE,
	ERR_EMPTY,
	ERR_NO_SLOT,
	ERR_KINDS
};

static const char *const err_names[ERR_KINDS] = {
    "connect",
    "refused",
    "handshake",
    "write",
    "read",
    "reset",
    "truncated",
    "timeout",
    "bad_header",
    "body_size",
    "empty",
    "no_slot",
};

struct options {
	enum proto proto;
	const char *url;
	char host[256];
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct buf request;
	int concurrency;
	long max_requests;
	double max_seconds;
	int threads;
	bool resume;
	int tls_version; /* 0: 1.2 or 1.3 as negotiated */
	long expect_body; /* -1: any size */
	int timeout_ms;
	pid_t pids[MAX_PIDS];
	int npids;
	bool tsv;
	const char *label;
	int port; /* connect here rather than to the URL's port; 0: the URL's */
	int idle;
	double idle_seconds;
	struct in_addr source; /* --source: first local IPv4 address, or 0 */
	uint32_t nsources; /* connections take source + 0 .. nsources-1 */
	int latency_status; /* --latency-status: only these count, or 0 */
	double rate; /* --rate: arrivals per second, 0: closed loop */
	FILE *trace; /* --trace: one line per request ended, or NULL */
};

enum conn_state { C_FREE, C_CONNECTING, C_HANDSHAKE, C_SEND, C_RECV, C_HELD };

struct worker;

struct conn {
	struct worker *w;
	int fd;
	SSL *ssl;
	SSL_SESSION *session; /* owned: the ticket this slot resumes with */
	enum conn_state state;
	uint32_t interest; /* epoll events currently registered */
	uint64_t start_us;
	uint64_t sched_us; /* --rate: when this request was due */
	uint64_t sent_us; /* when its connect started */
	/* --trace: TCP established, handshake done, first reply byte; 0 until
	 * then */
	uint64_t est_us, hello_us, hs_us, first_us;
	uint64_t deadline_us;
	size_t sent;
	char head[MAX_HEADER + 1];
	size_t head_len;
	bool head_done;
	long body;
	int status;
};

struct worker {
	pthread_t tid;
	int epfd;
	struct conn *conns;
	int nconns;
	int active; /* slots still issuing requests */
	int *free_slots; /* --rate: indexes of idle slots, a stack */
	int nfree;
	long errors[ERR_KINDS];
	long status[100];
	long ok;
	long resumed;
	long body_bytes;
	long held; /* --idle: connections handshaken and open */
	long failed; /* --idle: connections lost */
};

static struct options opt;
static SSL_CTX *ssl_ctx;
static atomic_long issued;
static atomic_long nlatencies;
static uint32_t *latencies; /* µs, one per successful request */
/* --rate: the same requests timed from their connect instead of from when
 * they were due, and how late each arrival was sent (the generator's own
 * lag): apart, they tell the server's latency from the generator's. */
static uint32_t *sent_latencies;
static atomic_long nlags;
static uint32_t *lags;
static uint64_t end_us;
static uint64_t start_us; /* of the run, for --trace */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
die(const char *what)
{
	fprintf(stderr, "loadgen: %s\n", what);
	exit(1);
}

/* ---- Server CPU and memory, summed over process trees ------------------ */

struct proc_sample {
	long long ticks; /* utime + stime + cutime + cstime */
	long long sys_ticks; /* stime + cstime: the kernel's share */
	long long rss_kib;
};

struct proc_row {
	pid_t pid, ppid;
	long long ticks, sys_ticks;
	bool in_tree;
};

static long long
read_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %lld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Read /proc/PID/stat: fields after the command name, which may hold
 * spaces and parentheses, so parsing starts after the last ')'. */
static bool
read_stat(pid_t pid, struct proc_row *row)
{
	char path[64], text[1024];
	unsigned long long ut, st;
	long long cut, cst;
	int ppid;
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if ((p = strrchr(text, ')')) == NULL)
		return false;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime */
	if (sscanf(p + 1,
		" %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld "
		"%lld",
		&ppid, &ut, &st, &cut, &cst) != 5)
		return false;
	row->pid = pid;
	row->ppid = ppid;
	row->ticks = (long long)(ut + st) + cut + cst;
	row->sys_ticks = (long long)st + cst;
	row->in_tree = false;
	return true;
}

static struct proc_sample
sample_servers(void)
{
	struct proc_sample s = {0, 0, 0};
	struct proc_row *rows = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	bool changed;
	DIR *d;
	int k;

	if (opt.npids == 0)
		return s;
	if ((d = opendir("/proc")) == NULL)
		die("cannot read /proc");
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		if (read_stat((pid_t)pid, &rows[n]))
			n++;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		for (k = 0; k < opt.npids; k++)
			if (rows[i].pid == opt.pids[k])
				rows[i].in_tree = true;
	do {
		changed = false;
		for (i = 0; i < n; i++) {
			size_t j;

			if (rows[i].in_tree)
				continue;
			for (j = 0; j < n; j++)
				if (rows[j].in_tree &&
				    rows[j].pid == rows[i].ppid) {
					rows[i].in_tree = changed = true;
					break;
				}
		}
	} while (changed);
	for (i = 0; i < n; i++)
		if (rows[i].in_tree) {
			s.ticks += rows[i].ticks;
			s.sys_ticks += rows[i].sys_ticks;
			s.rss_kib += read_rss_kib(rows[i].pid);
		}
	free(rows);
	return s;
}

/* ---- One request on one connection slot -------------------------------- */

static void start_request(struct conn *c);
static enum err_kind try_connect(struct conn *c);

static void
set_interest(struct conn *c, uint32_t events)
{
	struct epoll_event ev;

	if (c->interest == events)
		return;
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(c->w->epfd, c->interest ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
		c->fd, &ev) == -1)
		die("epoll_ctl failed");
	c->interest = events;
}

static void
close_conn(struct conn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd); /* also removes it from the epoll set */
		c->fd = -1;
	}
	c->interest = 0;
	c->state = C_FREE;
}

/* --trace: one line for c's request, ended now with status or error (what). */
static void
trace(const struct conn *c, const char *what)
{
	uint64_t now = now_us();

#define REL(t) ((t) ? (long long)((t)-start_us) : -1LL)
	if (opt.trace)
		fprintf(opt.trace,
		    "%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\n",
		    REL(c->start_us), REL(c->sent_us), REL(c->est_us),
		    REL(c->hello_us), REL(c->hs_us), REL(c->first_us), REL(now),
		    what);
#undef REL
}

static void
fail(struct conn *c, enum err_kind kind)
{
	trace(c, err_names[kind]);
	c->w->errors[kind]++;
	ERR_clear_error();
	close_conn(c);
	if (opt.idle > 0)
		c->w->failed++;
	else
		start_request(c);
}

static void
complete(struct conn *c)
{
	struct worker *w = c->w;
	uint64_t lat = now_us() - c->start_us;

	if (opt.expect_body >= 0 && c->body != opt.expect_body) {
		fail(c, ERR_BODY_SIZE);
		return;
	}
	if (c->ssl != NULL && opt.resume) {
		SSL_SESSION *s;

		/* The server has closed cleanly; without this mark SSL_free()
		 * would flag the session as not resumable. */
		SSL_set_shutdown(
		    c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
		s = SSL_get1_session(c->ssl);

		if (s != NULL && SSL_SESSION_is_resumable(s)) {
			SSL_SESSION_free(c->session);
			c->session = s;
		} else {
			SSL_SESSION_free(s);
		}
	}
	if (opt.trace) {
		char st[8];

		snprintf(st, sizeof(st), "%d", c->status);
		trace(c, st);
	}
	w->ok++;
	w->status[c->status]++;
	w->body_bytes += c->body;
	if (opt.latency_status == 0 || c->status == opt.latency_status) {
		long i = atomic_fetch_add(&nlatencies, 1);
		uint64_t sent = now_us() - c->sent_us;

		latencies[i] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
		sent_latencies[i] =
		    sent > UINT32_MAX ? UINT32_MAX : (uint32_t)sent;
	}
	close_conn(c);
	start_request(c);
}

/* Take response bytes: the Gemini header up to CRLF, then the body. */
static bool
take_bytes(struct conn *c, const char *p, size_t n)
{
	if (c->first_us == 0 && n > 0)
		c->first_us = now_us();
	if (opt.proto == PROTO_GOPHER) {
		if (c->body == 0 && n > 0)
			c->status =
			    p[0] == '3' ? 3 : 20; /* '3': an error item */
		c->body += (long)n;
		return true;
	}
	while (!c->head_done && n > 0) {
		c->head[c->head_len++] = *p++;
		n--;
		if (c->head_len >= 2 && c->head[c->head_len - 2] == '\r' &&
		    c->head[c->head_len - 1] == '\n') {
			if (c->head_len < 5 || c->head[0] < '1' ||
			    c->head[0] > '6' || c->head[1] < '0' ||
			    c->head[1] > '9' || c->head[2] != ' ')
				return false;
			c->status =
			    (c->head[0] - '0') * 10 + (c->head[1] - '0');
			c->head_done = true;
		} else if (c->head_len == MAX_HEADER) {
			return false;
		}
	}
	c->body += (long)n;
	return true;
}

/* --trace: the first handshake message from the server. */
static void
on_tls_message(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct conn *c = arg;

	(void)version, (void)buf, (void)len, (void)ssl;
	if (!write_p && content_type == SSL3_RT_HANDSHAKE && c->hello_us == 0)
		c->hello_us = now_us();
}

static void
want(struct conn *c, int ssl_err)
{
	set_interest(c, ssl_err == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN);
}

static void
drive(struct conn *c)
{
	char chunk[16384];
	int r, e;

	switch (c->state) {
	case C_CONNECTING: {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			fail(
			    c, err == ECONNREFUSED ? ERR_REFUSED : ERR_CONNECT);
			return;
		}
		c->est_us = now_us();
		if (opt.proto == PROTO_GOPHER) {
			c->state = C_SEND;
			drive(c);
			return;
		}
		if ((c->ssl = SSL_new(ssl_ctx)) == NULL)
			die("SSL_new failed");
		SSL_set_fd(c->ssl, c->fd);
		if (opt.trace) {
			SSL_set_msg_callback(c->ssl, on_tls_message);
			SSL_set_msg_callback_arg(c->ssl, c);
		}
		if (opt.host[0] != '\0')
			SSL_set_tlsext_host_name(c->ssl, opt.host);
		if (c->session != NULL)
			SSL_set_session(c->ssl, c->session);
		c->state = C_HANDSHAKE;
	}
		/* FALLTHROUGH */
	case C_HANDSHAKE:
		r = SSL_connect(c->ssl);
		if (r != 1) {
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				want(c, e);
			else
				fail(c,
				    e == SSL_ERROR_SYSCALL &&
					    errno == ECONNRESET
					? ERR_RESET
					: ERR_HANDSHAKE);
			return;
		}
		c->hs_us = now_us();
		if (SSL_session_reused(c->ssl))
			c->w->resumed++;
		if (opt.idle > 0) {
			c->state = C_HELD;
			c->w->held++;
			set_interest(c, EPOLLIN);
			return;
		}
		c->state = C_SEND;
		/* FALLTHROUGH */
	case C_SEND:
		while (c->sent < opt.request.len) {
			const char *p = opt.request.data + c->sent;
			size_t left = opt.request.len - c->sent;

			if (c->ssl != NULL) {
				r = SSL_write(c->ssl, p, (int)left);
				if (r <= 0) {
					e = SSL_get_error(c->ssl, r);
					if (e == SSL_ERROR_WANT_READ ||
					    e == SSL_ERROR_WANT_WRITE)
						want(c, e);
					else
						fail(c, ERR_WRITE);
					return;
				}
			} else {
				ssize_t s = send(c->fd, p, left, MSG_NOSIGNAL);

				if (s < 0) {
					if (errno == EAGAIN) {
						set_interest(c, EPOLLOUT);
						return;
					}
					fail(c,
					    errno == ECONNRESET ? ERR_RESET
								: ERR_WRITE);
					return;
				}
				r = (int)s;
			}
			c->sent += (size_t)r;
		}
		c->state = C_RECV;
		/* FALLTHROUGH */
	case C_RECV:
		for (;;) {
			if (c->ssl != NULL) {
				r = SSL_read(c->ssl, chunk, sizeof(chunk));
				if (r <= 0) {
					e = SSL_get_error(c->ssl, r);
					if (e == SSL_ERROR_WANT_READ ||
					    e == SSL_ERROR_WANT_WRITE) {
						want(c, e);
						return;
					}
					if (e == SSL_ERROR_ZERO_RETURN &&
					    c->head_done)
						complete(
						    c); /* close_notify: a whole
							   response */
					else if (e == SSL_ERROR_ZERO_RETURN)
						fail(c, ERR_HEADER);
					else if (e == SSL_ERROR_SYSCALL &&
					    errno == ECONNRESET)
						fail(c, ERR_RESET);
					else if (ERR_GET_REASON(
						     ERR_peek_error()) ==
					    SSL_R_UNEXPECTED_EOF_WHILE_READING)
						fail(c,
						    ERR_TRUNCATED); /* FIN
								       without
								       close_notify
								     */
					else
						fail(c, ERR_READ);
					return;
				}
			} else {
				ssize_t s =
				    recv(c->fd, chunk, sizeof(chunk), 0);

				if (s < 0 && errno == EAGAIN) {
					set_interest(c, EPOLLIN);
					return;
				}
				if (s < 0) {
					fail(c,
					    errno == ECONNRESET ? ERR_RESET
								: ERR_READ);
					return;
				}
				if (s == 0) {
					if (c->body > 0)
						complete(c);
					else
						fail(c, ERR_EMPTY);
					return;
				}
				r = (int)s;
			}
			if (!take_bytes(c, chunk, (size_t)r)) {
				fail(c, ERR_HEADER);
				return;
			}
		}
	case C_HELD:
		/* Session tickets may still arrive; anything else means the
		 * server closed the connection. */
		r = SSL_read(c->ssl, chunk, sizeof(chunk));
		if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
			return;
		c->w->held--;
		fail(c, ERR_TRUNCATED);
		return;
	case C_FREE:
		return;
	}
}

/* Start the slot's next request, or retire the slot when the run is over.
 * A connect that fails at once is counted and retried here, in a loop. */
static void
start_request(struct conn *c)
{
	enum err_kind kind;

	if (opt.rate > 0) { /* open loop: the slot waits for an arrival */
		c->w->free_slots[c->w->nfree++] = (int)(c - c->w->conns);
		return;
	}
	while ((kind = try_connect(c)) != ERR_KINDS) {
		c->w->errors[kind]++;
		if (opt.idle > 0) {
			c->w->failed++;
			return;
		}
	}
}

/* Bind fd to the next of the --source addresses, so that the server sees
 * many clients (its per-address limits) from one load generator. */
static int
bind_source(int fd)
{
	static atomic_uint next;
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(ntohl(opt.source.s_addr) +
	    atomic_fetch_add(&next, 1) % opt.nsources);
	return bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

/* Returns ERR_KINDS when a connect is under way or the slot is retired,
 * else the kind of the immediate failure. */
static enum err_kind
try_connect(struct conn *c)
{
	struct worker *w = c->w;
	int one = 1;

	if (opt.idle == 0 && opt.rate == 0 &&
	    (atomic_fetch_add(&issued, 1) >= opt.max_requests ||
		now_us() >= end_us)) {
		w->active--;
		return ERR_KINDS;
	}
	c->sent_us = now_us();
	c->start_us = opt.rate > 0 ? c->sched_us : c->sent_us;
	if (opt.rate > 0) {
		uint64_t lag = c->sent_us - c->sched_us;

		lags[atomic_fetch_add(&nlags, 1)] =
		    lag > UINT32_MAX ? UINT32_MAX : (uint32_t)lag;
	}
	c->deadline_us = c->start_us + (uint64_t)opt.timeout_ms * 1000u;
	c->est_us = c->hello_us = c->hs_us = c->first_us = 0;
	c->sent = 0;
	c->head_len = 0;
	c->head_done = false;
	c->body = 0;
	c->status = 0;
	c->fd = socket(
	    opt.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return ERR_CONNECT;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (opt.nsources > 0 && bind_source(c->fd) == -1) {
		close_conn(c);
		return ERR_CONNECT;
	}
	c->state = C_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&opt.addr, opt.addrlen) == -1 &&
	    errno != EINPROGRESS) {
		enum err_kind kind =
		    errno == ECONNREFUSED ? ERR_REFUSED : ERR_CONNECT;

		close_conn(c);
		return kind;
	}
	set_interest(c, EPOLLOUT);
	return ERR_KINDS;
}

static void
expire(struct worker *w, uint64_t now)
{
	int i;

	for (i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];

		if (c->state != C_FREE && c->state != C_HELD &&
		    c->deadline_us <= now)
			fail(c, ERR_TIMEOUT);
	}
}

static void
poll_once(struct worker *w, int wait_ms)
{
	struct epoll_event evs[256];
	int n, i;

	n = epoll_wait(w->epfd, evs, 256, wait_ms);
	for (i = 0; i < n; i++)
		drive(evs[i].data.ptr);
}

/* One arrival of the open loop, due at sched: on a free slot, or counted
 * as not sent. */
static void
arrive(struct worker *w, uint64_t sched)
{
	enum err_kind kind;
	struct conn *c;

	if (w->nfree == 0) {
		w->errors[ERR_NO_SLOT]++;
		return;
	}
	c = &w->conns[w->free_slots[--w->nfree]];
	c->sched_us = sched;
	if ((kind = try_connect(c)) != ERR_KINDS) {
		w->errors[kind]++;
		w->free_slots[w->nfree++] = (int)(c - w->conns);
	}
}

/* --rate: this thread's share of the arrivals, evenly spaced, until the
 * time or the request count is up; then the requests under way finish. */
static void
worker_run_open(struct worker *w, double rate)
{
	uint64_t t0 = now_us(), next_scan = t0 + 100000u;
	double gap_us = 1e6 / rate;
	long n = 0;
	bool arriving = true;

	while (arriving || w->nfree < w->nconns) {
		uint64_t now = now_us();

		while (arriving && t0 + (uint64_t)((double)n * gap_us) <= now) {
			if (now >= end_us ||
			    atomic_fetch_add(&issued, 1) >= opt.max_requests) {
				arriving = false;
				break;
			}
			arrive(w, t0 + (uint64_t)((double)n * gap_us));
			n++;
		}
		poll_once(w, 1);
		now = now_us();
		if (now >= next_scan) {
			expire(w, now);
			next_scan = now + 100000u;
		}
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint64_t next_scan = now_us() + 100000u;
	int i;

	if (opt.rate > 0) {
		w->nfree = 0;
		for (i = w->nconns - 1; i >= 0; i--)
			w->free_slots[w->nfree++] = i;
		worker_run_open(w, opt.rate / opt.threads);
		return NULL;
	}
	w->active = w->nconns;
	for (i = 0; i < w->nconns; i++)
		start_request(&w->conns[i]);
	while (w->active > 0) {
		uint64_t now;

		poll_once(w, 50);
		now = now_us();
		if (now >= next_scan) {
			expire(w, now);
			next_scan = now + 100000u;
		}
	}
	return NULL;
}

static void
worker_init(struct worker *w, int nconns)
{
	int i;

	memset(w, 0, sizeof(*w));
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1 failed");
	w->nconns = nconns;
	w->conns = xcalloc((size_t)nconns, sizeof(*w->conns));
	w->free_slots = xcalloc((size_t)nconns, sizeof(*w->free_slots));
	for (i = 0; i < nconns; i++) {
		w->conns[i].w = w;
		w->conns[i].fd = -1;
	}
}

static void
worker_free(struct worker *w)
{
	int i;

	for (i = 0; i < w->nconns; i++) {
		close_conn(&w->conns[i]);
		SSL_SESSION_free(w->conns[i].session);
	}
	free(w->conns);
	free(w->free_slots);
	close(w->epfd);
}

/* ---- Idle connections: memory per held TLS connection ------------------ */

static int
run_idle(void)
{
	struct worker w;
	struct proc_sample before, after;
	uint64_t until;
	long started = 0;

	worker_init(&w, opt.idle);
	before = sample_servers();
	/* Handshake at most -c connections at a time, like a real crowd. */
	while (w.held + w.failed < opt.idle) {
		while (started < opt.idle &&
		    started - w.held - w.failed < opt.concurrency)
			start_request(&w.conns[started++]);
		poll_once(&w, 50);
		expire(&w, now_us());
	}
	until = now_us() + (uint64_t)(opt.idle_seconds * 1e6);
	while (now_us() < until)
		poll_once(&w, 50);
	after = sample_servers();
	if (opt.tsv) {
		printf("%s\tidle\t%d\t%ld\t%lld\t%lld\t%.1f\n",
		    opt.label ? opt.label : "-", opt.idle, w.held,
		    before.rss_kib, after.rss_kib,
		    w.held ? (double)(after.rss_kib - before.rss_kib) /
			    (double)w.held
			   : 0.0);
	} else {
		printf("idle connections: %ld of %d held, %ld failed\n", w.held,
		    opt.idle, w.failed);
		if (opt.npids > 0)
			printf("server RSS: %lld KiB before, %lld KiB held: "
			       "%.1f KiB per connection\n",
			    before.rss_kib, after.rss_kib,
			    w.held ? (double)(after.rss_kib - before.rss_kib) /
				    (double)w.held
				   : 0.0);
	}
	worker_free(&w);
	return w.held == opt.idle ? 0 : 1;
}

/* ---- Setup and report -------------------------------------------------- */

static bool
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in =
		    (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)(const void *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;
		static const uint8_t v4mapped[12] = {
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return memcmp(a, v4mapped, 12) == 0 && a[12] == 127;
	}
	return false;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: loadgen [options] URL\n"
	    "  URL                gemini://HOST[:PORT]/PATH (sent as the "
	    "request line)\n"
	    "                     or gopher://HOST[:PORT]/TYPESELECTOR; "
	    "loopback hosts only\n"
	    "  -c, --concurrency N  connections in flight (default 1)\n"
	    "  -n, --requests N     stop after N requests (default 1000)\n"
	    "  -t, --time SECONDS   stop after SECONDS (default 10)\n"
	    "      --rate R         open loop: R arrivals a second on the -c "
	    "slots\n"
	    "  -j, --threads N      client threads (default 1)\n"
	    "      --resume         resume TLS sessions (tickets or session "
	    "IDs)\n"
	    "      --tls1.2, --tls1.3  offer only this TLS version\n"
	    "      --pid PID[,PID]  report the CPU time of these process "
	    "trees\n"
	    "      --expect-body N  count a body of another size as an error\n"
	    "      --timeout MS     per-request timeout (default 10000)\n"
	    "      --idle N         hold N idle TLS connections, report RSS "
	    "per connection\n"
	    "      --idle-time S    how long to hold them (default 2)\n"
	    "      --label TEXT     first column of --tsv output\n"
	    "      --source A[/N]   bind connections to 127.x.y.z address A, "
	    "or to\n"
	    "                     N addresses from A in turn (per-address "
	    "limits)\n"
	    "      --latency-status NN  latency percentiles of NN replies "
	    "only\n"
	    "      --port N         connect to port N, still sending the URL "
	    "as given\n"
	    "      --tsv            one tab-separated line (see --tsv-header)\n"
	    "      --tsv-header     print the column names of --tsv and "
	    "exit\n"
	    "      --trace FILE     one line per request: due, connect, "
	    "established,\n"
	    "                     server hello, handshake done, first byte, "
	    "end (us from "
	    "start),\n"
	    "                     status or error\n");
}

static const char tsv_header[] =
    "label\tproto\ttls\tmode\tconc\trequests\tok\terrors\tsecs\trps\t"
    "p50_us\tp90_us\tp99_us\tmax_us\tsrv_us_per_req\tcli_us_per_req\t"
    "resumed\tstatus\terror_kinds\tbody_bytes\tsent_p99_us\tlag_p99_us\t"
    "srv_sys_share\n";

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --source A[/N]: loopback IPv4 addresses only, like the targets. */
static int
parse_source(const char *arg)
{
	char addr[32];
	const char *slash = strchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	long n = 1;

	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, arg, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &opt.source) != 1 ||
	    (ntohl(opt.source.s_addr) >> 24) != 127)
		return -1;
	if (slash && parse_long(slash + 1, 1, 65536, &n) == -1)
		return -1;
	if ((ntohl(opt.source.s_addr) & 0xffffff) + (unsigned long)n >
	    0x1000000)
		return -1;
	opt.nsources = (uint32_t)n;
	return 0;
}

static int
parse_url(const char *s)
{
	struct url u;
	const char *reason;
	struct addrinfo hints, *res, *ai;
	char port[16], host[256];
	int default_port;

	if (url_parse(s, strlen(s), &u, &reason) == -1 || !u.has_authority ||
	    u.host.len == 0 || u.host.len >= sizeof(host)) {
		fprintf(stderr, "loadgen: bad URL %s\n", s);
		return -1;
	}
	if (slice_eq_nocase(u.scheme, "gemini")) {
		opt.proto = PROTO_GEMINI;
		default_port = 1965;
		buf_printf(&opt.request, "%s\r\n", s);
	} else if (slice_eq_nocase(u.scheme, "gopher")) {
		opt.proto = PROTO_GOPHER;
		default_port = 70;
		/* RFC 4266: the first path character after '/' is the item
		 * type. */
		if (u.path.len > 2 &&
		    url_decode(u.path.p + 2, u.path.len - 2, &opt.request, 0,
			&reason) == -1) {
			fprintf(stderr, "loadgen: bad selector in %s: %s\n", s,
			    reason);
			return -1;
		}
		buf_puts(&opt.request, "\r\n");
	} else {
		fprintf(stderr, "loadgen: only gemini:// and gopher:// URLs\n");
		return -1;
	}
	memcpy(host, u.host.p, u.host.len);
	host[u.host.len] = '\0';
	snprintf(port, sizeof(port), "%d",
	    opt.port              ? opt.port
		: u.port_num >= 0 ? u.port_num
				  : default_port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		fprintf(stderr, "loadgen: cannot resolve %s\n", host);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (!is_loopback(ai->ai_addr)) {
			fprintf(stderr,
			    "loadgen: %s is not a loopback address; refused\n",
			    host);
			freeaddrinfo(res);
			return -1;
		}
	/* IPv4 first: "localhost" may list ::1 before 127.0.0.1, and a
	 * server bound to 127.0.0.1 alone should still be reached. */
	for (ai = res; ai->ai_next != NULL && ai->ai_family != AF_INET;
	     ai = ai->ai_next)
		continue;
	memcpy(&opt.addr, ai->ai_addr, ai->ai_addrlen);
	opt.addrlen = ai->ai_addrlen;
	freeaddrinfo(res);
	/* SNI carries names only, never address literals. */
	{
		struct in6_addr a6;

		if (inet_pton(AF_INET, host, &a6) != 1 &&
		    inet_pton(AF_INET6, host, &a6) != 1)
			snprintf(opt.host, sizeof(opt.host), "%s", host);
	}
	opt.url = s;
	return 0;
}

static int
parse_pids(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	long v;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (opt.npids == MAX_PIDS ||
		    parse_long(tok, 1, INT32_MAX, &v) == -1) {
			free(copy);
			return -1;
		}
		opt.pids[opt.npids++] = (pid_t)v;
	}
	free(copy);
	return opt.npids > 0 ? 0 : -1;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
percentile(const uint32_t *v, long n, double p)
{
	long i;

	if (n == 0)
		return 0;
	i = (long)(p * (double)n + 0.999999) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void
report(struct worker *ws, double secs, struct proc_sample before,
    struct proc_sample after, double client_cpu_us)
{
	struct worker t;
	struct buf statuses = BUF_INIT, kinds = BUF_INIT;
	long n = atomic_load(&nlatencies), nlag = atomic_load(&nlags),
	     errors = 0, i;
	double srv_us = -1.0, sys_share = -1.0, cli_us, rps;
	int k;

	memset(&t, 0, sizeof(t));
	for (k = 0; k < opt.threads; k++) {
		for (i = 0; i < ERR_KINDS; i++)
			t.errors[i] += ws[k].errors[i];
		for (i = 0; i < 100; i++)
			t.status[i] += ws[k].status[i];
		t.ok += ws[k].ok;
		t.resumed += ws[k].resumed;
		t.body_bytes += ws[k].body_bytes;
	}
	qsort(latencies, (size_t)n, sizeof(*latencies), cmp_u32);
	qsort(sent_latencies, (size_t)n, sizeof(*sent_latencies), cmp_u32);
	qsort(lags, (size_t)nlag, sizeof(*lags), cmp_u32);
	for (i = 0; i < 100; i++) {
		if (t.status[i] == 0)
			continue;
		if (statuses.len > 0)
			buf_putc(&statuses, ',');
		if (opt.proto == PROTO_GOPHER)
			buf_puts(&statuses, i == 3 ? "error_item" : "served");
		else
			buf_printf(&statuses, "%02ld", i);
		buf_printf(&statuses, "=%ld", t.status[i]);
	}
	for (i = 0; i < ERR_KINDS; i++)
		if (t.errors[i] > 0) {
			buf_printf(&kinds, "%s%s=%ld", kinds.len ? "," : "",
			    err_names[i], t.errors[i]);
			errors += t.errors[i];
		}
	if (opt.npids > 0 && t.ok > 0)
		srv_us = (double)(after.ticks - before.ticks) * 1e6 /
		    (double)sysconf(_SC_CLK_TCK) / (double)t.ok;
	if (opt.npids > 0 && after.ticks > before.ticks)
		sys_share = (double)(after.sys_ticks - before.sys_ticks) /
		    (double)(after.ticks - before.ticks);
	cli_us = t.ok > 0 ? client_cpu_us / (double)t.ok : 0.0;
	rps = secs > 0 ? (double)t.ok / secs : 0.0;
	if (opt.tsv) {
		printf(
		    "%s\t%s\t%s\t%s\t%d\t%ld\t%ld\t%ld\t%.2f\t%.0f\t%u\t%u\t%"
		    "u\t%u\t%.1f\t%.1f\t%ld\t%s\t%s\t%.0f\t%u\t%u\t%.2f\n",
		    opt.label ? opt.label : "-",
		    opt.proto == PROTO_GEMINI ? "gemini" : "gopher",
		    opt.proto == PROTO_GOPHER               ? "-"
			: opt.tls_version == TLS1_2_VERSION ? "1.2"
			: opt.tls_version == TLS1_3_VERSION ? "1.3"
							    : "any",
		    opt.resume ? "resume" : "full", opt.concurrency,
		    t.ok + errors, t.ok, errors, secs, rps,
		    percentile(latencies, n, 0.50),
		    percentile(latencies, n, 0.90),
		    percentile(latencies, n, 0.99), n ? latencies[n - 1] : 0,
		    srv_us, cli_us, t.resumed,
		    statuses.len ? buf_cstr(&statuses) : "-",
		    kinds.len ? buf_cstr(&kinds) : "-",
		    t.ok ? (double)t.body_bytes / (double)t.ok : 0.0,
		    percentile(sent_latencies, n, 0.99),
		    percentile(lags, nlag, 0.99), sys_share);
	} else {
		printf("%s  c=%d  %s%s\n", opt.url, opt.concurrency,
		    opt.proto == PROTO_GOPHER ? "tcp"
			: opt.resume          ? "tls, resumed"
					      : "tls, full handshakes",
		    opt.tls_version == TLS1_2_VERSION       ? " (1.2)"
			: opt.tls_version == TLS1_3_VERSION ? " (1.3)"
							    : "");
		printf("requests:   %ld ok, %ld errors in %.2f s: %.0f "
		       "requests/s\n",
		    t.ok, errors, secs, rps);
		printf("latency us: p50 %u  p90 %u  p99 %u  max %u\n",
		    percentile(latencies, n, 0.50),
		    percentile(latencies, n, 0.90),
		    percentile(latencies, n, 0.99), n ? latencies[n - 1] : 0);
		if (opt.rate > 0)
			printf("open loop:  p99 %u us from the connect, "
			       "generator lag p99 %u us\n",
			    percentile(sent_latencies, n, 0.99),
			    percentile(lags, nlag, 0.99));
		printf("status:     %s\n",
		    statuses.len ? buf_cstr(&statuses) : "none");
		printf(
		    "errors:     %s\n", kinds.len ? buf_cstr(&kinds) : "none");
		if (opt.proto == PROTO_GEMINI)
			printf("resumed:    %ld of %ld handshakes\n", t.resumed,
			    t.ok);
		printf("body bytes: %.0f mean\n",
		    t.ok ? (double)t.body_bytes / (double)t.ok : 0.0);
		if (srv_us >= 0)
			printf("server CPU: %.1f us/request (%.2f s, %.0f%% in "
			       "the kernel)\n",
			    srv_us,
			    (double)(after.ticks - before.ticks) /
				(double)sysconf(_SC_CLK_TCK),
			    sys_share >= 0 ? sys_share * 100 : 0.0);
		printf("client CPU: %.1f us/request\n", cli_us);
	}
	buf_free(&statuses);
	buf_free(&kinds);
}

static double
own_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec +
	    (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
}

static void
setup_tls(void)
{
	if ((ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new failed");
	/* Capsules use self-signed certificates; identity is not under test. */
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(
	    ssl_ctx, opt.tls_version ? opt.tls_version : TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(
	    ssl_ctx, opt.tls_version ? opt.tls_version : TLS1_3_VERSION);
	/* Sessions are kept per slot by hand, not in a cache. */
	SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
	/* Whole flights per read() rather than a header and a body per
	 * record: the client shares the cores with the server, so it should
	 * cost as little as it can. Safe here because every SSL_read loop
	 * runs until WANT_READ, which drains what OpenSSL has buffered. */
	SSL_CTX_set_read_ahead(ssl_ctx, 1);
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	enum {
		O_RESUME = 256,
		O_TLS12,
		O_TLS13,
		O_PID,
		O_EXPECT,
		O_TIMEOUT,
		O_IDLE,
		O_IDLE_TIME,
		O_LABEL,
		O_PORT,
		O_RATE,
		O_TSV,
		O_TSV_HEADER,
		O_TRACE,
		O_SOURCE,
		O_LATENCY_STATUS
	};
	static const struct option longopts[] = {
	    {"concurrency", required_argument, NULL, 'c'},
	    {"requests", required_argument, NULL, 'n'},
	    {"time", required_argument, NULL, 't'},
	    {"threads", required_argument, NULL, 'j'},
	    {"resume", no_argument, NULL, O_RESUME},
	    {"tls1.2", no_argument, NULL, O_TLS12},
	    {"tls1.3", no_argument, NULL, O_TLS13},
	    {"pid", required_argument, NULL, O_PID},
	    {"expect-body", required_argument, NULL, O_EXPECT},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"idle", required_argument, NULL, O_IDLE},
	    {"idle-time", required_argument, NULL, O_IDLE_TIME},
	    {"label", required_argument, NULL, O_LABEL},
	    {"source", required_argument, NULL, O_SOURCE},
	    {"latency-status", required_argument, NULL, O_LATENCY_STATUS},
	    {"port", required_argument, NULL, O_PORT},
	    {"rate", required_argument, NULL, O_RATE},
	    {"tsv", no_argument, NULL, O_TSV},
	    {"tsv-header", no_argument, NULL, O_TSV_HEADER},
	    {"trace", required_argument, NULL, O_TRACE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct worker *ws;
	struct proc_sample before, after;
	uint64_t t0;
	double cpu0, secs;
	long v;
	int ch, k, rc;

	opt.concurrency = 1;
	opt.max_requests = 1000;
	opt.max_seconds = 10;
	opt.threads = 1;
	opt.expect_body = -1;
	opt.timeout_ms = 10000;
	opt.idle_seconds = 2;
	while (
	    (ch = getopt_long(argc, argv, "c:n:t:j:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (parse_long(optarg, 1, 100000, &v) == -1)
				goto bad;
			opt.concurrency = (int)v;
			break;
		case 'n':
			if (parse_long(optarg, 1, 100000000, &v) == -1)
				goto bad;
			opt.max_requests = v;
			break;
		case O_RATE: {
			char *end;
			double d = strtod(optarg, &end);

			if (*end != '\0' || !(d > 0 && d <= 1e6))
				goto bad;
			opt.rate = d;
			break;
		}
		case 't':
		case O_IDLE_TIME: {
			char *end;
			double d = strtod(optarg, &end);

			if (*end != '\0' || !(d > 0 && d <= 3600))
				goto bad;
			if (ch == 't')
				opt.max_seconds = d;
			else
				opt.idle_seconds = d;
			break;
		}
		case 'j':
			if (parse_long(optarg, 1, 64, &v) == -1)
				goto bad;
			opt.threads = (int)v;
			break;
		case O_RESUME:
			opt.resume = true;
			break;
		case O_TLS12:
			opt.tls_version = TLS1_2_VERSION;
			break;
		case O_TLS13:
			opt.tls_version = TLS1_3_VERSION;
			break;
		case O_PID:
			if (parse_pids(optarg) == -1)
				goto bad;
			break;
		case O_EXPECT:
			if (parse_long(
				optarg, 0, INT32_MAX, &opt.expect_body) == -1)
				goto bad;
			break;
		case O_TIMEOUT:
			if (parse_long(optarg, 1, 3600000, &v) == -1)
				goto bad;
			opt.timeout_ms = (int)v;
			break;
		case O_IDLE:
			if (parse_long(optarg, 1, 1000000, &v) == -1)
				goto bad;
			opt.idle = (int)v;
			break;
		case O_LABEL:
			opt.label = optarg;
			break;
		case O_SOURCE:
			if (parse_source(optarg) == -1)
				goto bad;
			break;
		case O_LATENCY_STATUS:
			if (parse_long(optarg, 10, 99, &v) == -1)
				goto bad;
			opt.latency_status = (int)v;
			break;
		case O_TRACE:
			if ((opt.trace = fopen(optarg, "w")) == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		case O_PORT:
			if (parse_long(optarg, 1, 65535, &v) == -1)
				goto bad;
			opt.port = (int)v;
			break;
		case O_TSV:
			opt.tsv = true;
			break;
		case O_TSV_HEADER:
			fputs(tsv_header, stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc - 1)
		goto bad;
	if (parse_url(argv[optind]) == -1)
		return 2;
	if (opt.idle > 0 && opt.proto != PROTO_GEMINI) {
		fprintf(stderr,
		    "loadgen: --idle holds TLS connections: use a gemini:// "
		    "URL\n");
		return 2;
	}
	if (opt.threads > opt.concurrency)
		opt.threads = opt.concurrency;
	/* OpenSSL writes with write(): a server that resets a connection must
	 * cost an error count, not the process. */
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	setup_tls();
	if (opt.idle > 0) {
		rc = run_idle();
		SSL_CTX_free(ssl_ctx);
		buf_free(&opt.request);
		return rc;
	}

	latencies = xcalloc((size_t)opt.max_requests, sizeof(*latencies));
	sent_latencies =
	    xcalloc((size_t)opt.max_requests, sizeof(*sent_latencies));
	lags = xcalloc((size_t)opt.max_requests, sizeof(*lags));
	ws = xcalloc((size_t)opt.threads, sizeof(*ws));
	for (k = 0; k < opt.threads; k++)
		worker_init(&ws[k],
		    opt.concurrency / opt.threads +
			(k < opt.concurrency % opt.threads));
	before = sample_servers();
	cpu0 = own_cpu_us();
	t0 = now_us();
	start_us = t0;
	end_us = t0 + (uint64_t)(opt.max_seconds * 1e6);
	for (k = 0; k < opt.threads; k++)
		if (pthread_create(&ws[k].tid, NULL, worker_run, &ws[k]) != 0)
			die("pthread_create failed");
	for (k = 0; k < opt.threads; k++)
		pthread_join(ws[k].tid, NULL);
	secs = (double)(now_us() - t0) / 1e6;
	cpu0 = own_cpu_us() - cpu0;
	/* Let a forking server's children exit and be reaped into cutime. */
	if (opt.npids > 0)
		usleep(200000);
	after = sample_servers();
	report(ws, secs, before, after, cpu0);
	rc = 0;
	for (k = 0; k < opt.threads; k++) {
		for (v = 0; v < ERR_KINDS; v++)
			if (ws[k].errors[v] > 0)
				rc = 1;
		worker_free(&ws[k]);
	}
	free(ws);
	free(latencies);
	free(sent_latencies);
	free(lags);
	if (opt.trace && fclose(opt.trace) == EOF)
		rc = 1;
	SSL_CTX_free(ssl_ctx);
	buf_free(&opt.request);
	return rc;

bad:
	usage(stderr);
	return 2;
}
