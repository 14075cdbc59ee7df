/*
 * ratelimit: per-address request budgets and connection caps.
 *
 * Each client address (an IPv4 address, or the /64 network of an IPv6
 * address, since one host usually holds a whole /64) has a token bucket
 * filled at `rate` tokens a second up to `burst`. A request takes a token.
 * A client whose bucket is empty is over its budget: its requests are still
 * served while the server has room, but at the lowest priority; once it
 * owes `burst` more tokens its requests are refused outright until the
 * bucket refills. The same table counts open connections per address,
 * capped per address and in total.
 *
 * A refused client has been told how long to wait (the 44's seconds).
 * Until that time is up its new connections are refused too, on accept:
 * the caller closes them before the TLS handshake, which is most of what a
 * request costs the server, so a client that ignores the wait and keeps
 * reconnecting costs an accept and a close, not a handshake each time.
 * The same holds for a client whose heavy or over-budget request was
 * refused by the load shedding (ratelimit_shed()): until its wait is over
 * it gets no handshake. Under overload this is what keeps refused requests
 * from costing handshakes.
 * A client that keeps asking while the server is overloaded is told a
 * longer wait each time (doubling up to a cap), until a request of it is
 * admitted again.
 *
 * The table is bounded: a fixed number of sets of a few entries each;
 * a new address replaces the least recently seen entry of its set that has
 * no open connection. When every entry of the set holds connections the
 * newcomer is not tracked (only the total cap applies to it), so memory
 * never grows with the number of addresses.
 *
 * Time is passed in (seconds on a monotonic clock): nothing here reads a
 * clock, so every decision can be tested with made-up times.
 */
#ifndef CANYON_RATELIMIT_H
#define CANYON_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ratelimit_conf {
	double rate; /* tokens added per second */
	double burst; /* bucket size, >= 1 */
	unsigned max_conns_per_addr;
	unsigned max_conns; /* in total */
	size_t table_size; /* entries tracked at most (rounded to sets) */
	uint64_t seed; /* hash seed: pick it at random */
};

/* Defaults documented in canyon.yaml. */
void ratelimit_conf_default(struct ratelimit_conf *c);

/* An address as the limiter sees it: 16 bytes, IPv4 mapped (::ffff:a.b.c.d),
 * IPv6 with the interface half (last 64 bits) cleared. */
struct addr_key {
	uint8_t b[16];
};

/* Fill k from a socket address. Returns 0, or -1 for a family other than
 * AF_INET and AF_INET6. */
int addr_key_from_sockaddr(
    const struct sockaddr *sa, socklen_t len, struct addr_key *k);

enum rate_verdict {
	RATE_OK, /* within budget */
	RATE_OVER, /* over budget: serve only at the lowest priority */
	RATE_DENY /* too far over: refuse, retry later */
};

struct ratelimit;

/* A new limiter; the caller frees it with ratelimit_free(). */
struct ratelimit *ratelimit_new(const struct ratelimit_conf *c);
void ratelimit_free(struct ratelimit *rl);

/*
 * Charge one request to k at time now. For RATE_OVER and RATE_DENY,
 * *retry (when not NULL) is set to the whole seconds after which the
 * address is back within its budget (at least 1).
 */
enum rate_verdict ratelimit_request(struct ratelimit *rl,
    const struct addr_key *k, double now, unsigned *retry);

/*
 * A request from k was refused by the load shedding at time now; first is
 * the wait a first refusal gives (seconds). Returns the wait to tell it
 * ("44 <wait>", see above). An address refused again before its last wait
 * is over, or within as long again after it, keeps asking while the
 * server is overloaded: its wait doubles, up to cap. A request of k that
 * is admitted (ratelimit_note()) starts it again from first.
 */
unsigned ratelimit_shed(struct ratelimit *rl, const struct addr_key *k,
    double now, unsigned first, unsigned cap);

/* k's request at time now was of class cls (the caller's numbering, >= 0),
 * admitted or refused. Nothing when k is not tracked. */
void ratelimit_note(struct ratelimit *rl, const struct addr_key *k, double now,
    int cls, bool admitted);
/* The class of k's last request if it came at most within seconds before
 * now, else -1. */
int ratelimit_class(const struct ratelimit *rl, const struct addr_key *k,
    double now, double within);

/*
 * Count a new connection from k. Returns 0 when it may proceed, -1 when the
 * per-address or the total cap is reached, or when k was refused
 * (RATE_DENY, or ratelimit_shed()) and the wait it was told is not over
 * (nothing is counted then).
 * *tracked says whether the per-address count was taken; pass it back to
 * ratelimit_conn_close() when the connection ends. With k NULL (the address
 * is not known yet, as behind a PROXY-protocol balancer) only the total is
 * counted; ratelimit_conn_track() adds the address once it is known.
 */
int ratelimit_conn_open(
    struct ratelimit *rl, const struct addr_key *k, double now, bool *tracked);
/* Count an open connection (counted in the total without an address)
 * against k. 0, or -1 when k is at its cap (nothing counted). */
int ratelimit_conn_track(
    struct ratelimit *rl, const struct addr_key *k, double now, bool *tracked);
void ratelimit_conn_close(
    struct ratelimit *rl, const struct addr_key *k, bool tracked);

/* Whether k's next request is likely refused: k is over its budget, or
 * was told to wait by the load shedding and its wait is not over. Such a
 * connection's TLS handshake can wait until others' are done. */
bool ratelimit_suspect(
    const struct ratelimit *rl, const struct addr_key *k, double now);

/*
 * k is over its budget and has not been told to wait since its bucket
 * went under one token, and no connection of it is on its way to be told:
 * true, and the caller's connection is that one (its request gets the 44
 * with the wait) until ratelimit_tell_end(), called when its request comes
 * or it closes. False otherwise: a client that was told, or is being told,
 * needs no more handshakes to learn it.
 */
bool ratelimit_tell(struct ratelimit *rl, const struct addr_key *k, double now);
void ratelimit_tell_end(struct ratelimit *rl, const struct addr_key *k);

/* What the table knows of one address, read in one lookup: for decisions
 * that ask several of the questions above at once. */
struct rate_view {
	bool suspect; /* ratelimit_suspect() */
	int cls; /* class of its last request, -1 when none or unknown */
	double noted; /* ... and when that request came */
	unsigned conns; /* its open connections */
};
/* k's view at time now; an address not in the table has cls -1 and the
 * rest 0. */
void ratelimit_view(const struct ratelimit *rl, const struct addr_key *k,
    double now, struct rate_view *v);

/* Open connections in total, and from k (0 when k is not tracked). */
unsigned ratelimit_conns(const struct ratelimit *rl);
unsigned ratelimit_conns_of(
    const struct ratelimit *rl, const struct addr_key *k);

#endif
