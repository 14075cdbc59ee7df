#include "gen.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "path.h"
#include "ticket.h"

static void
gen_free(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->conf.n_hosts; i++) {
		search_free(g->hosts[i].idx);
		store_free(g->hosts[i].st);
		SSL_CTX_free(g->ctx[i]);
	}
	if (g->gopher)
		gopher_site_free(g->gopher);
	if (g->log_fd > STDERR_FILENO)
		close(g->log_fd);
	free(g->hosts);
	free(g->names);
	free(g->ctx);
	server_conf_free(&g->conf);
	free(g);
}

static int
open_log(struct gen *g, char *err, size_t errlen)
{
	const char *file = g->conf.access_log;

	g->log_fd = -1;
	if (file == NULL || file[0] == '\0')
		return 0;
	if (strcmp(file, "-") == 0) {
		g->log_fd = STDERR_FILENO;
		return 0;
	}
	g->log_fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (g->log_fd == -1) {
		snprintf(err, errlen, "%s: %m", file);
		return -1;
	}
	return 0;
}

/* A host whose certificate is the default CERTS/HOST.crt gets a
 * self-signed one made when it has none yet; a configured file must exist. */
static int
ensure_cert(const struct server_conf *conf, const struct srv_host *h, char *err,
    size_t errlen)
{
	char *file = xmalloc(strlen(h->name) + 5), *def;
	bool is_default;

	sprintf(file, "%s.crt", h->name);
	def = path_join(conf->certs_dir, file);
	is_default = strcmp(def, h->cert) == 0;
	free(def);
	free(file);
	if (!is_default || access(h->cert, F_OK) == 0)
		return 0;
	return cert_ensure(conf->certs_dir, h->name, err, errlen);
}

int
gen_reopen_log(struct gen *g, char *err, size_t errlen)
{
	int fd;

	if (g->log_fd <= STDERR_FILENO)
		return 0; /* none, or stderr: not ours to reopen */
	fd = open(g->conf.access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %m", g->conf.access_log);
		return -1;
	}
	/* dup2 swaps the file under the descriptor number atomically: a
	 * loop writing meanwhile writes whole to the old file or the new. */
	if (dup2(fd, g->log_fd) == -1) {
		snprintf(err, errlen, "%s: %m", g->conf.access_log);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Every host's context issues and accepts tickets under the file's keys,
 * the same in every instance that reads the same file. */
static int
use_ticket_keys(struct gen *g, char *err, size_t errlen)
{
	struct ticket_keys *keys;
	size_t i;
	int rc = 0;

	if ((keys = ticket_keys_load(g->conf.ticket_key_file, err, errlen)) ==
	    NULL)
		return -1;
	for (i = 0; rc == 0 && i < g->conf.n_hosts; i++)
		rc = ticket_keys_use(g->ctx[i], keys, err, errlen);
	ticket_keys_free(keys);
	return rc;
}

struct gen *
gen_new(struct server_conf *conf, char *err, size_t errlen)
{
	struct gen *g = xcalloc(1, sizeof(*g));
	size_t i, n = conf->n_hosts;

	atomic_init(&g->refs, 1);
	g->conf = *conf;
	memset(conf, 0, sizeof(*conf));
	g->hosts = xcalloc(n, sizeof(*g->hosts));
	g->names = xcalloc(n, sizeof(*g->names));
	g->ctx = xcalloc(n, sizeof(*g->ctx));
	g->request_timeout = (struct timeval){g->conf.timeout_request, 0};
	g->write_timeout = (struct timeval){g->conf.timeout_write, 0};
	if (open_log(g, err, errlen) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct srv_host *h = &g->conf.hosts[i];
		struct gen_host *gh = &g->hosts[i];

		g->names[i] = h->name;
		gh->st =
		    store_load(h->root, g->conf.max_in_memory, err, errlen);
		if (gh->st == NULL)
			goto fail;
		store_prepare_gemini(gh->st, h->lang);
		gh->idx = search_build(gh->st);
		gh->site = (struct route_site){gh->st, gh->idx, h, &g->conf};
		if (ensure_cert(&g->conf, h, err, errlen) == -1)
			goto fail;
		if ((g->ctx[i] = tls_ctx_new(h->cert, h->key, err, errlen)) ==
		    NULL)
			goto fail;
	}
	if (g->conf.ticket_key_file && use_ticket_keys(g, err, errlen) == -1)
		goto fail;
	g->gemini_hosts = (struct gemini_hosts){g->names, n, g->conf.port};
	g->sni = (struct tls_sni){g->ctx, g->names, n};
	for (i = 0; i < n; i++)
		tls_ctx_set_sni(g->ctx[i], &g->sni);
	g->gopher = gopher_site_new(g->hosts[0].st, g->hosts[0].idx,
	    g->conf.gopher_host, g->conf.gopher_port);
	return g;
fail:
	gen_free(g);
	return NULL;
}

void
gen_ref(struct gen *g)
{
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
}

void
gen_unref(struct gen *g)
{
	if (g &&
	    atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
		gen_free(g);
}
