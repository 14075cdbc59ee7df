#include "admission.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
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
	memset(&lw->stats, 0, sizeof(lw->stats));
	lw->n_held = 0;
	lw->held_changed = false;
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

/* What the address table knows of t's address at time now, in one
 * lookup; nothing (cls -1) when t is not tracked. */
static struct rate_view
look(const struct limits_worker *lw, const struct limits_ticket *t, double now)
{
	struct rate_view v = {.cls = -1};

	if (t->tracked)
		ratelimit_view(lw->rl, &t->key, now, &v);
	return v;
}

/* Whether the client viewed in v will most likely be refused: its address
 * is over budget or was told to wait (ratelimit_suspect()), or its last
 * request was heavy, lately enough that it is likely to ask the same
 * again (within max_retry_after seconds). A last request over budget says
 * nothing more: whether the client still is over its budget is known, and
 * once back within it, it is a reader like any other. */
static bool
likely_refused(const struct limits *l, const struct rate_view *v, double now)
{
	return v->suspect ||
	    (v->cls == PRIO_HEAVY && now - v->noted <= l->conf.shed.max_retry);
}

static bool
suspect(const struct limits *l, struct limits_worker *lw,
    const struct limits_ticket *t, double now)
{
	struct rate_view v = look(lw, t, now);

	return likely_refused(l, &v, now);
}

/* t's connection is refusable while the server sheds, but its client is over
 * budget and not told so yet: it is the one let through to be told (44),
 * its handshake after others'. */
static bool
to_tell(struct limits_worker *lw, struct limits_ticket *t, double now)
{
	if (!t->tracked || !ratelimit_tell(lw->rl, &t->key, now))
		return false;
	t->telling = true;
	return true;
}

/* t's request came, or its connection ends: another connection of its
 * address may be the one to tell it, if it still needs telling. */
static void
tell_end(struct limits_worker *lw, struct limits_ticket *t)
{
	if (!t->telling)
		return;
	ratelimit_tell_end(lw->rl, &t->key);
	t->telling = false;
}

/* No request from t's address is remembered: a new client, or one not
 * seen for long (the address table forgets the least recent first). */
static bool
unknown(
    const struct limits_worker *lw, const struct limits_ticket *t, double now)
{
	return look(lw, t, now).cls < 0;
}

/* t's connection is refused on accept: count it as the class of its
 * address's last request. */
static void
count_closed(const struct limits *l, struct limits_worker *lw,
    const struct limits_ticket *t, double now)
{
	int cls = ratelimit_class(lw->rl, &t->key, now, l->conf.shed.max_retry);

	lw->stats.closed[cls >= 0 ? cls : PRIO_COUNT]++;
}

/* Hold the client of key off before the accept until `until` (while
 * there is room): it was told to wait, or refused on accept. */
static void
hold(struct limits_worker *lw, const struct addr_key *key, double until)
{
	size_t i;

	for (i = 0; i < lw->n_held; i++)
		if (memcmp(&lw->held[i].key, key, sizeof(*key)) == 0)
			break;
	if (i == LIMITS_HELD_MAX)
		return;
	if (i == lw->n_held) {
		lw->held[lw->n_held++] = (struct limits_held){*key, until};
		lw->held_changed = true;
	} else if (lw->held[i].until < until) {
		lw->held[i].until = until;
	}
}

/* Whether t's handshake comes after the readers' (conn.c). While the
 * server sheds (overloaded, or short of CPU headroom), readers it served
 * come first, unknown clients after them.
 * Not always: the loop's delay is measured at the readers' priority, so a
 * queue of new clients behind them would not show, and a known client
 * flooding a server without limits would starve every new one. A client's
 * connections beyond its first open one always come after: a reader asks
 * for one thing at a time, and a crawler opening dozens at once must not
 * put its handshakes ahead of every other client's, whatever its budget
 * (one address, one handshake in the readers' turn at a time). */
static bool
waits_turn(const struct limits_worker *lw, const struct limits_ticket *t,
    bool refusable, double now)
{
	struct rate_view v = look(lw, t, now);

	return refusable || (shed_shedding(&lw->shed) && v.cls < 0) ||
	    v.conns > 1;
}

/* Connections a reader may have open at once without the ones beyond
 * being paced: a page and a few more things (limits_conn_paced()). */
#define READER_CONNS 4

/* t's request would most likely be refused, after a handshake the loop
 * has no time for: it is refused before it, and its address held off. */
static void
refuse_early(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, double now)
{
	count_closed(l, lw, t, now);
	hold(lw, &t->key, now + l->conf.shed.retry);
	t->opened = false;
}

bool
limits_held_update(struct limits_worker *lw, double now,
    const struct limits_held **held, size_t *n)
{
	bool changed = lw->held_changed;
	size_t i = 0;

	while (i < lw->n_held) {
		if (now >= lw->held[i].until) {
			lw->held[i] = lw->held[--lw->n_held];
			changed = true;
		} else {
			i++;
		}
	}
	lw->held_changed = false;
	*held = lw->held;
	*n = lw->n_held;
	return changed;
}

int
limits_conn_open(struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now,
    struct limits_ticket *t)
{
	bool refusable;

	memset(t, 0, sizeof(*t));
	/* A socket that is neither IPv4 nor IPv6 shares the all-zero key. */
	if (sa)
		(void)addr_key_from_sockaddr(sa, salen, &t->key);
	if (!total_take(l)) {
		count_closed(l, lw, t, now);
		return -1;
	}
	if (ratelimit_conn_open(
		lw->rl, sa ? &t->key : NULL, now, &t->tracked) == -1) {
		atomic_fetch_sub_explicit(&l->conns, 1, memory_order_relaxed);
		count_closed(l, lw, t, now);
		/* At its cap (or told to wait) and still connecting while
		 * overloaded: each attempt costs an accept and a close the
		 * readers wait for; the kernel drops them instead, for the
		 * configured pause. */
		if (sa && shed_shedding(&lw->shed))
			hold(lw, &t->key, now + l->conf.shed.retry);
		return -1;
	}
	t->counted = true;
	refusable = suspect(l, lw, t, now);
	t->suspect = waits_turn(lw, t, refusable, now);
	if (refusable && shed_shedding(&lw->shed) && !to_tell(lw, t, now)) {
		limits_conn_close(l, lw, t, now);
		refuse_early(l, lw, t, now);
		return -1;
	}
	t->opened = true;
	return 0;
}

int
limits_conn_address(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, const struct sockaddr *sa, socklen_t salen,
    double now)
{
	bool at_cap, refusable;

	if (!t->counted || t->tracked)
		return 0;
	(void)addr_key_from_sockaddr(sa, salen, &t->key);
	at_cap = ratelimit_conn_track(lw->rl, &t->key, now, &t->tracked) == -1;
	refusable = !at_cap && suspect(l, lw, t, now);
	if (at_cap ||
	    (refusable && shed_shedding(&lw->shed) && !to_tell(lw, t, now))) {
		count_closed(l, lw, t, now);
		t->opened = false;
		return -1;
	}
	t->suspect = waits_turn(lw, t, refusable, now);
	return 0;
}

bool
limits_conn_full(const struct limits *l)
{
	return atomic_load_explicit(&l->conns, memory_order_relaxed) >=
	    l->conf.rate.max_conns;
}

bool
limits_conn_preferred(const struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now)
{
	struct limits_ticket t;

	memset(&t, 0, sizeof(t));
	if (addr_key_from_sockaddr(sa, salen, &t.key) == -1)
		return false;
	t.tracked = true; /* as it would be: ask the table */
	return !unknown(lw, &t, now) && !suspect(l, lw, &t, now);
}

void
limits_conn_evict(struct limits_worker *lw, struct limits_ticket *t)
{
	lw->stats.evicted++;
	t->opened = false;
}

void
limits_conn_gone(struct limits_worker *lw, struct limits_ticket *t)
{
	lw->stats.gone++;
	t->opened = false;
}

void
limits_conn_no_hello(struct limits_worker *lw)
{
	lw->stats.no_hello++;
}

bool
limits_conn_paced(const struct limits *l, struct limits_worker *lw,
    const struct limits_ticket *t, double now)
{
	/* Asked of every queued connection a turn passes over: one lookup. */
	struct rate_view v = look(lw, t, now);

	return likely_refused(l, &v, now) ||
	    (shed_shedding(&lw->shed) && v.cls < 0) || v.conns > READER_CONNS;
}

int
limits_conn_turn(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, double now)
{
	if (!t->tracked || t->telling || !suspect(l, lw, t, now) ||
	    !shed_shedding(&lw->shed) || to_tell(lw, t, now))
		return 0;
	refuse_early(l, lw, t, now);
	return -1;
}

void
limits_conn_paced_turn(struct limits_worker *lw, struct limits_ticket *t)
{
	shed_turn_take(&lw->shed);
	t->paced = true;
}

enum limits_verdict
limits_admit(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, const char *path, size_t len, bool size_known,
    size_t size, double now, unsigned *retry)
{
	enum rate_verdict rv;
	bool admitted;

	tell_end(lw, t);
	rv = ratelimit_request(lw->rl, &t->key, now, retry);
	t->prio = rv == RATE_OK ? priority_classify(&l->conf.prio, path, len,
				      size_known, size, false)
				: PRIO_OVER;
	lw->stats.requests[t->prio]++;
	t->requested = true;
	admitted = rv != RATE_DENY &&
	    (t->prio == PRIO_HEAVY
		    ? shed_admit_heavy(&lw->shed, size_known ? size : 0, now)
		    : shed_admit(&lw->shed, t->prio));
	ratelimit_note(lw->rl, &t->key, now, (int)t->prio, admitted);
	/* Not a crawler's: its connections beyond a reader's stay paced. */
	if (t->paced && admitted && t->prio == PRIO_PAGE &&
	    (!t->tracked ||
		ratelimit_conns_of(lw->rl, &t->key) <= READER_CONNS))
		shed_turn_refund(&lw->shed);
	t->paced = false;
	if (rv == RATE_DENY) {
		lw->stats.denied++;
		if (t->tracked)
			hold(lw, &t->key, now + *retry);
		return LIMITS_RATE;
	}
	if (!admitted) {
		/* An over-budget client is told when it is back in budget,
		 * everybody else the configured pause. */
		if (rv != RATE_OVER)
			*retry = l->conf.shed.retry;
		/* Bulk work and clients over budget are held to their wait,
		 * longer each time they keep asking; a reader asking again
		 * for a page is not (its next page may well be served). */
		if (t->prio >= PRIO_HEAVY) {
			*retry = ratelimit_shed(lw->rl, &t->key, now, *retry,
			    l->conf.shed.max_retry);
			if (t->tracked)
				hold(lw, &t->key, now + *retry);
		}
		return LIMITS_SHED;
	}
	lw->stats.admitted[t->prio]++;
	t->admitted = true;
	t->start = now;
	return LIMITS_ADMIT;
}

size_t
limits_stats_format(
    const struct limits_worker *lw, double now, char *buf, size_t size)
{
	const struct limits_stats *st = &lw->stats;
	size_t n = 0;
	int p, w;

	if (size > 0)
		buf[0] = '\0';
	for (p = 0; p < PRIO_COUNT; p++) {
		w = snprintf(buf + n, size - n,
		    "%s %lu requests, %lu admitted, %lu closed on accept, "
		    "%lu lost before a request; ",
		    priority_name((enum priority)p), st->requests[p],
		    st->admitted[p], st->closed[p], st->lost[p]);
		if (w < 0)
			return n;
		if ((size_t)w >= size - n)
			return size - 1;
		n += (size_t)w;
	}
	w = snprintf(buf + n, size - n,
	    "unknown %lu closed on accept, %lu lost before a request; "
	    "%lu closed before their handshake for a reader at the "
	    "connection cap; %lu queued closed at their turn, the client "
	    "gone; %lu closed with their ClientHello incomplete; "
	    "overloaded %lu times, %.1f s; refused: %lu overloaded, %lu "
	    "over their share of the limit, %lu for want of the pacing's "
	    "credit, %lu for the CPU more important requests took, %lu over "
	    "their budget",
	    st->closed[PRIO_COUNT], st->lost[PRIO_COUNT], st->evicted, st->gone,
	    st->no_hello, lw->shed.overloads, shed_late_seconds(&lw->shed, now),
	    lw->shed.refused_why[SHED_WHY_LATE],
	    lw->shed.refused_why[SHED_WHY_SHARE],
	    lw->shed.refused_why[SHED_WHY_CREDIT],
	    lw->shed.refused_why[SHED_WHY_CPU], st->denied);
	if (w > 0)
		n += (size_t)w < size - n ? (size_t)w : size - n - 1;
	return n;
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
	int cls;

	limits_done(lw, t, false, now);
	tell_end(lw, t);
	if (t->opened && !t->requested) {
		cls = ratelimit_class(
		    lw->rl, &t->key, now, l->conf.shed.max_retry);
		lw->stats.lost[cls >= 0 ? cls : PRIO_COUNT]++;
		t->opened = false;
	}
	if (t->counted) {
		ratelimit_conn_close(lw->rl, &t->key, t->tracked);
		atomic_fetch_sub_explicit(&l->conns, 1, memory_order_relaxed);
		t->counted = false;
	}
}
