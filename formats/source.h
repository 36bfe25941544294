/*
 * The read path (DESIGN.md sections 2a and 8): from what the user named
 * (files, directories, "-", a moment of a trace FILE@TIME) to snapshots,
 * one at a time, each with its place. Opening, mapping, inflating,
 * sniffing and naming happen here, and nowhere else; the readers are pure
 * functions over the bytes (format.h). Every command reads through
 * source_read().
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"

struct snapshot;
struct intern;
struct error;

/* One input: a file, or "-" for stdin. */
struct source_input {
	char *path;    /* as named (a directory's files: DIR/NAME) */
	int from_dir;  /* found in a directory that was named */
	int has_at;    /* FILE@TIME: that moment of a trace */
	int64_t at;    /* ns after the trace's start */
	uint32_t part; /* FILE#N: only its Nth snapshot (1-based), 0: all */
	int url;       /* an http:// or https:// URL, fetched */
};

struct source_list {
	struct source_input *v;
	size_t n, cap;
};

void source_list_init(struct source_list *l);
void source_list_release(struct source_list *l);

/*
 * Add what operand names: a directory stands for every regular file under
 * it (recursively, hidden names left out, in natural order of their
 * paths); "FILE@TIME", when no file has that name, for that moment of the
 * trace FILE; "FILE#N" likewise for the Nth snapshot of a file of several
 * (a capture of a text file, as outputs name them; a .gsnap record; a point
 * of a trace); an http:// or https:// URL for what it serves (read_opts
 * say which path a bare URL means); anything else for itself. Fails when a directory cannot be
 * read, or holds no file.
 */
int source_list_add(struct source_list *l, const char *operand,
		    struct error *err);

/*
 * Put the inputs in natural order of their paths ("dump-2" before
 * "dump-10"), keeping the order of equal ones: the order a series of
 * captures without capture times is read in (DESIGN.md section 2a).
 */
void source_list_sort(struct source_list *l);

/* What a read tells its caller, besides snapshots. */
struct source_events {
	void *ctx;
	/*
	 * Each snapshot, with its place (its input's index, its position,
	 * its source named as the user named it: "dumps.txt#2" for the
	 * second capture of a text file of several); borrowed for the call.
	 * A non-zero return stops the read (source_read returns -1).
	 */
	int (*snapshot)(void *ctx, struct snapshot *s);
	/* Input k of n is about to be read (may be NULL): for progress. */
	void (*begin)(void *ctx, const struct source_input *src, size_t k,
		      size_t n);
	/* An input was skipped (keep going): err says which and why;
	 * not_capture: a file in a directory that is no capture at all
	 * (a README beside the captures), rather than a damaged one. */
	void (*skipped)(void *ctx, const struct source_input *src,
			const struct error *err, int not_capture);
};

/* source_read()'s keep_going: an input that cannot be read is skipped
 * (said to ev->skipped) when the inputs are several, or even when alone. */
enum {
	SOURCE_KEEP_GOING = 1,
	SOURCE_KEEP_GOING_ALWAYS = 2,
};

/*
 * Read every input of l in turn, each snapshot to ev->snapshot; URLs are
 * fetched first, all at the same moment, and their snapshots have the
 * URL's host:port as their instance (or o->instance) and the moment the
 * response completed as their capture time, unless they say their own.
 * When
 * keep_going is SOURCE_KEEP_GOING and l holds more than one input (or it is
 * SOURCE_KEEP_GOING_ALWAYS), an input that cannot be read (or is not a
 * capture at all) is reported to ev->skipped and the read goes on
 * (DESIGN.md section 2a); otherwise the first failure ends it: -1, with err
 * naming the file and the line or offset.
 */
int source_read(struct intern *in, const struct source_list *l,
		const struct read_opts *o, int keep_going,
		const struct source_events *ev, struct error *err);

/*
 * The last snapshot path holds (a lone source: a failure is an error) into
 * out, initialised by the caller over its tables: for tests and tools.
 */
int source_load(struct snapshot *out, const char *path,
		const struct read_opts *o, struct error *err);

#endif
