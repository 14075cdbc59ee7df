/*
 * config_server: the server: section of canyon.yaml.
 *
 *   server:
 *     hostname: localhost         default host, also the public Gopher host
 *     port: 1965                  public Gemini port (in URLs)
 *     listen: ["127.0.0.1:1965", "[::1]:1965"]
 *     gopher_port: 70             public Gopher port (in menus)
 *     gopher_listen: ["127.0.0.1:70", "[::1]:70"]
 *     root: <output>              built capsule of the default host
 *     certs: certs                folder of HOST.crt / HOST.key
 *     lang: ko                    lang parameter of text/gemini
 *     hosts:                      more virtual hosts
 *       - {name: example.org, root: other, cert: FILE, key: FILE, lang: en}
 *     redirects:                  - {from: /old/, to: /new/, permanent: true}
 *     gone: [/removed/]           52; a path ending in '/' is a prefix
 *     client_cert_areas:          - {path: /private/, fingerprints: [HEX]}
 *     workers: 0                  event loops; 0 = one per CPU
 *     timeout_request: 10         seconds for handshake and request line
 *     timeout_write: 30           seconds a client may stall reading
 *     max_in_memory: 1048576      larger files are streamed from disk
 *     access_log: "-"             file, "-" for stderr, "" for none
 *     log_client_address: full    full | truncated | none
 *     user: ""                    become this user after binding (as root)
 * and the limits: section (config_limits.h).
 */
#ifndef CANYON_CONFIG_SERVER_H
#define CANYON_CONFIG_SERVER_H

#include <stddef.h>

#include "config.h"
#include "serverconf.h"

/* Fill conf from cfg. 0, or -1 with err "FILE:LINE: message" (conf is then
 * partly filled; server_conf_free() it). */
int config_server(const struct config *cfg, struct server_conf *conf, char *err,
    size_t errlen);

#endif
