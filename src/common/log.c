#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level current = LOG_LVL_INFO;

void
log_set_level(enum log_level level)
{
	current = level;
}

static void
vlog(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char msg[1024];

	if (level > current)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum)
		fprintf(stderr, "canyon: %s: %s\n", msg, strerror(errnum));
	else
		fprintf(stderr, "canyon: %s\n", msg);
}

#define LOGFN(name, level, with_errno)                                         \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		int e = errno;                                                 \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vlog(level, with_errno ? e : 0, fmt, ap);                      \
		va_end(ap);                                                    \
		errno = e;                                                     \
	}

LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
