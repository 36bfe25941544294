/*
 * Interned stack frames: (function, file, line) by 32-bit id. Frame 0 is the
 * empty frame, meaning "none" (no creator, for example). Each frame carries
 * flags derived once from its names, so that stack normalisation and the
 * choice of the blocking frame never look at strings again.
 */
#ifndef FRAMES_H
#define FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/idmap.h"
#include "lib/strtab.h"

typedef uint32_t frameid;

enum frame_flag {
	/* A level-1 traceback (debug=2, runtime.Stack) does not print it. */
	FRAME_HIDDEN = 1 << 0,
	/* Packages runtime and internal/runtime/...: hidden when at the
	 * leaf, as debug=1 hides them (even exported ones). */
	FRAME_LEAF_HIDDEN = 1 << 1,
	/* runtime.goexit: never part of a normalised stack. */
	FRAME_GOEXIT = 1 << 2,
	/* Runtime machinery for "blocking frame" and top:N (runtime.*,
	 * internal/..., linknamed pkg.runtime_* functions). */
	FRAME_MACHINERY = 1 << 3,
	/* The marker left where a traceback elided frames. */
	FRAME_ELIDED = 1 << 4,
};

/* Bits 24-31 of the flags: which rule of lib/infer.c the function matches,
 * plus 1 (0: none), found once per frame. */
#define FRAME_HINT_SHIFT  24
#define FRAME_HINT(flags) ((flags) >> FRAME_HINT_SHIFT)

/* The function name of the elision marker frame. */
#define FRAME_ELIDED_NAME "..."

struct frame {
	strid func;
	strid file;
	uint32_t line;
	uint32_t flags;
};

struct frametab {
	struct frame *v;
	size_t n, cap;
	struct idmap index;
};

void frames_init(struct frametab *t);
void frames_release(struct frametab *t);

/* The id of (func, file, line), adding it (and its flags) when new. */
frameid frames_intern(struct frametab *t, const struct strtab *s, strid func,
		      strid file, uint32_t line);

/* Borrowed; valid until the next frames_intern() or release. */
static inline const struct frame *
frames_get(const struct frametab *t, frameid id)
{
	return &t->v[id];
}

/* The flags frames_intern() gives a frame of these names (for tests). */
uint32_t frames_classify(const char *func, size_t funclen, const char *file,
			 size_t filelen);

#endif
