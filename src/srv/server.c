#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cpus.h"
#include "gen.h"
#include "listen.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"

#define STOP_GRACE_SEC 10
/* Ports below 1024 need root; an ordinary user gets this port added. */
#define UNPRIVILEGED_OFFSET 7000

/* One configured address, bound once per worker. */
struct bound {
	enum listen_proto proto;
	bool proxy; /* a PROXY protocol header comes first */
	int *fds;
	int port;
};

struct server {
	struct worker *workers;
	size_t n_workers;
	struct bound *bound;
	size_t n_bound;
	int gemini_port, gopher_port; /* actual ports, for the ready file */
	int gopher_public_from, gopher_public_to; /* a moved privileged port */
	struct limits *limits;
};

/* Out of descriptors (EMFILE): pause accepting for a moment instead of
 * spinning on a listener that stays readable. The pause's timer belongs
 * to the listener, so a stop that frees the listener also cancels it. */
static void
accept_failed(struct worker_listener *wl)
{
	struct timeval pause = {0, 100000};

	log_warn("accept");
	if (atomic_load(&wl->w->stopping))
		return;
	event_del(wl->ev);
	evtimer_add(wl->resume, &pause);
}

/*
 * The listening socket is readable: accept what its queue holds, and no
 * more. An accept4() that finds the queue empty costs more than one that
 * succeeds (the kernel makes a socket and a file before it looks), and
 * libevent's listener makes one after every batch, one per connection at
 * concurrency 1; the queue's length (listen_queued()) costs a tenth of
 * it. Taking every queued connection, as libevent's listener does, keeps
 * the accepting ahead of a burst.
 */
static void
on_listener(evutil_socket_t fd, short what, void *arg)
{
	struct worker_listener *wl = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int cfd, queued = 1; /* readable: one at least */

	(void)what;
	while (queued > 0) {
		for (; queued > 0; queued--) {
			len = sizeof(ss);
			cfd = accept4(fd, (struct sockaddr *)&ss, &len,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd == -1) {
				if (errno != EAGAIN && errno != EINTR &&
				    errno != ECONNABORTED)
					accept_failed(wl);
				return;
			}
			conn_accept(wl->w, wl->proto, wl->proxy, cfd,
			    (struct sockaddr *)&ss, (int)len);
		}
		/* Unknown: accept until the queue is found empty. */
		if ((queued = listen_queued(fd)) == -1)
			queued = 1;
	}
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct worker_listener *wl = arg;

	(void)fd, (void)what;
	event_add(wl->ev, NULL);
}

static void
free_listeners(struct worker *w)
{
	size_t i;

	for (i = 0; i < w->n_ls; i++) {
		if (w->ls[i].resume)
			event_free(w->ls[i].resume);
		if (w->ls[i].ev)
			event_free(w->ls[i].ev);
		if (w->ls[i].fd >= 0)
			close(w->ls[i].fd);
	}
	free(w->ls);
	w->ls = NULL;
	w->n_ls = 0;
}

void
worker_conn_done(struct worker *w)
{
	if (atomic_load(&w->stopping) && w->n_active == 0)
		event_base_loopexit(w->base, NULL);
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval grace = {STOP_GRACE_SEC, 0};
	struct gen *next;
	uint64_t v;

	(void)what;
	if (read(fd, &v, sizeof(v)) == -1 && errno != EAGAIN)
		log_warn("eventfd");
	if ((next = atomic_exchange(&w->next, NULL)) != NULL) {
		accesslog_flush(&w->log, w->gen->log_fd);
		gen_unref(w->gen);
		w->gen = next;
	}
	if (atomic_load(&w->stopping) && w->ls) {
		free_listeners(w);
		conn_stop_waiting(w);
		if (w->n_active == 0)
			event_base_loopexit(w->base, NULL);
		else
			evtimer_add(w->stop_ev, &grace);
	}
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd, (void)what;
	accesslog_flush(&w->log, w->gen->log_fd);
}

#define PROBE_USEC 5000
/* Callbacks a loop runs before it polls again (new_base()). */
#define DISPATCH_MAX 8

/* The time of clock, in seconds: the monotonic clock, or the CPU time
 * of the calling thread or of the process. */
static double
clock_seconds(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

double
worker_now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* From the loop's own thread only. */
static void
sample_cpu(struct worker *w, double now)
{
	shed_cpu(&w->lw.shed, clock_seconds(CLOCK_THREAD_CPUTIME_ID),
	    clock_seconds(CLOCK_PROCESS_CPUTIME_ID), now);
}

/* The addresses the admission holds off (admission.h) go into a socket
 * filter on this loop's listeners, which get every connection from them
 * (listen_steer_by_address()); not behind a PROXY-protocol balancer, whose
 * address is not the client's. */
static void
hold_off(struct worker *w, const struct limits_held *held, size_t n)
{
	uint8_t keys[LIMITS_HELD_MAX][16];
	size_t i;
	bool failed = false;

	if (n > LISTEN_DROP_MAX)
		n = LISTEN_DROP_MAX;
	for (i = 0; i < n; i++)
		memcpy(keys[i], held[i].key.b, sizeof(keys[i]));
	for (i = 0; i < w->n_ls; i++)
		if (w->ls[i].fd >= 0 && !w->ls[i].proxy &&
		    listen_drop_from(
			w->ls[i].fd, (const uint8_t(*)[16])keys, n) == -1)
			failed = true;
	if (failed && !w->hold_off_failed)
		log_warn("socket filter (held clients are closed on accept)");
	w->hold_off_failed = failed;
}

/* After a burst (a flood of connections, slow clients held to their
 * timeout) the memory it took stays with the process: the pool keeps up
 * to a thousand records, and malloc keeps what was freed, scattered among
 * pages still in use, for later. Once the connections have fallen to a
 * quarter of their peak (at most once a second), give back the pool's
 * spare records and the allocator's free pages, so that the server's
 * memory follows its load instead of its worst moment. */
#define TRIM_PEAK 64
#define TRIM_KEEP 64
static void
trim_after_burst(struct worker *w, double now)
{
	if (w->peak_active < TRIM_PEAK || w->n_active > w->peak_active / 4 ||
	    now - w->trimmed < 1)
		return;
	conn_pool_trim(w, TRIM_KEEP);
	malloc_trim(0);
	w->peak_active = w->n_active;
	w->trimmed = now;
}

/* The probe runs at the priority of new connections, after whatever was
 * ready before it: how late it runs is how long new work waits. */
static void
on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval every = {0, PROBE_USEC};
	double now = worker_now();
	const struct limits_held *held;
	size_t n;

	(void)fd, (void)what;
	shed_delay(&w->lw.shed, now - w->probe_due, now);
	/* Not from worker_init(), which runs on the main thread. */
	if (w->cpu_sampled)
		sample_cpu(w, now);
	conn_queue_kick(w);
	if (w->ls && limits_held_update(&w->lw, now, &held, &n))
		hold_off(w, held, n);
	trim_after_burst(w, now);
	/* An idle worker does not wake 200 times a second: the probe stops
	 * once nothing is left to measure or to lift (held clients are let
	 * back in by it), and the next connection starts it again. */
	if (w->n_active == 0 && w->lw.n_held == 0 &&
	    shed_idle(&w->lw.shed, now))
		return;
	w->probe_due = now + PROBE_USEC / 1e6;
	evtimer_add(w->probe_ev, &every);
}

void
worker_probe_wake(struct worker *w)
{
	struct timeval every = {0, PROBE_USEC};

	if (w->probe_ev == NULL || evtimer_pending(w->probe_ev, NULL))
		return;
	w->probe_due = worker_now() + PROBE_USEC / 1e6;
	evtimer_add(w->probe_ev, &every);
}

static void
on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd, (void)what;
	event_base_loopbreak(w->base);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	sample_cpu(w, worker_now());
	w->cpu_sampled = true;
	event_base_dispatch(w->base);
	conn_close_all(w);
	accesslog_flush(&w->log, w->gen->log_fd);
	return NULL;
}

static void
worker_free(struct worker *w)
{
	free_listeners(w);
	if (w->wake_ev)
		event_free(w->wake_ev);
	if (w->flush_ev)
		event_free(w->flush_ev);
	if (w->stop_ev)
		event_free(w->stop_ev);
	if (w->probe_ev)
		event_free(w->probe_ev);
	if (w->turn_ev)
		event_free(w->turn_ev);
	event_base_free(w->base);
	if (w->wake_fd > 0)
		close(w->wake_fd);
	accesslog_free(&w->log);
	limits_worker_free(&w->lw);
	gen_unref(atomic_exchange(&w->next, NULL));
	gen_unref(w->gen);
}

/* A TLS bufferevent turns read and write interest on and off several times
 * per connection as OpenSSL asks to read or write; with the changelist,
 * libevent folds the changes made within one loop iteration into at most
 * one epoll_ctl() per descriptor. A base is only ever used by its own
 * worker thread, which is what the changelist requires. */
static struct event_base *
new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct timeval dispatch_interval = {0, 1000};
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	/* libevent's clock is otherwise CLOCK_MONOTONIC_COARSE, which moves
	 * once a kernel tick (4 ms at HZ=250): every timer would fire up to
	 * a tick late, so the delay probe (on_probe()) would read the tick
	 * as the loop's own lateness (3 ms of a 5 ms max_delay, measured),
	 * and the 1 ms dispatch interval below would be a tick. The precise
	 * clock costs a vDSO call (about 30 ns) per loop iteration. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	/* By default a loop runs every active callback of a priority before
	 * it polls again: under load that is a batch of dozens of handshakes
	 * (each hundreds of microseconds), and a request that arrives
	 * meanwhile waits for the whole batch. Likewise a batch of requests
	 * read at once is admitted before any reply is written (a TLS
	 * bufferevent writes when the loop next polls), all in flight at
	 * once for the admission count. Poll again after a millisecond or
	 * DISPATCH_MAX callbacks, whichever comes first, so that established
	 * connections (worker.h) go first and replies leave soon; not after
	 * each callback, as every epoll_wait() goes over all the ready
	 * sockets again. */
	event_config_set_max_dispatch_interval(
	    cfg, &dispatch_interval, DISPATCH_MAX, 0);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	/* Priorities (worker.h): connections past their TLS handshake first,
	 * then accepts, handshakes and timers, then the handshakes of
	 * clients likely to be refused. Events default to the middle one. */
	if (base && event_base_priority_init(base, WORKER_PRIORITIES) == -1) {
		event_base_free(base);
		return NULL;
	}
	return base;
}

static int
worker_init(struct worker *w, size_t index, struct server *s, struct gen *g)
{
	struct timeval second = {1, 0};
	size_t i;

	memset(w, 0, sizeof(*w));
	w->limits = s->limits;
	limits_worker_init(s->limits, &w->lw, worker_now());
	atomic_init(&w->next, NULL);
	atomic_init(&w->stopping, false);
	accesslog_init(&w->log);
	gen_ref(g);
	w->gen = g;
	if ((w->base = new_base()) == NULL)
		return -1;
	if ((w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -1;
	w->wake_ev =
	    event_new(w->base, w->wake_fd, EV_READ | EV_PERSIST, on_wake, w);
	w->flush_ev = event_new(w->base, -1, EV_PERSIST, on_flush, w);
	w->stop_ev = evtimer_new(w->base, on_stop_timeout, w);
	event_add(w->wake_ev, NULL);
	event_add(w->flush_ev, &second);
	w->turn_ev = event_new(w->base, -1, 0, conn_turn, w);
	if (w->turn_ev == NULL ||
	    event_priority_set(w->turn_ev, PRIO_EV_SUSPECT) == -1)
		return -1;
	w->probe_ev = evtimer_new(w->base, on_probe, w);
	event_priority_set(w->probe_ev, PRIO_EV_DEFAULT);
	w->probe_due = worker_now();
	on_probe(-1, EV_TIMEOUT, w);
	w->ls = xcalloc(s->n_bound, sizeof(*w->ls));
	w->n_ls = s->n_bound;
	for (i = 0; i < s->n_bound; i++)
		w->ls[i].fd = -1;
	for (i = 0; i < s->n_bound; i++) {
		w->ls[i].w = w;
		w->ls[i].proto = s->bound[i].proto;
		w->ls[i].proxy = s->bound[i].proxy;
		w->ls[i].fd = s->bound[i].fds[index];
		s->bound[i].fds[index] = -1; /* the listener owns it now */
		w->ls[i].ev = event_new(w->base, w->ls[i].fd,
		    EV_READ | EV_PERSIST, on_listener, &w->ls[i]);
		w->ls[i].resume = evtimer_new(w->base, on_resume, &w->ls[i]);
		if (w->ls[i].ev == NULL || w->ls[i].resume == NULL ||
		    event_add(w->ls[i].ev, NULL) == -1)
			return -1;
	}
	return 0;
}

static void
wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) == -1)
		log_warn("eventfd");
}

/* Bind addr once per worker. A missing address family (no IPv6 here) is
 * skipped with a warning; other failures stop the start. */
static int
bind_one(struct server *s, const char *spec, enum listen_proto proto,
    bool proxy, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct bound *b;
	socklen_t len;
	size_t w;
	int fd, port;

	if (listen_parse(spec, &ss, &len, err, errlen) == -1)
		return -1;
	port = ss.ss_family == AF_INET6
	    ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
	    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	/* Port 0 on a second address (IPv6 after IPv4): the same free port
	 * if it is free there too, so that one port number serves both. */
	fd = -1;
	if (port == 0 &&
	    (proto == PROTO_GEMINI ? s->gemini_port : s->gopher_port)) {
		listen_set_port((struct sockaddr *)&ss,
		    proto == PROTO_GEMINI ? s->gemini_port : s->gopher_port);
		if ((fd = listen_socket((struct sockaddr *)&ss, len, false)) ==
		    -1)
			listen_set_port((struct sockaddr *)&ss, 0);
	}
	if (fd == -1)
		fd = listen_socket((struct sockaddr *)&ss, len, false);
	if (fd == -1 && errno == EACCES && proto == PROTO_GOPHER && port > 0 &&
	    port < 1024) {
		log_warnx("cannot bind %s: ports below 1024 need root; "
			  "serving Gopher on port %d instead",
		    spec, port + UNPRIVILEGED_OFFSET);
		s->gopher_public_from = port;
		s->gopher_public_to = port + UNPRIVILEGED_OFFSET;
		listen_set_port(
		    (struct sockaddr *)&ss, port + UNPRIVILEGED_OFFSET);
		fd = listen_socket((struct sockaddr *)&ss, len, false);
	}
	if (fd == -1 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
		log_warn("skipping %s", spec);
		return 0;
	}
	if (fd == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec,
		    strerror(errno));
		return -1;
	}
	/* Port 0 picks a free port: the other workers join that one. */
	port = listen_port(fd);
	listen_set_port((struct sockaddr *)&ss, port);
	s->bound = xrealloc(s->bound, (s->n_bound + 1) * sizeof(*s->bound));
	b = &s->bound[s->n_bound++];
	b->proto = proto;
	b->proxy = proxy;
	b->port = port;
	b->fds = xcalloc(s->n_workers, sizeof(int));
	b->fds[0] = fd;
	for (w = 1; w < s->n_workers; w++) {
		if ((b->fds[w] = listen_socket(
			 (struct sockaddr *)&ss, len, true)) == -1) {
			snprintf(err, errlen, "cannot listen on %s: %s", spec,
			    strerror(errno));
			for (; w < s->n_workers; w++)
				b->fds[w] = -1;
			return -1;
		}
	}
	/* A Gopher reply is written at once and followed by the close. */
	for (w = 0; proto == PROTO_GOPHER && w < s->n_workers; w++)
		if (listen_cork_replies(b->fds[w]) == -1)
			log_warn("%s: TCP_CORK", spec);
	/* Per-address limits are kept by each worker for the addresses it
	 * serves (admission.h). Behind a balancer every connection comes
	 * from the balancer: spread those by port, as the kernel does. */
	if (s->n_workers > 1 && !proxy &&
	    listen_steer_by_address(
		b->fds[0], ss.ss_family, (unsigned)s->n_workers) == -1)
		log_warn("%s: cannot steer clients to workers by address; "
			 "per-address limits apply per worker",
		    spec);
	if (proto == PROTO_GEMINI && s->gemini_port == 0)
		s->gemini_port = port;
	if (proto == PROTO_GOPHER && s->gopher_port == 0)
		s->gopher_port = port;
	return 0;
}

static int
bind_all(
    struct server *s, const struct server_conf *conf, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < conf->n_listen; i++)
		if (bind_one(s, conf->listen[i], PROTO_GEMINI,
			conf->listen_proxy[i], err, errlen) == -1)
			return -1;
	for (i = 0; i < conf->n_gopher_listen; i++)
		if (bind_one(s, conf->gopher_listen[i], PROTO_GOPHER,
			conf->gopher_listen_proxy[i], err, errlen) == -1)
			return -1;
	if (s->gemini_port == 0) {
		snprintf(err, errlen, "no address to serve Gemini on");
		return -1;
	}
	return 0;
}

static void
unbind_all(struct server *s)
{
	size_t i, w;

	for (i = 0; i < s->n_bound; i++) {
		for (w = 0; w < s->n_workers; w++)
			if (s->bound[i].fds[w] >= 0)
				close(s->bound[i].fds[w]);
		free(s->bound[i].fds);
	}
	free(s->bound);
}

static int
write_ready(const struct server *s, const char *file, char *err, size_t errlen)
{
	char *tmp = xmalloc(strlen(file) + 5);
	FILE *f;
	int rc;

	sprintf(tmp, "%s.tmp", file);
	if ((f = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fprintf(f, "gemini %d\n", s->gemini_port);
	if (s->gopher_port)
		fprintf(f, "gopher %d\n", s->gopher_port);
	rc = fclose(f) == 0 && rename(tmp, file) == 0 ? 0 : -1;
	if (rc == -1)
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
	free(tmp);
	return rc;
}

/* A Gopher port moved for lack of privileges is also the public one. */
static void
fix_public_port(const struct server *s, struct server_conf *conf)
{
	if (s->gopher_public_to && conf->gopher_port == s->gopher_public_from)
		conf->gopher_port = s->gopher_public_to;
}

static bool
same_list(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static void
reload(struct server *s, struct gen **cur, server_reload_fn fn, void *arg)
{
	struct server_conf conf;
	struct gen *g;
	char err[1024];
	size_t i;

	memset(&conf, 0, sizeof(conf));
	if (fn(arg, &conf, err, sizeof(err)) == -1) {
		server_conf_free(&conf);
		log_warnx("reload refused, still serving the previous "
			  "configuration: %s",
		    err);
		return;
	}
	fix_public_port(s, &conf);
	if (!same_list(conf.listen, conf.n_listen, (*cur)->conf.listen,
		(*cur)->conf.n_listen) ||
	    !same_list(conf.gopher_listen, conf.n_gopher_listen,
		(*cur)->conf.gopher_listen, (*cur)->conf.n_gopher_listen))
		log_warnx("listen addresses changed: they take effect at the "
			  "next start");
	if (conf.workers != (*cur)->conf.workers)
		log_warnx("workers changed: it takes effect at the next start");
	if ((g = gen_new(&conf, err, sizeof(err))) == NULL) {
		log_warnx("reload refused, still serving the previous "
			  "configuration: %s",
		    err);
		return;
	}
	for (i = 0; i < s->n_workers; i++) {
		gen_ref(g);
		gen_unref(atomic_exchange(&s->workers[i].next, g));
		wake(&s->workers[i]);
	}
	gen_unref(*cur);
	*cur = g;
	log_info("reloaded");
}

/* Drop privileges and confine the process; say what was not possible. */
static int
enter_sandbox(const struct server_conf *conf)
{
	struct sandbox_report r;
	char err[1024];

	if (sandbox_server(conf, &r, err, sizeof(err)) == -1) {
		log_warnx("sandbox: %s", err);
		return -1;
	}
	if (r.still_root)
		log_warnx(
		    "running as root: set server.user to drop privileges");
	if (r.user_ignored)
		log_warnx("server.user '%s' ignored: not started as root",
		    conf->user);
	if (r.landlock == 0)
		log_warnx(
		    "this kernel has no Landlock: file access is not confined "
		    "(see README: running in a chroot)");
	else
		log_info("confined with Landlock (ABI %d)%s%s", r.landlock,
		    r.dropped ? ", running as " : "",
		    r.dropped ? conf->user : "");
	return 0;
}

/* The CPU the server may use: what the load shedding weighs the loops'
 * CPU time against (shed.h); allowed, as how says, unless limits.cpus
 * says otherwise. */
static void
set_cpus(
    struct limits_conf *c, double allowed, const char *how, size_t n_workers)
{
	if (c->cpus > 0) {
		allowed = c->cpus;
		how = "limits.cpus";
	}
	c->shed.cpus = allowed;
	log_info("CPU: %.3g (%s) for %zu worker%s", allowed, how, n_workers,
	    n_workers == 1 ? "" : "s");
}

int
server_run(struct server_conf *conf, const char *ready_file,
    server_reload_fn reload_fn, void *reload_arg)
{
	struct server s;
	struct gen *g = NULL;
	sigset_t set;
	char err[1024];
	const char *cpus_how;
	double cpus;
	size_t i, started = 0;
	int sig, rc = 1;

	memset(&s, 0, sizeof(s));
	signal(SIGPIPE, SIG_IGN);
	cpus = cpus_available(&cpus_how);
	s.n_workers =
	    conf->workers > 0 ? (size_t)conf->workers : cpus_workers(cpus);
	if (bind_all(&s, conf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		server_conf_free(conf);
		goto out;
	}
	fix_public_port(&s, conf);
	set_cpus(&conf->limits, cpus, cpus_how, s.n_workers);
	/* Limits are kept for the life of the process: the per-address
	 * budgets must survive a reload. */
	s.limits = limits_new(&conf->limits);
	if ((g = gen_new(conf, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	/* Signals go to this thread only, which waits for them below. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	s.workers = xcalloc(s.n_workers, sizeof(*s.workers));
	for (i = 0; i < s.n_workers; i++)
		if (worker_init(&s.workers[i], i, &s, g) == -1) {
			log_warn("cannot set up event loop");
			goto stop;
		}
	if (ready_file && write_ready(&s, ready_file, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto stop;
	}
	/* Before any thread: Landlock binds the calling thread and the ones
	 * it starts afterwards. */
	if (enter_sandbox(&g->conf) == -1)
		goto stop;
	for (; started < s.n_workers; started++)
		if (pthread_create(&s.workers[started].thread, NULL,
			worker_main, &s.workers[started]) != 0) {
			log_warnx("cannot start worker thread");
			goto stop;
		}
	log_info("serving Gemini on port %d, Gopher on port %d, %zu worker%s",
	    s.gemini_port, s.gopher_port, s.n_workers,
	    s.n_workers == 1 ? "" : "s");
	rc = 0;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			if (gen_reopen_log(g, err, sizeof(err)) == -1)
				log_warnx(
				    "cannot reopen the access log: %s", err);
			continue;
		}
		if (sig != SIGHUP)
			break;
		reload(&s, &g, reload_fn, reload_arg);
	}
	log_info("stopping");
stop:
	for (i = 0; i < started; i++) {
		atomic_store(&s.workers[i].stopping, true);
		wake(&s.workers[i]);
	}
	for (i = 0; i < started; i++) {
		pthread_join(s.workers[i].thread, NULL);
		limits_stats_format(
		    &s.workers[i].lw, worker_now(), err, sizeof(err));
		log_info("worker %zu: %s", i, err);
	}
	for (i = 0; s.workers && i < s.n_workers; i++)
		if (s.workers[i].base) {
			worker_free(&s.workers[i]);
		} else {
			limits_worker_free(&s.workers[i].lw);
			gen_unref(s.workers[i].gen);
		}
	free(s.workers);
out:
	gen_unref(g);
	unbind_all(&s);
	limits_free(s.limits);
	return rc;
}
