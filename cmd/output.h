/*
 * Where a command's report goes: stdout, or a file that is written under a
 * temporary name and renamed into place only when the command succeeded, so
 * a failed run never leaves a partial file (or clobbers an old one).
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

struct error;

struct output {
	FILE *fp;   /* write here */
	char *path; /* final name, or NULL for stdout */
	char *tmp;  /* temporary name while writing */
	int is_stdout;
};

/* Open path (NULL or "-" for stdout). err names the file on failure. */
int output_open(struct output *o, const char *path, struct error *err);

/*
 * Flush, check for write errors, sync and rename into place. Returns -1 with
 * err set if anything failed; the temporary file is then removed.
 */
int output_commit(struct output *o, struct error *err);

/* Give up: close and remove the temporary file. */
void output_abort(struct output *o);

/* Whether standard output is a pipe or socket nobody reads any more. */
int output_reader_gone(void);

#endif
