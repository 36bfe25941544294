/* The wait reasons of Go 1.17 to 1.27 and what each means for leaks. */
#include <string.h>

#include "lib/waitreason.h"
#include "lib/banned.h"

/* Strings from waitReasonStrings and gStatusStrings in src/runtime. */
const struct wait_reason wait_reasons[] = {
	{ .text = "GC assist marking", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "IO wait", .class = WAIT_EXTERNAL, .since = "1.17" },
	{ .text = "dumping heap", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "garbage collection",
	  .class = WAIT_RUNTIME,
	  .since = "1.17" },
	{ .text = "garbage collection scan",
	  .class = WAIT_RUNTIME,
	  .since = "1.17" },
	{ .text = "panicwait", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC assist wait", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC sweep wait", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC scavenge wait", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "finalizer wait", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "force gc (idle)", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GOMAXPROCS updater (idle)",
	  .class = WAIT_RUNTIME,
	  .since = "1.25" },
	{ .text = "semacquire", .class = WAIT_PEER, .since = "1.17" },
	{ .text = "sleep", .class = WAIT_EXTERNAL, .since = "1.17" },
	{ .text = "chan receive (nil chan)",
	  .class = WAIT_FOREVER,
	  .since = "1.17" },
	{ .text = "chan send (nil chan)",
	  .class = WAIT_FOREVER,
	  .since = "1.17" },
	{ .text = "select (no cases)", .class = WAIT_FOREVER, .since = "1.17" },
	{ .text = "select", .class = WAIT_PEER, .since = "1.17" },
	{ .text = "chan receive", .class = WAIT_PEER, .since = "1.17" },
	{ .text = "chan send", .class = WAIT_PEER, .since = "1.17" },
	{ .text = "sync.Cond.Wait", .class = WAIT_PEER, .since = "1.17" },
	{ .text = "sync.Mutex.Lock", .class = WAIT_PEER, .since = "1.20" },
	{ .text = "sync.RWMutex.RLock", .class = WAIT_PEER, .since = "1.20" },
	{ .text = "sync.RWMutex.Lock", .class = WAIT_PEER, .since = "1.20" },
	{ .text = "sync.WaitGroup.Wait", .class = WAIT_PEER, .since = "1.24" },
	{ .text = "trace reader (blocked)",
	  .class = WAIT_RUNTIME,
	  .since = "1.17" },
	{ .text = "wait for GC cycle", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC worker (idle)", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC worker (active)",
	  .class = WAIT_RUNTIME,
	  .since = "1.20" },
	{ .text = "preempted", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "debug call", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "GC mark termination",
	  .class = WAIT_RUNTIME,
	  .since = "1.20" },
	{ .text = "stopping the world",
	  .class = WAIT_RUNTIME,
	  .since = "1.20" },
	{ .text = "flushing proc caches",
	  .class = WAIT_RUNTIME,
	  .since = "1.22" },
	{ .text = "trace goroutine status",
	  .class = WAIT_RUNTIME,
	  .since = "1.22" },
	{ .text = "trace proc status", .class = WAIT_RUNTIME, .since = "1.22" },
	{ .text = "page trace flush", .class = WAIT_RUNTIME, .since = "1.22" },
	{ .text = "coroutine", .class = WAIT_PEER, .since = "1.22" },
	{ .text = "GC weak to strong wait",
	  .class = WAIT_RUNTIME,
	  .since = "1.24" },
	{ .text = "synctest.Run", .class = WAIT_SYNCTEST, .since = "1.24" },
	{ .text = "synctest.Wait", .class = WAIT_SYNCTEST, .since = "1.24" },
	{ .text = "chan receive (durable)",
	  .class = WAIT_PEER,
	  .since = "1.25" },
	{ .text = "chan send (durable)", .class = WAIT_PEER, .since = "1.25" },
	{ .text = "select (durable)", .class = WAIT_PEER, .since = "1.25" },
	{ .text = "sync.WaitGroup.Wait (durable)",
	  .class = WAIT_PEER,
	  .since = "1.25" },
	{ .text = "cleanup wait", .class = WAIT_RUNTIME, .since = "1.25" },
	{ .text = "timer goroutine (idle)",
	  .class = WAIT_RUNTIME,
	  .since = "1.17" },
	{ .text = "chan receive (synctest)",
	  .class = WAIT_PEER,
	  .since = "1.24" },
	{ .text = "chan send (synctest)", .class = WAIT_PEER, .since = "1.24" },
	{ .text = "select (synctest)", .class = WAIT_PEER, .since = "1.24" },
	/* Execution traces only: a runtime goroutine the trace does not
	 * say more of. */
	{ .text = "system goroutine wait",
	  .class = WAIT_RUNTIME,
	  .since = "1.22" },
	/* g-status names, printed when there is no wait reason */
	{ .text = "idle", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "runnable", .class = STATE_ACTIVE, .since = "1.17" },
	{ .text = "running", .class = STATE_ACTIVE, .since = "1.17" },
	{ .text = "syscall", .class = WAIT_EXTERNAL, .since = "1.17" },
	{ .text = "waiting", .class = WAIT_UNKNOWN, .since = "1.17" },
	{ .text = "dead", .class = WAIT_RUNTIME, .since = "1.17" },
	{ .text = "copystack", .class = STATE_ACTIVE, .since = "1.17" },
	{ .text = "waiting for cgo callback",
	  .class = WAIT_RUNTIME,
	  .since = "1.26" },
	{ .text = NULL },
};

enum wait_class
wait_classify(const char *state, size_t len)
{
	const struct wait_reason *r;

	for (r = wait_reasons; r->text; r++)
		if (strlen(r->text) == len && memcmp(r->text, state, len) == 0)
			return r->class;
	return WAIT_UNKNOWN;
}

int
wait_class_blocked(enum wait_class c)
{
	switch (c) {
	case WAIT_PEER:
	case WAIT_FOREVER:
	case WAIT_EXTERNAL:
	case WAIT_SYNCTEST:
	case WAIT_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

const char *
wait_class_name(enum wait_class c)
{
	static const char *const names[] = {
		[WAIT_UNKNOWN] = "unknown",   [WAIT_PEER] = "peer",
		[WAIT_FOREVER] = "forever",   [WAIT_EXTERNAL] = "external",
		[WAIT_SYNCTEST] = "synctest", [WAIT_RUNTIME] = "runtime",
		[STATE_ACTIVE] = "active",
	};

	return names[c];
}
