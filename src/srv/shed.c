#include "shed.h"

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

bool
shed_admit(struct shed *s, enum priority p)
{
	bool late = p != PRIO_PAGE && shed_late(s);

	if ((double)s->inflight >= s->limit * s->conf.fraction[p] || late) {
		s->refused[p]++;
		s->refused_why[late ? SHED_WHY_LATE : SHED_WHY_SHARE]++;
		return false;
	}
	s->inflight++;
	s->admitted[p]++;
	return true;
}

bool
shed_admit_heavy(struct shed *s, size_t size, double now)
{
	double cost = (double)size / s->conf.turn_bytes;

	if (!shed_turn_ready(s, now)) {
		s->refused[PRIO_HEAVY]++;
		s->refused_why[shed_late(s) ? SHED_WHY_LATE
					    : SHED_WHY_CREDIT]++;
		return false;
	}
	if (!shed_admit(s, PRIO_HEAVY))
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
	else
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
