#include "serverconf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
server_conf_free(struct server_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n_hosts; i++) {
		free(conf->hosts[i].name);
		free(conf->hosts[i].root);
		free(conf->hosts[i].cert);
		free(conf->hosts[i].key);
		free(conf->hosts[i].lang);
	}
	free(conf->hosts);
	free_string_list(conf->listen, conf->n_listen);
	free(conf->listen_proxy);
	free(conf->gopher_listen_proxy);
	free(conf->ticket_key_file);
	free(conf->gopher_host);
	free_string_list(conf->gopher_listen, conf->n_gopher_listen);
	for (i = 0; i < conf->n_redirects; i++) {
		free(conf->redirects[i].from);
		free(conf->redirects[i].to);
	}
	free(conf->redirects);
	free_string_list(conf->gone, conf->n_gone);
	for (i = 0; i < conf->n_areas; i++) {
		free(conf->areas[i].prefix);
		free(conf->areas[i].fingerprints);
	}
	free(conf->areas);
	free(conf->access_log);
	free(conf->certs_dir);
	free(conf->user);
	free(conf->config_file);
	limits_conf_free(&conf->limits);
	memset(conf, 0, sizeof(*conf));
}
