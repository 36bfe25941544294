/*
 * Helpers shared by the unit tests and the fuzz replay driver: readable
 * frames of a parsed goroutine, and sorted directory listings.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/snapshot.h"

/* "func file:line" of frame k of g's stack, or "(none)"; static buffer. */
static inline const char *
tu_frame(const struct intern *in, const struct goroutine *g, uint32_t k)
{
	static char buf[512];
	uint32_t n = 0;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);
	const struct frame *f = NULL;

	if (k >= n)
		return "(none)";
	f = intern_frame_get(in, v[k]);
	snprintf(buf, sizeof(buf), "%s %s:%u", intern_str(in, f->func),
		 intern_str(in, f->file), f->line);
	return buf;
}

static inline int
tu_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in dir, sorted, without dot files; the caller frees each and
 * the array. NULL when dir cannot be opened.
 */
static inline char **
tu_list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), tu_cmp_names);
	return names ? names : calloc(1, sizeof(*names));
}

/* Split a line of tab-separated fields in place (its newline dropped)
 * into f[0..max); returns how many. */
static inline int
tsv_split(char *line, char **f, int max)
{
	char *p = line;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

#endif
