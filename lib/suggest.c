/* Did-you-mean suggestions by edit distance. */
#include <stdlib.h>
#include <string.h>

#include "lib/suggest.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

size_t
edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i, j;
	size_t *row = xreallocarray(NULL, nb + 1, sizeof(*row)), d;

	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag;

			if (lower((unsigned char)a[i - 1]) !=
			    lower((unsigned char)b[j - 1]))
				best++;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[nb];
	free(row);
	return d;
}

static int
prefix_of(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n >= 3 && strncmp(a, b, n) == 0;
}

const char *
suggest_nearest(const char *word, const char *const *cands, size_t n)
{
	size_t i, best = (size_t)-1, len = strlen(word);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		size_t d = 0;

		if (cands[i] == NULL)
			continue;
		d = edit_distance(word, cands[i]);
		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	if (pick != NULL && best <= limit && best < len)
		return pick;
	for (i = 0; i < n; i++)
		if (cands[i] != NULL &&
		    (prefix_of(word, cands[i]) || prefix_of(cands[i], word)))
			return cands[i];
	return NULL;
}
