#include "series.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "workers.h"

static size_t
find_root(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/*
 * True when href is a root-relative folder path of letters, digits, '-',
 * '_' and '/' ("/2021/12/31/slug-01/"): its site path and its page's
 * path are then href itself (no scheme, host, query, escapes, dots or
 * file name to work out), the common case of a series list.
 */
static bool
plain_page_path(const char *href)
{
	const char *p;

	if (href[0] != '/' || href[1] == '/')
		return false;
	for (p = href; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			*p == '/'))
			return false;
	return p[-1] == '/';
}

/* The post a series item stands for: its link's target, or the owner;
 * NULL when the link leads to no live post. Reads the site only. */
static struct site_doc *
item_post(
    const struct site *s, struct site_doc *owner, const struct series_item *it)
{
	struct buf path = BUF_INIT;
	struct site_doc *doc = NULL;

	if (it->href == NULL)
		return owner;
	if (plain_page_path(it->href))
		doc = strmap_get(&s->by_url, it->href);
	else if (site_link_path(s, it->href, &path) == 0)
		doc = site_find_path(s, path.data, path.len);
	buf_free(&path);
	if (doc == NULL || doc->kind != DOC_POST || !site_doc_live(doc))
		return NULL;
	return doc;
}

/* Every post's series items resolved (posts[i]'s in items[i]), in
 * parallel: each href shows up in every part of its series. */
struct resolve {
	struct site *s;
	struct site_doc ***items;
};

static void
resolve_one(void *ctx, size_t i)
{
	struct resolve *r = ctx;
	struct site_doc *owner = r->s->posts[i];
	size_t j;

	if (!owner->rendered || owner->res.nseries == 0)
		return;
	r->items[i] = xcalloc(owner->res.nseries, sizeof(*r->items[i]));
	for (j = 0; j < owner->res.nseries; j++)
		r->items[i][j] = item_post(r->s, owner, &owner->res.series[j]);
}

/* Order of one group (members: its posts, oldest first): the owner's
 * list, then the members it does not name. */
static size_t
group_order(const struct site *s, struct site_doc *const *items,
    struct site_doc *owner, const size_t *members, size_t nmembers,
    bool *placed, struct site_doc **order)
{
	struct site_doc *p;
	size_t i, n = 0;

	for (i = 0; i < owner->res.nseries; i++) {
		p = items[i];
		if (p != NULL && !placed[p->index]) {
			placed[p->index] = true;
			order[n++] = p;
		}
	}
	for (i = 0; i < nmembers; i++)
		if (!placed[members[i]]) {
			placed[members[i]] = true;
			order[n++] = s->posts[members[i]];
		}
	for (i = 0; i < n; i++)
		placed[order[i]->index] = false;
	return n;
}

void
series_link(struct site *s)
{
	size_t *parent, *best, *best_len, *start, *members, i, j, r, n;
	struct resolve res;
	struct site_doc *p, **order;
	bool *placed;

	if (s->nposts == 0)
		return;
	res.s = s;
	res.items = xcalloc(s->nposts, sizeof(*res.items));
	workers_run(s->nposts, resolve_one, &res, NULL, NULL);
	parent = xmalloc(s->nposts * sizeof(*parent));
	best = xmalloc(s->nposts * sizeof(*best));
	best_len = xcalloc(s->nposts, sizeof(*best_len));
	for (i = 0; i < s->nposts; i++)
		parent[i] = (size_t)-1;
	for (i = 0; i < s->nposts; i++) {
		struct site_doc *owner = s->posts[i];
		if (!site_doc_live(owner) || !owner->rendered ||
		    owner->res.nseries == 0)
			continue;
		if (parent[i] == (size_t)-1)
			parent[i] = i;
		for (j = 0; j < owner->res.nseries; j++) {
			p = res.items[i][j];
			if (p == NULL)
				continue;
			if (parent[p->index] == (size_t)-1)
				parent[p->index] = p->index;
			parent[find_root(parent, p->index)] =
			    find_root(parent, i);
		}
	}
	/* The owner of each group's longest list. */
	for (i = 0; i < s->nposts; i++) {
		if (parent[i] == (size_t)-1 || s->posts[i]->res.nseries == 0)
			continue;
		r = find_root(parent, i);
		if (s->posts[i]->res.nseries > best_len[r]) {
			best_len[r] = s->posts[i]->res.nseries;
			best[r] = i;
		}
	}
	/* Members of each group, contiguous: a counting sort by root. */
	start = xcalloc(s->nposts + 1, sizeof(*start));
	members = xmalloc(s->nposts * sizeof(*members));
	for (i = 0; i < s->nposts; i++)
		if (parent[i] != (size_t)-1)
			start[find_root(parent, i) + 1]++;
	for (i = 0; i < s->nposts; i++)
		start[i + 1] += start[i];
	for (i = 0; i < s->nposts; i++)
		if (parent[i] != (size_t)-1)
			members[start[find_root(parent, i)]++] = i;
	for (i = s->nposts; i > 0; i--)
		start[i] = start[i - 1];
	start[0] = 0;
	order = xmalloc(s->nposts * sizeof(*order));
	placed = xcalloc(s->nposts, sizeof(*placed));
	for (r = 0; r < s->nposts; r++) {
		if (parent[r] != r || best_len[r] == 0)
			continue;
		n = group_order(s, res.items[best[r]], s->posts[best[r]],
		    members + start[r], start[r + 1] - start[r], placed, order);
		for (i = 0; n > 1 && i < n; i++) {
			order[i]->prev = i > 0 ? order[i - 1] : NULL;
			order[i]->next = i + 1 < n ? order[i + 1] : NULL;
		}
	}
	for (i = 0; i < s->nposts; i++)
		free(res.items[i]);
	free(res.items);
	free(placed);
	free(order);
	free(members);
	free(start);
	free(best_len);
	free(best);
	free(parent);
}
