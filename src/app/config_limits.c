#include "config_limits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *const limits_keys[] = {"rate", "burst", "max_connections",
    "max_connections_per_address", "address_table", "min_concurrency",
    "max_concurrency", "initial_concurrency", "queue", "tolerance",
    "latency_window", "retry_after", "max_retry_after", "max_delay",
    "overload_hold", "turn_delay", "min_turn_rate", "max_turn_rate",
    "turn_bytes", "cpus", "cpu_shed", "shed", "heavy_size", "page_paths",
    "light_paths", "heavy_paths", NULL};
static const char *const shed_keys[] = {"page", "light", "heavy", "over", NULL};
/* Pages are never refused for the CPU they need: no key for them. */
static const char *const cpu_shed_keys[] = {"light", "heavy", "over", NULL};

static const char *
file_of(const struct config *cfg)
{
	return cfg->file ? cfg->file : "(defaults)";
}

/* A number in [lo, hi] from map[key]; *out is left alone when absent. */
static int
get_number(const struct config *cfg, const struct ynode *map, const char *key,
    double lo, double hi, double *out, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(map, key);
	char *end;
	double v;

	if (n == NULL)
		return 0;
	if (n->kind != YNODE_SCALAR || !n->plain) {
		snprintf(err, errlen, "%s:%d: '%s' must be a number",
		    file_of(cfg), n->line, key);
		return -1;
	}
	errno = 0;
	v = strtod(n->value, &end);
	if (errno != 0 || end == n->value || *end != '\0' || !isfinite(v)) {
		snprintf(err, errlen, "%s:%d: '%s' must be a number, not '%s'",
		    file_of(cfg), n->line, key, n->value);
		return -1;
	}
	if (v < lo || v > hi) {
		snprintf(err, errlen, "%s:%d: '%s' must be between %g and %g",
		    file_of(cfg), n->line, key, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
get_unsigned(const struct config *cfg, const struct ynode *map, const char *key,
    double lo, double hi, unsigned *out, char *err, size_t errlen)
{
	double v = *out;

	if (get_number(cfg, map, key, lo, hi, &v, err, errlen) < 0)
		return -1;
	if (v != floor(v)) {
		snprintf(err, errlen, "%s:%d: '%s' must be a whole number",
		    file_of(cfg), ynode_get(map, key)->line, key);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* A list of path patterns, each starting with '/' or '*'. */
static int
get_patterns(const struct config *cfg, const struct ynode *map, const char *key,
    char ***list, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(map, key), *c;
	const char **pats;
	size_t i = 0;

	if (n == NULL)
		return 0;
	if (n->kind != YNODE_LIST) {
		snprintf(err, errlen,
		    "%s:%d: '%s' must be a list of path patterns", file_of(cfg),
		    n->line, key);
		return -1;
	}
	pats = xcalloc(ynode_count(n) + 1, sizeof(*pats));
	for (c = n->child; c; c = c->next) {
		if (c->kind != YNODE_SCALAR ||
		    (c->value[0] != '/' && c->value[0] != '*')) {
			snprintf(err, errlen,
			    "%s:%d: each of '%s' must be a path "
			    "pattern starting with '/' or '*'",
			    file_of(cfg), c->line, key);
			free(pats);
			return -1;
		}
		pats[i++] = c->value;
	}
	priority_rules_set(list, pats, i);
	free(pats);
	return 0;
}

int
config_limits(
    const struct config *cfg, struct limits_conf *out, char *err, size_t errlen)
{
	const struct ynode *lim = ynode_get(cfg->root, "limits"), *shed, *cpu;
	double table, heavy;
	const char *why;
	int p;

	limits_conf_default(out);
	if (lim == NULL)
		return 0;
	if (config_check_keys(cfg, lim, "limits", limits_keys, err, errlen) < 0)
		return -1;
	table = (double)out->rate.table_size;
	heavy = (double)out->prio.heavy_size;
	if (get_number(cfg, lim, "rate", 0.001, 1e6, &out->rate.rate, err,
		errlen) < 0 ||
	    get_number(
		cfg, lim, "burst", 1, 1e6, &out->rate.burst, err, errlen) < 0 ||
	    get_unsigned(cfg, lim, "max_connections", 1, 1e6,
		&out->rate.max_conns, err, errlen) < 0 ||
	    get_unsigned(cfg, lim, "max_connections_per_address", 1, 1e6,
		&out->rate.max_conns_per_addr, err, errlen) < 0 ||
	    get_number(cfg, lim, "address_table", 8, 1 << 24, &table, err,
		errlen) < 0 ||
	    get_number(cfg, lim, "min_concurrency", 1, 1e6,
		&out->shed.min_limit, err, errlen) < 0 ||
	    get_number(cfg, lim, "max_concurrency", 1, 1e6,
		&out->shed.max_limit, err, errlen) < 0 ||
	    get_number(
		cfg, lim, "queue", 0, 1e6, &out->shed.queue, err, errlen) < 0 ||
	    get_number(cfg, lim, "tolerance", 1, 100, &out->shed.tolerance, err,
		errlen) < 0 ||
	    get_number(cfg, lim, "latency_window", 0.1, 3600, &out->shed.window,
		err, errlen) < 0 ||
	    get_unsigned(cfg, lim, "retry_after", 1, 3600, &out->shed.retry,
		err, errlen) < 0 ||
	    get_unsigned(cfg, lim, "max_retry_after", 1, 3600,
		&out->shed.max_retry, err, errlen) < 0 ||
	    get_number(cfg, lim, "max_delay", 0.001, 60, &out->shed.max_delay,
		err, errlen) < 0 ||
	    get_number(cfg, lim, "overload_hold", 0, 3600, &out->shed.hold, err,
		errlen) < 0 ||
	    get_number(cfg, lim, "turn_delay", 0, 60, &out->shed.turn_delay,
		err, errlen) < 0 ||
	    get_number(cfg, lim, "min_turn_rate", 0.001, 1e6,
		&out->shed.turn_min, err, errlen) < 0 ||
	    get_number(cfg, lim, "max_turn_rate", 0.001, 1e6,
		&out->shed.turn_max, err, errlen) < 0 ||
	    get_number(cfg, lim, "turn_bytes", 1, 1e12, &out->shed.turn_bytes,
		err, errlen) < 0 ||
	    get_number(cfg, lim, "cpus", 0, 1e6, &out->cpus, err, errlen) < 0 ||
	    get_number(cfg, lim, "heavy_size", 0, 1e15, &heavy, err, errlen) <
		0 ||
	    get_patterns(cfg, lim, "page_paths", &out->prio.page, err, errlen) <
		0 ||
	    get_patterns(
		cfg, lim, "light_paths", &out->prio.light, err, errlen) < 0 ||
	    get_patterns(
		cfg, lim, "heavy_paths", &out->prio.heavy, err, errlen) < 0)
		return -1;
	out->rate.table_size = (size_t)table;
	out->prio.heavy_size = (size_t)heavy;
	/* The starting point follows the bounds unless written out. */
	if (out->shed.initial_limit > out->shed.max_limit)
		out->shed.initial_limit = out->shed.max_limit;
	if (out->shed.initial_limit < out->shed.min_limit)
		out->shed.initial_limit = out->shed.min_limit;
	if (get_number(cfg, lim, "initial_concurrency", 1, 1e6,
		&out->shed.initial_limit, err, errlen) < 0)
		return -1;
	if ((shed = ynode_get(lim, "shed")) != NULL) {
		if (config_check_keys(
			cfg, shed, "limits.shed", shed_keys, err, errlen) < 0)
			return -1;
		for (p = 0; p < PRIO_COUNT; p++)
			if (get_number(cfg, shed, shed_keys[p], 0.001, 1,
				&out->shed.fraction[p], err, errlen) < 0)
				return -1;
	}
	if ((cpu = ynode_get(lim, "cpu_shed")) != NULL) {
		if (config_check_keys(cfg, cpu, "limits.cpu_shed",
			cpu_shed_keys, err, errlen) < 0)
			return -1;
		for (p = 0; cpu_shed_keys[p]; p++)
			if (get_number(cfg, cpu, cpu_shed_keys[p], 0.01, 1,
				&out->shed.cpu_target[PRIO_LIGHT + p], err,
				errlen) < 0)
				return -1;
	}
	if ((why = shed_conf_check(&out->shed)) != NULL) {
		snprintf(err, errlen, "%s:%d: limits: %s", file_of(cfg),
		    lim->line, why);
		return -1;
	}
	return 0;
}
