/*
 * What a goroutine's state means for leak hunting: the classification table
 * of wait reasons and g-status names (specs/goroutine-formats.md section 5).
 */
#ifndef WAITREASON_H
#define WAITREASON_H

#include <stddef.h>

enum wait_class {
	WAIT_UNKNOWN = 0, /* a wait reason this table does not know */
	WAIT_PEER,	  /* B: waits for another goroutine to act */
	WAIT_FOREVER,	  /* B!: nil channel, select {}: can never wake */
	WAIT_EXTERNAL,	  /* E: waits for the network, files or time */
	WAIT_SYNCTEST,	  /* T: synctest.Run / synctest.Wait */
	WAIT_RUNTIME,	  /* R: runtime-internal, GC, scheduler, tooling */
	STATE_ACTIVE,	  /* running, runnable, syscall, preempted, ... */
};

struct wait_reason {
	const char *text; /* as printed between the brackets */
	enum wait_class class;
	const char *since; /* first Go release that prints it */
};

/* The table, in the runtime's order; ends with a row whose text is NULL. */
extern const struct wait_reason wait_reasons[];

/* The class of a state string (len bytes, need not be NUL-terminated). */
enum wait_class wait_classify(const char *state, size_t len);

/*
 * Whether goroutines of this class count as blocked: waiting for a peer, for
 * the outside world or for time, or in a wait this table does not know.
 */
int wait_class_blocked(enum wait_class c);

/* A short name for the class: "peer", "forever", "external", ... */
const char *wait_class_name(enum wait_class c);

#endif
