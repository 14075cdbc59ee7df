#include "shed.h"

#include <math.h>
#include <string.h>

void
shed_conf_default(struct shed_conf *c)
{
	c->min_limit = 4;
	c->max_limit = 256;
	c->initial_limit = 32;
	c->queue = 2;
	c->tolerance = 1.5;
	c->smoothing = 0.2;
	c->rtt_weight = 0.1;
	c->window = 10;
	c->fraction[PRIO_PAGE] = 1.0;
	c->fraction[PRIO_LIGHT] = 0.8;
	c->fraction[PRIO_HEAVY] = 0.5;
	c->fraction[PRIO_OVER] = 0.25;
	c->retry = 5;
	c->max_retry = 60;
	c->max_delay = 0.02;
	c->hold = 1;
	c->turn_delay = 0;
	c->turn_min = 10;
	c->turn_max = 10000;
	c->turn_bytes = 65536;
	c->cpus = 0;
	c->cpu_target[PRIO_PAGE] = 1;
	c->cpu_target[PRIO_LIGHT] = 0.8;
	c->cpu_target[PRIO_HEAVY] = 0.5;
	c->cpu_target[PRIO_OVER] = 0.5;
}

const char *
shed_conf_check(const struct shed_conf *c)
{
	int p;

	if (!(c->min_limit >= 1))
		return "min_concurrency must be at least 1";
	if (!(c->max_limit >= c->min_limit))
		return "max_concurrency must be at least min_concurrency";
	if (!(c->initial_limit >= c->min_limit &&
		c->initial_limit <= c->max_limit))
		return "initial_concurrency must lie between min and max";
	if (!(c->queue >= 0))
		return "queue must not be negative";
	if (!(c->tolerance >= 1))
		return "tolerance must be at least 1";
	if (!(c->smoothing > 0 && c->smoothing <= 1))
		return "smoothing must be in (0, 1]";
	if (!(c->rtt_weight > 0 && c->rtt_weight <= 1))
		return "rtt_weight must be in (0, 1]";
	if (!(c->window > 0))
		return "window must be positive";
	for (p = 0; p < PRIO_COUNT; p++)
		if (!(c->fraction[p] > 0 && c->fraction[p] <= 1))
			return "every shed fraction must be in (0, 1]";
	if (c->retry < 1)
		return "retry must be at least 1 second";
	if (!(c->max_delay > 0))
		return "max_delay must be positive";
	if (!(c->hold >= 0))
		return "overload_hold must not be negative";
	if (!(c->turn_delay >= 0))
		return "turn_delay must not be negative";
	if (!(c->turn_min > 0))
		return "min_turn_rate must be positive";
	if (!(c->turn_max >= c->turn_min))
		return "max_turn_rate must be at least min_turn_rate";
	if (!(c->turn_bytes >= 1))
		return "turn_bytes must be at least 1";
	if (!(c->cpus >= 0))
		return "cpus must not be negative";
	for (p = 0; p < PRIO_COUNT; p++)
		if (!(c->cpu_target[p] > 0))
			return "every cpu_shed share must be positive";
	return NULL;
}

/* Credit builds up to a hundredth of a second's worth, one at least: a
 * loop that was busy elsewhere does not catch up in one burst. */
#define TURN_BURST_SECS 0.01

/* The most credit kept. */
static double
turn_most(const struct shed *s)
{
	return s->turn_rate * TURN_BURST_SECS > 1
	    ? s->turn_rate * TURN_BURST_SECS
	    : 1;
}

void
shed_init(struct shed *s, const struct shed_conf *c, double now)
{
	memset(s, 0, sizeof(*s));
	s->conf = *c;
	s->limit = c->initial_limit;
	s->window_start = now;
	if (s->conf.turn_delay == 0)
		s->conf.turn_delay = c->max_delay / 10;
	s->turn_rate = c->turn_max;
	s->turn_credit = turn_most(s);
	s->turn_refilled = now;
}

/* Why a request of priority p is refused now, SHED_WHY_COUNT when it is
 * not; credit: whether the pacing has credit for it (heavy replies). */
static enum shed_why
refusal(const struct shed *s, enum priority p, bool credit)
{
	if (p != PRIO_PAGE && shed_late(s))
		return SHED_WHY_LATE;
	if (shed_cpu_busy(s, p))
		return SHED_WHY_CPU;
	if (!credit)
		return SHED_WHY_CREDIT;
	if ((double)s->inflight >= s->limit * s->conf.fraction[p])
		return SHED_WHY_SHARE;
	return SHED_WHY_COUNT;
}

static bool
admit(struct shed *s, enum priority p, bool credit)
{
	enum shed_why why = refusal(s, p, credit);

	s->asked[p]++;
	if (why != SHED_WHY_COUNT) {
		s->refused[p]++;
		s->refused_why[why]++;
		return false;
	}
	s->inflight++;
	s->admitted[p]++;
	return true;
}

bool
shed_admit(struct shed *s, enum priority p)
{
	return admit(s, p, true);
}

bool
shed_admit_heavy(struct shed *s, size_t size, double now)
{
	double cost = (double)size / s->conf.turn_bytes;

	if (!admit(s, PRIO_HEAVY, shed_turn_ready(s, now)))
		return false;
	s->turn_credit -= cost > 1 ? cost : 1;
	return true;
}

void
shed_cancel(struct shed *s)
{
	if (s->inflight > 0)
		s->inflight--;
}

/* The pacing of queued handshakes (shed.h), at each probe. Its lateness
 * follows each probe more closely than the overload's (weight 0.25 both
 * ways): a backlog of handshakes shows at once and is gone at once. */
static void
pace(struct shed *s, double delay)
{
	s->turn_lateness =
	    s->turn_lateness * 0.75 + (delay > 0 ? delay : 0) * 0.25;
	if (s->turn_lateness > s->conf.turn_delay)
		s->turn_rate /= 2;
	else if (!shed_cpu_busy(s, PRIO_HEAVY))
		s->turn_rate += s->conf.turn_min;
	if (s->turn_rate < s->conf.turn_min)
		s->turn_rate = s->conf.turn_min;
	if (s->turn_rate > s->conf.turn_max)
		s->turn_rate = s->conf.turn_max;
}

bool
shed_turn_ready(struct shed *s, double now)
{
	double most = turn_most(s);

	if (now > s->turn_refilled) {
		s->turn_credit += (now - s->turn_refilled) * s->turn_rate;
		s->turn_refilled = now;
	}
	if (s->turn_credit > most)
		s->turn_credit = most;
	return s->turn_credit >= 1;
}

void
shed_turn_take(struct shed *s)
{
	s->turn_credit -= 1;
}

void
shed_turn_refund(struct shed *s)
{
	double most = turn_most(s);

	s->turn_credit += 1;
	if (s->turn_credit > most)
		s->turn_credit = most;
}

void
shed_delay(struct shed *s, double delay, double now)
{
	/* A probe every few milliseconds. Quick to rise, slow to fall. */
	double w = delay > s->delay ? 0.5 : 0.1;
	bool late;

	pace(s, delay);
	s->delay = s->delay * (1 - w) + (delay > 0 ? delay : 0) * w;
	if (s->delay > s->conf.max_delay)
		s->late_until = now + s->conf.hold;
	late = s->delay > s->conf.max_delay || now < s->late_until;
	if (late && !s->late) {
		s->overloads++;
		s->late_since = now;
	} else if (!late && s->late) {
		s->late_total += now - s->late_since;
	}
	s->late = late;
}

bool
shed_late(const struct shed *s)
{
	return s->late;
}

/* Seconds over which the CPU use and the request rates are smoothed:
 * long enough to span many of a cgroup quota's periods (4 to 100 ms),
 * short enough to follow a flood's first moments. */
#define CPU_WINDOW_SECS 0.1

void
shed_cpu(struct shed *s, double loop, double process, double now)
{
	double dt = now - s->cpu_at, w, one, all;
	int p;

	if (s->cpu_at > 0 && dt <= 0)
		return;
	if (s->cpu_at > 0 && s->conf.cpus > 0) {
		one = (loop - s->cpu_loop) / dt /
		    (s->conf.cpus < 1 ? s->conf.cpus : 1);
		all = (process - s->cpu_process) / dt / s->conf.cpus;
		/* Weighted by the time each sample spans: a probe that
		 * stopped while the loop was idle resumes with one sample
		 * for the whole gap. */
		w = 1 - exp(-dt / CPU_WINDOW_SECS);
		s->cpu_load += ((one > all ? one : all) - s->cpu_load) * w;
		for (p = 0; p < PRIO_COUNT; p++)
			s->asked_rate[p] +=
			    ((double)s->asked[p] / dt - s->asked_rate[p]) * w;
	}
	memset(s->asked, 0, sizeof(s->asked));
	s->cpu_loop = loop;
	s->cpu_process = process;
	s->cpu_at = now;
}

bool
shed_cpu_busy(const struct shed *s, enum priority p)
{
	double all = 0, above = 0;
	int q;

	if (p == PRIO_PAGE || s->conf.cpus <= 0)
		return false;
	for (q = 0; q < PRIO_COUNT; q++) {
		all += s->asked_rate[q];
		if (q < (int)p)
			above += s->asked_rate[q];
	}
	return all > 0 && s->cpu_load * above / all > s->conf.cpu_target[p];
}

bool
shed_shedding(const struct shed *s)
{
	return shed_late(s) || shed_cpu_busy(s, PRIO_HEAVY);
}

bool
shed_idle(struct shed *s, double now)
{
	s->delay = 0;
	s->turn_lateness = 0;
	shed_delay(s, 0, now);
	return !s->late;
}

double
shed_late_seconds(const struct shed *s, double now)
{
	return s->late_total + (s->late ? now - s->late_since : 0);
}

double
shed_minrtt(const struct shed *s)
{
	if (s->minrtt_prev > 0 &&
	    (s->minrtt_cur == 0 || s->minrtt_prev < s->minrtt_cur))
		return s->minrtt_prev;
	return s->minrtt_cur;
}

void
shed_done(struct shed *s, double rtt, double now)
{
	double minrtt, gradient, target, limit;
	unsigned inflight = s->inflight;

	shed_cancel(s);
	if (!(rtt > 0))
		rtt = 1e-6;
	if (now - s->window_start >= s->conf.window) {
		/* Two windows gone by: the older one says nothing any more. */
		s->minrtt_prev = now - s->window_start >= 2 * s->conf.window
		    ? 0
		    : s->minrtt_cur;
		s->minrtt_cur = 0;
		s->window_start = now;
	}
	if (s->minrtt_cur == 0 || rtt < s->minrtt_cur)
		s->minrtt_cur = rtt;
	s->srtt = s->srtt == 0
	    ? rtt
	    : s->srtt * (1 - s->conf.rtt_weight) + rtt * s->conf.rtt_weight;

	minrtt = shed_minrtt(s);
	gradient = s->conf.tolerance * minrtt / s->srtt;
	if (gradient > 1)
		gradient = 1;
	if (gradient < 0.5)
		gradient = 0.5;
	/* Not loaded and not using the limit: nothing learned about more. */
	if (gradient == 1 && (double)inflight < s->limit / 2)
		return;
	target = s->limit * gradient + s->conf.queue;
	limit = s->limit * (1 - s->conf.smoothing) + target * s->conf.smoothing;
	if (limit < s->conf.min_limit)
		limit = s->conf.min_limit;
	if (limit > s->conf.max_limit)
		limit = s->conf.max_limit;
	s->limit = limit;
}
