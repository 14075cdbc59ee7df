/*
 * worker: one event loop on one thread, with its own listening sockets
 * (SO_REUSEPORT spreads connections over the loops) and its own pool of
 * connection records. Nothing here is shared between loops except the
 * generation, which is reference-counted: the request path takes no lock.
 */
#ifndef CANYON_WORKER_H
#define CANYON_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "accesslog.h"
#include "admission.h"
#include "gen.h"

struct conn;

/*
 * Event priorities of a worker's loop. A handshake costs the server far
 * more than answering a request from memory, and under overload most
 * handshakes lead to a refusal; so within a loop iteration a connection
 * whose server side of the handshake is done (the client's answer, its
 * request line, its reply) comes before any new accept or handshake: an
 * admitted request is not kept waiting behind handshakes queued after it.
 * libevent runs only the most urgent non-empty priority per iteration; the
 * higher one holds only connections whose costly part is done, so it
 * cannot starve the other. Last come the handshakes of clients whose
 * request will most likely be refused (over budget, told to wait, or
 * asking for heavy things), of a client's connections beyond its first
 * open one and, while overloaded, of clients the worker has not served
 * yet, so that the readers it knows do not wait behind them; under lasting
 * overload these may wait until the request timeout closes them, which is
 * a refusal too.
 */
enum {
	PRIO_EV_ESTABLISHED = 0, /* request read, reply write, closing */
	PRIO_EV_DEFAULT = 1, /* accepts, handshakes, timers */
	PRIO_EV_SUSPECT = 2, /* handshakes that wait their turn (conn.c) */
	WORKER_PRIORITIES = 3
};

enum listen_proto { PROTO_GEMINI, PROTO_GOPHER };

struct worker_listener {
	int fd; /* the listening socket, owned */
	struct event *ev; /* reads it: accepts (server.c) */
	struct event *resume; /* ends a pause after EMFILE; freed with ev */
	struct worker *w;
	enum listen_proto proto;
	bool proxy; /* read a PROXY protocol header first */
};

struct worker {
	pthread_t thread;
	struct event_base *base;
	struct gen *gen; /* this loop's reference */
	_Atomic(struct gen *) next; /* handed over by a reload */
	atomic_bool stopping;
	int wake_fd; /* eventfd the main thread writes */
	struct event *wake_ev, *flush_ev, *stop_ev;
	struct event *probe_ev; /* measures the loop's delay (shed.h) */
	double probe_due; /* when probe_ev should run */
	bool cpu_sampled; /* the loop's thread took its first CPU sample */
	bool hold_off_failed; /* the listeners' socket filter (server.c) */
	struct worker_listener *ls;
	size_t n_ls;
	struct conn *active; /* doubly linked, for a forced stop */
	struct conn *free_list; /* records kept for reuse */
	/* connections waiting for their turn to start the handshake,
	 * oldest first (conn.c) */
	struct conn *queued_head, *queued_tail;
	struct event *turn_ev; /* gives the next one its turn: conn_turn() */
	size_t n_active, n_free;
	size_t peak_active; /* most connections at once since the last trim */
	double trimmed; /* when memory was last given back (server.c) */
	struct accesslog log;
	struct limits *limits; /* shared by every loop */
	struct limits_worker lw; /* this loop's addresses and requests */
};

/* Called from the listener: take over fd. With proxy, the connection
 * starts with a PROXY protocol header giving the client's address. */
void conn_accept(struct worker *w, enum listen_proto proto, bool proxy, int fd,
    const struct sockaddr *sa, int salen);
/* Free the pool's records beyond keep. */
void conn_pool_trim(struct worker *w, size_t keep);
/* Close every connection now (forced stop) and free the pool. */
void conn_close_all(struct worker *w);
/* Stopping: close the connections that have not sent a request yet (no
 * reply owed), so that only replies in flight hold the stop up. */
void conn_stop_waiting(struct worker *w);
/* Seconds on the monotonic clock: the time base of the limits (admission.h)
 * and of the loop's delay probe. */
double worker_now(void);
/* turn_ev's callback (priority PRIO_EV_SUSPECT: when nothing more urgent
 * is left): start the handshake of one queued connection, the oldest, or
 * while overloaded the newest; when the pacing has no credit
 * (shed_turn_ready()), the first of them whose turn is not paced. */
void conn_turn(evutil_socket_t fd, short what, void *arg);
/* Give the next queued connection its turn, once nothing more urgent is
 * left. The loop's probe calls this each time it runs: while overloaded
 * (shed_late()), handshakes the worker is not sure to want go one a probe
 * (5 ms) at most, so that a backlog of them leaves the readers most of the
 * loop. */
void conn_queue_kick(struct worker *w);
/* The loop calls this when a connection ends, to finish a stop. */
void worker_conn_done(struct worker *w);
/* A connection begins: the loop's delay probe runs again if it had
 * stopped for want of anything to measure. */
void worker_probe_wake(struct worker *w);

#endif
