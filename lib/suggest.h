/*
 * Suggestions for mistyped words ("did you mean"), as git suggests commands:
 * the candidate at the smallest edit distance, when it is close enough.
 */
#ifndef SUGGEST_H
#define SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b (case-insensitive, ASCII). */
size_t edit_distance(const char *a, const char *b);

/*
 * The candidate nearest word: at most a third of its length away (and at
 * least 1 and 2 edits allowed), or one that word begins (or the other way
 * round) when no candidate is that close; NULL when none is near. cands
 * has n entries; NULL entries are skipped.
 */
const char *suggest_nearest(const char *word, const char *const *cands,
			    size_t n);

#endif
