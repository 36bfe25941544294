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
struct error;
struct intern;
struct trace_opts;
struct trace_info;

struct format {
	const char *name;	 /* as shown and stored: "debug=2" */
	const char *description; /* for messages and --help */
	int (*sniff)(const unsigned char *buf, size_t len);
	int (*read)(struct snapshot *out, const unsigned char *buf, size_t len,
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
