/*
 * mime: the MIME type of a capsule file, by its name.
 */
#ifndef CANYON_MIME_H
#define CANYON_MIME_H

#include <stdbool.h>

/* The MIME type (no parameters) for a file name or URL path; a static
 * string. Unknown extensions are application/octet-stream. */
const char *mime_for_path(const char *path);

/* True for the types whose Gemini header carries charset=utf-8. */
bool mime_is_text(const char *mime);

#endif
