#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "admission.h"

static struct sockaddr_in
addr(const char *ip)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* The limits of c (which it frees) and worker w's share of them, at
 * time 0. */
static struct limits *
start(struct limits_conf *c, struct limits_worker *w)
{
	struct limits *l = limits_new(c);

	limits_conf_free(c);
	limits_worker_init(l, w, 0);
	return l;
}

/* The end of a test: no connection of worker w is left open; w's state
 * and l freed. */
static void
finish(struct limits *l, struct limits_worker *w)
{
	assert_int_equal(ratelimit_conns(w->rl), 0u);
	limits_worker_free(w);
	limits_free(l);
}

/* limits_conn_open() for an IPv4 client at time now. */
static int
open_from(struct limits *l, struct limits_worker *w,
    const struct sockaddr_in *sa, double now, struct limits_ticket *t)
{
	return limits_conn_open(
	    l, w, (const struct sockaddr *)sa, sizeof(*sa), now, t);
}

static enum limits_verdict
admit(struct limits *l, struct limits_worker *s, struct limits_ticket *t,
    const char *path, size_t size, double now, unsigned *retry)
{
	return limits_admit(
	    l, s, t, path, strlen(path), true, size, now, retry);
}

/* A shed server refuses images before pages, and answers with the
 * configured pause; a finished request frees its place. */
static void
test_shed_by_priority(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t[6];
	struct sockaddr_in sa = addr("192.0.2.1");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_conf_default(&c);
	c.shed.min_limit = c.shed.initial_limit = c.shed.max_limit = 4;
	c.shed.retry = 7;
	c.rate.burst = 100;
	l = start(&c, &s);
	for (i = 0; i < 6; i++)
		assert_int_equal(open_from(l, &s, &sa, 0, &t[i]), 0);
	/* Heavy may fill half of 4: two images, then refused. */
	assert_int_equal(
	    admit(l, &s, &t[0], "/a.jpg", 10, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(
	    admit(l, &s, &t[1], "/b.jpg", 10, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(
	    admit(l, &s, &t[2], "/c.jpg", 10, 0, &retry), LIMITS_SHED);
	assert_int_equal(retry, 7);
	assert_int_equal(t[2].prio, PRIO_HEAVY);
	assert_int_equal(admit(l, &s, &t[2], "/", 10, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(
	    admit(l, &s, &t[3], "/p/", 10, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(
	    admit(l, &s, &t[4], "/q/", 10, 0, &retry), LIMITS_SHED);
	assert_int_equal(s.shed.inflight, 4);
	limits_done(&s, &t[0], true, 0.001);
	assert_int_equal(s.shed.inflight, 3);
	/* An image's time is its download: nothing learned from it. */
	assert_true(s.shed.srtt == 0);
	limits_done(&s, &t[3], true, 0.002);
	assert_true(s.shed.srtt > 0.0019 && s.shed.srtt < 0.0021);
	assert_int_equal(
	    admit(l, &s, &t[3], "/p/", 10, 0.002, &retry), LIMITS_ADMIT);
	assert_int_equal(
	    admit(l, &s, &t[4], "/q/", 10, 0.001, &retry), LIMITS_ADMIT);
	/* Closing a connection with a request in flight ends the request. */
	limits_conn_close(l, &s, &t[1], 0.002);
	assert_int_equal(s.shed.inflight, 3);
	limits_conn_close(l, &s, &t[1], 0.002);
	assert_int_equal(s.shed.inflight, 3);
	for (i = 0; i < 6; i++)
		limits_conn_close(l, &s, &t[i], 0.003);
	assert_int_equal(s.shed.inflight, 0);
	limits_worker_free(&s);
	limits_free(l);
}

/* Pages shed in a row leave the address welcome; an image shed holds it
 * to its wait (closed on accept until then), and one shed again within as
 * long again to a wait twice as long. */
static void
test_shed_hold(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket full, t;
	struct sockaddr_in sa = addr("192.0.2.1"), other = addr("192.0.2.2");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_conf_default(&c);
	c.shed.min_limit = c.shed.initial_limit = c.shed.max_limit = 1;
	c.shed.retry = 5;
	c.rate.burst = 100;
	l = start(&c, &s);
	/* One page from elsewhere fills the server. */
	assert_int_equal(open_from(l, &s, &other, 0, &full), 0);
	assert_int_equal(admit(l, &s, &full, "/", 10, 0, &retry), LIMITS_ADMIT);
	for (i = 0; i < 3; i++) {
		assert_int_equal(open_from(l, &s, &sa, 1 + i, &t), 0);
		assert_int_equal(
		    admit(l, &s, &t, "/p/", 10, 1 + i, &retry), LIMITS_SHED);
		limits_conn_close(l, &s, &t, 1 + i);
	}
	assert_int_equal(open_from(l, &s, &sa, 4, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 4, &retry), LIMITS_SHED);
	limits_conn_close(l, &s, &t, 4);
	/* Told 5 s: held to it on accept. */
	assert_int_equal(retry, 5u);
	assert_int_equal(open_from(l, &s, &sa, 8.9, &t), -1);
	assert_int_equal(open_from(l, &s, &sa, 9, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 9, &retry), LIMITS_SHED);
	limits_conn_close(l, &s, &t, 9);
	/* Asking again as soon as it may: twice the wait, held from 9 s to
	 * 19 s. */
	assert_int_equal(retry, 10u);
	assert_int_equal(open_from(l, &s, &sa, 18.9, &t), -1);
	assert_int_equal(open_from(l, &s, &sa, 19, &t), 0);
	limits_conn_close(l, &s, &t, 19);
	limits_conn_close(l, &s, &full, 19);
	limits_worker_free(&s);
	limits_free(l);
}

/* A greedy address goes to the lowest priority, then is refused with the
 * time until its budget is back; other addresses are unaffected. */
static void
test_budget(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket g, o;
	struct sockaddr_in greedy = addr("192.0.2.66"),
			   other = addr("192.0.2.7");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_conf_default(&c);
	c.rate.rate = 1;
	c.rate.burst = 2;
	l = start(&c, &s);
	assert_int_equal(open_from(l, &s, &greedy, 0, &g), 0);
	assert_int_equal(open_from(l, &s, &other, 0, &o), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    admit(l, &s, &g, "/", 1, 0, &retry), LIMITS_ADMIT);
		assert_int_equal(g.prio, PRIO_PAGE);
		limits_done(&s, &g, true, 0.001);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    admit(l, &s, &g, "/", 1, 0, &retry), LIMITS_ADMIT);
		assert_int_equal(g.prio, PRIO_OVER);
		limits_done(&s, &g, true, 0.001);
	}
	assert_int_equal(admit(l, &s, &g, "/", 1, 0, &retry), LIMITS_RATE);
	assert_int_equal(retry, 3);
	assert_int_equal(admit(l, &s, &o, "/", 1, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(o.prio, PRIO_PAGE);
	limits_conn_close(l, &s, &g, 1);
	limits_conn_close(l, &s, &o, 1);
	limits_worker_free(&s);
	limits_free(l);
}

static void
test_conn_cap(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t[3];
	struct sockaddr_in sa = addr("198.51.100.9");

	(void)state;
	limits_conf_default(&c);
	c.rate.max_conns_per_addr = 2;
	l = start(&c, &s);
	assert_int_equal(open_from(l, &s, &sa, 0, &t[0]), 0);
	assert_int_equal(open_from(l, &s, &sa, 0, &t[1]), 0);
	assert_int_equal(open_from(l, &s, &sa, 0, &t[2]), -1);
	/* A refused connection holds nothing: closing it gives nothing back. */
	limits_conn_close(l, &s, &t[2], 0);
	assert_int_equal(open_from(l, &s, &sa, 0, &t[2]), -1);
	limits_conn_close(l, &s, &t[0], 0);
	assert_int_equal(open_from(l, &s, &sa, 0, &t[2]), 0);
	limits_conn_close(l, &s, &t[1], 0);
	limits_conn_close(l, &s, &t[2], 0);
	limits_worker_free(&s);
	limits_free(l);
}

/* Behind a PROXY-protocol balancer every connection comes from the
 * balancer: only the total counts until the header names the client. */
static void
test_proxied(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t[4];
	struct sockaddr_in client = addr("203.0.113.5");
	int i;

	(void)state;
	limits_conf_default(&c);
	c.rate.max_conns_per_addr = 2;
	c.rate.max_conns = 4;
	l = start(&c, &s);
	for (i = 0; i < 4; i++)
		assert_int_equal(limits_conn_open(l, &s, NULL, 0, 0, &t[i]), 0);
	assert_int_equal(limits_conn_open(l, &s, NULL, 0, 0, &t[3]), -1);
	assert_int_equal(limits_conn_address(l, &s, &t[0],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    0);
	assert_int_equal(limits_conn_address(l, &s, &t[1],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    0);
	assert_int_equal(limits_conn_address(l, &s, &t[2],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    -1);
	for (i = 0; i < 4; i++)
		limits_conn_close(l, &s, &t[i], 0);
	assert_int_equal(open_from(l, &s, &client, 0, &t[0]), 0);
	assert_int_equal(open_from(l, &s, &client, 0, &t[1]), 0);
	assert_int_equal(open_from(l, &s, &client, 0, &t[2]), -1);
	limits_conn_close(l, &s, &t[0], 0);
	limits_conn_close(l, &s, &t[1], 0);
	limits_worker_free(&s);
	limits_free(l);
}

/* Workers share the total connection cap (one count for all of them)
 * but each keeps its own address table: an address's connections are
 * counted by the worker the listeners steer it to. */
static void
test_workers(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker a, b;
	struct limits_ticket t[4];
	struct sockaddr_in one = addr("192.0.2.1"), two = addr("192.0.2.2");

	(void)state;
	limits_conf_default(&c);
	c.rate.max_conns_per_addr = 2;
	c.rate.max_conns = 3;
	l = limits_new(&c);
	limits_conf_free(&c);
	limits_worker_init(l, &a, 0);
	limits_worker_init(l, &b, 0);
	assert_int_equal(open_from(l, &a, &one, 0, &t[0]), 0);
	assert_int_equal(open_from(l, &a, &one, 0, &t[1]), 0);
	assert_int_equal(open_from(l, &a, &one, 0, &t[3]), -1);
	assert_int_equal(ratelimit_conns_of(a.rl, &t[0].key), 2u);
	assert_int_equal(open_from(l, &b, &two, 0, &t[2]), 0);
	/* Three open in all: the fourth is refused on either worker. */
	assert_int_equal(open_from(l, &b, &two, 0, &t[3]), -1);
	assert_int_equal(ratelimit_conns_of(b.rl, &t[2].key), 1u);
	limits_conn_close(l, &a, &t[0], 0);
	assert_int_equal(open_from(l, &b, &two, 0, &t[3]), 0);
	assert_int_equal(ratelimit_conns_of(b.rl, &t[2].key), 2u);
	limits_conn_close(l, &a, &t[1], 0);
	limits_conn_close(l, &b, &t[2], 0);
	limits_conn_close(l, &b, &t[3], 0);
	assert_int_equal(ratelimit_conns(a.rl) + ratelimit_conns(b.rl), 0u);
	limits_worker_free(&a);
	limits_worker_free(&b);
	limits_free(l);
}

/* A client over its budget is suspect: its handshake comes last, and
 * while the loop runs late it is refused on accept, before any TLS work;
 * other clients are not (a new one's handshake comes last too, while the
 * loop runs late). */
static void
test_suspect(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t, o;
	struct sockaddr_in greedy = addr("192.0.2.1"),
			   other = addr("192.0.2.2");
	unsigned retry;
	int i;

	(void)state;
	limits_conf_default(&c);
	c.rate.rate = 1;
	c.rate.burst = 2;
	l = start(&c, &s);
	for (i = 0; i < 2; i++) {
		assert_int_equal(open_from(l, &s, &greedy, 0, &t), 0);
		/* Not overloaded: a new client's handshake comes in turn. */
		assert_false(t.suspect);
		(void)admit(l, &s, &t, "/", 10, 0, &retry);
		limits_done(&s, &t, true, 0.001);
		limits_conn_close(l, &s, &t, 0.001);
	}
	assert_int_equal(open_from(l, &s, &greedy, 0.01, &t), 0);
	assert_true(t.suspect);
	limits_conn_close(l, &s, &t, 0.01);
	for (i = 0; i < 5; i++)
		shed_delay(&s.shed, 1, 0.01);
	/* Overloaded: one connection to tell it (test_told), no other. */
	assert_int_equal(open_from(l, &s, &greedy, 0.01, &t), 0);
	assert_true(t.telling && t.suspect);
	assert_int_equal(open_from(l, &s, &greedy, 0.01, &o), -1);
	limits_conn_close(l, &s, &t, 0.01);
	/* Overloaded: a new client is not refused, but its handshake comes
	 * last. */
	assert_int_equal(open_from(l, &s, &other, 0.01, &o), 0);
	assert_true(o.suspect);
	limits_conn_close(l, &s, &o, 0.01);
	finish(l, &s);
}

/* A client's connections beyond its first open one wait their turn,
 * overloaded or not, whatever its budget; once the others are closed, the
 * next one is in the readers' turn again. */
static void
test_parallel(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t[3], o;
	struct sockaddr_in crawler = addr("192.0.2.3"),
			   reader = addr("192.0.2.4");
	int i;

	(void)state;
	limits_conf_default(&c);
	c.rate.burst = 100;
	l = start(&c, &s);
	for (i = 0; i < 3; i++)
		assert_int_equal(open_from(l, &s, &crawler, 0, &t[i]), 0);
	assert_false(t[0].suspect);
	assert_true(t[1].suspect && t[2].suspect);
	assert_int_equal(open_from(l, &s, &reader, 0, &o), 0);
	assert_false(o.suspect);
	limits_conn_close(l, &s, &o, 0);
	for (i = 0; i < 3; i++)
		limits_conn_close(l, &s, &t[i], 0);
	assert_int_equal(open_from(l, &s, &crawler, 0, &t[0]), 0);
	assert_false(t[0].suspect);
	limits_conn_close(l, &s, &t[0], 0);
	finish(l, &s);
}

/* An address at its connection cap that keeps connecting while the loop
 * runs late is held off before the accept for the configured pause; not
 * while the server keeps up. */
static void
test_cap_held(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t, extra;
	struct sockaddr_in crawler = addr("192.0.2.9");
	const struct limits_held *held;
	size_t n;

	(void)state;
	limits_conf_default(&c);
	c.rate.max_conns_per_addr = 1;
	c.shed.retry = 4;
	l = start(&c, &s);
	assert_int_equal(open_from(l, &s, &crawler, 0, &t), 0);
	assert_int_equal(open_from(l, &s, &crawler, 0, &extra), -1);
	assert_false(limits_held_update(&s, 0, &held, &n));
	assert_int_equal(n, 0);
	shed_delay(&s.shed, 1, 1);
	assert_true(shed_late(&s.shed));
	assert_int_equal(open_from(l, &s, &crawler, 1, &extra), -1);
	assert_true(limits_held_update(&s, 1, &held, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(held[0].key.b, t.key.b, sizeof(t.key.b));
	assert_float_equal(held[0].until, 5, 1e-9);
	assert_int_equal(s.stats.closed[PRIO_COUNT], 2ul);
	limits_conn_close(l, &s, &t, 1);
	finish(l, &s);
}

/* A connection accepted before anything was known of its address waits
 * for its turn to start the handshake; by then another connection of that
 * address may have been refused an image while the server is overloaded:
 * this one is refused at its turn, before any TLS work, counted as heavy
 * and held off. A reader's queued connection goes on. */
static void
test_turn(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket first, second, page;
	struct sockaddr_in images = addr("192.0.2.5"),
			   reader = addr("192.0.2.6");
	const struct limits_held *held;
	size_t n;
	unsigned retry = 0;

	(void)state;
	limits_conf_default(&c);
	l = start(&c, &s);
	shed_delay(&s.shed, 1, 1);
	assert_true(shed_late(&s.shed));
	assert_int_equal(open_from(l, &s, &images, 1, &first), 0);
	assert_int_equal(open_from(l, &s, &images, 1, &second), 0);
	assert_int_equal(open_from(l, &s, &reader, 1, &page), 0);
	assert_true(first.suspect && second.suspect && page.suspect);
	/* Nothing known yet: the first one's turn comes. */
	assert_int_equal(limits_conn_turn(l, &s, &first, 1.01), 0);
	assert_int_equal(
	    admit(l, &s, &first, "/a.jpg", 10, 1.01, &retry), LIMITS_SHED);
	limits_conn_close(l, &s, &first, 1.02);
	assert_int_equal(limits_conn_turn(l, &s, &second, 1.03), -1);
	limits_conn_close(l, &s, &second, 1.03);
	assert_int_equal(limits_conn_turn(l, &s, &page, 1.03), 0);
	assert_int_equal(
	    admit(l, &s, &page, "/", 10, 1.03, &retry), LIMITS_ADMIT);
	limits_done(&s, &page, true, 1.04);
	limits_conn_close(l, &s, &page, 1.04);
	assert_int_equal(s.stats.closed[PRIO_HEAVY], 1ul);
	assert_int_equal(s.stats.lost[PRIO_HEAVY], 0ul);
	assert_true(limits_held_update(&s, 1.05, &held, &n));
	assert_int_equal(n, 1);
	finish(l, &s);
}

/* Which queued handshakes are paced (shed.h): those of an address with
 * more than four connections open, of clients likely refused, and of
 * clients not known while overloaded; not a known reader's second. */
static void
test_paced(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t[5], fresh;
	struct sockaddr_in reader = addr("192.0.2.7"),
			   stranger = addr("192.0.2.8");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_conf_default(&c);
	l = start(&c, &s);
	assert_int_equal(open_from(l, &s, &reader, 1, &t[0]), 0);
	assert_int_equal(admit(l, &s, &t[0], "/", 10, 1, &retry), LIMITS_ADMIT);
	limits_done(&s, &t[0], true, 1);
	for (i = 1; i < 4; i++)
		assert_int_equal(open_from(l, &s, &reader, 1, &t[i]), 0);
	assert_true(t[1].suspect);
	assert_false(limits_conn_paced(l, &s, &t[1], 1));
	assert_false(limits_conn_paced(l, &s, &t[3], 1));
	/* A fifth open: the address's queued handshakes are paced. */
	assert_int_equal(open_from(l, &s, &reader, 1, &t[4]), 0);
	assert_true(limits_conn_paced(l, &s, &t[1], 1));
	assert_true(limits_conn_paced(l, &s, &t[4], 1));
	limits_conn_close(l, &s, &t[4], 1);
	assert_false(limits_conn_paced(l, &s, &t[3], 1));
	/* Overloaded: a client not seen before is paced, the reader not. */
	shed_delay(&s.shed, 1, 2);
	assert_int_equal(open_from(l, &s, &stranger, 2, &fresh), 0);
	assert_true(limits_conn_paced(l, &s, &fresh, 2));
	assert_false(limits_conn_paced(l, &s, &t[1], 2));
	limits_conn_close(l, &s, &fresh, 2);
	for (i = 0; i < 4; i++)
		limits_conn_close(l, &s, &t[i], 2);
	finish(l, &s);
}

/* Heavy replies draw on the pacing's credit: with 10 turns a second and
 * 64 KiB a turn, a 1 MB image leaves none for 1.6 s: the next image is
 * refused (44) meanwhile, though the server is not overloaded, and a page
 * is not. */
static void
test_heavy_paced(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket a, b, p;
	struct sockaddr_in one = addr("192.0.2.9"), two = addr("192.0.2.10"),
			   three = addr("192.0.2.11");
	unsigned retry = 0;

	(void)state;
	limits_conf_default(&c);
	c.shed.turn_min = c.shed.turn_max = 10;
	c.shed.turn_bytes = 65536;
	l = start(&c, &s);
	assert_int_equal(open_from(l, &s, &one, 1, &a), 0);
	assert_int_equal(
	    admit(l, &s, &a, "/a.jpg", 1 << 20, 1, &retry), LIMITS_ADMIT);
	limits_done(&s, &a, true, 1.1);
	limits_conn_close(l, &s, &a, 1.1);
	assert_int_equal(open_from(l, &s, &two, 1.2, &b), 0);
	assert_int_equal(
	    admit(l, &s, &b, "/b.jpg", 1 << 20, 1.2, &retry), LIMITS_SHED);
	assert_int_equal(retry, c.shed.retry);
	limits_conn_close(l, &s, &b, 1.2);
	assert_false(shed_late(&s.shed));
	assert_int_equal(open_from(l, &s, &three, 1.3, &p), 0);
	assert_int_equal(admit(l, &s, &p, "/", 10, 1.3, &retry), LIMITS_ADMIT);
	limits_done(&s, &p, true, 1.3);
	limits_conn_close(l, &s, &p, 1.3);
	finish(l, &s);
}

/* Who may take the slot of a connection waiting for its handshake when
 * all are taken: a reader known for pages, not a new client nor one whose
 * last request was heavy. */
static void
test_preferred(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t, o;
	struct sockaddr_in reader = addr("192.0.2.7"),
			   images = addr("192.0.2.8");
	unsigned retry = 0;

	(void)state;
	limits_conf_default(&c);
	c.rate.max_conns = 2;
	l = start(&c, &s);
	assert_false(limits_conn_preferred(
	    l, &s, (struct sockaddr *)&reader, sizeof(reader), 0));
	assert_int_equal(open_from(l, &s, &reader, 0, &t), 0);
	assert_int_equal(admit(l, &s, &t, "/", 10, 0, &retry), LIMITS_ADMIT);
	limits_done(&s, &t, true, 0.01);
	limits_conn_close(l, &s, &t, 0.01);
	assert_int_equal(open_from(l, &s, &images, 0.02, &t), 0);
	(void)admit(l, &s, &t, "/a.jpg", 10, 0.02, &retry);
	limits_conn_close(l, &s, &t, 0.03);
	assert_true(limits_conn_preferred(
	    l, &s, (struct sockaddr *)&reader, sizeof(reader), 0.04));
	assert_false(limits_conn_preferred(
	    l, &s, (struct sockaddr *)&images, sizeof(images), 0.04));
	/* The cap, and what an eviction counts. */
	assert_false(limits_conn_full(l));
	assert_int_equal(open_from(l, &s, &images, 0.05, &o), 0);
	assert_int_equal(open_from(l, &s, &images, 0.05, &t), 0);
	assert_true(limits_conn_full(l));
	limits_conn_evict(&s, &t);
	limits_conn_close(l, &s, &t, 0.06);
	assert_false(limits_conn_full(l));
	/* Counted as evicted, not as lost before a request. */
	assert_int_equal(s.stats.evicted, 1ul);
	assert_int_equal(s.stats.lost[PRIO_HEAVY], 0ul);
	limits_conn_close(l, &s, &o, 0.06);
	limits_worker_free(&s);
	limits_free(l);
}

/* While overloaded, a client whose last request was heavy is refused on
 * accept, before any TLS work, and counted as heavy; one that keeps asking
 * is told longer waits; a reader of pages is not affected. When the
 * overload is over, the client is let in again. */
static void
test_heavy_held(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t, o;
	struct sockaddr_in images = addr("192.0.2.3"),
			   reader = addr("192.0.2.4");
	unsigned retry = 0;
	char line[768];
	int i;

	(void)state;
	limits_conf_default(&c);
	c.shed.retry = 5;
	c.shed.max_retry = 60;
	c.shed.hold = 1;
	l = start(&c, &s);
	/* Not loaded: the image is served. */
	assert_int_equal(open_from(l, &s, &images, 1, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 1, &retry), LIMITS_ADMIT);
	limits_done(&s, &t, true, 1.01);
	limits_conn_close(l, &s, &t, 1.01);
	/* Overloaded at 2 s: closed on accept, as heavy. */
	shed_delay(&s.shed, 1, 2);
	assert_true(shed_late(&s.shed));
	assert_int_equal(open_from(l, &s, &images, 2, &t), -1);
	assert_int_equal(open_from(l, &s, &reader, 2, &o), 0);
	assert_int_equal(admit(l, &s, &o, "/", 10, 2, &retry), LIMITS_ADMIT);
	limits_done(&s, &o, true, 2.01);
	limits_conn_close(l, &s, &o, 2.01);
	/* The reader's next connection ends before its request: lost, as a
	 * page. */
	assert_int_equal(open_from(l, &s, &reader, 2.02, &o), 0);
	limits_conn_close(l, &s, &o, 2.5);
	assert_int_equal(s.stats.lost[PRIO_PAGE], 1ul);
	/* Over at 4 s, past the hold; still busy enough to shed images:
	 * told 5 s and held to it; back at once when it is over, 10 s. */
	for (i = 0; i < 100; i++)
		shed_delay(&s.shed, 0, 2 + i * 0.005);
	assert_true(shed_late(&s.shed));
	shed_delay(&s.shed, 0, 4);
	assert_false(shed_late(&s.shed));
	s.shed.limit = 1;
	s.shed.inflight = 1;
	assert_int_equal(open_from(l, &s, &images, 4, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 4, &retry), LIMITS_SHED);
	assert_int_equal(retry, 5u);
	limits_conn_close(l, &s, &t, 4);
	assert_int_equal(open_from(l, &s, &images, 8.9, &t), -1);
	assert_int_equal(open_from(l, &s, &images, 9, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 9, &retry), LIMITS_SHED);
	assert_int_equal(retry, 10u);
	limits_conn_close(l, &s, &t, 9);
	assert_int_equal(s.stats.requests[PRIO_HEAVY], 3ul);
	assert_int_equal(s.stats.admitted[PRIO_HEAVY], 1ul);
	assert_int_equal(s.stats.closed[PRIO_HEAVY], 2ul);
	assert_int_equal(s.stats.requests[PRIO_PAGE], 1ul);
	assert_int_equal(s.stats.closed[PRIO_PAGE], 0ul);
	assert_int_equal(s.stats.lost[PRIO_HEAVY], 0ul);
	limits_stats_format(&s, 9, line, sizeof(line));
	assert_non_null(strstr(line,
	    "heavy 3 requests, 1 admitted, 2 closed on accept, 0 lost before "
	    "a request;"));
	assert_non_null(strstr(line, "overloaded 1 times, 2.0 s"));
	/* Cut to the buffer. */
	assert_int_equal(limits_stats_format(&s, 9, line, 20), 19);
	assert_int_equal(strlen(line), 19);
	s.shed.inflight = 0;
	limits_worker_free(&s);
	limits_free(l);
}

/* Addresses refused on accept while overloaded are held off before the
 * accept for retry_after seconds, those told 44 for their wait; the set is
 * reported when it changed. */
static void
test_held(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t;
	struct sockaddr_in a = addr("192.0.2.5"), b = addr("192.0.2.6");
	const struct limits_held *held;
	size_t n;
	unsigned retry;

	(void)state;
	limits_conf_default(&c);
	c.shed.retry = 5;
	c.shed.hold = 1;
	c.rate.rate = 1;
	c.rate.burst = 1;
	l = start(&c, &s);
	assert_false(limits_held_update(&s, 0, &held, &n));
	assert_int_equal(n, 0);
	/* a spends its budget; b reads pages within it. */
	assert_int_equal(open_from(l, &s, &a, 0, &t), 0);
	(void)admit(l, &s, &t, "/", 10, 0, &retry);
	limits_conn_close(l, &s, &t, 0);
	shed_delay(&s.shed, 1, 0.1);
	/* Told once that it is over its budget (test_told), then refused. */
	assert_int_equal(open_from(l, &s, &a, 0.1, &t), 0);
	assert_int_equal(admit(l, &s, &t, "/", 10, 0.1, &retry), LIMITS_SHED);
	limits_conn_close(l, &s, &t, 0.1);
	assert_int_equal(open_from(l, &s, &a, 0.2, &t), -1);
	assert_int_equal(open_from(l, &s, &b, 0.2, &t), 0);
	limits_conn_close(l, &s, &t, 0.2);
	assert_true(limits_held_update(&s, 0.2, &held, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(&held[0].key, &t.key, 10); /* the mapped prefix */
	assert_false(limits_held_update(&s, 0.3, &held, &n));
	assert_int_equal(n, 1);
	/* Its time (5 s from its last refusal at 0.2) is up: let go. */
	shed_delay(&s.shed, 1, 5.1);
	assert_false(limits_held_update(&s, 5.1, &held, &n));
	assert_true(limits_held_update(&s, 5.3, &held, &n));
	assert_int_equal(n, 0);
	/* Told 44 for an image (overloaded): held for the wait it was told,
	 * even once the overload is over. */
	assert_int_equal(open_from(l, &s, &b, 5.2, &t), 0);
	assert_int_equal(
	    admit(l, &s, &t, "/a.jpg", 10, 5.2, &retry), LIMITS_SHED);
	assert_int_equal(retry, 5u);
	limits_conn_close(l, &s, &t, 5.2);
	assert_true(limits_held_update(&s, 5.2, &held, &n));
	assert_int_equal(n, 1);
	while (shed_late(&s.shed))
		shed_delay(
		    &s.shed, 0, 5.2 + (s.shed.delay > 0.001 ? 0.005 : 2));
	assert_false(limits_held_update(&s, 10.1, &held, &n));
	assert_int_equal(n, 1);
	assert_true(limits_held_update(&s, 10.2, &held, &n));
	assert_int_equal(n, 0);
	limits_worker_free(&s);
	limits_free(l);
}

/* While overloaded, a client over its budget and not told so yet gets one
 * connection through, whose request is answered 44 with the time until
 * its budget is back; its other connections, on accept or at their turn,
 * are closed before any TLS work, and once it is told it gets no
 * handshake until its wait is over. Back within its budget, it is a reader
 * like any other. */
static void
test_told(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket early, t, other;
	struct sockaddr_in greedy = addr("192.0.2.20");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_conf_default(&c);
	c.rate.rate = 1;
	c.rate.burst = 2;
	c.rate.max_conns_per_addr = 8;
	c.shed.retry = 5;
	l = start(&c, &s);
	shed_delay(&s.shed, 1, 1);
	assert_true(shed_late(&s.shed));
	/* Within its budget: served, overloaded or not; one connection
	 * opened meanwhile waits its turn. */
	assert_int_equal(open_from(l, &s, &greedy, 1, &t), 0);
	assert_int_equal(open_from(l, &s, &greedy, 1, &early), 0);
	assert_true(early.suspect && !early.telling);
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    admit(l, &s, &t, "/", 10, 1, &retry), LIMITS_ADMIT);
		limits_done(&s, &t, true, 1);
		limits_conn_close(l, &s, &t, 1);
		if (i == 0)
			assert_int_equal(open_from(l, &s, &greedy, 1, &t), 0);
	}
	/* Over: the next connection is the one to tell it. */
	assert_int_equal(open_from(l, &s, &greedy, 1.1, &t), 0);
	assert_true(t.telling && t.suspect);
	assert_int_equal(open_from(l, &s, &greedy, 1.1, &other), -1);
	assert_int_equal(limits_conn_turn(l, &s, &early, 1.1), -1);
	limits_conn_close(l, &s, &early, 1.1);
	assert_int_equal(limits_conn_turn(l, &s, &t, 1.2), 0);
	assert_int_equal(admit(l, &s, &t, "/", 10, 1.2, &retry), LIMITS_SHED);
	/* Tokens at -1 after it: 2 s until one is back. */
	assert_int_equal(retry, 2u);
	limits_conn_close(l, &s, &t, 1.2);
	assert_int_equal(s.stats.requests[PRIO_OVER], 1ul);
	assert_int_equal(open_from(l, &s, &greedy, 1.3, &t), -1);
	/* Its wait over and its budget back: a reader again, overloaded or
	 * not. */
	assert_int_equal(open_from(l, &s, &greedy, 3.3, &t), 0);
	assert_false(t.telling);
	assert_int_equal(admit(l, &s, &t, "/", 10, 3.3, &retry), LIMITS_ADMIT);
	limits_done(&s, &t, true, 3.3);
	limits_conn_close(l, &s, &t, 3.3);
	finish(l, &s);
}

/* A queued connection whose client has gone is counted as such when
 * closed at its turn, not as lost before a request. */
static void
test_gone(void **state)
{
	struct limits_conf c;
	struct limits *l;
	struct limits_worker s;
	struct limits_ticket t;
	struct sockaddr_in a = addr("192.0.2.21");
	char line[768];

	(void)state;
	limits_conf_default(&c);
	l = start(&c, &s);
	shed_delay(&s.shed, 1, 1);
	assert_int_equal(open_from(l, &s, &a, 1, &t), 0);
	assert_true(t.suspect);
	limits_conn_gone(&s, &t);
	limits_conn_close(l, &s, &t, 1.1);
	assert_int_equal(s.stats.gone, 1ul);
	assert_int_equal(s.stats.lost[PRIO_COUNT], 0ul);
	limits_stats_format(&s, 1.1, line, sizeof(line));
	assert_non_null(strstr(line,
	    "; 1 queued closed at their turn, the client gone; 0 closed "
	    "with their ClientHello incomplete; overloaded 1 times"));
	finish(l, &s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shed_by_priority),
	    cmocka_unit_test(test_shed_hold),
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_conn_cap),
	    cmocka_unit_test(test_proxied),
	    cmocka_unit_test(test_workers),
	    cmocka_unit_test(test_suspect),
	    cmocka_unit_test(test_parallel),
	    cmocka_unit_test(test_cap_held),
	    cmocka_unit_test(test_turn),
	    cmocka_unit_test(test_paced),
	    cmocka_unit_test(test_heavy_paced),
	    cmocka_unit_test(test_preferred),
	    cmocka_unit_test(test_heavy_held),
	    cmocka_unit_test(test_held),
	    cmocka_unit_test(test_told),
	    cmocka_unit_test(test_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
