/*
 * The new execution trace format (Go 1.22 and later): batches grouped into
 * generations, each with its own string and stack tables. Read one
 * generation at a time, on two threads when allowed (one merges the next
 * generation's events in order while the other replays the last): memory
 * holds two generations' batch indexes and tables, a ring of merged
 * events and the live goroutines, never the trace's events.
 */
#ifndef TRACEV2_H
#define TRACEV2_H

#include <stddef.h>

struct trace_run;
struct error;

/* Read buf[0..len) (header included) into r's timeline (trace.h). */
int tracev2_read(struct trace_run *r, const unsigned char *buf, size_t len,
		 struct error *err);

#endif
