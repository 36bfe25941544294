/*
 * pprof goroutine profiles (goroutine-formats.md section 2): the protobuf
 * Profile message, gzipped or raw, decoded by our own walk over the bytes
 * (formats/pbwire.h); and written back with libprotobuf-c so any snapshot
 * can be opened with `go tool pprof`.
 */
#ifndef PPROF_H
#define PPROF_H

#include <stddef.h>
#include <stdio.h>

#include "formats/format.h"

struct snapshot;
struct error;

/* Limits on what a profile may declare, checked before use. */
#define PPROF_MAX_STACK	 65536u /* frames per sample after inlining */
#define PPROF_MAX_LINES	 4096u	/* lines (inlined frames) per location */
#define PPROF_MAX_LABELS 256u	/* labels per sample */
#define PPROF_MAX_DEPTH	 8	/* message nesting the framing check walks */

/* Labels pprof output carries the goroutine state and the creating frame
 * ("func file:line") in, which the reader turns back into them. */
#define PPROF_STATE_LABEL   "goroscope.state"
#define PPROF_CREATOR_LABEL "goroscope.created_by"

/* Whether buf starts like a serialised Profile message. */
int pprof_sniff(const unsigned char *buf, size_t len);

/*
 * Read a goroutine or goroutineleak profile into out. Every other profile
 * type is refused with its sample types named; malformed protobuf is
 * refused with the offset where the framing breaks.
 */
int pprof_parse(struct snapshot *out, const unsigned char *buf, size_t len,
		struct error *err);

/* The format table's reader: the one snapshot of buf (pprof_parse) to
 * sink. */
int pprof_read(struct intern *in, const unsigned char *buf, size_t len,
	       const struct read_opts *o, snapshot_sink sink, void *ctx,
	       struct error *err);

/*
 * Check the protobuf framing of a Profile message (keys, wire types,
 * lengths, packed fields, nesting) without decoding it. On failure err says
 * what is wrong and at which byte offset.
 */
int pprof_check_wire(const unsigned char *buf, size_t len, struct error *err);

/*
 * Write s as a gzipped goroutine profile to fp: one sample per distinct
 * (stack, labels, state, creator), the state and creator as labels.
 */
int pprof_write(FILE *fp, const struct snapshot *s, struct error *err);

#endif
