#include "admission.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "buf.h"

struct limits {
	struct limits_conf conf;
	pthread_mutex_t lock; /* guards rl */
	struct ratelimit *rl;
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
	pthread_mutex_init(&l->lock, NULL);
	l->rl = ratelimit_new(&l->conf.rate);
	return l;
}

void
limits_free(struct limits *l)
{
	if (l == NULL)
		return;
	ratelimit_free(l->rl);
	pthread_mutex_destroy(&l->lock);
	limits_conf_free(&l->conf);
	free(l);
}

void
limits_shed_init(const struct limits *l, struct shed *s, double now)
{
	shed_init(s, &l->conf.shed, now);
}

int
limits_conn_open(struct limits *l, const struct sockaddr *sa, socklen_t salen,
    double now, struct limits_ticket *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	/* A socket that is neither IPv4 nor IPv6 shares the all-zero key. */
	if (sa)
		(void)addr_key_from_sockaddr(sa, salen, &t->key);
	pthread_mutex_lock(&l->lock);
	rc = ratelimit_conn_open(l->rl, sa ? &t->key : NULL, now, &t->tracked);
	pthread_mutex_unlock(&l->lock);
	t->counted = rc == 0;
	return rc;
}

int
limits_conn_address(struct limits *l, struct limits_ticket *t,
    const struct sockaddr *sa, socklen_t salen, double now)
{
	int rc;

	if (!t->counted || t->tracked)
		return 0;
	(void)addr_key_from_sockaddr(sa, salen, &t->key);
	pthread_mutex_lock(&l->lock);
	rc = ratelimit_conn_track(l->rl, &t->key, now, &t->tracked);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

enum limits_verdict
limits_admit(struct limits *l, struct shed *s, struct limits_ticket *t,
    const char *path, size_t len, bool size_known, size_t size, double now,
    unsigned *retry)
{
	enum rate_verdict rv;

	pthread_mutex_lock(&l->lock);
	rv = ratelimit_request(l->rl, &t->key, now, retry);
	pthread_mutex_unlock(&l->lock);
	if (rv == RATE_DENY)
		return LIMITS_RATE;
	t->prio = priority_classify(
	    &l->conf.prio, path, len, size_known, size, rv == RATE_OVER);
	if (!shed_admit(s, t->prio)) {
		/* An over-budget client is told when it is back in budget,
		 * everybody else the configured pause. */
		if (rv != RATE_OVER)
			*retry = l->conf.shed.retry;
		/* Bulk work and clients over budget are held to their wait if
		 * they come back for more; a reader asking again for a page
		 * is not (its next page may well be served). */
		if (t->prio >= PRIO_HEAVY) {
			pthread_mutex_lock(&l->lock);
			ratelimit_shed(l->rl, &t->key, now, *retry);
			pthread_mutex_unlock(&l->lock);
		}
		return LIMITS_SHED;
	}
	t->admitted = true;
	t->start = now;
	return LIMITS_ADMIT;
}

void
limits_done(struct shed *s, struct limits_ticket *t, bool answered, double now)
{
	if (!t->admitted)
		return;
	t->admitted = false;
	/* A large file's time is the client's download time, not the
	 * server's: learning from it would read a slow reader as overload. */
	if (answered && t->prio != PRIO_HEAVY)
		shed_done(s, now - t->start, now);
	else
		shed_cancel(s);
}

void
limits_conn_close(
    struct limits *l, struct shed *s, struct limits_ticket *t, double now)
{
	limits_done(s, t, false, now);
	if (t->counted) {
		pthread_mutex_lock(&l->lock);
		ratelimit_conn_close(l->rl, &t->key, t->tracked);
		pthread_mutex_unlock(&l->lock);
		t->counted = false;
	}
}
