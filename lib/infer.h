/*
 * State inference for captures that carry no state (pprof, debug=1): the
 * leaf frames tell what a goroutine waits on (goroutine-formats.md 7.3).
 */
#ifndef INFER_H
#define INFER_H

#include <stdint.h>

struct intern;

/*
 * The state of a goroutine whose raw stack (before normalisation,
 * innermost first) is v[0..n). leaf_hidden says that runtime frames were
 * cut from the leaf (debug=1 hides them) so the goroutine was parked in
 * the runtime. Returns a static string: a wait reason, "waiting" (parked,
 * reason unknown), "syscall" or "running".
 */
const char *infer_state(const struct intern *in, const uint32_t *v, uint32_t n,
			int leaf_hidden);

#endif
