#include "gen.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		gh->st = store_load(h->root, g->conf.max_in_memory, err, errlen);
		if (gh->st == NULL)
			goto fail;
		store_prepare_gemini(gh->st, h->lang);
		gh->idx = search_build(gh->st);
		gh->site = (struct route_site){gh->st, gh->idx, h, &g->conf};
		if ((g->ctx[i] = tls_ctx_new(h->cert, h->key, err, errlen)) == NULL)
			goto fail;
	}
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
	if (g && atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
		gen_free(g);
}
