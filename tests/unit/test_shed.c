#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "limits_fixture.h"

static void
test_conf_check(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();

	(void)state;
	assert_null(shed_conf_check(&c));
	c.max_limit = 2;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.fraction[PRIO_OVER] = 0;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.smoothing = 1.5;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.max_delay = 0;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.turn_max = c.turn_min / 2;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.turn_bytes = 0;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.cpus = -1;
	assert_non_null(shed_conf_check(&c));
	c = limits_fixture_shed_conf();
	c.cpu_target[PRIO_HEAVY] = 0;
	assert_non_null(shed_conf_check(&c));
}

/* A loop running late (work queued ahead of new requests) refuses every
 * priority but pages, however few requests are in flight; the overload
 * holds for `hold` seconds after the loop was last late, then they are let
 * in again. */
static void
test_delay(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t = 10;
	int i;

	(void)state;
	limits_fixture_shed_timed(&s, &c, t);
	assert_true(shed_admit(&s, PRIO_HEAVY));
	shed_cancel(&s);
	limits_fixture_shed_late(&s, &t);
	assert_true(s.delay > c.max_delay);
	assert_false(shed_admit(&s, PRIO_LIGHT));
	assert_false(shed_admit(&s, PRIO_HEAVY));
	assert_false(shed_admit(&s, PRIO_OVER));
	assert_true(shed_admit(&s, PRIO_PAGE));
	assert_int_equal(s.inflight, 1);
	/* Counted as refused because overloaded, and for nothing else. */
	assert_int_equal(s.refused_why[SHED_WHY_LATE], 3);
	assert_int_equal(s.refused_why[SHED_WHY_SHARE], 0);
	assert_int_equal(s.refused_why[SHED_WHY_CREDIT], 0);
	/* The delay falls slowly, and the overload outlasts it by `hold`. */
	shed_delay(&s, 0, t += 0.005);
	assert_true(s.delay > c.max_delay);
	for (i = 0; i < 40; i++)
		shed_delay(&s, 0, t += 0.005);
	assert_true(s.delay < c.max_delay);
	assert_false(shed_admit(&s, PRIO_HEAVY));
	/* A moment late again within the hold: still the same overload. */
	shed_delay(&s, 0.2, t += 0.005);
	shed_delay(&s, 0, t += 0.5);
	assert_true(shed_late(&s));
	while (s.delay > c.max_delay)
		shed_delay(&s, 0, t += 0.005);
	shed_delay(&s, 0, t += 0.99);
	assert_true(shed_late(&s));
	shed_delay(&s, 0, t += 0.02);
	assert_false(shed_late(&s));
	assert_true(shed_admit(&s, PRIO_HEAVY));
	assert_int_equal(s.inflight, 2);
	assert_int_equal(s.overloads, 1);
	assert_true(shed_late_seconds(&s, t + 5) > 1.5);
	assert_true(shed_late_seconds(&s, t + 5) == shed_late_seconds(&s, t));
	/* Late again: a second overload, counted while it lasts. */
	shed_delay(&s, 1, t += 1);
	assert_true(shed_late(&s));
	assert_int_equal(s.overloads, 2);
	assert_true(
	    shed_late_seconds(&s, t + 0.5) > shed_late_seconds(&s, t) + 0.49);
}

/* With the limit at 20 and the default fractions, heavy requests stop at
 * 10 in flight, over-budget ones at 5, light at 16 and pages at 20. */
static void
test_admission_order(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	int i;

	(void)state;
	shed_init(&s, &c, 0);
	for (i = 0; i < 5; i++)
		assert_true(shed_admit(&s, PRIO_OVER));
	assert_false(shed_admit(&s, PRIO_OVER));
	for (i = 5; i < 10; i++)
		assert_true(shed_admit(&s, PRIO_HEAVY));
	assert_false(shed_admit(&s, PRIO_HEAVY));
	assert_false(shed_admit(&s, PRIO_OVER));
	for (i = 10; i < 16; i++)
		assert_true(shed_admit(&s, PRIO_LIGHT));
	assert_false(shed_admit(&s, PRIO_LIGHT));
	for (i = 16; i < 20; i++)
		assert_true(shed_admit(&s, PRIO_PAGE));
	assert_false(shed_admit(&s, PRIO_PAGE));
	assert_int_equal(s.inflight, 20);
	assert_int_equal(s.refused[PRIO_OVER], 2);
	assert_int_equal(s.admitted[PRIO_PAGE], 4);
	/* Each refused because its share was full. */
	assert_int_equal(s.refused_why[SHED_WHY_SHARE], 5);
	assert_int_equal(s.refused_why[SHED_WHY_LATE], 0);
	shed_cancel(&s);
	assert_true(shed_admit(&s, PRIO_PAGE));
}

/* Fill the server with n requests, finish them all with latency rtt at
 * time now, and return the limit. */
static double
round_trip(struct shed *s, unsigned n, double rtt, double now)
{
	unsigned i;

	for (i = 0; i < n; i++)
		s->inflight++;
	for (i = 0; i < n; i++)
		shed_done(s, rtt, now);
	return s->limit;
}

/* A worker without connections forgets its delay, but an overload still
 * holds until its time is up. */
static void
test_idle(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t = 10;

	(void)state;
	limits_fixture_shed_timed(&s, &c, t);
	assert_true(shed_idle(&s, t));
	assert_true(s.delay == 0);
	limits_fixture_shed_late(&s, &t);
	assert_false(shed_idle(&s, t += 0.005));
	assert_true(s.delay == 0);
	assert_true(shed_late(&s));
	assert_false(shed_admit(&s, PRIO_HEAVY));
	assert_true(shed_idle(&s, t += 1.0));
	assert_false(shed_late(&s));
	assert_true(shed_admit(&s, PRIO_HEAVY));
}

static void
test_limit_follows_latency(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t = 0, before;
	int i;

	(void)state;
	shed_init(&s, &c, 0);
	/* Unloaded: 1 ms each, the limit grows while it is used. */
	for (i = 0; i < 20; i++)
		round_trip(&s, (unsigned)s.limit, 0.001, t += 0.1);
	assert_true(s.limit > 60);
	assert_true(shed_minrtt(&s) > 0.00099 && shed_minrtt(&s) < 0.00101);
	before = s.limit;
	/* Latency rises to 10 ms: the limit falls to the floor. */
	for (i = 0; i < 40; i++)
		round_trip(&s, (unsigned)s.limit, 0.010, t += 0.1);
	assert_true(s.limit < before / 4);
	assert_true(s.limit >= c.min_limit);
	assert_true(s.limit < c.min_limit + 3);
	/* Within tolerance (1.4 x minrtt) the limit does not shrink. */
	shed_init(&s, &c, 0);
	round_trip(&s, 20, 0.001, 0.1);
	before = s.limit;
	round_trip(&s, 20, 0.0014, 0.2);
	assert_true(s.limit >= before);
	/* Never above the ceiling. */
	for (i = 0; i < 200; i++)
		round_trip(&s, (unsigned)s.limit, 0.001, 0.3);
	assert_true(s.limit <= c.max_limit);
	assert_true(s.limit > c.max_limit - 1);
}

static void
test_idle_does_not_grow(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	int i;

	(void)state;
	shed_init(&s, &c, 0);
	for (i = 0; i < 100; i++)
		round_trip(&s, 1, 0.001, 1 + i);
	assert_true(s.limit == c.initial_limit);
}

/* A lasting rise in the no-load latency (a slower disk, a busier host) is
 * learned after two windows instead of keeping the limit at the floor. */
static void
test_minrtt_window(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t;

	(void)state;
	c.window = 10;
	shed_init(&s, &c, 0);
	round_trip(&s, 20, 0.001, 1);
	for (t = 2; t < 25; t += 0.5)
		round_trip(&s, (unsigned)s.limit, 0.005, t);
	assert_true(shed_minrtt(&s) > 0.0049);
	for (t = 25; t < 35; t += 0.5)
		round_trip(&s, (unsigned)s.limit, 0.005, t);
	assert_true(s.limit > 30);
}

/* Turns that may start over `secs` seconds at time t on, each taken as
 * soon as there is credit, probes every 5 ms late by `late` seconds. */
static int
turns_in(struct shed *s, double *t, double secs, double late)
{
	int n = 0;
	double end = *t + secs, step;

	while (*t < end) {
		for (step = 0; step < 0.005; step += 0.0005) {
			if (shed_turn_ready(s, *t + step)) {
				shed_turn_take(s);
				n++;
			}
		}
		*t += 0.005;
		shed_delay(s, late, *t);
	}
	return n;
}

/* Handshakes that wait their turn start at a rate that follows the loop's
 * lateness: quickly down to min_turn_rate while the loop runs late, back
 * up gradually once it is on time, up to max_turn_rate. */
static void
test_turn_pacing(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t = 1;
	int n;

	(void)state;
	c.max_delay = 0.02; /* turn_delay 0: a tenth of it, 2 ms */
	c.turn_min = 10;
	c.turn_max = 2000;
	shed_init(&s, &c, 0);
	assert_true(s.conf.turn_delay == 0.002);
	/* On time: as many as max_turn_rate allows (and the credit it
	 * starts with). */
	n = turns_in(&s, &t, 1, 0.0002);
	assert_in_range(n, 1900, 2030);
	/* Late: within 50 ms the rate is at its floor, 10 a second. */
	turns_in(&s, &t, 0.05, 0.004);
	assert_true(s.turn_rate == c.turn_min);
	n = turns_in(&s, &t, 1, 0.004);
	assert_in_range(n, 9, 11);
	/* On time again: the rate climbs by 10 a probe, not at once. */
	n = turns_in(&s, &t, 0.1, 0);
	assert_in_range(n, 5, 30);
	assert_true(s.turn_rate < 250);
	n = turns_in(&s, &t, 1, 0);
	assert_true(n > 900);
	assert_true(s.turn_rate == c.turn_max);
}

/* Credit is kept for a hundredth of a second at most: a loop that had
 * nothing queued for a while does not start a burst of handshakes. */
static void
test_turn_burst(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	int n = 0;

	(void)state;
	c.turn_max = 1000;
	shed_init(&s, &c, 0);
	while (shed_turn_ready(&s, 5)) {
		shed_turn_take(&s);
		n++;
	}
	assert_int_equal(n, 10);
}

/* A heavy reply takes size / turn_bytes turns of credit: after one 1 MB
 * image (16 turns of 64 KiB) at 100 turns a second, nothing heavy and no
 * paced handshake for 0.16 s; pages are not paced. */
static void
test_heavy_credit(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;

	(void)state;
	c.turn_min = 100;
	c.turn_max = 100;
	c.turn_bytes = 65536;
	shed_init(&s, &c, 0);
	assert_true(shed_admit_heavy(&s, 1 << 20, 1));
	assert_false(shed_admit_heavy(&s, 1000, 1.1));
	assert_false(shed_turn_ready(&s, 1.1));
	assert_true(shed_admit(&s, PRIO_PAGE));
	assert_false(shed_turn_ready(&s, 1.15));
	assert_true(shed_turn_ready(&s, 1.17));
	/* A small heavy reply (or one of unknown size) costs one turn. */
	assert_true(shed_admit_heavy(&s, 0, 1.17));
	assert_false(shed_turn_ready(&s, 1.171));
	assert_int_equal(s.inflight, 3);
	assert_int_equal(s.refused[PRIO_HEAVY], 1);
	assert_int_equal(s.refused_why[SHED_WHY_CREDIT], 1);
	assert_int_equal(s.refused_why[SHED_WHY_SHARE], 0);
}

/* A loop allowed a quarter of a CPU, sampled every 5 ms from time 10
 * for secs seconds: each sample finds it used cpu of its allowance (0.9:
 * 0.225 CPU) and asked for pages, then heavy requests, as many as given
 * (each admitted and done at once). *t is the time of the last sample. */
static void
cpu_run(struct shed *s, double *t, double *used, double secs, double cpu,
    int pages, int heavy)
{
	int i, n;

	for (n = 0; n < (int)(secs / 0.005 + 0.5); n++) {
		for (i = 0; i < pages; i++)
			if (shed_admit(s, PRIO_PAGE))
				shed_cancel(s);
		for (i = 0; i < heavy; i++)
			if (shed_admit(s, PRIO_HEAVY))
				shed_cancel(s);
		*t += 0.005;
		*used += 0.005 * 0.25 * cpu;
		shed_cpu(s, *used, *used, *t);
	}
}

static void
cpu_start(struct shed *s, struct shed_conf *c, double *t, double *used)
{
	*c = limits_fixture_shed_conf();
	c->cpus = 0.25;
	shed_init(s, c, 0);
	*t = 10;
	*used = 3;
	shed_cpu(s, *used, *used, *t);
}

/* Pages taking 0.9 of the loop's CPU leave no headroom for the rest:
 * light, heavy and over-budget requests are refused, counted as refused
 * for the CPU; pages are not, however busy the CPU. Once the pages stop,
 * the next sample, a second later, finds the CPU idle and all are let in
 * again. */
static void
test_cpu_busy(void **state)
{
	struct shed_conf c;
	struct shed s;
	double t, used;

	(void)state;
	cpu_start(&s, &c, &t, &used);
	assert_false(shed_cpu_busy(&s, PRIO_HEAVY));
	cpu_run(&s, &t, &used, 0.5, 0.9, 2, 0);
	assert_true(s.cpu_load > 0.85 && s.cpu_load < 0.95);
	assert_true(shed_cpu_busy(&s, PRIO_LIGHT));
	assert_true(shed_cpu_busy(&s, PRIO_HEAVY));
	assert_true(shed_shedding(&s));
	assert_false(shed_late(&s));
	assert_false(shed_admit(&s, PRIO_LIGHT));
	assert_false(shed_admit_heavy(&s, 1000, t));
	assert_false(shed_admit(&s, PRIO_OVER));
	assert_true(shed_admit(&s, PRIO_PAGE));
	assert_int_equal(s.refused_why[SHED_WHY_CPU], 3);
	assert_int_equal(s.refused_why[SHED_WHY_LATE], 0);
	assert_int_equal(s.refused_why[SHED_WHY_CREDIT], 0);
	assert_int_equal(s.admitted[PRIO_PAGE], 201);
	/* At 0.7, over light's 0.8 no longer; still over heavy's 0.5. */
	cpu_run(&s, &t, &used, 0.5, 0.7, 2, 0);
	assert_false(shed_cpu_busy(&s, PRIO_LIGHT));
	assert_true(shed_cpu_busy(&s, PRIO_HEAVY));
	t += 1;
	shed_cpu(&s, used, used, t);
	assert_true(s.cpu_load < 0.01);
	assert_false(shed_cpu_busy(&s, PRIO_HEAVY));
	assert_false(shed_shedding(&s));
	assert_true(shed_admit_heavy(&s, 1000, t));
}

/* The CPU is split among the priorities by their requests: a crawler
 * alone, its images taking all of the CPU, is not refused for the CPU
 * (nothing more important wants it); with as many pages as images
 * beside it, the pages' half of 0.9 is under heavy's 0.5; with three
 * pages to an image, over it. */
static void
test_cpu_share(void **state)
{
	struct shed_conf c;
	struct shed s;
	double t, used;

	(void)state;
	cpu_start(&s, &c, &t, &used);
	cpu_run(&s, &t, &used, 0.5, 1.0, 0, 1);
	assert_false(shed_cpu_busy(&s, PRIO_HEAVY));
	assert_true(shed_cpu_busy(&s, PRIO_OVER));
	cpu_run(&s, &t, &used, 0.5, 0.9, 1, 1);
	assert_false(shed_cpu_busy(&s, PRIO_HEAVY));
	cpu_run(&s, &t, &used, 0.5, 0.9, 3, 1);
	assert_true(shed_cpu_busy(&s, PRIO_HEAVY));
}

/* Short of CPU headroom the pacing does not speed up, however punctual
 * the loop: what it paces is the work the pages leave no room for. Once
 * the headroom is back, it does. A turn that brought a page gives its
 * credit back, up to what the pacing keeps at most. */
static void
test_cpu_pacing(void **state)
{
	struct shed_conf c;
	struct shed s;
	double t, used, credit;
	int i;

	(void)state;
	cpu_start(&s, &c, &t, &used);
	cpu_run(&s, &t, &used, 0.5, 0.9, 2, 0);
	s.turn_rate = 20;
	for (i = 0; i < 10; i++)
		shed_delay(&s, 0, t += 0.005);
	assert_true(s.turn_rate == 20);
	t += 1;
	shed_cpu(&s, used, used, t);
	shed_delay(&s, 0, t += 0.005);
	assert_true(s.turn_rate == 20 + c.turn_min);
	assert_true(shed_turn_ready(&s, t));
	credit = s.turn_credit;
	shed_turn_take(&s);
	assert_true(s.turn_credit == credit - 1);
	shed_turn_refund(&s);
	assert_true(s.turn_credit == credit);
	shed_turn_refund(&s);
	assert_true(s.turn_credit == 1);
}

/* A loop may use one CPU at most, and the process no more than cpus: with
 * 2, a loop using 0.9 of a CPU, pages only, has no headroom for heavy
 * work (the whole process uses 0.45 of its two); with 0.5 and two loops, a
 * loop using 0.05 has none either when the process uses 0.45. */
static void
test_cpu_process(void **state)
{
	struct shed_conf c = limits_fixture_shed_conf();
	struct shed s;
	double t = 10, loop = 1, process = 2;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		c.cpus = i == 0 ? 2 : 0.5;
		shed_init(&s, &c, 0);
		shed_cpu(&s, loop, process, t);
		while (t < 10.5 + i) {
			if (shed_admit(&s, PRIO_PAGE))
				shed_cancel(&s);
			t += 0.005;
			loop += 0.005 * (i == 0 ? 0.9 : 0.05);
			process += 0.005 * (i == 0 ? 0.9 : 0.45);
			shed_cpu(&s, loop, process, t);
		}
		assert_true(s.cpu_load > 0.85 && s.cpu_load < 0.95);
		assert_true(shed_cpu_busy(&s, PRIO_HEAVY));
	}
}

/* Without a CPU allowance (cpus 0) nothing is refused for the CPU. */
static void
test_cpu_unknown(void **state)
{
	struct shed_conf c;
	struct shed s;
	double t, used;

	(void)state;
	cpu_start(&s, &c, &t, &used);
	c.cpus = 0;
	shed_init(&s, &c, 0);
	shed_cpu(&s, used, used, t);
	cpu_run(&s, &t, &used, 0.5, 1.0, 2, 0);
	assert_false(shed_cpu_busy(&s, PRIO_HEAVY));
	assert_true(shed_admit(&s, PRIO_LIGHT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_check),
	    cmocka_unit_test(test_admission_order),
	    cmocka_unit_test(test_delay),
	    cmocka_unit_test(test_idle),
	    cmocka_unit_test(test_limit_follows_latency),
	    cmocka_unit_test(test_idle_does_not_grow),
	    cmocka_unit_test(test_minrtt_window),
	    cmocka_unit_test(test_turn_pacing),
	    cmocka_unit_test(test_turn_burst),
	    cmocka_unit_test(test_heavy_credit),
	    cmocka_unit_test(test_cpu_busy),
	    cmocka_unit_test(test_cpu_share),
	    cmocka_unit_test(test_cpu_pacing),
	    cmocka_unit_test(test_cpu_process),
	    cmocka_unit_test(test_cpu_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
