/*
 * server: the Gemini and Gopher daemon.
 *
 * server_run() binds every configured address, writes the ready file,
 * then runs one event loop per worker thread until SIGTERM or SIGINT.
 * SIGHUP calls reload() for a fresh configuration and builds a new
 * generation from it; when either fails the old one keeps serving.
 * Listening addresses are kept across reloads.
 */
#ifndef CANYON_SERVER_H
#define CANYON_SERVER_H

#include <stddef.h>

#include "serverconf.h"

/* Fill conf from the configuration file again. 0, or -1 with err. */
typedef int (*server_reload_fn)(
    void *arg, struct server_conf *conf, char *err, size_t errlen);

/* Takes conf over. ready_file may be NULL. Returns the exit status. */
int server_run(struct server_conf *conf, const char *ready_file,
    server_reload_fn reload, void *reload_arg);

#endif
