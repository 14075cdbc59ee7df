#include "config_site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "permalink.h"

#define HEXO_CONFIG_MAX (1024 * 1024)

static const char *const site_keys[] = {
    "title",
    "subtitle",
    "intro",
    "author",
    "url",
    "timezone",
    "permalink",
    "new_post_name",
    "join_soft_breaks",
    "lang",
    "gemini_base",
    "robots",
    NULL,
};

#define DEFAULT_TITLE "canyon"
#define DEFAULT_TZ "+09:00"
#define DEFAULT_LANG "ko"
#define DEFAULT_GEMINI_BASE "gemini://localhost/"
#define DEFAULT_ROBOTS "User-agent: *\nDisallow: /search\n"

static int
parse_offset(const char *s, int *minutes)
{
	int h, m = 0, sign = s[0] == '-' ? -1 : 1;
	char extra;

	if (sscanf(s + 1, "%2d:%2d%c", &h, &m, &extra) == 2 ||
	    (strlen(s) == 5 &&
		sscanf(s + 1, "%2d%2d%c", &h, &m, &extra) == 2) ||
	    (strlen(s) == 3 && sscanf(s + 1, "%2d%c", &h, &extra) == 1)) {
		if (h > 14 || m > 59)
			return -1;
		*minutes = sign * (h * 60 + m);
		return 0;
	}
	return -1;
}

int
config_parse_tz(const char *s, int *minutes)
{
	char *old, *file;
	struct tm tm;
	time_t now = time(NULL);
	size_t i;

	if (s[0] == '+' || s[0] == '-')
		return parse_offset(s, minutes);
	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0 ||
	    strcmp(s, "GMT") == 0) {
		*minutes = 0;
		return 0;
	}
	for (i = 0; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("/_-+", s[i])))
			return -1;
	if (i == 0 || strstr(s, "..") != NULL)
		return -1;
	file = path_join("/usr/share/zoneinfo", s);
	if (access(file, R_OK) != 0) {
		free(file);
		return -1;
	}
	free(file);
	/* The C library knows the zone database; ask it with TZ, then put
	 * TZ back (this runs once, before anything else looks at the time). */
	old = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	setenv("TZ", s, 1);
	tzset();
	localtime_r(&now, &tm);
	*minutes = (int)(tm.tm_gmtoff / 60);
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
	return 0;
}

/* A scalar of canyon.yaml's site: (first) or Hexo's _config.yml. */
static const char *
pick(const struct ynode *site, const char *key, const struct ynode *hexo,
    const char *hexo_key, int *line, const char *file, const char **from)
{
	const struct ynode *n;

	if (site && (n = ynode_get(site, key)) != NULL &&
	    n->kind == YNODE_SCALAR) {
		*line = n->line;
		*from = file;
		return n->value;
	}
	if (hexo && hexo_key && (n = ynode_get(hexo, hexo_key)) != NULL &&
	    n->kind == YNODE_SCALAR && n->value[0] != '\0') {
		*line = n->line;
		*from = "_config.yml";
		return n->value;
	}
	return NULL;
}

static char *
dup_or(const char *v, const char *def)
{
	return v ? xstrdup(v) : def ? xstrdup(def) : NULL;
}

static struct ynode *
load_hexo(const char *source, char **file)
{
	char *dir = site_hexo_dir(source), *text, yerr[256];
	struct ynode *root = NULL;
	size_t len;

	*file = NULL;
	if (dir == NULL)
		return NULL;
	*file = path_join(dir, "_config.yml");
	free(dir);
	if ((text = path_read_file(*file, HEXO_CONFIG_MAX, &len)) == NULL)
		return NULL;
	root = ynode_parse(text, len, yerr, sizeof(yerr));
	free(text);
	if (root != NULL && root->kind != YNODE_MAP) {
		ynode_free(root);
		root = NULL;
	}
	return root;
}

int
config_site(const struct config *cfg, struct site_settings *out, char *err,
    size_t errlen)
{
	const struct ynode *site = ynode_get(cfg->root, "site");
	const struct ynode *server = ynode_get(cfg->root, "server"), *n;
	const char *file = cfg->file ? cfg->file : "(defaults)", *from, *v;
	struct site_config *c = &out->site;
	struct ynode *hexo;
	char *hexo_file;
	int line = 0, rc = -1;
	bool b;

	memset(out, 0, sizeof(*out));
	if (config_check_keys(cfg, site, "site", site_keys, err, errlen) != 0)
		return -1;
	out->source =
	    config_path(cfg, ynode_str(cfg->root, "source", "capsule"));
	out->output =
	    config_path(cfg, ynode_str(cfg->root, "output", "public"));
	hexo = load_hexo(out->source, &hexo_file);

	c->title =
	    dup_or(pick(site, "title", hexo, "title", &line, file, &from),
		DEFAULT_TITLE);
	c->subtitle = dup_or(
	    pick(site, "subtitle", hexo, "subtitle", &line, file, &from), NULL);
	c->intro = dup_or(
	    pick(site, "intro", hexo, "description", &line, file, &from), NULL);
	c->author = dup_or(
	    pick(site, "author", hexo, "author", &line, file, &from), NULL);
	if ((v = pick(site, "url", hexo, "url", &line, file, &from)) != NULL &&
	    v[0] != '\0') {
		size_t k = strlen(v);
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0) {
			snprintf(err, errlen,
			    "%s:%d: url must start with http:// or "
			    "https://",
			    from, line);
			goto out;
		}
		while (k > 0 && v[k - 1] == '/')
			k--;
		c->url = xstrndup(v, k);
	}
	v = pick(site, "timezone", hexo, "timezone", &line, file, &from);
	if (config_parse_tz(v ? v : DEFAULT_TZ, &c->tz_minutes) != 0) {
		snprintf(err, errlen,
		    "%s:%d: unknown time zone '%s' (write "
		    "+09:00 or a name such as Asia/Seoul)",
		    from, line, v);
		goto out;
	}
	c->permalink = dup_or(
	    pick(site, "permalink", hexo, "permalink", &line, file, &from),
	    PERMALINK_DEFAULT);
	c->new_post_name = dup_or(pick(site, "new_post_name", hexo,
				      "new_post_name", &line, file, &from),
	    NULL);
	c->lang =
	    dup_or(pick(site, "lang", hexo, "language", &line, file, &from),
		DEFAULT_LANG);
	if ((v = pick(site, "gemini_base", NULL, NULL, &line, file, &from)) !=
	    NULL) {
		if (strncmp(v, "gemini://", 9) != 0 || v[9] == '\0' ||
		    v[9] == '/') {
			snprintf(err, errlen,
			    "%s:%d: gemini_base must be a gemini:// "
			    "URL with a host",
			    from, line);
			goto out;
		}
		c->gemini_base = xstrdup(v);
	} else if ((v = ynode_str(server, "hostname", NULL)) != NULL) {
		struct buf base = BUF_INIT;
		buf_printf(&base, "gemini://%s/", v);
		c->gemini_base = buf_detach(&base, NULL);
	} else {
		c->gemini_base = xstrdup(DEFAULT_GEMINI_BASE);
	}
	if (c->gemini_base[strlen(c->gemini_base) - 1] != '/') {
		struct buf base = BUF_INIT;
		buf_printf(&base, "%s/", c->gemini_base);
		free(c->gemini_base);
		c->gemini_base = buf_detach(&base, NULL);
	}
	c->robots = dup_or(pick(site, "robots", NULL, NULL, &line, file, &from),
	    DEFAULT_ROBOTS);
	if (site && (n = ynode_get(site, "join_soft_breaks")) != NULL) {
		if (n->kind != YNODE_SCALAR || ynode_bool(n->value, &b) != 0) {
			snprintf(err, errlen,
			    "%s:%d: join_soft_breaks must be true or "
			    "false",
			    file, n->line);
			goto out;
		}
		c->join_soft_breaks = b;
	}
	rc = 0;
out:
	ynode_free(hexo);
	free(hexo_file);
	if (rc != 0)
		site_settings_free(out);
	return rc;
}

void
site_settings_free(struct site_settings *s)
{
	free(s->source);
	free(s->output);
	site_config_free(&s->site);
	memset(s, 0, sizeof(*s));
}
