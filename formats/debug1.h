/*
 * Reader for debug=1 count profiles ("goroutine profile: total N" and
 * "goroutineleak profile: total N"; goroutine-formats.md section 3).
 */
#ifndef DEBUG1_H
#define DEBUG1_H

#include <stddef.h>

#include "formats/format.h"

struct snapshot;
struct error;

/* Most addresses kept per record; more are ignored. */
#define DEBUG1_MAX_PCS 4096u

/* Whether the first non-blank, non-'#' line is "<name> profile: total N". */
int debug1_sniff(const unsigned char *buf, size_t len);

/*
 * Read one profile into out, one goroutine record per "N @ ..." record with
 * weight N. Profiles other than goroutine and goroutineleak are refused.
 */
int debug1_parse(struct snapshot *out, const unsigned char *buf, size_t len,
		 struct error *err);

/*
 * The format table's reader: every profile of buf to sink, in file order.
 * Profiles appended to one file (a title line "goroutine profile: total N"
 * again) are separate snapshots, each with its position and the count in
 * parts; line numbers in messages are the file's.
 */
int debug1_read(struct intern *in, const unsigned char *buf, size_t len,
		const struct read_opts *o, snapshot_sink sink, void *ctx,
		struct error *err);

#endif
