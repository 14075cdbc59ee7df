/*
 * admission: limits_*(), admission control for the connection layer.
 *
 * Ties the three policies together at the two points where a connection
 * can be refused cheaply:
 *   - on accept, limits_conn_open(): the per-address and total connection
 *     caps, and clients refused with 44 whose wait is not over
 *     (over budget, or a heavy or over-budget request shed again
 *     before the end of their wait)
 *     (refused: close at once, before any TLS work);
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
};

void limits_conf_default(struct limits_conf *c);
void limits_conf_free(struct limits_conf *c);

/* What the connection layer keeps per connection; zero it before use. */
struct limits_ticket {
	struct addr_key key;
	bool counted; /* holds a connection slot */
	bool tracked; /* ... in the address table too */
	bool admitted; /* a request is in flight */
	bool suspect; /* at connection time, ratelimit_suspect(): its
		       * handshake comes after others' (worker.h) */
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

/* One worker's part; only that worker's thread touches it. */
struct limits_worker {
	struct ratelimit *rl; /* owned: the addresses this worker serves */
	struct shed shed;
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
 * when the loop runs late (shed_late()) and sa's request would most likely
 * be refused (ratelimit_suspect()): close it without a word. sa NULL: the
 * client's address is not known yet (a PROXY-protocol header will tell it):
 * only the total cap applies until limits_conn_address() gives it. */
int limits_conn_open(struct limits *l, struct limits_worker *lw,
    const struct sockaddr *sa, socklen_t salen, double now,
    struct limits_ticket *t);
/* The client of t's connection is sa: its per-address cap and budget apply
 * from now on. 0, or -1 when that address is at its cap or, as above,
 * likely refused while the loop runs late (close it). */
int limits_conn_address(struct limits_worker *lw, struct limits_ticket *t,
    const struct sockaddr *sa, socklen_t salen, double now);

/*
 * The request for path[0..len) (decoded URL path, or Gopher selector)
 * naming something of size bytes (size_known false when nothing known
 * is named) arrived on t's connection. LIMITS_ADMIT counts it in flight in
 * lw; otherwise *retry says after how many seconds to come back.
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

#endif
