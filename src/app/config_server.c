#include "config_server.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "config_limits.h"
#include "path.h"

static const char *const server_keys[] = {"hostname", "port", "listen",
    "gopher_port", "gopher_listen", "root", "certs", "lang", "hosts",
    "redirects", "gone", "client_cert_areas", "workers", "timeout_request",
    "timeout_write", "max_in_memory", "access_log", "log_client_address",
    "access_log_format", "ticket_key_file", "user", NULL};
static const char *const listen_keys[] = {"address", "proxy_protocol", NULL};
static const char *const host_keys[] = {
    "name", "root", "cert", "key", "lang", NULL};
static const char *const redirect_keys[] = {"from", "to", "permanent", NULL};
static const char *const area_keys[] = {"path", "fingerprints", NULL};

struct ctx {
	const struct config *cfg;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int
fail(struct ctx *x, const struct ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s:%d: %s",
	    x->cfg->file ? x->cfg->file : "(defaults)", n ? n->line : 0, msg);
	return -1;
}

static int
get_int(struct ctx *x, const struct ynode *map, const char *key, long min,
    long max, int *out)
{
	const struct ynode *n = map ? ynode_get(map, key) : NULL;
	char *end;
	long v;

	if (n == NULL)
		return 0;
	if (n->kind != YNODE_SCALAR)
		return fail(x, n, "server.%s must be a number", key);
	v = strtol(n->value, &end, 10);
	if (*n->value == '\0' || *end != '\0' || v < min || v > max)
		return fail(x, n,
		    "server.%s must be a whole number from %ld to %ld", key,
		    min, max);
	*out = (int)v;
	return 0;
}

static int
get_str(struct ctx *x, const struct ynode *map, const char *key,
    const char *def, char **out)
{
	const struct ynode *n = map ? ynode_get(map, key) : NULL;

	if (n && n->kind != YNODE_SCALAR)
		return fail(x, n, "%s must be a string", key);
	*out = n ? xstrdup(n->value) : def ? xstrdup(def) : NULL;
	return 0;
}

static int
get_list(struct ctx *x, const struct ynode *map, const char *key,
    const char *const *def, char ***out, size_t *count)
{
	const struct ynode *n = map ? ynode_get(map, key) : NULL, *c;
	size_t i = 0;

	if (n == NULL) {
		while (def && def[i])
			i++;
		*out = xcalloc(i ? i : 1, sizeof(char *));
		for (*count = 0; *count < i; (*count)++)
			(*out)[*count] = xstrdup(def[*count]);
		return 0;
	}
	if (n->kind == YNODE_SCALAR && n->value[0] == '\0') {
		*out = xcalloc(1, sizeof(char *));
		*count = 0;
		return 0;
	}
	if (n->kind != YNODE_LIST)
		return fail(x, n, "%s must be a list", key);
	*out = xcalloc(ynode_count(n) + 1, sizeof(char *));
	*count = 0;
	for (c = n->child; c; c = c->next) {
		if (c->kind != YNODE_SCALAR)
			return fail(
			    x, c, "%s: every item must be a string", key);
		(*out)[(*count)++] = xstrdup(c->value);
	}
	return 0;
}

/*
 * A list of listening addresses: each item "ADDR:PORT", or a mapping
 * {address: "ADDR:PORT", proxy_protocol: true} for a listener behind a
 * load balancer that sends the PROXY protocol header. proxy[i] tells.
 */
static int
get_listen(struct ctx *x, const struct ynode *map, const char *key,
    const char *const *def, char ***out, bool **proxy, size_t *count)
{
	const struct ynode *n = map ? ynode_get(map, key) : NULL, *c;
	char section[64];
	size_t i;

	if (n == NULL || n->kind != YNODE_LIST) {
		if (get_list(x, map, key, def, out, count) == -1)
			return -1;
		*proxy = xcalloc(*count + 1, sizeof(bool));
		return 0;
	}
	snprintf(section, sizeof(section), "server.%s", key);
	*out = xcalloc(ynode_count(n) + 1, sizeof(char *));
	*proxy = xcalloc(ynode_count(n) + 1, sizeof(bool));
	*count = 0;
	for (c = n->child; c; c = c->next) {
		const char *addr = c->value, *pp = "false";
		if (c->kind == YNODE_MAP) {
			if (config_check_keys(x->cfg, c, section, listen_keys,
				x->err, x->errlen) == -1)
				return -1;
			addr = ynode_str(c, "address", NULL);
			pp = ynode_str(c, "proxy_protocol", "false");
		} else if (c->kind != YNODE_SCALAR) {
			addr = NULL;
		}
		if (addr == NULL)
			return fail(x, c,
			    "%s: every item must be an address or "
			    "{address: ..., proxy_protocol: ...}",
			    section);
		i = (*count)++;
		(*out)[i] = xstrdup(addr);
		if (ynode_bool(pp, &(*proxy)[i]) == -1)
			return fail(
			    x, c, "proxy_protocol must be true or false");
	}
	return 0;
}

/* Host names are compared in lower case without the trailing dot;
 * internationalised names are written in their xn-- form. */
static int
host_name(struct ctx *x, const struct ynode *n, const char *in, char **out)
{
	size_t len = strlen(in), i;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return fail(x, n, "bad host name '%s'", in);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)in[i]) && in[i] != '-' &&
		    in[i] != '.')
			return fail(x, n,
			    "bad host name '%s' (letters, digits, '-' "
			    "and '.' only; write an international name as "
			    "xn--)",
			    in);
	*out = xstrndup(in, len);
	for (i = 0; i < len; i++)
		(*out)[i] = (char)tolower((unsigned char)(*out)[i]);
	return 0;
}

static int
check_lang(struct ctx *x, const struct ynode *n, const char *lang)
{
	size_t i, len = strlen(lang);

	if (len > 64)
		return fail(x, n, "lang is too long");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)lang[i]) && lang[i] != '-' &&
		    lang[i] != ',')
			return fail(x, n,
			    "bad lang '%s' (like ko, en-US or ko,en)", lang);
	return 0;
}

static char *
resolved(const struct config *cfg, const char *p)
{
	return config_path(cfg, p);
}

static int
add_host(struct ctx *x, struct server_conf *conf, const struct ynode *map,
    const char *name, const char *def_root, const char *def_lang)
{
	struct srv_host *h;
	char *s = NULL, *file;
	size_t i;

	conf->hosts =
	    xrealloc(conf->hosts, (conf->n_hosts + 1) * sizeof(*conf->hosts));
	h = &conf->hosts[conf->n_hosts++];
	memset(h, 0, sizeof(*h));
	if (host_name(x, map, name, &h->name) == -1)
		return -1;
	for (i = 0; i + 1 < conf->n_hosts; i++)
		if (strcmp(conf->hosts[i].name, h->name) == 0)
			return fail(
			    x, map, "host '%s' is listed twice", h->name);
	if (get_str(x, map, "root", NULL, &s) == -1)
		return -1;
	h->root = s ? resolved(x->cfg, s) : xstrdup(def_root);
	free(s);
	if (get_str(x, map, "lang", def_lang, &h->lang) == -1 ||
	    check_lang(x, map ? ynode_get(map, "lang") : NULL, h->lang) == -1)
		return -1;
	if (get_str(x, map, "cert", NULL, &s) == -1)
		return -1;
	if (s == NULL) {
		file = xmalloc(strlen(h->name) + 5);
		sprintf(file, "%s.crt", h->name);
		h->cert = path_join(conf->certs_dir, file);
		free(file);
	} else {
		h->cert = resolved(x->cfg, s);
	}
	free(s);
	if (get_str(x, map, "key", NULL, &s) == -1)
		return -1;
	if (s == NULL) {
		file = xmalloc(strlen(h->name) + 5);
		sprintf(file, "%s.key", h->name);
		h->key = path_join(conf->certs_dir, file);
		free(file);
	} else {
		h->key = resolved(x->cfg, s);
	}
	free(s);
	return 0;
}

static int
read_hosts(struct ctx *x, struct server_conf *conf, const struct ynode *srv)
{
	const struct ynode *list = srv ? ynode_get(srv, "hosts") : NULL, *c;
	const char *name;

	if (list == NULL)
		return 0;
	if (list->kind != YNODE_LIST)
		return fail(x, list, "server.hosts must be a list");
	for (c = list->child; c; c = c->next) {
		if (config_check_keys(x->cfg, c, "server.hosts", host_keys,
			x->err, x->errlen) == -1)
			return -1;
		if ((name = ynode_str(c, "name", NULL)) == NULL)
			return fail(
			    x, c, "server.hosts: every host needs a name");
		if (add_host(x, conf, c, name, conf->hosts[0].root,
			conf->hosts[0].lang) == -1)
			return -1;
	}
	return 0;
}

static int
check_path(struct ctx *x, const struct ynode *n, const char *p)
{
	if (p == NULL || p[0] != '/')
		return fail(x, n, "a path must start with '/'");
	return 0;
}

static int
read_redirects(struct ctx *x, struct server_conf *conf, const struct ynode *srv)
{
	const struct ynode *list = srv ? ynode_get(srv, "redirects") : NULL, *c;
	struct srv_redirect *r;
	const char *perm;
	bool b;

	if (list == NULL)
		return 0;
	if (list->kind != YNODE_LIST)
		return fail(x, list, "server.redirects must be a list");
	conf->redirects =
	    xcalloc(ynode_count(list) + 1, sizeof(*conf->redirects));
	for (c = list->child; c; c = c->next) {
		if (config_check_keys(x->cfg, c, "server.redirects",
			redirect_keys, x->err, x->errlen) == -1)
			return -1;
		r = &conf->redirects[conf->n_redirects++];
		r->from = xstrdup(ynode_str(c, "from", ""));
		r->to = xstrdup(ynode_str(c, "to", ""));
		if (check_path(x, c, r->from) == -1)
			return -1;
		if (r->to[0] == '\0' || strlen(r->to) > 1024 ||
		    strpbrk(r->to, " \r\n\t"))
			return fail(x, c,
			    "redirect 'to' must be a URL of at most 1024 "
			    "bytes");
		perm = ynode_str(c, "permanent", "true");
		if (ynode_bool(perm, &b) == -1)
			return fail(x, c, "permanent must be true or false");
		r->permanent = b;
	}
	return 0;
}

/* "AB:CD:..." or "abcd..." (64 hex digits, as openssl x509 -fingerprint
 * -sha256 prints it). */
static int
parse_fingerprint(const char *s, unsigned char out[32])
{
	size_t n = 0;
	int hi, lo;

	while (*s) {
		if (*s == ':') {
			s++;
			continue;
		}
		if (n == 32 || (hi = url_hex_value(s[0])) < 0 ||
		    (lo = url_hex_value(s[1])) < 0)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n == 32 ? 0 : -1;
}

static int
read_areas(struct ctx *x, struct server_conf *conf, const struct ynode *srv)
{
	const struct ynode *list =
			       srv ? ynode_get(srv, "client_cert_areas") : NULL,
			   *c, *fps, *f;
	struct srv_cert_area *a;

	if (list == NULL)
		return 0;
	if (list->kind != YNODE_LIST)
		return fail(x, list, "server.client_cert_areas must be a list");
	conf->areas = xcalloc(ynode_count(list) + 1, sizeof(*conf->areas));
	for (c = list->child; c; c = c->next) {
		if (config_check_keys(x->cfg, c, "server.client_cert_areas",
			area_keys, x->err, x->errlen) == -1)
			return -1;
		a = &conf->areas[conf->n_areas++];
		a->prefix = xstrdup(ynode_str(c, "path", ""));
		if (check_path(x, c, a->prefix) == -1)
			return -1;
		fps = ynode_get(c, "fingerprints");
		if (fps == NULL)
			continue;
		if (fps->kind != YNODE_LIST)
			return fail(x, fps, "fingerprints must be a list");
		a->fingerprints = xcalloc(ynode_count(fps) + 1, 32);
		for (f = fps->child; f; f = f->next)
			if (f->kind != YNODE_SCALAR ||
			    parse_fingerprint(f->value,
				a->fingerprints[a->n_fingerprints++]) == -1)
				return fail(x, f,
				    "a fingerprint is 64 hex digits (SHA-256)");
	}
	return 0;
}

int
config_server(const struct config *cfg, struct server_conf *conf, char *err,
    size_t errlen)
{
	static const char *const def_listen[] = {
	    "127.0.0.1:1965", "[::1]:1965", NULL};
	static const char *const def_gopher[] = {
	    "127.0.0.1:70", "[::1]:70", NULL};
	struct ctx x = {cfg, err, errlen};
	const struct ynode *srv = ynode_get(cfg->root, "server"), *n;
	char *s = NULL, *root;
	const char *mode;
	int size = 1 << 20;
	size_t i;

	memset(conf, 0, sizeof(*conf));
	conf->port = 1965;
	conf->gopher_port = 70;
	conf->timeout_request = 10;
	conf->timeout_write = 30;
	if (config_check_keys(cfg, srv, "server", server_keys, err, errlen) ==
	    -1)
		return -1;
	if (get_int(&x, srv, "port", 1, 65535, &conf->port) == -1 ||
	    get_int(&x, srv, "gopher_port", 1, 65535, &conf->gopher_port) ==
		-1 ||
	    get_int(&x, srv, "workers", 0, 256, &conf->workers) == -1 ||
	    get_int(&x, srv, "timeout_request", 1, 3600,
		&conf->timeout_request) == -1 ||
	    get_int(&x, srv, "timeout_write", 1, 3600, &conf->timeout_write) ==
		-1 ||
	    get_int(&x, srv, "max_in_memory", 0, 1 << 30, &size) == -1)
		return -1;
	conf->max_in_memory = (size_t)size;
	if (get_listen(&x, srv, "listen", def_listen, &conf->listen,
		&conf->listen_proxy, &conf->n_listen) == -1 ||
	    get_listen(&x, srv, "gopher_listen", def_gopher,
		&conf->gopher_listen, &conf->gopher_listen_proxy,
		&conf->n_gopher_listen) == -1 ||
	    get_list(&x, srv, "gone", NULL, &conf->gone, &conf->n_gone) == -1)
		return -1;
	for (i = 0; i < conf->n_gone; i++)
		if (check_path(&x, ynode_get(srv, "gone"), conf->gone[i]) == -1)
			return -1;
	if (get_str(&x, srv, "access_log", "-", &s) == -1)
		return -1;
	conf->access_log =
	    strcmp(s, "-") == 0 || s[0] == '\0' ? xstrdup(s) : resolved(cfg, s);
	free(s);
	n = srv ? ynode_get(srv, "log_client_address") : NULL;
	mode = ynode_str(srv, "log_client_address", "full");
	if (strcmp(mode, "full") == 0)
		conf->log_client_address = LOG_ADDR_FULL;
	else if (strcmp(mode, "truncated") == 0)
		conf->log_client_address = LOG_ADDR_TRUNCATED;
	else if (strcmp(mode, "none") == 0)
		conf->log_client_address = LOG_ADDR_NONE;
	else
		return fail(&x, n,
		    "log_client_address must be full, truncated or none");
	mode = ynode_str(srv, "access_log_format", "common");
	if (strcmp(mode, "common") == 0)
		conf->access_log_format = LOG_FORMAT_COMMON;
	else if (strcmp(mode, "json") == 0)
		conf->access_log_format = LOG_FORMAT_JSON;
	else
		return fail(&x, ynode_get(srv, "access_log_format"),
		    "access_log_format must be common or json");
	if (get_str(&x, srv, "ticket_key_file", NULL, &s) == -1)
		return -1;
	if (s != NULL)
		conf->ticket_key_file = resolved(cfg, s);
	free(s);
	if (get_str(&x, srv, "certs", "certs", &s) == -1)
		return -1;
	conf->certs_dir = resolved(cfg, s);
	free(s);
	if (get_str(&x, srv, "root", ynode_str(cfg->root, "output", "public"),
		&s) == -1)
		return -1;
	root = resolved(cfg, s);
	free(s);
	if (get_str(&x, srv, "lang", "ko", &s) == -1 ||
	    check_lang(&x, srv ? ynode_get(srv, "lang") : NULL, s) == -1) {
		free(s);
		free(root);
		return -1;
	}
	n = srv ? ynode_get(srv, "hostname") : NULL;
	if (add_host(&x, conf, NULL, ynode_str(srv, "hostname", "localhost"),
		root, s) == -1) {
		if (n && strstr(err, "bad host name"))
			fail(&x, n, "bad host name '%s'", n->value);
		free(s);
		free(root);
		return -1;
	}
	free(s);
	free(root);
	conf->gopher_host = xstrdup(conf->hosts[0].name);
	if (read_hosts(&x, conf, srv) == -1 ||
	    read_redirects(&x, conf, srv) == -1 ||
	    read_areas(&x, conf, srv) == -1)
		return -1;
	if (get_str(&x, srv, "user", NULL, &conf->user) == -1)
		return -1;
	if (conf->user && conf->user[0] == '\0') {
		free(conf->user);
		conf->user = NULL;
	}
	conf->config_file = cfg->file ? xstrdup(cfg->file) : NULL;
	return config_limits(cfg, &conf->limits, err, errlen);
}
