/*
 * Reader for goroutine dumps: debug=2 profiles, runtime.Stack(buf, true),
 * panic and fatal-error output, SIGQUIT and GOTRACEBACK=system|crash dumps
 * (specs/goroutine-formats.md section 4).
 */
#ifndef TEXTDUMP_H
#define TEXTDUMP_H

#include <stddef.h>

struct snapshot;
struct error;

/* Most frames kept per goroutine; deeper stacks are cut (and marked). */
#define TEXTDUMP_MAX_FRAMES 4096u
/* Longest line examined; longer lines are cut to this for parsing. */
#define TEXTDUMP_MAX_LINE (1u << 20)
/* Dumps of at least two parts this size are read by several threads. */
#define TEXTDUMP_PART_MIN    (16u << 20)
#define TEXTDUMP_MAX_THREADS 8u

/*
 * Whether buf looks like a goroutine dump: some line (within the first
 * megabyte) holds a goroutine header.
 */
int textdump_sniff(const unsigned char *buf, size_t len);

/*
 * Read every goroutine of the dump into out (initialised by the caller, with
 * its tables). Lines that are not understood inside a goroutine are skipped
 * and counted in out->skipped; text between goroutines (panic messages,
 * register dumps, logs) is ignored. Fails only when no goroutine is found.
 * A large dump is read by up to out->threads threads (0: one per core),
 * with the same result as one thread gives.
 */
int textdump_read(struct snapshot *out, const unsigned char *buf, size_t len,
		  struct error *err);

#endif
