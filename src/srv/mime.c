#include "mime.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *ext;
	const char *mime;
} types[] = {
    {"gmi", "text/gemini"},
    {"gemini", "text/gemini"},
    {"txt", "text/plain"},
    {"atom", "application/atom+xml"},
    {"xml", "application/xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"svg", "image/svg+xml"},
    {"ico", "image/x-icon"},
    {"avif", "image/avif"},
    {"css", "text/css"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"md", "text/markdown"},
    {"pdf", "application/pdf"},
    {"json", "application/json"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"mp4", "video/mp4"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
};

const char *
mime_for_path(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t i;

	base = base ? base + 1 : path;
	/* Feeds are named atom.xml by convention: plain .xml is not Atom. */
	if (strcasecmp(base, "atom.xml") == 0)
		return "application/atom+xml";
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return "application/octet-stream";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return types[i].mime;
	return "application/octet-stream";
}

bool
mime_is_text(const char *mime)
{
	return strncmp(mime, "text/", 5) == 0 ||
	    strcmp(mime, "application/atom+xml") == 0 ||
	    strcmp(mime, "application/xml") == 0 ||
	    strcmp(mime, "application/json") == 0;
}
