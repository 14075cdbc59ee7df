/*
 * canyon get: fetch a gemini:// or gopher:// URL and print the raw response.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>

#include "client.h"
#include "commands.h"

#define GET_DEFAULT_TIMEOUT 30

enum {
	OPT_SERVERNAME = 256,
	OPT_CERT,
	OPT_KEY,
	OPT_RAW,
	OPT_CONNECT,
	OPT_TLS11,
	OPT_TLS12,
	OPT_TLS13,
	OPT_CHECK_CLOSE,
};

/* The help text is laid out as printed. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon get [options] URL\n"
	    "Fetch a gemini:// or gopher://host[:port]/<type><selector>[%%09query]\n"
	    "URL and write the raw response (Gemini: header line and body) to stdout.\n"
	    "  -k, --insecure        accept a certificate that does not name the host\n"
	    "                        or is outside its dates (there is never a CA check)\n"
	    "  --servername NAME     SNI to send (default: the URL's host, none for an\n"
	    "                        IP address; an empty NAME sends none)\n"
	    "  --cert FILE --key FILE  present a client certificate\n"
	    "  --connect HOST:PORT   connect there instead of to the URL's host and port\n"
	    "  --raw STRING          send STRING instead of the request line; escapes\n"
	    "                        \\r \\n \\t \\\\ \\xHH, nothing is appended\n"
	    "  --tls1.1, --tls1.2, --tls1.3  offer only this TLS version\n"
	    "  --check-close         print 'close_notify: yes' or 'no' to stderr\n"
	    "  -v, --verbose         print the TLS version and server certificate\n"
	    "  -t, --timeout SEC     give up after SEC seconds of silence (default %d)\n"
	    "Exit status: 0 a response was received (whatever its status), 1 network,\n"
	    "TLS or certificate failure or no response, 2 usage error.\n",
	    GET_DEFAULT_TIMEOUT);
}
/* clang-format on */

/* What the command line says, beyond the client's options. */
struct get_args {
	struct client_opts o;
	struct buf raw; /* storage of o.request */
	char *connect_host; /* storage of o.connect_host and o.connect_port */
	char *connect_port;
	bool check_close;
	bool verbose;
};

/* Split "HOST:PORT" or "[V6]:PORT" into a->connect_host and port. */
static int
parse_connect(const char *arg, struct get_args *a)
{
	const char *colon;

	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');
		if (end == NULL || end[1] != ':' || end[2] == '\0')
			return -1;
		a->connect_host = xstrndup(arg + 1, (size_t)(end - arg - 1));
		a->connect_port = xstrdup(end + 2);
		return 0;
	}
	colon = strrchr(arg, ':');
	if (colon == NULL || colon == arg || colon[1] == '\0')
		return -1;
	a->connect_host = xstrndup(arg, (size_t)(colon - arg));
	a->connect_port = xstrdup(colon + 1);
	return 0;
}

static int
parse_args(int argc, char **argv, struct get_args *a)
{
	static const struct option longopts[] = {
	    {"insecure", no_argument, NULL, 'k'},
	    {"servername", required_argument, NULL, OPT_SERVERNAME},
	    {"cert", required_argument, NULL, OPT_CERT},
	    {"key", required_argument, NULL, OPT_KEY},
	    {"raw", required_argument, NULL, OPT_RAW},
	    {"connect", required_argument, NULL, OPT_CONNECT},
	    {"tls1.1", no_argument, NULL, OPT_TLS11},
	    {"tls1.2", no_argument, NULL, OPT_TLS12},
	    {"tls1.3", no_argument, NULL, OPT_TLS13},
	    {"check-close", no_argument, NULL, OPT_CHECK_CLOSE},
	    {"verbose", no_argument, NULL, 'v'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct client_opts *o = &a->o;
	struct buf *raw = &a->raw;
	const char *reason;
	char *end;
	long secs;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "kvt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->insecure = true;
			break;
		case OPT_SERVERNAME:
			o->servername = optarg;
			break;
		case OPT_CERT:
			o->cert_file = optarg;
			break;
		case OPT_KEY:
			o->key_file = optarg;
			break;
		case OPT_RAW:
			buf_reset(raw);
			if (client_unescape(optarg, raw, &reason) == -1) {
				fprintf(
				    stderr, "canyon get: --raw: %s\n", reason);
				return -1;
			}
			o->request = raw->data != NULL ? raw->data : "";
			o->request_len = raw->len;
			break;
		case OPT_CONNECT:
			if (a->connect_host != NULL ||
			    parse_connect(optarg, a) == -1) {
				fprintf(stderr,
				    "canyon get: --connect wants one "
				    "HOST:PORT\n");
				return -1;
			}
			o->connect_host = a->connect_host;
			o->connect_port = a->connect_port;
			break;
		case OPT_TLS11:
			o->tls_version = TLS1_1_VERSION;
			break;
		case OPT_TLS12:
			o->tls_version = TLS1_2_VERSION;
			break;
		case OPT_TLS13:
			o->tls_version = TLS1_3_VERSION;
			break;
		case OPT_CHECK_CLOSE:
			a->check_close = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 't':
			secs = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || secs < 1 ||
			    secs > 3600) {
				fprintf(stderr,
				    "canyon get: -t wants 1..3600 seconds\n");
				return -1;
			}
			o->timeout = (int)secs;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if ((o->cert_file == NULL) != (o->key_file == NULL)) {
		fprintf(stderr, "canyon get: --cert and --key go together\n");
		return -1;
	}
	if (argc - optind != 1)
		return -1;
	return 0;
}

int
cmd_get(int argc, char **argv)
{
	struct get_args a = {
	    .o = {.timeout = GET_DEFAULT_TIMEOUT}, .raw = BUF_INIT};
	struct client_report rep;
	bool gemini;
	const char *url;
	char err[512];
	int rc;

	if (parse_args(argc, argv, &a) == -1) {
		usage(stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	url = argv[optind];
	gemini = strncasecmp(url, "gemini://", 9) == 0;
	if (!gemini && strncasecmp(url, "gopher://", 9) != 0) {
		fprintf(stderr,
		    "canyon get: %s: only gemini:// and gopher:// URLs\n", url);
		rc = EXIT_USAGE;
		goto out;
	}
	/* A server may close while we write; that is an error to report,
	 * not a reason to die silently. */
	signal(SIGPIPE, SIG_IGN);
	client_report_init(&rep);
	rc = (gemini ? client_gemini : client_gopher)(
		 url, &a.o, stdout, &rep, err, sizeof(err)) == 0
	    ? 0
	    : 1;
	if (fflush(stdout) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "writing the response failed");
		rc = 1;
	}
	if (a.verbose)
		fputs(buf_cstr(&rep.tls_info), stderr);
	if (a.check_close && rep.tls_done)
		fprintf(stderr, "close_notify: %s\n",
		    rep.close_notify ? "yes" : "no");
	if (rc != 0)
		fprintf(stderr, "canyon get: %s\n", err);
	client_report_free(&rep);
out:
	free(a.connect_host);
	free(a.connect_port);
	buf_free(&a.raw);
	return rc;
}
