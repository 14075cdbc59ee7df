/*
 * shed: an adaptive concurrency limit and prioritized admission.
 *
 * The limit follows measured latency, in the manner of a gradient
 * controller (Netflix's concurrency-limits, TCP Vegas): with minrtt the
 * latency the server shows without load and srtt a smoothed recent
 * latency, each completed request moves
 *     limit <- limit * clamp(tolerance * minrtt / srtt, 0.5, 1) + queue
 * smoothed by `smoothing` and bounded to [min_limit, max_limit]. When the
 * server is not loaded (srtt close to minrtt) the gradient is 1 and the
 * limit grows by `queue`; when requests queue up the gradient falls and so
 * does the limit. minrtt is the smallest latency of the last two windows
 * of `window` seconds, so it follows a lasting change instead of keeping
 * one lucky sample for ever. The limit does not grow while fewer than half
 * of it are in flight (nothing was learned about more).
 *
 * Admission: a request of priority p is let in only while the requests in
 * flight are fewer than limit * fraction[p], so that as the server fills up
 * the lowest priorities are refused first and pages last.
 *
 * One event loop does its work one callback after another, so most of a
 * request's wait is not "in flight" but queued before it, behind other
 * connections' TLS handshakes. The loop measures that queue by how late a
 * probe timer runs (shed_delay()); while the smoothed delay exceeds
 * max_delay, every request but a page is refused: the handshake it cost
 * is spent already, but its reply (an image, above all) and the client's
 * next requests (held to the wait, ratelimit.h) are not.
 *
 * Handshakes that wait their turn (conn.c: clients likely refused, not
 * known, or one more connection of an address) are paced by the same
 * probe: they may start at turn_rate a second, a rate that follows the
 * loop's lateness as TCP's window follows loss (AIMD): halved at each
 * probe that finds the smoothed lateness above turn_delay, down to
 * turn_min, and raised by turn_min at each probe that does not, up to
 * turn_max. A backlog of them, as the first moments of a flood or the end
 * of a client's wait leave, then takes what the readers leave of the loop
 * instead of an equal share with them, and starts again gradually. Heavy
 * replies draw on the same credit, turn_bytes of the reply for one
 * handshake: a 1 MB image costs the loop as much as a dozen handshakes,
 * and images let in again all at once when an overload ends would make
 * the next one. While the CPU has no headroom for heavy work (below), the
 * rate does not rise; a turn that brings a reader's page gives its credit
 * back (shed_turn_refund()), so that new readers are not held to it.
 *
 * Lateness shows an overload once requests queue, that is once pages
 * already wait. CPU headroom shows it before, as in Netflix's CPU-based
 * prioritized shedding. The loop's CPU time, sampled at each probe
 * (shed_cpu()), is smoothed over about a tenth of a second as a share of
 * the CPU the loop may use: one CPU at most (one thread), and no more than
 * the process may (cpus: its CPU affinity and cgroup quota); so the larger
 * of the loop's share of min(1, cpus) and the whole process's share of
 * cpus. That is split among the priorities by their requests a second
 * (each costs about one TLS handshake). A request of priority p is refused
 * while the more important requests take more than cpu_target[p] of it
 * (shed_cpu_busy()): pages keep the headroom they need before they queue,
 * and a crawler alone on the server is still served, paced.
 *
 * Time, latencies and CPU times are passed in, in seconds; nothing here
 * reads a clock.
 */
#ifndef CANYON_SHED_H
#define CANYON_SHED_H

#include <stdbool.h>

#include "priority.h"

struct shed_conf {
	double min_limit, max_limit, initial_limit;
	double queue; /* growth per sample when not loaded */
	double
	    tolerance; /* srtt may reach tolerance * minrtt before shrinking */
	double smoothing; /* weight of a new limit, 0 < smoothing <= 1 */
	double rtt_weight; /* weight of a new sample in srtt */
	double window; /* seconds of one minrtt window */
	double
	    fraction[PRIO_COUNT]; /* share of the limit each priority may use */
	unsigned retry; /* seconds sent to a refused client (44) */
	unsigned max_retry; /* ... at most, to one that keeps asking */
	double max_delay; /* seconds the loop may run late before shedding */
	double hold; /* seconds overload lasts after the loop was last late */
	double turn_delay; /* lateness above which queued handshakes slow down;
			    * 0: a tenth of max_delay */
	double turn_min, turn_max; /* queued handshakes a second */
	double turn_bytes; /* bytes of a heavy reply worth one handshake */
	double cpus; /* CPU time the process may use, in CPUs; 0: not
		      * known, no shedding on CPU use */
	/* share of cpus the more important requests may take before
	 * priority p is refused; 1 or more: never (pages: unused) */
	double cpu_target[PRIO_COUNT];
};

/* Defaults documented in canyon.yaml. */
void shed_conf_default(struct shed_conf *c);
/* NULL when c is usable, else a static reason. */
const char *shed_conf_check(const struct shed_conf *c);

/* Why a request was refused, for the operator (struct shed). */
enum shed_why {
	SHED_WHY_LATE, /* overloaded (shed_late()): not a page */
	SHED_WHY_SHARE, /* its priority's share of the limit was full */
	SHED_WHY_CREDIT, /* heavy, and the pacing had no credit */
	SHED_WHY_CPU, /* more important requests took its CPU headroom */
	SHED_WHY_COUNT
};

struct shed {
	struct shed_conf conf;
	double limit;
	double srtt; /* 0 before the first sample */
	double minrtt_cur, minrtt_prev; /* per window; 0 when no sample */
	double window_start;
	double delay; /* smoothed lateness of the loop, seconds */
	bool late; /* overloaded: see shed_late() */
	double late_until; /* ... at least until then */
	double late_since; /* when the current overload began */
	double late_total; /* seconds of overload before it */
	unsigned long overloads; /* how many times overload began */
	double turn_lateness; /* smoothed lateness, as the pacing sees it */
	double turn_rate; /* queued handshakes a second, as of now */
	double turn_credit; /* ... that may start now */
	double turn_refilled; /* when turn_credit was last refilled */
	double cpu_loop, cpu_process; /* CPU seconds at the last sample */
	double cpu_at; /* ... taken then; 0 before the first */
	double cpu_load; /* smoothed CPU use, as a share of what the loop
			  * may use (above) */
	double asked_rate[PRIO_COUNT]; /* smoothed requests a second */
	unsigned long asked[PRIO_COUNT]; /* requests since the last sample */
	unsigned inflight;
	unsigned long admitted[PRIO_COUNT], refused[PRIO_COUNT];
	unsigned long refused_why[SHED_WHY_COUNT]; /* the same, by reason */
};

void shed_init(struct shed *s, const struct shed_conf *c, double now);

/* Admit a request of priority p: true and counted in flight, or false
 * (refuse it cheaply: Gemini 44, Gopher an error line). */
bool shed_admit(struct shed *s, enum priority p);

/* Admit a heavy request (a reply of size bytes, 0 when not known): as
 * shed_admit(), and only while the pacing has credit, which the reply
 * then takes (size / turn_bytes handshakes' worth, one at least; the
 * credit may go below zero, and later turns wait until it is back). */
bool shed_admit_heavy(struct shed *s, size_t size, double now);

/* An admitted request finished after rtt seconds; now is the time. */
void shed_done(struct shed *s, double rtt, double now);

/* An admitted request ended without a latency worth learning from (the
 * client went away): only leave the flight. */
void shed_cancel(struct shed *s);

/* The loop ran a timer delay seconds late at time now: the queue ahead of
 * new work. */
void shed_delay(struct shed *s, double delay, double now);
/* Overloaded: the smoothed delay exceeded max_delay within the last `hold`
 * seconds (as of the last shed_delay()). Only pages are let in. The state
 * holds for a while rather than follow each probe: under lasting overload,
 * shedding itself empties the queue now and then, and what a moment
 * without queue would let in (1 MB images, clients told to wait) fills it
 * again. */
bool shed_late(const struct shed *s);
/* Seconds spent overloaded since shed_init(), up to now. */
double shed_late_seconds(const struct shed *s, double now);
/* The worker has no connection at time now: nothing waits ahead of new
 * work, so the delay is forgotten. True when no overload holds any more
 * (the probe may stop until the next connection), false while it does. */
bool shed_idle(struct shed *s, double now);

/* A handshake that waited its turn may start at time now (the pacing
 * above has credit for one). Does not take the credit. */
bool shed_turn_ready(struct shed *s, double now);
/* ... and it starts: take one handshake's credit. */
void shed_turn_take(struct shed *s);
/* A turn taken brought a page: give its credit back. */
void shed_turn_refund(struct shed *s);

/* The loop's thread had used loop seconds of CPU time at time now, the
 * whole process (every loop's) process seconds. */
void shed_cpu(struct shed *s, double loop, double process, double now);
/* The requests more important than p take more than cpu_target[p] of the
 * loop's CPU: requests of priority p are refused. Never for pages. */
bool shed_cpu_busy(const struct shed *s, enum priority p);
/* What a client likely to be refused (its last request heavy, over its
 * budget, or told to wait) would ask is refused now: the server is
 * overloaded, or short of CPU headroom for heavy requests. Its
 * connections are then closed before any TLS work (admission.h). */
bool shed_shedding(const struct shed *s);

/* The current minimum latency estimate, 0 when none yet. */
double shed_minrtt(const struct shed *s);

#endif
