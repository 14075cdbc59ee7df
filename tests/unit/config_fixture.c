#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config_fixture.h"

void
config_fixture_load(
    const char *text, struct config *cfg, char file[CONFIG_FIXTURE_NAME_MAX])
{
	char err[256];
	int fd, rc;

	snprintf(file, CONFIG_FIXTURE_NAME_MAX, "/tmp/canyon-config-XXXXXX");
	fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = config_load(file, cfg, err, sizeof(err));
	unlink(file);
	if (rc != 0)
		fail_msg("config_load: %s", err);
}
