/*
 * The table of input formats. Formats are recognised from the bytes, never
 * from the file name.
 *
 * Adding a format:
 *  1. formats/NAME.{c,h} with NAME_sniff() and NAME_read(), pure functions
 *     over bytes (see textdump.h);
 *  2. a row in formats[] (format.c), more specific sniffers first;
 *  3. a fuzz target tests/fuzz/fuzz_NAME.c with a seed corpus, replayed by
 *     `make check`;
 *  4. golden cases under testdata/cases/ and a line in man/goroscope.1.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>

struct snapshot;
struct intern;
struct error;
struct trace_opts;
struct trace_info;

/* Receives each snapshot of a series in turn; a non-zero return stops the
 * reading and is returned. The snapshot is released after the call. */
typedef int (*snapshot_sink)(struct snapshot *s, void *ctx);

/* The same for a series: s is at position pos of the n snapshots in the
 * file (0: the first). */
typedef int (*series_sink)(struct snapshot *s, unsigned pos, unsigned n,
			   void *ctx);

/* read_series' order: the file's, or its reverse. Grouping describes each
 * group by its latest snapshot: given that first, it only counts in the
 * earlier ones. */
enum series_order { SERIES_FILE_ORDER, SERIES_LATEST_FIRST };

struct format {
	const char *name;	 /* as shown and stored: "debug=2" */
	const char *description; /* for messages and --help */
	int (*sniff)(const unsigned char *buf, size_t len);
	/* One snapshot: the capture, or the latest of a series. */
	int (*read)(struct snapshot *out, const unsigned char *buf, size_t len,
		    struct error *err);
	/* Formats that hold a series of snapshots (.gsnap) also give them
	 * all, in the order asked, over the tables in, using at most threads
	 * threads as struct snapshot's threads says; NULL for the others. */
	int (*read_series)(struct intern *in, const unsigned char *buf,
			   size_t len, unsigned threads,
			   enum series_order order, series_sink sink, void *ctx,
			   struct error *err);
	/* Optional, for a source of many snapshots (an execution trace):
	 * hand a snapshot per sampling point to o->listen (trace.h). */
	int (*read_points)(struct intern *in, const unsigned char *buf,
			   size_t len, const struct trace_opts *o,
			   struct trace_info *info, struct error *err);
};

/* The formats, in sniffing order; ends with a row whose name is NULL. */
extern const struct format formats[];

/* The format of buf, or NULL when none recognises it. */
const struct format *format_sniff(const unsigned char *buf, size_t len);

#endif
