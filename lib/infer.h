/*
 * State inference for captures that carry no state (pprof, debug=1): the
 * leaf frames tell what a goroutine waits on (goroutine-formats.md 7.3).
 */
#ifndef INFER_H
#define INFER_H

#include <stddef.h>
#include <stdint.h>

struct intern;

/*
 * The state of a goroutine whose raw stack (before normalisation,
 * innermost first) is v[0..n). leaf_hidden says that runtime frames were
 * cut from the leaf (debug=1 hides them) so the goroutine was parked in
 * the runtime. Returns a static string: a wait reason, "waiting" (parked,
 * reason unknown), "syscall", "runnable" (runtime.goexit alone: not yet
 * run) or "running".
 */
const char *infer_state(const struct intern *in, const uint32_t *v, uint32_t n,
			int leaf_hidden);

/*
 * The rule a function name matches, plus 1, or 0 (at most 255): kept in
 * each frame's flags (FRAME_HINT) so inference never compares strings.
 */
unsigned infer_rule(const char *func, size_t len);

#endif
