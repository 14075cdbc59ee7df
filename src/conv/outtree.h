/*
 * outtree: the capsule being written, swapped into place in one step.
 *
 * outtree_open() makes a fresh folder beside the final one
 * ("<parent>/.<name>.new-<pid>"); files are written there, and
 * outtree_commit() exchanges it with the final folder in one atomic
 * rename (renameat2 RENAME_EXCHANGE, or a plain rename when there is no
 * final folder yet), then removes the old tree. A server reading the
 * final path sees either the old capsule or the new one, never a mix.
 * With dry set nothing is created or written (canyon check).
 */
#ifndef CANYON_OUTTREE_H
#define CANYON_OUTTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "strmap.h"

struct outtree {
	char *final;         /* the capsule folder */
	char *tmp;           /* the folder being written */
	bool dry;
	struct strmap dirs;  /* folders already made, relative */
};

/* 0, or -1 with err filled. */
int outtree_open(struct outtree *t, const char *final, bool dry, char *err,
    size_t errlen);
/* Write data as the file rel (decoded, relative), making its folders.
 * 0, or -1 with err filled. */
int outtree_write(struct outtree *t, const char *rel, const void *data,
    size_t len, char *err, size_t errlen);
/* Copy the file src to rel. 0, or -1 with err filled. */
int outtree_copy(struct outtree *t, const char *rel, const char *src,
    char *err, size_t errlen);
/* Put the new tree in place and remove the old one. 0 or -1 with err. */
int outtree_commit(struct outtree *t, char *err, size_t errlen);
/* Remove the unfinished tree (after an error); frees t. */
void outtree_abort(struct outtree *t);
/* Free t after a commit. */
void outtree_free(struct outtree *t);

/* Remove a folder and everything in it. 0 or -1/errno. */
int outtree_remove(const char *dir);

#endif
