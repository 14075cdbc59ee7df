#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ratelimit.h"

static struct addr_key
v4(const char *s)
{
	struct sockaddr_in sin;
	struct addr_key k;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &sin.sin_addr), 1);
	assert_int_equal(
	    addr_key_from_sockaddr((struct sockaddr *)&sin, sizeof(sin), &k),
	    0);
	return k;
}

static struct addr_key
v6(const char *s)
{
	struct sockaddr_in6 sin6;
	struct addr_key k;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, &sin6.sin6_addr), 1);
	assert_int_equal(
	    addr_key_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), &k),
	    0);
	return k;
}

static struct ratelimit_conf
conf(double rate, double burst)
{
	struct ratelimit_conf c;

	ratelimit_conf_default(&c);
	c.rate = rate;
	c.burst = burst;
	return c;
}

static void
test_keys(void **state)
{
	struct addr_key a, b;
	struct sockaddr_un_like {
		sa_family_t family;
		char path[20];
	} other = {AF_UNIX, "x"};

	(void)state;
	a = v6("2001:db8:1:2::1");
	b = v6("2001:db8:1:2:ffff:eeee:dddd:cccc");
	assert_memory_equal(&a, &b, sizeof(a));
	b = v6("2001:db8:1:3::1");
	assert_memory_not_equal(&a, &b, sizeof(a));
	a = v4("192.0.2.1");
	b = v4("192.0.2.2");
	assert_memory_not_equal(&a, &b, sizeof(a));
	/* A v4-mapped v6 address is the same host as the plain v4 one. */
	b = v6("::ffff:192.0.2.1");
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(addr_key_from_sockaddr(
			     (struct sockaddr *)&other, sizeof(other), &a),
	    -1);
}

static void
test_bucket(void **state)
{
	struct ratelimit_conf c = conf(2, 4);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.7"), other = v4("192.0.2.8");
	unsigned retry = 0;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    ratelimit_request(rl, &k, 100.0, &retry), RATE_OK);
	/* Empty: over budget, four more allowed on credit, then refused. */
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    ratelimit_request(rl, &k, 100.0, &retry), RATE_OVER);
	assert_int_equal(retry, 3); /* tokens -4: (1 - -4) / 2 = 2.5 -> 3 */
	assert_int_equal(ratelimit_request(rl, &k, 100.0, &retry), RATE_DENY);
	assert_int_equal(retry, 3);
	/* Another address is not affected. */
	assert_int_equal(ratelimit_request(rl, &other, 100.0, NULL), RATE_OK);
	/* 2.5 s later the bucket is back to +1. */
	assert_int_equal(ratelimit_request(rl, &k, 102.5, &retry), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &k, 102.5, &retry), RATE_OVER);
	/* Over budget: its next connection's handshake can wait. */
	assert_true(ratelimit_suspect(rl, &k, 102.5));
	assert_false(ratelimit_suspect(rl, &other, 102.5));
	/* Refill stops at burst. */
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    ratelimit_request(rl, &k, 1000.0, NULL), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &k, 1000.0, NULL), RATE_OVER);
	/* A clock going backwards refills nothing. */
	assert_int_equal(ratelimit_request(rl, &k, 10.0, NULL), RATE_OVER);
	ratelimit_free(rl);
}

/* A client refused outright gets no new connection until the wait it was
 * told is over; one only over budget (still served) is not held back. */
static void
test_denied_conns(void **state)
{
	struct ratelimit_conf c = conf(2, 4);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.7"), other = v4("192.0.2.8");
	unsigned retry = 0;
	bool tracked;
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		(void)ratelimit_request(rl, &k, 100.0, NULL);
	assert_int_equal(ratelimit_conn_open(rl, &k, 100.0, &tracked), 0);
	ratelimit_conn_close(rl, &k, tracked);
	assert_int_equal(ratelimit_request(rl, &k, 100.0, &retry), RATE_DENY);
	assert_int_equal(retry, 3);
	assert_int_equal(ratelimit_conn_open(rl, &k, 100.0, &tracked), -1);
	assert_int_equal(ratelimit_conn_open(rl, &k, 102.9, &tracked), -1);
	assert_int_equal(ratelimit_conns(rl), 0u);
	assert_int_equal(ratelimit_conn_open(rl, &other, 100.0, &tracked), 0);
	ratelimit_conn_close(rl, &other, tracked);
	/* At 103 s the bucket holds 2 again: back in. */
	assert_int_equal(ratelimit_conn_open(rl, &k, 103.0, &tracked), 0);
	assert_true(tracked);
	ratelimit_conn_close(rl, &k, tracked);
	assert_int_equal(ratelimit_request(rl, &k, 103.0, NULL), RATE_OK);
	ratelimit_free(rl);
}

/* Shed: held to the wait it was told, on accept. Shed again once as long
 * again as its wait has passed: a new first time; before: twice the wait. */
static void
test_shed_twice(void **state)
{
	struct ratelimit_conf c = conf(2, 4);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.7");
	bool tracked;

	(void)state;
	assert_int_equal(ratelimit_shed(rl, &k, 100.0, 5, 60), 5u);
	assert_int_equal(ratelimit_conn_open(rl, &k, 104.9, &tracked), -1);
	assert_true(ratelimit_suspect(rl, &k, 104.9));
	assert_int_equal(ratelimit_conn_open(rl, &k, 105.0, &tracked), 0);
	ratelimit_conn_close(rl, &k, tracked);
	assert_false(ratelimit_suspect(rl, &k, 105.0));
	assert_int_equal(ratelimit_shed(rl, &k, 110.0, 5, 60), 5u);
	assert_int_equal(ratelimit_conn_open(rl, &k, 115.0, &tracked), 0);
	ratelimit_conn_close(rl, &k, tracked);
	assert_int_equal(ratelimit_shed(rl, &k, 115.0, 5, 60), 10u);
	assert_int_equal(ratelimit_conn_open(rl, &k, 124.9, &tracked), -1);
	assert_int_equal(ratelimit_conn_open(rl, &k, 125.0, &tracked), 0);
	ratelimit_conn_close(rl, &k, tracked);
	ratelimit_free(rl);
}

/* A client that keeps being shed is told a longer wait each time, up to
 * the cap; one admitted request, or a quiet spell as long as its wait
 * after it, starts it again from the first wait. */
static void
test_backoff(void **state)
{
	struct ratelimit_conf c = conf(2, 4);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.8");
	bool tracked;

	(void)state;
	assert_int_equal(ratelimit_shed(rl, &k, 100.0, 5, 20), 5u);
	/* Back early, at 103: 10 s, held to it on accept. */
	assert_int_equal(ratelimit_shed(rl, &k, 103.0, 5, 20), 10u);
	assert_int_equal(ratelimit_conn_open(rl, &k, 112.9, &tracked), -1);
	assert_int_equal(ratelimit_conn_open(rl, &k, 113.0, &tracked), 0);
	ratelimit_conn_close(rl, &k, tracked);
	/* Back just after its wait, still asking: 20, then the cap. */
	assert_int_equal(ratelimit_shed(rl, &k, 113.0, 5, 20), 20u);
	assert_int_equal(ratelimit_shed(rl, &k, 140.0, 5, 20), 20u);
	/* Quiet as long as its wait after it (160 + 20): from 5 again. */
	assert_int_equal(ratelimit_shed(rl, &k, 180.0, 5, 20), 5u);
	assert_int_equal(ratelimit_shed(rl, &k, 186.0, 5, 20), 10u);
	/* Admitted: behaves again. */
	ratelimit_note(rl, &k, 197.0, 1, true);
	assert_int_equal(ratelimit_shed(rl, &k, 198.0, 5, 20), 5u);
	/* A refusal does not reset it. */
	ratelimit_note(rl, &k, 199.0, 1, false);
	assert_int_equal(ratelimit_shed(rl, &k, 199.0, 5, 20), 10u);
	ratelimit_free(rl);
}

/* An address over its budget is told so once: one connection at a time
 * may be the one to tell it, until it is told to wait; then no more until
 * its bucket, refilled, runs dry again. */
static void
test_tell(void **state)
{
	struct ratelimit_conf c = conf(1, 2);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.11"), other = v4("192.0.2.12");
	unsigned retry;

	(void)state;
	assert_false(ratelimit_tell(rl, &other, 100.0)); /* not known */
	assert_int_equal(ratelimit_request(rl, &k, 100.0, NULL), RATE_OK);
	assert_false(ratelimit_tell(rl, &k, 100.0)); /* within budget */
	assert_int_equal(ratelimit_request(rl, &k, 100.0, NULL), RATE_OK);
	assert_true(ratelimit_tell(rl, &k, 100.1));
	assert_false(ratelimit_tell(rl, &k, 100.1)); /* one at a time */
	/* That connection went away before its request: another may. */
	ratelimit_tell_end(rl, &k);
	assert_true(ratelimit_tell(rl, &k, 100.2));
	ratelimit_tell_end(rl, &k);
	/* Its request is refused by the shedding: told. */
	assert_int_equal(ratelimit_request(rl, &k, 100.2, &retry), RATE_OVER);
	assert_int_equal(ratelimit_shed(rl, &k, 100.2, retry, 60), 2u);
	assert_false(ratelimit_tell(rl, &k, 100.3));
	/* Refilled, within budget, then dry again: to be told again. */
	assert_int_equal(ratelimit_request(rl, &k, 103.0, NULL), RATE_OK);
	assert_false(ratelimit_tell(rl, &k, 103.0));
	assert_int_equal(ratelimit_request(rl, &k, 103.0, NULL), RATE_OK);
	assert_true(ratelimit_tell(rl, &k, 103.0));
	ratelimit_tell_end(rl, &k);
	/* Refused outright (too far over): told too. */
	assert_int_equal(ratelimit_request(rl, &k, 103.0, NULL), RATE_OVER);
	assert_int_equal(ratelimit_request(rl, &k, 103.0, NULL), RATE_OVER);
	assert_int_equal(ratelimit_request(rl, &k, 103.0, &retry), RATE_DENY);
	assert_false(ratelimit_tell(rl, &k, 103.1));
	ratelimit_free(rl);
}

/* The class of an address's last request is remembered for as long as
 * asked; unknown addresses have none. */
static void
test_class(void **state)
{
	struct ratelimit_conf c = conf(2, 4);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.9"), other = v4("192.0.2.10");

	(void)state;
	assert_int_equal(ratelimit_request(rl, &k, 100.0, NULL), RATE_OK);
	assert_int_equal(ratelimit_class(rl, &k, 100.0, 60), -1);
	ratelimit_note(rl, &k, 100.0, 2, true);
	assert_int_equal(ratelimit_class(rl, &k, 160.0, 60), 2);
	assert_int_equal(ratelimit_class(rl, &k, 160.1, 60), -1);
	ratelimit_note(rl, &k, 161.0, 0, false);
	assert_int_equal(ratelimit_class(rl, &k, 161.0, 60), 0);
	/* Not tracked: nothing noted. */
	ratelimit_note(rl, &other, 161.0, 2, true);
	assert_int_equal(ratelimit_class(rl, &other, 161.0, 60), -1);
	ratelimit_free(rl);
}

/* One lookup answers what ratelimit_suspect(), ratelimit_class() and
 * ratelimit_conns_of() would. */
static void
test_view(void **state)
{
	struct ratelimit_conf c = conf(1, 2);
	struct ratelimit *rl = ratelimit_new(&c);
	struct addr_key k = v4("192.0.2.11"), other = v4("192.0.2.12");
	struct rate_view v;
	bool tracked;

	(void)state;
	ratelimit_view(rl, &other, 100.0, &v);
	assert_false(v.suspect);
	assert_int_equal(v.cls, -1);
	assert_int_equal(v.conns, 0u);
	assert_int_equal(ratelimit_conn_open(rl, &k, 100.0, &tracked), 0);
	assert_true(tracked);
	ratelimit_view(rl, &k, 100.0, &v);
	assert_int_equal(v.cls, -1);
	assert_int_equal(v.conns, 1u);
	assert_int_equal(ratelimit_request(rl, &k, 100.0, NULL), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &k, 100.0, NULL), RATE_OK);
	ratelimit_note(rl, &k, 100.5, 2, true);
	ratelimit_view(rl, &k, 100.5, &v);
	assert_true(v.suspect);
	assert_true(ratelimit_suspect(rl, &k, 100.5));
	assert_int_equal(v.cls, 2);
	assert_float_equal(v.noted, 100.5, 1e-9);
	/* A token back a second later: no longer suspect. */
	ratelimit_view(rl, &k, 101.5, &v);
	assert_false(v.suspect);
	assert_false(ratelimit_suspect(rl, &k, 101.5));
	ratelimit_conn_close(rl, &k, tracked);
	ratelimit_view(rl, &k, 101.5, &v);
	assert_int_equal(v.conns, 0u);
	ratelimit_free(rl);
}

static void
test_conn_caps(void **state)
{
	struct ratelimit_conf c = conf(1, 1);
	struct ratelimit *rl;
	struct addr_key a = v4("198.51.100.1"), b = v4("198.51.100.2");
	bool ta[3], tb;

	(void)state;
	c.max_conns_per_addr = 2;
	c.max_conns = 3;
	rl = ratelimit_new(&c);
	assert_int_equal(ratelimit_conn_open(rl, &a, 1, &ta[0]), 0);
	assert_int_equal(ratelimit_conn_open(rl, &a, 1, &ta[1]), 0);
	assert_true(ta[0] && ta[1]);
	assert_int_equal(ratelimit_conn_open(rl, &a, 1, &ta[2]), -1);
	assert_int_equal(ratelimit_conns_of(rl, &a), 2);
	assert_int_equal(ratelimit_conn_open(rl, &b, 1, &tb), 0);
	/* Total cap of three reached, even for a new address. */
	assert_int_equal(ratelimit_conn_open(rl, &b, 1, &tb), -1);
	assert_int_equal(ratelimit_conns(rl), 3);
	ratelimit_conn_close(rl, &a, ta[0]);
	assert_int_equal(ratelimit_conns_of(rl, &a), 1);
	assert_int_equal(ratelimit_conn_open(rl, &a, 2, &ta[2]), 0);
	assert_int_equal(ratelimit_conns(rl), 3);
	ratelimit_conn_close(rl, &a, ta[1]);
	ratelimit_conn_close(rl, &a, ta[2]);
	ratelimit_conn_close(rl, &b, true);
	assert_int_equal(ratelimit_conns(rl), 0);
	assert_int_equal(ratelimit_conns_of(rl, &a), 0);
	ratelimit_free(rl);
}

/* The table never holds more than its size: old idle addresses are
 * forgotten (they come back with a full bucket), addresses with open
 * connections are kept, and when a set is full of those the newcomer is
 * untracked and gets the lowest priority. */
static void
test_eviction(void **state)
{
	struct ratelimit_conf c = conf(1, 2);
	struct ratelimit *rl;
	struct addr_key first = v4("10.0.0.1"), k;
	bool tracked;
	char ip[32];
	int i, untracked = 0;

	(void)state;
	c.table_size = 8; /* one set */
	c.max_conns = 100000;
	rl = ratelimit_new(&c);
	assert_int_equal(ratelimit_request(rl, &first, 0, NULL), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &first, 0, NULL), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &first, 0, NULL), RATE_OVER);
	for (i = 2; i < 10; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		k = v4(ip);
		assert_int_equal(
		    ratelimit_request(rl, &k, 1 + i, NULL), RATE_OK);
	}
	/* first was the oldest and has been replaced: a full bucket again. */
	assert_int_equal(ratelimit_request(rl, &first, 20, NULL), RATE_OK);
	assert_int_equal(ratelimit_request(rl, &first, 20, NULL), RATE_OK);
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.0.1.%d", i);
		k = v4(ip);
		assert_int_equal(ratelimit_conn_open(rl, &k, 30, &tracked), 0);
		untracked += !tracked;
	}
	assert_int_equal(untracked, 12);
	assert_int_equal(ratelimit_conns(rl), 20);
	k = v4("10.0.2.1");
	assert_int_equal(ratelimit_request(rl, &k, 40, NULL), RATE_OVER);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_bucket),
	    cmocka_unit_test(test_denied_conns),
	    cmocka_unit_test(test_shed_twice),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_class),
	    cmocka_unit_test(test_view),
	    cmocka_unit_test(test_tell),
	    cmocka_unit_test(test_conn_caps),
	    cmocka_unit_test(test_eviction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
