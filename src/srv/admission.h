/*
 * admission: limits_*(), admission control for the connection layer.
 *
 * Ties the three policies together at the two points where a connection
 * can be refused cheaply:
 *   - on accept, limits_conn_open(): the per-address and total connection
 *     caps, and clients refused with 44 (over budget, or a heavy or
 *     over-budget request shed) whose wait is not over (refused: close
 *     at once, before any TLS work); those, and clients refused on
 *     accept while the server sheds, are also held off before the accept
 *     (limits_held_update(): a socket filter drops their connection
 *     attempts in the kernel, at no cost to the event loop);
 *   - when a handshake put after others' is about to start,
 *     limits_conn_turn(): the same judgement again, with what was
 *     learned of the address since the accept;
 *   - once the request line is parsed, limits_admit(): the per-address
 *     budget (ratelimit.h), then the request's priority (priority.h)
 *     against the adaptive concurrency limit (shed.h). Refused: answer
 *     Gemini "44 <retry>" or a Gopher type 3 line, before any file work.
 * limits_done() reports the latency of an admitted request, which is what
 * the concurrency limit learns from.
 *
 * No lock: struct limits holds what every worker shares, the settings
 * (read-only) and the total connection count (an atomic counter); each
 * worker keeps the rest in its own struct limits_worker, touched only by
 * its thread: the address table (budgets, per-address counts, refusals)
 * and the shed state (in-flight requests and latency are a property of
 * one event loop). Per-address limits stay exact because the listeners
 * steer every connection from one address to the same worker
 * (listen_steer_by_address()); behind a PROXY-protocol balancer, whose
 * connections all come from one address, they apply per worker.
 */
#ifndef CANYON_ADMISSION_H
#define CANYON_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "priority.h"
#include "ratelimit.h"
#include "shed.h"

struct limits_conf {
	struct priority_rules prio; /* owned */
	struct shed_conf shed;
	struct ratelimit_conf rate; /* seed: limits_new() picks one when 0 */
	double cpus; /* CPUs the server may use; 0: what cpus_available()
		      * finds (the server sets shed.cpus) */
};

void limits_conf_default(struct limits_conf *c);
void limits_conf_free(struct limits_conf *c);

/* What the connection layer keeps per connection; zero it before use. */
struct limits_ticket {
	struct addr_key key;
	bool counted; /* holds a connection slot */
	bool tracked; /* ... in the address table too */
	bool opened; /* accepted: past limits_conn_open() */
	bool requested; /* a request came (limits_admit()) */
	bool admitted; /* a request is in flight */
	bool suspect; /* at connection time, its request would likely be
		       * refused (see limits_conn_open()), or the server is
		       * overloaded and no request of its address is
		       * remembered, or its address has another connection
		       * open: its handshake comes after others' (worker.h) */
	bool telling; /* over budget and not yet told to wait: let through
		       * to be told so with 44 (ratelimit_tell()) */
	bool paced; /* its handshake took the pacing's credit */
	enum priority prio;
	double start; /* time of admission */
};

enum limits_verdict {
	LIMITS_ADMIT,
	LIMITS_SHED, /* server overloaded, this priority is refused: retry later
		      */
	LIMITS_RATE /* the client is too far over its budget */
};

struct limits;

/* What one worker did with its connections, for its operator. A request
 * comes after a TLS handshake (Gemini), so requests counts handshakes that
 * led to one; a connection closed on accept cost no handshake, and is
 * counted as the class of its address's last request (within
 * max_retry_after), or as unknown. */
struct limits_stats {
	unsigned long requests[PRIO_COUNT]; /* by priority */
	unsigned long admitted[PRIO_COUNT]; /* ... of them */
	unsigned long closed[PRIO_COUNT + 1]; /* [PRIO_COUNT]: unknown */
	/* accepted, then closed before a request: the handshake failed or
	 * timed out, or the client went away; by the same class */
	unsigned long lost[PRIO_COUNT + 1];
	/* closed before their handshake started, to give their slot to a
	 * known reader (limits_conn_preferred()) */
	unsigned long evicted;
	/* queued, and closed at their turn because the client had gone
	 * (limits_conn_gone()) */
	unsigned long gone;
	/* closed before their client's first TLS record was all there,
	 * having cost no TLS work (limits_conn_no_hello()) */
	unsigned long no_hello;
	/* requests refused as too far over their budget (LIMITS_RATE);
	 * those refused by the load shedding are counted by reason in
	 * the shed state (shed.refused_why) */
	unsigned long denied;
};

/* Addresses whose connections a worker refused on accept while
 * overloaded: held off before the accept (limits_held_update()). */
#define LIMITS_HELD_MAX 256
struct limits_held {
	struct addr_key key;
	double until;
};

/* One worker's part; only that worker's thread touches it. */
struct limits_worker {
	struct ratelimit *rl; /* owned: the addresses this worker serves */
	struct shed shed;
	struct limits_stats stats;
	struct limits_held held[LIMITS_HELD_MAX];
	size_t n_held;
	bool held_changed; /* since the last limits_held_update() */
};

/* Copies c (the patterns too). Free with limits_free(). */
struct limits *limits_new(const struct limits_conf *c);
void limits_free(struct limits *l);

/* Start one worker's part from l's settings; free it with
 * limits_worker_free() before l. */
void limits_worker_init(
    const struct limits *l, struct limits_worker *lw, double now);
void limits_worker_free(struct limits_worker *lw);

/* A connection from sa was accepted. 0, or -1 when a cap is reached, or
 * when the server sheds what sa would ask (shed_shedding(): overloaded, or
 * short of CPU headroom) and sa's request would most likely be refused: sa is
 * over budget or was told to wait (ratelimit_suspect()), or its last request,
 * within max_retry_after seconds, was heavy. Close it without a word. One
 * exception: a client over its budget that has not been told so since it went
 * over gets one connection through, its handshake after others' (t->telling),
 * for its request to be answered 44 with the wait; its others meanwhile are
 * closed, and once told it gets no handshake until the wait is over. A
 * client learns why it is refused for the price of one handshake per wait,
 * however many connections it opens. sa NULL: the
 * client's address is not known yet (a PROXY-protocol header will tell it):
 * only the total cap applies until limits_conn_address() gives it. */
int limits_conn_open(struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now,
    struct limits_ticket *t);
/* The client of t's connection is sa: its per-address cap and budget apply
 * from now on. 0, or -1 when that address is at its cap or, as above,
 * likely refused while the server sheds (close it). */
int limits_conn_address(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, const struct sockaddr *sa, socklen_t salen,
    double now);

/* Every connection slot is taken (max_connections). */
bool limits_conn_full(const struct limits *l);
/* A connection from sa would be a known reader's: its address is known
 * and its request not likely refused. Such a client may take the slot of a
 * connection whose handshake has not started, when all are taken. */
bool limits_conn_preferred(const struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now);
/* t's connection, whose handshake has not started, gives its slot to a
 * preferred one: count it (limits_stats.evicted); close it next. */
void limits_conn_evict(struct limits_worker *lw, struct limits_ticket *t);

/* t's connection, queued for its handshake, is closed at its turn because
 * its client has gone: count it (limits_stats.gone); close it next. */
void limits_conn_gone(struct limits_worker *lw, struct limits_ticket *t);

/* Whether the turn of t's queued connection (t->suspect) is paced by the
 * loop's lateness (shed_turn_ready()): its client would likely be refused
 * (as in limits_conn_open()), or is not known while the server sheds
 * (overloaded, or short of CPU headroom: shed_shedding()), or has
 * more than four connections open (a crawler's, not a reader's). A known
 * reader's second connection is not paced: it waits for the loop only
 * (one a probe while overloaded), so that a reader is not held up when the
 * readers themselves fill the loop. */
bool limits_conn_paced(const struct limits *l, struct limits_worker *lw,
    const struct limits_ticket *t, double now);

/* A connection is closed before its client's first TLS record was all
 * there: count it (limits_stats.no_hello). */
void limits_conn_no_hello(struct limits_worker *lw);

/* The handshake of t's connection, put after others' (t->suspect), is
 * about to start, maybe long after the accept: 0, or -1 when by now the
 * server sheds and the client's request would most likely be refused (as in
 * limits_conn_open(), with what the requests of its address answered meanwhile
 * told, and the same exception for a client to be told it is over its budget):
 * close it without a word. */
int limits_conn_turn(const struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, double now);

/* The handshake of t's queued connection starts now on the pacing's
 * credit (shed_turn_take()). */
void limits_conn_paced_turn(struct limits_worker *lw, struct limits_ticket *t);

/*
 * The request for path[0..len) (decoded URL path, or Gopher selector)
 * naming something of size bytes (size_known false when nothing known
 * is named) arrived on t's connection. LIMITS_ADMIT counts it in flight in
 * lw; otherwise *retry says after how many seconds to come back (longer
 * for a client that keeps asking for heavy things while the server is
 * overloaded: ratelimit_shed()). A page admitted on a connection whose
 * handshake took the pacing's credit gives that credit back
 * (shed_turn_refund()), unless its address has more than four connections
 * open (a crawler's): the pacing holds back what turns out not to be a
 * reader's pages (a flood of new clients asking for images, a crawler's
 * many connections), not new readers.
 */
enum limits_verdict limits_admit(const struct limits *l,
    struct limits_worker *lw, struct limits_ticket *t, const char *path,
    size_t len, bool size_known, size_t size, double now, unsigned *retry);

/* The admitted request of t has been answered in full (learn its latency,
 * unless it was a heavy one, whose time is the client's download) or, with
 * answered false, abandoned (do not). */
void limits_done(struct limits_worker *lw, struct limits_ticket *t,
    bool answered, double now);

/* The connection of t ends: ends its request if still in flight, and gives
 * its connection slot back. */
void limits_conn_close(struct limits *l, struct limits_worker *lw,
    struct limits_ticket *t, double now);

/*
 * The addresses to hold off before the accept, as of now: those whose
 * connections were refused on accept while the server shed, each for
 * retry_after seconds from its last refusal, and clients told to wait,
 * until their wait is over. A held client's connection attempts cost the worker
 * nothing (listen_drop_from() drops them in the kernel); once its time is
 * up its next connection is judged on accept again. Returns true when the
 * set changed since the last call; keys[0..*n) then are the addresses
 * (pointing into lw, valid until the next call).
 */
bool limits_held_update(struct limits_worker *lw, double now,
    const struct limits_held **held, size_t *n);

/* One line of lw's statistics (struct limits_stats) into buf, as of now;
 * returns its length (cut to size - 1). */
size_t limits_stats_format(
    const struct limits_worker *lw, double now, char *buf, size_t size);

#endif
