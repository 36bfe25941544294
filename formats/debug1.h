/*
 * Reader for debug=1 count profiles ("goroutine profile: total N" and
 * "goroutineleak profile: total N"; goroutine-formats.md section 3).
 */
#ifndef DEBUG1_H
#define DEBUG1_H

#include <stddef.h>

struct snapshot;
struct error;

/* Most addresses kept per record; more are ignored. */
#define DEBUG1_MAX_PCS 4096u

/* Whether the first non-blank, non-'#' line is "<name> profile: total N". */
int debug1_sniff(const unsigned char *buf, size_t len);

/*
 * Read the records into out, one goroutine record per "N @ ..." record with
 * weight N. Profiles other than goroutine and goroutineleak are refused.
 */
int debug1_read(struct snapshot *out, const unsigned char *buf, size_t len,
		struct error *err);

#endif
