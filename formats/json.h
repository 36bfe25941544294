/*
 * The JSON report ("schema": 1), written group by group: each group object
 * is built, dumped and freed before the next, so memory stays flat however
 * many groups there are. Field by field in man/goroscope.1 (JSON OUTPUT).
 */
#ifndef JSON_H
#define JSON_H

#include <stdint.h>
#include <stdio.h>

struct grouping;
struct snapshot_meta;
struct analysis;
struct suspect_rules;
struct error;
struct fleet;
struct series_skip;

/* The groups of one instance's series. */
struct json_part {
	const char *instance;		  /* its name, or NULL */
	const struct grouping *gr;	  /* finished */
	const struct snapshot_meta *meta; /* gr->nsnap of them */
	const char *order;		  /* how its snapshots are ordered */
	const size_t *shown;		  /* indices into gr->v, in order */
	size_t nshown;
	const struct analysis *an; /* verdicts, or NULL (show) */
};

/* What a command hands the writer; pointers are borrowed. */
struct json_doc {
	const char *command; /* "show", "diff", ... */
	const struct json_part *parts;
	size_t nparts;			   /* instances, at least one */
	const struct suspect_rules *rules; /* thresholds used, or NULL */
	const struct fleet *fleet;	   /* with several instances */
	const struct series_skip *skipped; /* inputs left out */
	size_t nskipped;
};

/* Write the whole document to fp. Fails only on a write error. */
int json_write(FILE *fp, const struct json_doc *doc, struct error *err);

/*
 * Copy the bytes s[0..n) into out (at least 4n+1 bytes) as valid UTF-8: each
 * byte that is not part of a valid UTF-8 sequence becomes the four characters
 * \xNN. Returns the length written. Go names and labels may hold any bytes.
 */
size_t json_utf8_escape(const char *s, size_t n, char *out);

/* Format Unix nanoseconds as RFC 3339 UTC ("2026-11-28T03:23:46.5Z"). */
void json_time(int64_t ns, char *buf, size_t size);

#endif
