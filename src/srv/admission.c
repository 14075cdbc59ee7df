#include "admission.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "buf.h"

struct limits {
	struct limits_conf conf;
	atomic_uint conns; /* open connections, every worker's */
};

void
limits_conf_default(struct limits_conf *c)
{
	memset(c, 0, sizeof(*c));
	priority_rules_default(&c->prio);
	shed_conf_default(&c->shed);
	ratelimit_conf_default(&c->rate);
}

void
limits_conf_free(struct limits_conf *c)
{
	priority_rules_free(&c->prio);
}

static char **
copy_list(char *const *list)
{
	char **copy = NULL;
	size_t n = 0;

	while (list && list[n])
		n++;
	priority_rules_set(&copy, (const char *const *)list, n);
	return copy;
}

struct limits *
limits_new(const struct limits_conf *c)
{
	struct limits *l = xcalloc(1, sizeof(*l));

	l->conf = *c;
	l->conf.prio.page = copy_list(c->prio.page);
	l->conf.prio.light = copy_list(c->prio.light);
	l->conf.prio.heavy = copy_list(c->prio.heavy);
	/* A seed nobody can guess, so nobody can aim addresses at one set of
	 * the table; the fixed fallback only loses that protection. */
	if (l->conf.rate.seed == 0 &&
	    getrandom(&l->conf.rate.seed, sizeof(l->conf.rate.seed), 0) !=
		(ssize_t)sizeof(l->conf.rate.seed))
		l->conf.rate.seed = 0x9e3779b97f4a7c15ULL;
	atomic_init(&l->conns, 0);
	return l;
}

void
limits_free(struct limits *l)
{
	if (l == NULL)
		return;
	limits_conf_free(&l->conf);
	free(l);
}

void
limits_worker_init(const struct limits *l, struct limits_worker *lw, double now)
{
	struct ratelimit_conf rc = l->conf.rate;

	/* The total is counted in l, across workers. */
	rc.max_conns = UINT_MAX;
	lw->rl = ratelimit_new(&rc);
	shed_init(&lw->shed, &l->conf.shed, now);
}

void
limits_worker_free(struct limits_worker *lw)
{
	ratelimit_free(lw->rl);
	lw->rl = NULL;
}

/* Take one of the l's connection slots: false when all are taken. */
static bool
total_take(struct limits *l)
{
	unsigned n = atomic_load_explicit(&l->conns, memory_order_relaxed);

	do {
		if (n >= l->conf.rate.max_conns)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
	    &l->conns, &n, n + 1, memory_order_relaxed, memory_order_relaxed));
	return true;
}

int
limits_conn_open(struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now,
    struct limits_ticket *t)
{
	memset(t, 0, sizeof(*t));
	/* A socket that is neither IPv4 nor IPv6 shares the all-zero key. */
	if (sa)
		(void)addr_key_from_sockaddr(sa, salen, &t->key);
	if (!total_take(l))
		return -1;
	if (ratelimit_conn_open(
		lw->rl, sa ? &t->key : NULL, now, &t->tracked) == -1) {
		atomic_fetch_sub_explicit(&l->conns, 1, memory_order_relaxed);
		return -1;
	}
	t->counted = true;
	t->suspect = t->tracked && ratelimit_suspect(lw->rl, &t->key, now);
	/* Its request would most likely be refused, after a handshake the
	 * loop has no time for: refuse it now. */
	if (t->suspect && shed_late(&lw->shed)) {
		limits_conn_close(l, lw, t, now);
		return -1;
	}
	return 0;
}

int
limits_conn_address(struct limits_worker *lw, struct limits_ticket *t,
    const struct sockaddr *sa, socklen_t salen, double now)
{
	if (!t->counted || t->tracked)
		return 0;
	(void)addr_key_from_sockaddr(sa, salen, &t->key);
	if (ratelimit_conn_track(lw->rl, &t->key, now, &t->tracked) == -1)
		return -1;
	t->suspect = t->tracked && ratelimit_suspect(lw->rl, &t->key, now);
	return t->suspect && shed_late(&lw->shed) ? -1 : 0;
}

enum limits_verdict
limits_admit(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, const char *path, size_t len, bool size_known,
    size_t size, double now, unsigned *retry)
{
	enum rate_verdict rv = ratelimit_request(lw->rl, &t->key, now, retry);

	if (rv == RATE_DENY)
		return LIMITS_RATE;
	t->prio = priority_classify(
	    &l->conf.prio, path, len, size_known, size, rv == RATE_OVER);
	if (!shed_admit(&lw->shed, t->prio)) {
		/* An over-budget client is told when it is back in budget,
		 * everybody else the configured pause. */
		if (rv != RATE_OVER)
			*retry = l->conf.shed.retry;
		/* Bulk work and clients over budget are held to their wait if
		 * they come back for more; a reader asking again for a page
		 * is not (its next page may well be served). */
		if (t->prio >= PRIO_HEAVY)
			ratelimit_shed(lw->rl, &t->key, now, *retry);
		return LIMITS_SHED;
	}
	t->admitted = true;
	t->start = now;
	return LIMITS_ADMIT;
}

void
limits_done(struct limits_worker *lw, struct limits_ticket *t, bool answered,
    double now)
{
	if (!t->admitted)
		return;
	t->admitted = false;
	/* A large file's time is the client's download time, not the
	 * server's: learning from it would read a slow reader as overload. */
	if (answered && t->prio != PRIO_HEAVY)
		shed_done(&lw->shed, now - t->start, now);
	else
		shed_cancel(&lw->shed);
}

void
limits_conn_close(struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, double now)
{
	limits_done(lw, t, false, now);
	if (t->counted) {
		ratelimit_conn_close(lw->rl, &t->key, t->tracked);
		atomic_fetch_sub_explicit(&l->conns, 1, memory_order_relaxed);
		t->counted = false;
	}
}
