/*
 * canyon cert [-d DIR] HOST: make sure DIR/HOST.crt and DIR/HOST.key exist,
 * then print where they are and the certificate's SHA-256 fingerprint, which
 * is what a Gemini client shows when it asks to trust the host.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "cert.h"
#include "commands.h"

#define CERT_DEFAULT_DIR "certs"

/* The help text is laid out as printed. */
/* clang-format off */
static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon cert [-d DIR] HOST\n"
	    "Create a self-signed certificate for HOST (ECDSA P-256, valid 100 years,\n"
	    "HOST in subjectAltName) as DIR/HOST.crt and DIR/HOST.key (mode 0600),\n"
	    "unless they exist: an existing pair is never replaced, since clients pin it.\n"
	    "  -d DIR   folder of the pair (default: %s)\n",
	    CERT_DEFAULT_DIR);
}
/* clang-format on */

static int
print_fingerprint(const char *crt)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	FILE *fp;
	X509 *x;

	if ((fp = fopen(crt, "r")) == NULL) {
		perror(crt);
		return -1;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL) {
		fprintf(
		    stderr, "canyon cert: %s: not a PEM certificate\n", crt);
		return -1;
	}
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1) {
		X509_free(x);
		fprintf(stderr, "canyon cert: %s: cannot compute its digest\n",
		    crt);
		return -1;
	}
	X509_free(x);
	printf("sha256:");
	for (i = 0; i < mdlen; i++)
		printf("%s%02X", i ? ":" : " ", md[i]);
	printf("\n");
	return 0;
}

int
cmd_cert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = CERT_DEFAULT_DIR;
	struct buf crt = BUF_INIT;
	char err[512];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cert_ensure(dir, argv[optind], err, sizeof(err)) == -1) {
		fprintf(stderr, "canyon cert: %s\n", err);
		return 1;
	}
	buf_printf(&crt, "%s/%s.crt", dir, argv[optind]);
	printf("%s\n%s/%s.key\n", buf_cstr(&crt), dir, argv[optind]);
	rc = print_fingerprint(buf_cstr(&crt)) == 0 ? 0 : 1;
	buf_free(&crt);
	return rc;
}
