/*
 * log: diagnostics for the operator.
 *
 * Two flavours as in OpenBSD's log.c: log_warn() appends strerror(errno),
 * log_warnx() does not. Only top-level code (commands, the server loop)
 * calls these; library functions return errors to their caller instead.
 */
#ifndef CANYON_LOG_H
#define CANYON_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Messages go to stderr prefixed with "canyon: "; below level are dropped. */
void log_set_level(enum log_level level);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report and exit(1); for start-up failures and impossible states only. */
_Noreturn void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
