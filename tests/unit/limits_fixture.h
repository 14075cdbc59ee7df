/*
 * limits_fixture: the load shedding's state as its unit tests start it:
 * the admission of one worker (admission.h) with clients on IPv4
 * addresses, for test_admission, and the shed of one event loop (shed.h),
 * for test_shed.
 *
 * Uses cmocka: a client that cannot connect or be served where the
 * fixture expects it, or a worker left with connections open, fails the
 * test.
 */
#ifndef CANYON_TEST_LIMITS_FIXTURE_H
#define CANYON_TEST_LIMITS_FIXTURE_H

#include <netinet/in.h>

#include "admission.h"

/* One worker's admission. Set conf (limits_fixture_init() gives the
 * defaults), then limits_fixture_start(); the test owns l and w until
 * limits_fixture_finish(). */
struct limits_fixture {
	struct limits_conf conf; /* freed by limits_fixture_start(): only its
				  * numbers may be read after it */
	struct limits *l;
	struct limits_worker w;
};

/* f with the default settings (limits_conf_default()), nothing started. */
void limits_fixture_init(struct limits_fixture *f);
/* A concurrency limit that stays at limit (requests in flight). */
void limits_fixture_fix_limit(struct limits_fixture *f, double limit);
/* The limits of f->conf and worker f->w's share of them, at time 0. */
void limits_fixture_start(struct limits_fixture *f);
/* The end of a test: no connection of f->w is left open; f->w and f->l
 * freed. */
void limits_fixture_finish(struct limits_fixture *f);

/* The IPv4 address ip (dotted quad), port 0. */
struct sockaddr_in limits_fixture_addr(const char *ip);
/* limits_conn_open() for a client at sa, at time now. */
int limits_fixture_open(struct limits_fixture *f, const struct sockaddr_in *sa,
    double now, struct limits_ticket *t);
/* limits_admit() of a request for path, of a file of size bytes, at time
 * now. */
enum limits_verdict limits_fixture_admit(struct limits_fixture *f,
    struct limits_ticket *t, const char *path, size_t size, double now,
    unsigned *retry);
/* One request from sa served whole: its connection accepted and the
 * request for path admitted at time now, done and closed at time end. */
void limits_fixture_served(struct limits_fixture *f,
    const struct sockaddr_in *sa, const char *path, size_t size, double now,
    double end);

/* The settings test_shed starts from: the defaults with a concurrency
 * limit from 4 to 100, 20 at first. */
struct shed_conf limits_fixture_shed_conf(void);
/* A shed whose overload is measured by the loop's delay (max_delay set to
 * 20 ms, held 1 s), one probe on time at time t. */
void limits_fixture_shed_timed(struct shed *s, struct shed_conf *c, double t);
/* Three probes 5 ms apart from *t on, each finding the loop 0.2 s late:
 * overloaded from then on. *t is the time of the last. */
void limits_fixture_shed_late(struct shed *s, double *t);

#endif
