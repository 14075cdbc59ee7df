/*
 * config_fixture: a config file written from a string, for the unit tests
 * of the config readers (config_limits, config_server, ...).
 *
 * Uses cmocka: a file that cannot be written or loaded fails the test.
 */
#ifndef CANYON_TEST_CONFIG_FIXTURE_H
#define CANYON_TEST_CONFIG_FIXTURE_H

#include "config.h"

/* Room for the name of the temporary file, with its NUL. */
#define CONFIG_FIXTURE_NAME_MAX 32

/*
 * Write text to a new file under /tmp, load it as the config cfg and
 * remove the file. Its name is left in file, for error messages that
 * start with it. The caller frees cfg with config_free().
 */
void config_fixture_load(
    const char *text, struct config *cfg, char file[CONFIG_FIXTURE_NAME_MAX]);

#endif
