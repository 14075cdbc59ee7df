#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "limits_fixture.h"

void
limits_fixture_init(struct limits_fixture *f)
{
	memset(f, 0, sizeof(*f));
	limits_conf_default(&f->conf);
}

void
limits_fixture_fix_limit(struct limits_fixture *f, double limit)
{
	f->conf.shed.min_limit = limit;
	f->conf.shed.initial_limit = limit;
	f->conf.shed.max_limit = limit;
}

void
limits_fixture_start(struct limits_fixture *f)
{
	f->l = limits_new(&f->conf);
	limits_conf_free(&f->conf);
	limits_worker_init(f->l, &f->w, 0);
}

void
limits_fixture_finish(struct limits_fixture *f)
{
	assert_int_equal(ratelimit_conns(f->w.rl), 0u);
	limits_worker_free(&f->w);
	limits_free(f->l);
}

struct sockaddr_in
limits_fixture_addr(const char *ip)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

int
limits_fixture_open(struct limits_fixture *f, const struct sockaddr_in *sa,
    double now, struct limits_ticket *t)
{
	return limits_conn_open(
	    f->l, &f->w, (const struct sockaddr *)sa, sizeof(*sa), now, t);
}

enum limits_verdict
limits_fixture_admit(struct limits_fixture *f, struct limits_ticket *t,
    const char *path, size_t size, double now, unsigned *retry)
{
	return limits_admit(
	    f->l, &f->w, t, path, strlen(path), true, size, now, retry);
}

void
limits_fixture_served(struct limits_fixture *f, const struct sockaddr_in *sa,
    const char *path, size_t size, double now, double end)
{
	struct limits_ticket t;
	unsigned retry = 0;

	assert_int_equal(limits_fixture_open(f, sa, now, &t), 0);
	assert_int_equal(
	    limits_fixture_admit(f, &t, path, size, now, &retry), LIMITS_ADMIT);
	limits_done(&f->w, &t, true, end);
	limits_conn_close(f->l, &f->w, &t, end);
}

struct shed_conf
limits_fixture_shed_conf(void)
{
	struct shed_conf c;

	shed_conf_default(&c);
	c.min_limit = 4;
	c.max_limit = 100;
	c.initial_limit = 20;
	return c;
}

void
limits_fixture_shed_timed(struct shed *s, struct shed_conf *c, double t)
{
	c->max_delay = 0.02;
	c->hold = 1;
	shed_init(s, c, 0);
	shed_delay(s, 0.001, t);
}

void
limits_fixture_shed_late(struct shed *s, double *t)
{
	int i;

	for (i = 0; i < 3; i++)
		shed_delay(s, 0.2, *t += 0.005);
	assert_true(shed_late(s));
}
