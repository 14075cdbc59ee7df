#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "limits_fixture.h"

/* A shed server refuses images before pages, and answers with the
 * configured pause; a finished request frees its place. */
static void
test_shed_by_priority(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t[6];
	struct sockaddr_in sa = limits_fixture_addr("192.0.2.1");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_fixture_init(&f);
	limits_fixture_fix_limit(&f, 4);
	f.conf.shed.retry = 7;
	f.conf.rate.burst = 100;
	limits_fixture_start(&f);
	for (i = 0; i < 6; i++)
		assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[i]), 0);
	/* Heavy may fill half of 4: two images, then refused. */
	assert_int_equal(
	    limits_fixture_admit(&f, &t[0], "/a.jpg", 10, 0, &retry),
	    LIMITS_ADMIT);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[1], "/b.jpg", 10, 0, &retry),
	    LIMITS_ADMIT);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[2], "/c.jpg", 10, 0, &retry),
	    LIMITS_SHED);
	assert_int_equal(retry, 7);
	assert_int_equal(t[2].prio, PRIO_HEAVY);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[2], "/", 10, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(limits_fixture_admit(&f, &t[3], "/p/", 10, 0, &retry),
	    LIMITS_ADMIT);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[4], "/q/", 10, 0, &retry), LIMITS_SHED);
	assert_int_equal(f.w.shed.inflight, 4);
	limits_done(&f.w, &t[0], true, 0.001);
	assert_int_equal(f.w.shed.inflight, 3);
	/* An image's time is its download: nothing learned from it. */
	assert_true(f.w.shed.srtt == 0);
	limits_done(&f.w, &t[3], true, 0.002);
	assert_true(f.w.shed.srtt > 0.0019 && f.w.shed.srtt < 0.0021);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[3], "/p/", 10, 0.002, &retry),
	    LIMITS_ADMIT);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[4], "/q/", 10, 0.001, &retry),
	    LIMITS_ADMIT);
	/* Closing a connection with a request in flight ends the request. */
	limits_conn_close(f.l, &f.w, &t[1], 0.002);
	assert_int_equal(f.w.shed.inflight, 3);
	limits_conn_close(f.l, &f.w, &t[1], 0.002);
	assert_int_equal(f.w.shed.inflight, 3);
	for (i = 0; i < 6; i++)
		limits_conn_close(f.l, &f.w, &t[i], 0.003);
	assert_int_equal(f.w.shed.inflight, 0);
	limits_fixture_finish(&f);
}

/* Pages shed in a row leave the address welcome; an image shed holds it
 * to its wait (closed on accept until then), and one shed again within as
 * long again to a wait twice as long. */
static void
test_shed_hold(void **state)
{
	struct limits_fixture f;
	struct limits_ticket full, t;
	struct sockaddr_in sa = limits_fixture_addr("192.0.2.1"),
			   other = limits_fixture_addr("192.0.2.2");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_fixture_init(&f);
	limits_fixture_fix_limit(&f, 1);
	f.conf.shed.retry = 5;
	f.conf.rate.burst = 100;
	limits_fixture_start(&f);
	/* One page from elsewhere fills the server. */
	assert_int_equal(limits_fixture_open(&f, &other, 0, &full), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &full, "/", 10, 0, &retry), LIMITS_ADMIT);
	for (i = 0; i < 3; i++) {
		assert_int_equal(limits_fixture_open(&f, &sa, 1 + i, &t), 0);
		assert_int_equal(
		    limits_fixture_admit(&f, &t, "/p/", 10, 1 + i, &retry),
		    LIMITS_SHED);
		limits_conn_close(f.l, &f.w, &t, 1 + i);
	}
	assert_int_equal(limits_fixture_open(&f, &sa, 4, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/a.jpg", 10, 4, &retry), LIMITS_SHED);
	limits_conn_close(f.l, &f.w, &t, 4);
	/* Told 5 s: held to it on accept. */
	assert_int_equal(retry, 5u);
	assert_int_equal(limits_fixture_open(&f, &sa, 8.9, &t), -1);
	assert_int_equal(limits_fixture_open(&f, &sa, 9, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/a.jpg", 10, 9, &retry), LIMITS_SHED);
	limits_conn_close(f.l, &f.w, &t, 9);
	/* Asking again as soon as it may: twice the wait, held from 9 s to
	 * 19 s. */
	assert_int_equal(retry, 10u);
	assert_int_equal(limits_fixture_open(&f, &sa, 18.9, &t), -1);
	assert_int_equal(limits_fixture_open(&f, &sa, 19, &t), 0);
	limits_conn_close(f.l, &f.w, &t, 19);
	limits_conn_close(f.l, &f.w, &full, 19);
	limits_fixture_finish(&f);
}

/* A greedy address goes to the lowest priority, then is refused with the
 * time until its budget is back; other addresses are unaffected. */
static void
test_budget(void **state)
{
	struct limits_fixture f;
	struct limits_ticket g, o;
	struct sockaddr_in greedy = limits_fixture_addr("192.0.2.66"),
			   other = limits_fixture_addr("192.0.2.7");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.rate = 1;
	f.conf.rate.burst = 2;
	limits_fixture_start(&f);
	assert_int_equal(limits_fixture_open(&f, &greedy, 0, &g), 0);
	assert_int_equal(limits_fixture_open(&f, &other, 0, &o), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    limits_fixture_admit(&f, &g, "/", 1, 0, &retry),
		    LIMITS_ADMIT);
		assert_int_equal(g.prio, PRIO_PAGE);
		limits_done(&f.w, &g, true, 0.001);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    limits_fixture_admit(&f, &g, "/", 1, 0, &retry),
		    LIMITS_ADMIT);
		assert_int_equal(g.prio, PRIO_OVER);
		limits_done(&f.w, &g, true, 0.001);
	}
	assert_int_equal(
	    limits_fixture_admit(&f, &g, "/", 1, 0, &retry), LIMITS_RATE);
	assert_int_equal(retry, 3);
	assert_int_equal(f.w.stats.denied, 1ul);
	assert_int_equal(
	    limits_fixture_admit(&f, &o, "/", 1, 0, &retry), LIMITS_ADMIT);
	assert_int_equal(o.prio, PRIO_PAGE);
	limits_conn_close(f.l, &f.w, &g, 1);
	limits_conn_close(f.l, &f.w, &o, 1);
	limits_fixture_finish(&f);
}

static void
test_conn_cap(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t[3];
	struct sockaddr_in sa = limits_fixture_addr("198.51.100.9");

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.max_conns_per_addr = 2;
	limits_fixture_start(&f);
	assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[0]), 0);
	assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[1]), 0);
	assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[2]), -1);
	/* A refused connection holds nothing: closing it gives nothing back. */
	limits_conn_close(f.l, &f.w, &t[2], 0);
	assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[2]), -1);
	limits_conn_close(f.l, &f.w, &t[0], 0);
	assert_int_equal(limits_fixture_open(&f, &sa, 0, &t[2]), 0);
	limits_conn_close(f.l, &f.w, &t[1], 0);
	limits_conn_close(f.l, &f.w, &t[2], 0);
	limits_fixture_finish(&f);
}

/* Behind a PROXY-protocol balancer every connection comes from the
 * balancer: only the total counts until the header names the client. */
static void
test_proxied(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t[4], refused;
	struct sockaddr_in client = limits_fixture_addr("203.0.113.5");
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.max_conns_per_addr = 2;
	f.conf.rate.max_conns = 4;
	limits_fixture_start(&f);
	for (i = 0; i < 4; i++)
		assert_int_equal(
		    limits_conn_open(f.l, &f.w, NULL, 0, 0, &t[i]), 0);
	assert_int_equal(limits_conn_open(f.l, &f.w, NULL, 0, 0, &refused), -1);
	assert_int_equal(limits_conn_address(f.l, &f.w, &t[0],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    0);
	assert_int_equal(limits_conn_address(f.l, &f.w, &t[1],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    0);
	assert_int_equal(limits_conn_address(f.l, &f.w, &t[2],
			     (struct sockaddr *)&client, sizeof(client), 0),
	    -1);
	for (i = 0; i < 4; i++)
		limits_conn_close(f.l, &f.w, &t[i], 0);
	assert_int_equal(limits_fixture_open(&f, &client, 0, &t[0]), 0);
	assert_int_equal(limits_fixture_open(&f, &client, 0, &t[1]), 0);
	assert_int_equal(limits_fixture_open(&f, &client, 0, &t[2]), -1);
	limits_conn_close(f.l, &f.w, &t[0], 0);
	limits_conn_close(f.l, &f.w, &t[1], 0);
	limits_fixture_finish(&f);
}

/* Workers share the total connection cap (one count for all of them)
 * but each keeps its own address table: an address's connections are
 * counted by the worker the listeners steer it to. */
static void
test_workers(void **state)
{
	struct limits_fixture f;
	struct limits_worker b;
	struct limits_ticket t[4];
	struct sockaddr_in one = limits_fixture_addr("192.0.2.1"),
			   two = limits_fixture_addr("192.0.2.2");
	const struct sockaddr *to_b = (const struct sockaddr *)&two;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.max_conns_per_addr = 2;
	f.conf.rate.max_conns = 3;
	limits_fixture_start(&f);
	limits_worker_init(f.l, &b, 0);
	assert_int_equal(limits_fixture_open(&f, &one, 0, &t[0]), 0);
	assert_int_equal(limits_fixture_open(&f, &one, 0, &t[1]), 0);
	assert_int_equal(limits_fixture_open(&f, &one, 0, &t[3]), -1);
	assert_int_equal(ratelimit_conns_of(f.w.rl, &t[0].key), 2u);
	assert_int_equal(
	    limits_conn_open(f.l, &b, to_b, sizeof(two), 0, &t[2]), 0);
	/* Three open in all: the fourth is refused on either worker. */
	assert_int_equal(
	    limits_conn_open(f.l, &b, to_b, sizeof(two), 0, &t[3]), -1);
	assert_int_equal(ratelimit_conns_of(b.rl, &t[2].key), 1u);
	limits_conn_close(f.l, &f.w, &t[0], 0);
	assert_int_equal(
	    limits_conn_open(f.l, &b, to_b, sizeof(two), 0, &t[3]), 0);
	assert_int_equal(ratelimit_conns_of(b.rl, &t[2].key), 2u);
	limits_conn_close(f.l, &f.w, &t[1], 0);
	limits_conn_close(f.l, &b, &t[2], 0);
	limits_conn_close(f.l, &b, &t[3], 0);
	assert_int_equal(ratelimit_conns(f.w.rl) + ratelimit_conns(b.rl), 0u);
	limits_worker_free(&b);
	limits_fixture_finish(&f);
}

/* A client over its budget is suspect: its handshake comes last, and
 * while the loop runs late it is refused on accept, before any TLS work;
 * other clients are not (a new one's handshake comes last too, while the
 * loop runs late). */
static void
test_suspect(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t, o;
	struct sockaddr_in greedy = limits_fixture_addr("192.0.2.1"),
			   other = limits_fixture_addr("192.0.2.2");
	unsigned retry;
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.rate = 1;
	f.conf.rate.burst = 2;
	limits_fixture_start(&f);
	for (i = 0; i < 2; i++) {
		assert_int_equal(limits_fixture_open(&f, &greedy, 0, &t), 0);
		/* Not overloaded: a new client's handshake comes in turn. */
		assert_false(t.suspect);
		(void)limits_fixture_admit(&f, &t, "/", 10, 0, &retry);
		limits_done(&f.w, &t, true, 0.001);
		limits_conn_close(f.l, &f.w, &t, 0.001);
	}
	assert_int_equal(limits_fixture_open(&f, &greedy, 0.01, &t), 0);
	assert_true(t.suspect);
	limits_conn_close(f.l, &f.w, &t, 0.01);
	for (i = 0; i < 5; i++)
		shed_delay(&f.w.shed, 1, 0.01);
	/* Overloaded: one connection to tell it (test_told), no other. */
	assert_int_equal(limits_fixture_open(&f, &greedy, 0.01, &t), 0);
	assert_true(t.telling && t.suspect);
	assert_int_equal(limits_fixture_open(&f, &greedy, 0.01, &o), -1);
	limits_conn_close(f.l, &f.w, &t, 0.01);
	/* Overloaded: a new client is not refused, but its handshake comes
	 * last. */
	assert_int_equal(limits_fixture_open(&f, &other, 0.01, &o), 0);
	assert_true(o.suspect);
	limits_conn_close(f.l, &f.w, &o, 0.01);
	limits_fixture_finish(&f);
}

/* A client's connections beyond its first open one wait their turn,
 * overloaded or not, whatever its budget; once the others are closed, the
 * next one is in the readers' turn again. */
static void
test_parallel(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t[3], o;
	struct sockaddr_in crawler = limits_fixture_addr("192.0.2.3"),
			   reader = limits_fixture_addr("192.0.2.4");
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.burst = 100;
	limits_fixture_start(&f);
	for (i = 0; i < 3; i++)
		assert_int_equal(
		    limits_fixture_open(&f, &crawler, 0, &t[i]), 0);
	assert_false(t[0].suspect);
	assert_true(t[1].suspect && t[2].suspect);
	assert_int_equal(limits_fixture_open(&f, &reader, 0, &o), 0);
	assert_false(o.suspect);
	limits_conn_close(f.l, &f.w, &o, 0);
	for (i = 0; i < 3; i++)
		limits_conn_close(f.l, &f.w, &t[i], 0);
	assert_int_equal(limits_fixture_open(&f, &crawler, 0, &t[0]), 0);
	assert_false(t[0].suspect);
	limits_conn_close(f.l, &f.w, &t[0], 0);
	limits_fixture_finish(&f);
}

/* An address at its connection cap that keeps connecting while the loop
 * runs late is held off before the accept for the configured pause; not
 * while the server keeps up. */
static void
test_cap_held(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t, extra;
	struct sockaddr_in crawler = limits_fixture_addr("192.0.2.9");
	const struct limits_held *held;
	size_t n;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.max_conns_per_addr = 1;
	f.conf.shed.retry = 4;
	limits_fixture_start(&f);
	assert_int_equal(limits_fixture_open(&f, &crawler, 0, &t), 0);
	assert_int_equal(limits_fixture_open(&f, &crawler, 0, &extra), -1);
	assert_false(limits_held_update(&f.w, 0, &held, &n));
	assert_int_equal(n, 0);
	shed_delay(&f.w.shed, 1, 1);
	assert_true(shed_late(&f.w.shed));
	assert_int_equal(limits_fixture_open(&f, &crawler, 1, &extra), -1);
	assert_true(limits_held_update(&f.w, 1, &held, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(held[0].key.b, t.key.b, sizeof(t.key.b));
	assert_float_equal(held[0].until, 5, 1e-9);
	assert_int_equal(f.w.stats.closed[PRIO_COUNT], 2ul);
	limits_conn_close(f.l, &f.w, &t, 1);
	limits_fixture_finish(&f);
}

/* A connection accepted before anything was known of its address waits
 * for its turn to start the handshake; by then another connection of that
 * address may have been refused an image while the server is overloaded:
 * this one is refused at its turn, before any TLS work, counted as heavy
 * and held off. A reader's queued connection goes on. */
static void
test_turn(void **state)
{
	struct limits_fixture f;
	struct limits_ticket first, second, page;
	struct sockaddr_in images = limits_fixture_addr("192.0.2.5"),
			   reader = limits_fixture_addr("192.0.2.6");
	const struct limits_held *held;
	size_t n;
	unsigned retry = 0;

	(void)state;
	limits_fixture_init(&f);
	limits_fixture_start(&f);
	shed_delay(&f.w.shed, 1, 1);
	assert_true(shed_late(&f.w.shed));
	assert_int_equal(limits_fixture_open(&f, &images, 1, &first), 0);
	assert_int_equal(limits_fixture_open(&f, &images, 1, &second), 0);
	assert_int_equal(limits_fixture_open(&f, &reader, 1, &page), 0);
	assert_true(first.suspect && second.suspect && page.suspect);
	/* Nothing known yet: the first one's turn comes. */
	assert_int_equal(limits_conn_turn(f.l, &f.w, &first, 1.01), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &first, "/a.jpg", 10, 1.01, &retry),
	    LIMITS_SHED);
	limits_conn_close(f.l, &f.w, &first, 1.02);
	assert_int_equal(limits_conn_turn(f.l, &f.w, &second, 1.03), -1);
	limits_conn_close(f.l, &f.w, &second, 1.03);
	assert_int_equal(limits_conn_turn(f.l, &f.w, &page, 1.03), 0);
	assert_int_equal(limits_fixture_admit(&f, &page, "/", 10, 1.03, &retry),
	    LIMITS_ADMIT);
	limits_done(&f.w, &page, true, 1.04);
	limits_conn_close(f.l, &f.w, &page, 1.04);
	assert_int_equal(f.w.stats.closed[PRIO_HEAVY], 1ul);
	assert_int_equal(f.w.stats.lost[PRIO_HEAVY], 0ul);
	assert_true(limits_held_update(&f.w, 1.05, &held, &n));
	assert_int_equal(n, 1);
	limits_fixture_finish(&f);
}

/* Which queued handshakes are paced (shed.h): those of an address with
 * more than four connections open, of clients likely refused, and of
 * clients not known while overloaded; not a known reader's second. */
static void
test_paced(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t[5], fresh;
	struct sockaddr_in reader = limits_fixture_addr("192.0.2.7"),
			   stranger = limits_fixture_addr("192.0.2.8");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_fixture_init(&f);
	limits_fixture_start(&f);
	assert_int_equal(limits_fixture_open(&f, &reader, 1, &t[0]), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t[0], "/", 10, 1, &retry), LIMITS_ADMIT);
	limits_done(&f.w, &t[0], true, 1);
	for (i = 1; i < 4; i++)
		assert_int_equal(limits_fixture_open(&f, &reader, 1, &t[i]), 0);
	assert_true(t[1].suspect);
	assert_false(limits_conn_paced(f.l, &f.w, &t[1], 1));
	assert_false(limits_conn_paced(f.l, &f.w, &t[3], 1));
	/* A fifth open: the address's queued handshakes are paced. */
	assert_int_equal(limits_fixture_open(&f, &reader, 1, &t[4]), 0);
	assert_true(limits_conn_paced(f.l, &f.w, &t[1], 1));
	assert_true(limits_conn_paced(f.l, &f.w, &t[4], 1));
	limits_conn_close(f.l, &f.w, &t[4], 1);
	assert_false(limits_conn_paced(f.l, &f.w, &t[3], 1));
	/* Overloaded: a client not seen before is paced, the reader not. */
	shed_delay(&f.w.shed, 1, 2);
	assert_int_equal(limits_fixture_open(&f, &stranger, 2, &fresh), 0);
	assert_true(limits_conn_paced(f.l, &f.w, &fresh, 2));
	assert_false(limits_conn_paced(f.l, &f.w, &t[1], 2));
	limits_conn_close(f.l, &f.w, &fresh, 2);
	for (i = 0; i < 4; i++)
		limits_conn_close(f.l, &f.w, &t[i], 2);
	limits_fixture_finish(&f);
}

/* Heavy replies draw on the pacing's credit: with 10 turns a second and
 * 64 KiB a turn, a 1 MB image leaves none for 1.6 s: the next image is
 * refused (44) meanwhile, though the server is not overloaded, and a page
 * is not. */
static void
test_heavy_paced(void **state)
{
	struct limits_fixture f;
	struct limits_ticket b;
	struct sockaddr_in one = limits_fixture_addr("192.0.2.9"),
			   two = limits_fixture_addr("192.0.2.10"),
			   three = limits_fixture_addr("192.0.2.11");
	unsigned retry = 0;

	(void)state;
	limits_fixture_init(&f);
	f.conf.shed.turn_min = f.conf.shed.turn_max = 10;
	f.conf.shed.turn_bytes = 65536;
	limits_fixture_start(&f);
	limits_fixture_served(&f, &one, "/a.jpg", 1 << 20, 1, 1.1);
	assert_int_equal(limits_fixture_open(&f, &two, 1.2, &b), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &b, "/b.jpg", 1 << 20, 1.2, &retry),
	    LIMITS_SHED);
	assert_int_equal(retry, f.conf.shed.retry);
	limits_conn_close(f.l, &f.w, &b, 1.2);
	assert_false(shed_late(&f.w.shed));
	limits_fixture_served(&f, &three, "/", 10, 1.3, 1.3);
	limits_fixture_finish(&f);
}

/* Pages from 50 readers taking 0.9 of a loop's quarter of a CPU for half
 * a second: no headroom for heavy work, though the loop is not late. */
static void
cpu_busy(struct limits_fixture *f, double *t)
{
	struct sockaddr_in reader;
	char ip[32];
	double used = 0;
	int i;

	shed_cpu(&f->w.shed, used, used, *t);
	for (i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", 1 + i % 50);
		reader = limits_fixture_addr(ip);
		limits_fixture_served(f, &reader, "/", 10, *t, *t + 0.001);
		*t += 0.005;
		used += 0.005 * 0.25 * 0.9;
		shed_cpu(&f->w.shed, used, used, *t);
	}
}

/* Short of CPU headroom, a client whose last request was heavy is closed
 * on accept, before any TLS work, and a new client waits its turn, paced;
 * the credit of a turn that brought a reader's page is given back, that
 * of one that brought an image refused (for the CPU), or a crawler's
 * page, is not. */
static void
test_cpu_headroom(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t, fresh, crawler, conns[5];
	struct sockaddr_in many = limits_fixture_addr("192.0.2.16"),
			   images = limits_fixture_addr("192.0.2.12"),
			   newcomer = limits_fixture_addr("192.0.2.14"),
			   stranger = limits_fixture_addr("192.0.2.15");
	unsigned retry = 0;
	double now = 1, credit;
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.shed.cpus = 0.25;
	limits_fixture_start(&f);
	limits_fixture_served(&f, &images, "/a.jpg", 10, now, now);
	cpu_busy(&f, &now);
	assert_true(shed_shedding(&f.w.shed));
	assert_false(shed_late(&f.w.shed));
	assert_int_equal(limits_fixture_open(&f, &images, now, &t), -1);
	assert_int_equal(f.w.stats.closed[PRIO_HEAVY], 1ul);
	/* A new client: its handshake waits its turn, paced. */
	assert_int_equal(limits_fixture_open(&f, &newcomer, now, &fresh), 0);
	assert_true(fresh.suspect);
	assert_true(limits_conn_paced(f.l, &f.w, &fresh, now));
	assert_true(shed_turn_ready(&f.w.shed, now));
	credit = f.w.shed.turn_credit;
	limits_conn_paced_turn(&f.w, &fresh);
	assert_int_equal(limits_fixture_admit(&f, &fresh, "/", 10, now, &retry),
	    LIMITS_ADMIT);
	assert_true(f.w.shed.turn_credit == credit);
	limits_done(&f.w, &fresh, true, now);
	limits_conn_close(f.l, &f.w, &fresh, now);
	/* Another, for an image: refused for the CPU, the credit spent. */
	assert_int_equal(limits_fixture_open(&f, &stranger, now, &crawler), 0);
	limits_conn_paced_turn(&f.w, &crawler);
	assert_int_equal(
	    limits_fixture_admit(&f, &crawler, "/b.jpg", 10, now, &retry),
	    LIMITS_SHED);
	assert_true(f.w.shed.turn_credit == credit - 1);
	assert_int_equal(f.w.shed.refused_why[SHED_WHY_CPU], 1ul);
	limits_conn_close(f.l, &f.w, &crawler, now);
	/* A client with five connections open is a crawler, not a reader:
	 * its page does not give the credit back. */
	for (i = 0; i < 5; i++)
		assert_int_equal(
		    limits_fixture_open(&f, &many, now, &conns[i]), 0);
	credit = f.w.shed.turn_credit;
	limits_conn_paced_turn(&f.w, &conns[4]);
	assert_int_equal(
	    limits_fixture_admit(&f, &conns[4], "/", 10, now, &retry),
	    LIMITS_ADMIT);
	assert_true(f.w.shed.turn_credit == credit - 1);
	limits_done(&f.w, &conns[4], true, now);
	for (i = 0; i < 5; i++)
		limits_conn_close(f.l, &f.w, &conns[i], now);
	limits_fixture_finish(&f);
}

/* Who may take the slot of a connection waiting for its handshake when
 * all are taken: a reader known for pages, not a new client nor one whose
 * last request was heavy. */
static void
test_preferred(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t, o;
	struct sockaddr_in reader = limits_fixture_addr("192.0.2.7"),
			   images = limits_fixture_addr("192.0.2.8");
	unsigned retry = 0;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.max_conns = 2;
	limits_fixture_start(&f);
	assert_false(limits_conn_preferred(
	    f.l, &f.w, (struct sockaddr *)&reader, sizeof(reader), 0));
	limits_fixture_served(&f, &reader, "/", 10, 0, 0.01);
	assert_int_equal(limits_fixture_open(&f, &images, 0.02, &t), 0);
	(void)limits_fixture_admit(&f, &t, "/a.jpg", 10, 0.02, &retry);
	limits_conn_close(f.l, &f.w, &t, 0.03);
	assert_true(limits_conn_preferred(
	    f.l, &f.w, (struct sockaddr *)&reader, sizeof(reader), 0.04));
	assert_false(limits_conn_preferred(
	    f.l, &f.w, (struct sockaddr *)&images, sizeof(images), 0.04));
	/* The cap, and what an eviction counts. */
	assert_false(limits_conn_full(f.l));
	assert_int_equal(limits_fixture_open(&f, &images, 0.05, &o), 0);
	assert_int_equal(limits_fixture_open(&f, &images, 0.05, &t), 0);
	assert_true(limits_conn_full(f.l));
	limits_conn_evict(&f.w, &t);
	limits_conn_close(f.l, &f.w, &t, 0.06);
	assert_false(limits_conn_full(f.l));
	/* Counted as evicted, not as lost before a request. */
	assert_int_equal(f.w.stats.evicted, 1ul);
	assert_int_equal(f.w.stats.lost[PRIO_HEAVY], 0ul);
	limits_conn_close(f.l, &f.w, &o, 0.06);
	limits_fixture_finish(&f);
}

/* While overloaded, a client whose last request was heavy is refused on
 * accept, before any TLS work, and counted as heavy; one that keeps asking
 * is told longer waits; a reader of pages is not affected. When the
 * overload is over, the client is let in again. */
static void
test_heavy_held(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t, o;
	struct sockaddr_in images = limits_fixture_addr("192.0.2.3"),
			   reader = limits_fixture_addr("192.0.2.4");
	unsigned retry = 0;
	char line[1024];
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.shed.retry = 5;
	f.conf.shed.max_retry = 60;
	f.conf.shed.hold = 1;
	limits_fixture_start(&f);
	/* Not loaded: the image is served. */
	limits_fixture_served(&f, &images, "/a.jpg", 10, 1, 1.01);
	/* Overloaded at 2 s: closed on accept, as heavy. */
	shed_delay(&f.w.shed, 1, 2);
	assert_true(shed_late(&f.w.shed));
	assert_int_equal(limits_fixture_open(&f, &images, 2, &t), -1);
	limits_fixture_served(&f, &reader, "/", 10, 2, 2.01);
	/* The reader's next connection ends before its request: lost, as a
	 * page. */
	assert_int_equal(limits_fixture_open(&f, &reader, 2.02, &o), 0);
	limits_conn_close(f.l, &f.w, &o, 2.5);
	assert_int_equal(f.w.stats.lost[PRIO_PAGE], 1ul);
	/* Over at 4 s, past the hold; still busy enough to shed images:
	 * told 5 s and held to it; back at once when it is over, 10 s. */
	for (i = 0; i < 100; i++)
		shed_delay(&f.w.shed, 0, 2 + i * 0.005);
	assert_true(shed_late(&f.w.shed));
	shed_delay(&f.w.shed, 0, 4);
	assert_false(shed_late(&f.w.shed));
	f.w.shed.limit = 1;
	f.w.shed.inflight = 1;
	assert_int_equal(limits_fixture_open(&f, &images, 4, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/a.jpg", 10, 4, &retry), LIMITS_SHED);
	assert_int_equal(retry, 5u);
	limits_conn_close(f.l, &f.w, &t, 4);
	assert_int_equal(limits_fixture_open(&f, &images, 8.9, &t), -1);
	assert_int_equal(limits_fixture_open(&f, &images, 9, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/a.jpg", 10, 9, &retry), LIMITS_SHED);
	assert_int_equal(retry, 10u);
	limits_conn_close(f.l, &f.w, &t, 9);
	assert_int_equal(f.w.stats.requests[PRIO_HEAVY], 3ul);
	assert_int_equal(f.w.stats.admitted[PRIO_HEAVY], 1ul);
	assert_int_equal(f.w.stats.closed[PRIO_HEAVY], 2ul);
	assert_int_equal(f.w.stats.requests[PRIO_PAGE], 1ul);
	assert_int_equal(f.w.stats.closed[PRIO_PAGE], 0ul);
	assert_int_equal(f.w.stats.lost[PRIO_HEAVY], 0ul);
	limits_stats_format(&f.w, 9, line, sizeof(line));
	assert_non_null(strstr(line,
	    "heavy 3 requests, 1 admitted, 2 closed on accept, 0 lost before "
	    "a request;"));
	assert_non_null(strstr(line, "overloaded 1 times, 2.0 s"));
	/* The two images refused: with the limit full by then. */
	assert_non_null(strstr(line,
	    "; refused: 0 overloaded, 2 over their share of the limit, 0 "
	    "for want of the pacing's credit, 0 for the CPU more important "
	    "requests took, 0 over their budget"));
	/* Cut to the buffer. */
	assert_int_equal(limits_stats_format(&f.w, 9, line, 20), 19);
	assert_int_equal(strlen(line), 19);
	f.w.shed.inflight = 0;
	limits_fixture_finish(&f);
}

/* Addresses refused on accept while overloaded are held off before the
 * accept for retry_after seconds, those told 44 for their wait; the set is
 * reported when it changed. */
static void
test_held(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t;
	struct sockaddr_in a = limits_fixture_addr("192.0.2.5"),
			   b = limits_fixture_addr("192.0.2.6");
	const struct limits_held *held;
	size_t n;
	unsigned retry;

	(void)state;
	limits_fixture_init(&f);
	f.conf.shed.retry = 5;
	f.conf.shed.hold = 1;
	f.conf.rate.rate = 1;
	f.conf.rate.burst = 1;
	limits_fixture_start(&f);
	assert_false(limits_held_update(&f.w, 0, &held, &n));
	assert_int_equal(n, 0);
	/* a spends its budget; b reads pages within it. */
	assert_int_equal(limits_fixture_open(&f, &a, 0, &t), 0);
	(void)limits_fixture_admit(&f, &t, "/", 10, 0, &retry);
	limits_conn_close(f.l, &f.w, &t, 0);
	shed_delay(&f.w.shed, 1, 0.1);
	/* Told once that it is over its budget (test_told), then refused. */
	assert_int_equal(limits_fixture_open(&f, &a, 0.1, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/", 10, 0.1, &retry), LIMITS_SHED);
	limits_conn_close(f.l, &f.w, &t, 0.1);
	assert_int_equal(limits_fixture_open(&f, &a, 0.2, &t), -1);
	assert_int_equal(limits_fixture_open(&f, &b, 0.2, &t), 0);
	limits_conn_close(f.l, &f.w, &t, 0.2);
	assert_true(limits_held_update(&f.w, 0.2, &held, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(&held[0].key, &t.key, 10); /* the mapped prefix */
	assert_false(limits_held_update(&f.w, 0.3, &held, &n));
	assert_int_equal(n, 1);
	/* Its time (5 s from its last refusal at 0.2) is up: let go. */
	shed_delay(&f.w.shed, 1, 5.1);
	assert_false(limits_held_update(&f.w, 5.1, &held, &n));
	assert_true(limits_held_update(&f.w, 5.3, &held, &n));
	assert_int_equal(n, 0);
	/* Told 44 for an image (overloaded): held for the wait it was told,
	 * even once the overload is over. */
	assert_int_equal(limits_fixture_open(&f, &b, 5.2, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/a.jpg", 10, 5.2, &retry),
	    LIMITS_SHED);
	assert_int_equal(retry, 5u);
	limits_conn_close(f.l, &f.w, &t, 5.2);
	assert_true(limits_held_update(&f.w, 5.2, &held, &n));
	assert_int_equal(n, 1);
	while (shed_late(&f.w.shed))
		shed_delay(
		    &f.w.shed, 0, 5.2 + (f.w.shed.delay > 0.001 ? 0.005 : 2));
	assert_false(limits_held_update(&f.w, 10.1, &held, &n));
	assert_int_equal(n, 1);
	assert_true(limits_held_update(&f.w, 10.2, &held, &n));
	assert_int_equal(n, 0);
	limits_fixture_finish(&f);
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
	struct limits_fixture f;
	struct limits_ticket early, t, other;
	struct sockaddr_in greedy = limits_fixture_addr("192.0.2.20");
	unsigned retry = 0;
	int i;

	(void)state;
	limits_fixture_init(&f);
	f.conf.rate.rate = 1;
	f.conf.rate.burst = 2;
	f.conf.rate.max_conns_per_addr = 8;
	f.conf.shed.retry = 5;
	limits_fixture_start(&f);
	shed_delay(&f.w.shed, 1, 1);
	assert_true(shed_late(&f.w.shed));
	/* Within its budget: served, overloaded or not; one connection
	 * opened meanwhile waits its turn. */
	assert_int_equal(limits_fixture_open(&f, &greedy, 1, &t), 0);
	assert_int_equal(limits_fixture_open(&f, &greedy, 1, &early), 0);
	assert_true(early.suspect && !early.telling);
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    limits_fixture_admit(&f, &t, "/", 10, 1, &retry),
		    LIMITS_ADMIT);
		limits_done(&f.w, &t, true, 1);
		limits_conn_close(f.l, &f.w, &t, 1);
		if (i == 0)
			assert_int_equal(
			    limits_fixture_open(&f, &greedy, 1, &t), 0);
	}
	/* Over: the next connection is the one to tell it. */
	assert_int_equal(limits_fixture_open(&f, &greedy, 1.1, &t), 0);
	assert_true(t.telling && t.suspect);
	assert_int_equal(limits_fixture_open(&f, &greedy, 1.1, &other), -1);
	assert_int_equal(limits_conn_turn(f.l, &f.w, &early, 1.1), -1);
	limits_conn_close(f.l, &f.w, &early, 1.1);
	assert_int_equal(limits_conn_turn(f.l, &f.w, &t, 1.2), 0);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/", 10, 1.2, &retry), LIMITS_SHED);
	/* Tokens at -1 after it: 2 s until one is back. */
	assert_int_equal(retry, 2u);
	limits_conn_close(f.l, &f.w, &t, 1.2);
	assert_int_equal(f.w.stats.requests[PRIO_OVER], 1ul);
	assert_int_equal(limits_fixture_open(&f, &greedy, 1.3, &t), -1);
	/* Its wait over and its budget back: a reader again, overloaded or
	 * not. */
	assert_int_equal(limits_fixture_open(&f, &greedy, 3.3, &t), 0);
	assert_false(t.telling);
	assert_int_equal(
	    limits_fixture_admit(&f, &t, "/", 10, 3.3, &retry), LIMITS_ADMIT);
	limits_done(&f.w, &t, true, 3.3);
	limits_conn_close(f.l, &f.w, &t, 3.3);
	limits_fixture_finish(&f);
}

/* A queued connection whose client has gone is counted as such when
 * closed at its turn, not as lost before a request. */
static void
test_gone(void **state)
{
	struct limits_fixture f;
	struct limits_ticket t;
	struct sockaddr_in a = limits_fixture_addr("192.0.2.21");
	char line[1024];

	(void)state;
	limits_fixture_init(&f);
	limits_fixture_start(&f);
	shed_delay(&f.w.shed, 1, 1);
	assert_int_equal(limits_fixture_open(&f, &a, 1, &t), 0);
	assert_true(t.suspect);
	limits_conn_gone(&f.w, &t);
	limits_conn_close(f.l, &f.w, &t, 1.1);
	assert_int_equal(f.w.stats.gone, 1ul);
	assert_int_equal(f.w.stats.lost[PRIO_COUNT], 0ul);
	limits_stats_format(&f.w, 1.1, line, sizeof(line));
	assert_non_null(strstr(line,
	    "; 1 queued closed at their turn, the client gone; 0 closed "
	    "with their ClientHello incomplete; overloaded 1 times"));
	limits_fixture_finish(&f);
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
	    cmocka_unit_test(test_cpu_headroom),
	    cmocka_unit_test(test_held),
	    cmocka_unit_test(test_told),
	    cmocka_unit_test(test_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
