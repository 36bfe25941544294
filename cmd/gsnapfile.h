/*
 * Adding to a .gsnap series on disk (convert --append, capture, watch
 * --save): records appended under a write lock, the file created with its
 * header under the same lock when it is new, so that concurrent appenders
 * and creators lose nothing.
 */
#ifndef GSNAPFILE_H
#define GSNAPFILE_H

#include <stddef.h>

struct error;

/* The bytes of one encoded record (header and payload), borrowed. */
struct gsnapfile_span {
	const unsigned char *p;
	size_t len;
};

/*
 * Append the records v[0..n) to the series at path, creating it when it
 * does not exist or is empty: only bytes after its last complete record
 * change. A torn record left by an append that did not finish is cut off
 * first (with a warning on stderr); a series damaged elsewhere, another
 * file, or a file that is not a regular one, is refused; a write that
 * fails is undone. err names the file.
 */
int gsnapfile_append(const char *path, const struct gsnapfile_span *v, size_t n,
		     struct error *err);

#endif
