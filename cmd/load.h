/*
 * How every command reads its sources: the operands (or stdin when none is
 * named and it is not a terminal) through the one read path
 * (formats/source.h), with a progress bar on a terminal, every reader
 * warning printed as it comes, and every input that had to be left out
 * said, each snapshot to the command's own sink.
 */
#ifndef LOAD_H
#define LOAD_H

#include "formats/format.h"

struct intern;
struct snapshot;
struct options;

struct load_opts {
	struct read_opts read;
	int progress;	    /* a progress bar on a terminal */
	int strict;	    /* an input that cannot be read ends the command */
	int as_given;	    /* inputs in the order named (diff's OLD NEW) */
	int missing_ok;	    /* even a lone input that cannot be read is only
			       skipped (capture, watch: the next moment
			       comes) */
	const char *single; /* this command reads one capture: no
			       directory (its name, for the message) */
};

struct load_sink {
	void *ctx;
	/* Each snapshot (borrowed for the call); non-zero stops. */
	int (*snapshot)(void *ctx, struct snapshot *s);
	/* An input left out, already warned about (may be NULL). */
	void (*skipped)(void *ctx, const char *path, const char *why);
};

/* What every command's options say of reading: threads, URL requests,
 * the progress bar, --strict. Zero for the rest. */
void load_opts_init(struct load_opts *lo, const struct options *o);

/*
 * Read every operand (noperands of them; none: stdin) into k. Returns the
 * number of inputs read (at least 1), or -1 after printing why not.
 */
int load_sources(struct intern *in, char **operands, int noperands,
		 const struct load_opts *o, const struct load_sink *k);

#endif
