/*
 * The old execution trace format (Go 1.5 to 1.21): one flat stream of
 * per-P batches, with the string table anywhere and the frequency and
 * stack table at the end. The file is indexed first (batch offsets per P,
 * strings, stacks), then the per-P streams are merged in time order.
 */
#ifndef TRACEV1_H
#define TRACEV1_H

#include <stddef.h>

struct trace_run;
struct error;

/* Read buf[0..len) (header included) into r's timeline (trace.h). */
int tracev1_read(struct trace_run *r, const unsigned char *buf, size_t len,
		 struct error *err);

#endif
