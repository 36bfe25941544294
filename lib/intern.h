/*
 * The tables every snapshot of one command shares: strings, frames, stacks
 * and label sets, all by 32-bit id, so that matching groups across snapshots
 * is comparing ids.
 */
#ifndef INTERN_H
#define INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/frames.h"
#include "lib/seqtab.h"
#include "lib/strtab.h"
#include "lib/waitreason.h"

/* Most label pairs kept per goroutine; more are dropped by the reader. */
#define INTERN_MAX_LABELS 256u

struct intern {
	struct strtab strings;
	struct frametab frames;
	struct seqtab stacks;	    /* frame ids, innermost first */
	struct seqtab labelsets;    /* (key, value) string-id pairs, sorted */
	unsigned char *state_class; /* strid -> enum wait_class + 1, memo */
	size_t state_cap;
};

void intern_init(struct intern *in);
void intern_release(struct intern *in);

/*
 * Intern a frame from raw names. Generic type arguments in the function name
 * are canonicalised (`F[go.shape.int]` and `F[...]` both become `F[...]`) so
 * that protobuf and text names of one function are one string.
 */
frameid intern_frame(struct intern *in, const char *func, size_t funclen,
		     const char *file, size_t filelen, uint32_t line);

/* A name's id not known yet, for intern_frame_bytes(). */
#define INTERN_NO_STR UINT32_MAX

/*
 * The frame of these names and line kept as given (intern_frame() does so
 * for a function without generic arguments), whose frames_hash() is
 * hash: found by its names' bytes, without interning them, or else added
 * where the probe stopped (interning the names adds no frame in between),
 * its names interned function first unless their ids are known (func_id,
 * file_id; INTERN_NO_STR when not).
 */
static inline frameid
intern_frame_bytes(struct intern *in, uint32_t hash, const char *func,
		   size_t funclen, const char *file, size_t filelen,
		   uint32_t line, strid func_id, strid file_id)
{
	uint32_t miss = 0;
	frameid id = frames_find(&in->frames, &in->strings, hash, func, funclen,
				 file, filelen, line, &miss);

	if (id != FRAMES_NONE)
		return id;
	if (func_id == INTERN_NO_STR)
		func_id = strtab_intern(&in->strings, func, funclen);
	if (file_id == INTERN_NO_STR)
		file_id = strtab_intern(&in->strings, file, filelen);
	return frames_add_missed(&in->frames, &in->strings, func_id, file_id,
				 line, hash, miss);
}

/* The function every goroutine returns to. */
#define INTERN_GOEXIT "runtime.goexit"

/*
 * Normalise the frames v[0..n) (innermost first) in place and intern them:
 * runtime.goexit is dropped, and so is every frame a level-1 traceback hides
 * (unexported runtime functions, wrappers) plus leading runtime and
 * internal/runtime frames (debug=1 hides those), unless that would leave
 * nothing; a stack of runtime.goexit alone becomes the one frame
 * runtime.goexit with no file or line. Stacks from pprof, debug=1 and
 * debug=2 of one goroutine thus become one stack id.
 */
seqid intern_stack(struct intern *in, uint32_t *v, uint32_t n);

/* intern_stack() but the interning: v[0..n) becomes in place the stack it
 * would intern, whose length it returns. */
uint32_t intern_stack_trim(struct intern *in, uint32_t *v, uint32_t n);

/*
 * Intern a label set from n (key, value) string-id pairs in pairs[0..2n):
 * sorted by key then value (by content), a repeated key keeps its last
 * value. pairs is reordered in place.
 */
seqid intern_labels(struct intern *in, uint32_t *pairs, uint32_t n);

/* The wait class of an interned state string (memoised). */
enum wait_class intern_state_class(struct intern *in, strid state);

/*
 * How ids of one set of tables map into another: after intern_import(),
 * map.str[id in src] is the id in dst, and so on. Arrays owned by the map
 * (intern_remap_release).
 */
struct intern_remap {
	uint32_t *str, *frame, *stack, *labelset;
};

/* Intern every string, frame, stack and label set of src into dst. */
void intern_import(struct intern *dst, const struct intern *src,
		   struct intern_remap *map);
void intern_remap_release(struct intern_remap *map);

/* Convenience accessors; pointers are borrowed until the next intern. */
static inline const struct frame *
intern_frame_get(const struct intern *in, frameid id)
{
	return frames_get(&in->frames, id);
}

static inline const char *
intern_str(const struct intern *in, strid id)
{
	return strtab_str(&in->strings, id);
}

/* The string as the text output shows it (strtab_shown). */
static inline const char *
intern_shown(const struct intern *in, strid id)
{
	return strtab_shown(&in->strings, id);
}

/*
 * The blocking frame of a stack: the innermost frame outside the runtime
 * machinery (FRAME_MACHINERY), or the innermost frame when all are; 0 for an
 * empty stack.
 */
frameid intern_blocking_frame(const struct intern *in, seqid stack);

/* Write the canonical form of a Go function name (see intern_frame) into out
 * (at least len bytes) and return its length. */
size_t intern_canon_func(const char *func, size_t len, char *out);

#endif
