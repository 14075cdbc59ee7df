/*
 * canyon cert [-d DIR] HOST: make sure DIR/HOST.crt and DIR/HOST.key exist,
 * then print where they are and the certificate's SHA-256 fingerprint, which
 * is what a Gemini client shows when it asks to trust the host.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "cert.h"
#include "cmdline.h"
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
	    "  -d, --dir DIR  folder of the pair (default: %s)\n",
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
	const char *dir = CERT_DEFAULT_DIR;
	const struct cmd_option opts[] = {
	    {"dir", 'd', &dir, NULL},
	    {NULL, 0, NULL, NULL},
	};
	struct buf crt = BUF_INIT;
	const char *host;
	char err[512];
	int first, rc;

	if ((first = cmdline_parse(argc, argv, opts, 1, usage, &rc)) == -1)
		return rc;
	host = argv[first];
	if (cert_ensure(dir, host, err, sizeof(err)) == -1) {
		fprintf(stderr, "canyon cert: %s\n", err);
		return 1;
	}
	buf_printf(&crt, "%s/%s.crt", dir, host);
	printf("%s\n%s/%s.key\n", buf_cstr(&crt), dir, host);
	rc = print_fingerprint(buf_cstr(&crt)) == 0 ? 0 : 1;
	buf_free(&crt);
	return rc;
}
