#include "ratelimit.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Entries per set: a set is searched linearly, so keep it one cache line
 * or two; eight is the usual associativity of CPU caches for the same
 * trade-off (few conflicts, cheap lookups). */
#define RATELIMIT_WAYS 8

struct rl_entry {
	struct addr_key key;
	double tokens; /* may go down to -burst while over budget */
	double refilled; /* time tokens was last brought up to date */
	double seen; /* last request or connection, for eviction */
	double denied_until; /* connections refused until then */
	double shed_until; /* told 44 by the shedding: its wait ends then */
	double noted; /* time of its last request (ratelimit_note()) */
	double over_since; /* its bucket last went under one token then */
	double told; /* last told to wait (RATE_DENY, ratelimit_shed()) */
	unsigned backoff; /* seconds of the last wait the shedding gave */
	unsigned conns;
	int cls; /* class of its last request, -1 when none */
	bool telling; /* a connection is on its way to be told to wait */
	bool used;
};

struct ratelimit {
	struct ratelimit_conf conf;
	struct rl_entry *entries; /* nsets * RATELIMIT_WAYS */
	size_t nsets; /* a power of two */
	unsigned conns; /* open connections in total */
};

void
ratelimit_conf_default(struct ratelimit_conf *c)
{
	c->rate = 5;
	c->burst = 20;
	c->max_conns_per_addr = 16;
	c->max_conns = 1024;
	c->table_size = 4096;
	c->seed = 0;
}

int
addr_key_from_sockaddr(
    const struct sockaddr *sa, socklen_t len, struct addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin =
		    (const struct sockaddr_in *)(const void *)sa;
		k->b[10] = 0xff;
		k->b[11] = 0xff;
		memcpy(&k->b[12], &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(k->b, &sin6->sin6_addr, 16);
		/* An IPv4-mapped address is one host, not a /64. */
		if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			memset(&k->b[8], 0, 8);
		return 0;
	}
	return -1;
}

struct ratelimit *
ratelimit_new(const struct ratelimit_conf *c)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	size_t want = c->table_size / RATELIMIT_WAYS;

	rl->conf = *c;
	rl->nsets = 1;
	while (rl->nsets < want)
		rl->nsets <<= 1;
	rl->entries = xcalloc(rl->nsets * RATELIMIT_WAYS, sizeof(*rl->entries));
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->entries);
	free(rl);
}

/* FNV-1a over the key, started from the seed so that a client cannot
 * choose addresses that all fall into one set. */
static struct rl_entry *
rl_set(const struct ratelimit *rl, const struct addr_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ rl->conf.seed;
	size_t i;

	for (i = 0; i < sizeof(k->b); i++) {
		h ^= k->b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	return &rl->entries[(h & (rl->nsets - 1)) * RATELIMIT_WAYS];
}

static struct rl_entry *
rl_find(const struct ratelimit *rl, const struct addr_key *k)
{
	struct rl_entry *set = rl_set(rl, k);
	size_t i;

	for (i = 0; i < RATELIMIT_WAYS; i++)
		if (set[i].used && memcmp(&set[i].key, k, sizeof(*k)) == 0)
			return &set[i];
	return NULL;
}

/* The entry of k, made if needed by taking a free slot or the least
 * recently seen one without connections; NULL when there is none. */
static struct rl_entry *
rl_get(struct ratelimit *rl, const struct addr_key *k, double now)
{
	struct rl_entry *set = rl_set(rl, k), *victim = NULL;
	size_t i;

	for (i = 0; i < RATELIMIT_WAYS; i++) {
		if (!set[i].used) {
			if (victim == NULL || victim->used)
				victim = &set[i];
			continue;
		}
		if (memcmp(&set[i].key, k, sizeof(*k)) == 0)
			return &set[i];
		if (set[i].conns == 0 &&
		    (victim == NULL ||
			(victim->used && set[i].seen < victim->seen)))
			victim = &set[i];
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->key = *k;
	victim->tokens = rl->conf.burst;
	victim->refilled = now;
	victim->seen = now;
	victim->cls = -1;
	victim->over_since = -HUGE_VAL;
	victim->told = -HUGE_VAL;
	return victim;
}

static void
rl_refill(const struct ratelimit *rl, struct rl_entry *e, double now)
{
	if (now > e->refilled) {
		e->tokens += (now - e->refilled) * rl->conf.rate;
		if (e->tokens > rl->conf.burst)
			e->tokens = rl->conf.burst;
		e->refilled = now;
	}
	if (now > e->seen)
		e->seen = now;
}

static unsigned
rl_retry(const struct ratelimit *rl, double tokens)
{
	double s = ceil((1.0 - tokens) / rl->conf.rate);

	if (!(s >= 1))
		return 1;
	return s > 3600 ? 3600 : (unsigned)s;
}

enum rate_verdict
ratelimit_request(
    struct ratelimit *rl, const struct addr_key *k, double now, unsigned *retry)
{
	struct rl_entry *e = rl_get(rl, k, now);
	enum rate_verdict v;
	unsigned wait;

	if (e == NULL) {
		/* Untracked: not known to be within budget, so lowest priority.
		 */
		if (retry)
			*retry = 1;
		return RATE_OVER;
	}
	rl_refill(rl, e, now);
	if (e->tokens >= 1) {
		e->tokens -= 1;
		if (e->tokens < 1)
			e->over_since = now;
		return RATE_OK;
	}
	if (e->tokens - 1 >= -rl->conf.burst) {
		e->tokens -= 1;
		v = RATE_OVER;
	} else {
		v = RATE_DENY;
	}
	wait = rl_retry(rl, e->tokens);
	/* The client was told to wait: until then it gets no handshake. */
	if (v == RATE_DENY) {
		e->denied_until = now + wait;
		e->told = now;
	}
	if (retry)
		*retry = wait;
	return v;
}

unsigned
ratelimit_shed(struct ratelimit *rl, const struct addr_key *k, double now,
    unsigned first, unsigned cap)
{
	struct rl_entry *e = rl_get(rl, k, now);
	unsigned wait = first;

	if (e == NULL)
		return first;
	/* Refused again before its last wait was over, or within as long
	 * again after it: it keeps asking while the server is overloaded. */
	if (e->backoff > 0 && now < e->shed_until + e->backoff)
		wait = e->backoff >= cap / 2 ? cap : 2 * e->backoff;
	if (wait < first)
		wait = first;
	/* Told to wait: no handshake until then. */
	e->denied_until = now + wait;
	e->backoff = wait;
	e->shed_until = now + wait;
	e->told = now;
	return wait;
}

void
ratelimit_note(struct ratelimit *rl, const struct addr_key *k, double now,
    int cls, bool admitted)
{
	struct rl_entry *e = rl_find(rl, k);

	if (e == NULL)
		return;
	e->cls = cls;
	e->noted = now;
	if (admitted)
		e->backoff = 0;
}

int
ratelimit_class(const struct ratelimit *rl, const struct addr_key *k,
    double now, double within)
{
	const struct rl_entry *e = rl_find(rl, k);

	return e && now - e->noted <= within ? e->cls : -1;
}

int
ratelimit_conn_track(
    struct ratelimit *rl, const struct addr_key *k, double now, bool *tracked)
{
	struct rl_entry *e;

	*tracked = false;
	if ((e = rl_get(rl, k, now)) != NULL) {
		if (e->conns >= rl->conf.max_conns_per_addr ||
		    now < e->denied_until)
			return -1;
		rl_refill(rl, e, now);
		e->conns++;
		*tracked = true;
	}
	return 0;
}

int
ratelimit_conn_open(
    struct ratelimit *rl, const struct addr_key *k, double now, bool *tracked)
{
	*tracked = false;
	if (rl->conns >= rl->conf.max_conns)
		return -1;
	if (k && ratelimit_conn_track(rl, k, now, tracked) == -1)
		return -1;
	rl->conns++;
	return 0;
}

void
ratelimit_conn_close(
    struct ratelimit *rl, const struct addr_key *k, bool tracked)
{
	struct rl_entry *e;

	if (rl->conns > 0)
		rl->conns--;
	/* A tracked entry is never evicted while it has connections. */
	if (tracked && (e = rl_find(rl, k)) != NULL && e->conns > 0)
		e->conns--;
}

static bool
entry_suspect(const struct ratelimit *rl, const struct rl_entry *e, double now)
{
	double tokens = e->tokens;

	if (now > e->refilled)
		tokens += (now - e->refilled) * rl->conf.rate;
	return tokens < 1 || now < e->shed_until;
}

bool
ratelimit_suspect(
    const struct ratelimit *rl, const struct addr_key *k, double now)
{
	const struct rl_entry *e = rl_find(rl, k);

	return e != NULL && entry_suspect(rl, e, now);
}

void
ratelimit_view(const struct ratelimit *rl, const struct addr_key *k, double now,
    struct rate_view *v)
{
	const struct rl_entry *e = rl_find(rl, k);

	if (e == NULL) {
		*v = (struct rate_view){.cls = -1};
		return;
	}
	*v = (struct rate_view){.suspect = entry_suspect(rl, e, now),
	    .cls = e->cls,
	    .noted = e->noted,
	    .conns = e->conns};
}

bool
ratelimit_tell(struct ratelimit *rl, const struct addr_key *k, double now)
{
	struct rl_entry *e = rl_find(rl, k);
	double tokens;

	if (e == NULL || e->telling || e->told >= e->over_since)
		return false;
	tokens = e->tokens;
	if (now > e->refilled)
		tokens += (now - e->refilled) * rl->conf.rate;
	if (tokens >= 1)
		return false;
	e->telling = true;
	return true;
}

void
ratelimit_tell_end(struct ratelimit *rl, const struct addr_key *k)
{
	struct rl_entry *e = rl_find(rl, k);

	if (e)
		e->telling = false;
}

unsigned
ratelimit_conns(const struct ratelimit *rl)
{
	return rl->conns;
}

unsigned
ratelimit_conns_of(const struct ratelimit *rl, const struct addr_key *k)
{
	const struct rl_entry *e = rl_find(rl, k);

	return e ? e->conns : 0;
}
