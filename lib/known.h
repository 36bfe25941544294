/*
 * Goroutines that are long-lived by design (--ignore-known): the testing
 * package's runners, signal handling, the execution trace reader, net/http
 * client keep-alive loops, the goroutine writing the profile. They are
 * never leak suspects. The list is in man/goroscope.1 (KNOWN GOROUTINES).
 */
#ifndef KNOWN_H
#define KNOWN_H

#include <stddef.h>
#include <stdint.h>

struct intern;

/* Which frames of a goroutine a rule looks at. */
enum known_where {
	/* Any frame of its stack, or its creator: the goroutine runs
	 * there, whatever it waits on. */
	KNOWN_ANY_FRAME = 0,
	/* Only the frame it blocks in (intern_blocking_frame): a runner
	 * waiting, not what it started (goleak's isTestStack). */
	KNOWN_BLOCKING_FRAME,
};

struct known_rule {
	const char *name; /* shown: "signal loop" */
	enum known_where where;
	const char *funcs[16]; /* the functions, NULL-terminated */
};

/* The table; ends with a row whose name is NULL. */
extern const struct known_rule known_rules[];

/* Memo of known_match per stack, and of the first rule per frame. */
struct known {
	unsigned char *memo; /* stack id -> rule index + 2, 1: none */
	size_t cap;
	unsigned char *frame_memo; /* frame id -> rule index + 2, 1: none */
	size_t frame_cap;
};

/*
 * The rule the goroutine with this stack and creator matches, or NULL.
 * The answer for a stack is remembered in k.
 */
const struct known_rule *known_match(struct known *k, const struct intern *in,
				     uint32_t stack, uint32_t creator);

void known_release(struct known *k);

#endif
