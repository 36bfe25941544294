/*
 * Reader for goroutine dumps: debug=2 profiles, runtime.Stack(buf, true),
 * panic and fatal-error output, SIGQUIT and GOTRACEBACK=system|crash dumps
 * (specs/goroutine-formats.md section 4).
 */
#ifndef TEXTDUMP_H
#define TEXTDUMP_H

#include <stddef.h>

#include "formats/format.h"

struct snapshot;
struct error;

/* Most frames kept per goroutine; deeper stacks are cut (and marked). */
#define TEXTDUMP_MAX_FRAMES 4096u
/* Longest line examined; longer lines are cut to this for parsing. */
#define TEXTDUMP_MAX_LINE (1u << 20)
/* Dumps of at least two parts this size are read by several threads. */
#define TEXTDUMP_PART_MIN    (16u << 20)
#define TEXTDUMP_MAX_THREADS 8u
/* A traceback's message (the panic, fatal error or signal before its
 * goroutines) is kept up to this many bytes and lines. */
#define TEXTDUMP_MESSAGE_MAX   1024u
#define TEXTDUMP_MESSAGE_LINES 8u

/*
 * Whether buf looks like a goroutine dump: some line (within the first
 * megabyte) holds a goroutine header.
 */
int textdump_sniff(const unsigned char *buf, size_t len);

/*
 * Read every goroutine of buf into out (initialised by the caller, with its
 * tables) as one snapshot. Lines that are not understood inside a goroutine
 * are skipped and counted in out->skipped; text between goroutines (register
 * dumps, logs) is ignored but for a traceback's message (a panic, a fatal
 * error, a signal), kept in out->message; thread stacks ("goroutine 0")
 * are counted in out->thread_stacks, not kept. Fails only when no goroutine
 * is found. A large dump is read by up to threads threads (0: one per
 * core), with the same result as one thread gives.
 */
int textdump_parse(struct snapshot *out, const unsigned char *buf, size_t len,
		   unsigned threads, struct error *err);

/*
 * The format table's reader: every capture of buf to sink, in file order.
 * Dumps appended to one file (a traceback's first line again, runtime.Stack
 * output after another, a goroutine id seen twice) are separate snapshots,
 * each with its position, the count in parts and its first line. A
 * capture with a message has the format "traceback", others "debug=2".
 */
int textdump_read(struct intern *in, const unsigned char *buf, size_t len,
		  const struct read_opts *o, snapshot_sink sink, void *ctx,
		  struct error *err);

#endif
