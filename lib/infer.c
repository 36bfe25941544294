/* The table of leaf functions that reveal a wait reason. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "lib/infer.h"
#include "lib/intern.h"
#include "lib/banned.h"

struct leaf_rule {
	const char *func; /* exact name, or a prefix when prefix is set */
	const char *state;
	int prefix;
};

/* Checked from the leaf towards the root; the first frame that matches
 * decides. Names per src/runtime/{chan,select,sema,netpoll,time}.go. */
static const struct leaf_rule rules[] = {
	/* Parked, without saying why (state NULL). */
	{ .func = "runtime.gopark", .state = NULL },
	{ .func = "runtime.chanrecv", .state = "chan receive", .prefix = 1 },
	{ .func = "runtime.chansend", .state = "chan send", .prefix = 1 },
	{ .func = "runtime.selectgo", .state = "select" },
	{ .func = "runtime.block", .state = "select (no cases)" },
	{ .func = "sync.runtime_SemacquireMutex", .state = "sync.Mutex.Lock" },
	{ .func = "internal/sync.runtime_SemacquireMutex",
	  .state = "sync.Mutex.Lock" },
	{ .func = "sync.runtime_SemacquireRWMutexR",
	  .state = "sync.RWMutex.RLock" },
	{ .func = "sync.runtime_SemacquireRWMutex",
	  .state = "sync.RWMutex.Lock" },
	{ .func = "sync.runtime_SemacquireWaitGroup",
	  .state = "sync.WaitGroup.Wait" },
	{ .func = "sync.runtime_Semacquire", .state = "semacquire" },
	{ .func = "internal/poll.runtime_Semacquire", .state = "semacquire" },
	{ .func = "sync.runtime_notifyListWait", .state = "sync.Cond.Wait" },
	{ .func = "internal/poll.runtime_pollWait", .state = "IO wait" },
	{ .func = "runtime.netpollblock", .state = "IO wait" },
	{ .func = "time.Sleep", .state = "sleep" },
	{ .func = "runtime.timeSleep", .state = "sleep" },
	{ .func = "runtime.coroswitch", .state = "coroutine" },
	/* The execution trace's reader, parked in runtime.ReadTrace, which
	 * debug=1 hides (the state debug=2 and traces give it). */
	{ .func = "runtime.ReadTrace", .state = "trace reader (blocked)" },
	{ .func = "runtime/trace.(*traceMultiplexer).startLocked.func1",
	  .state = "trace reader (blocked)" },
	{ .func = "runtime/trace.Start.func1",
	  .state = "trace reader (blocked)" },
	{ .func = "syscall.Syscall", .state = "syscall", .prefix = 1 },
	{ .func = "syscall.RawSyscall", .state = "syscall", .prefix = 1 },
	{ .func = "syscall.syscall", .state = "syscall", .prefix = 1 },
	{ .func = "internal/runtime/syscall.Syscall",
	  .state = "syscall",
	  .prefix = 1 },
	{ .func = "runtime.cgocall", .state = "syscall" },
	/* The goroutine writing the profile: its leaf frames are runtime
	 * functions that debug=1 hides, yet it runs. */
	{ .func = "runtime/pprof.writeRuntimeProfile", .state = "running" },
	{ .func = "runtime/pprof.writeGoroutineStacks", .state = "running" },
	{ .func = NULL, .state = "syscall" }, /* sentinel: cgo calls */
};

unsigned
infer_rule(const char *name, size_t len)
{
	const struct leaf_rule *r;

	for (r = rules; r->func; r++) {
		size_t fl = strlen(r->func);

		if (r->prefix ? (len >= fl && memcmp(name, r->func, fl) == 0)
			      : (len == fl && memcmp(name, r->func, fl) == 0))
			return (unsigned)(r - rules) + 1;
	}
	/* cgo calls: main._Cfunc_foo */
	if (len > 7 && memmem(name, len, "._Cfunc_", 8) != NULL)
		return (unsigned)(r - rules) + 1; /* the "syscall" row below */
	return 0;
}

const char *
infer_state(const struct intern *in, const uint32_t *v, uint32_t n,
	    int leaf_hidden)
{
	int parked = leaf_hidden;
	uint32_t i;

	/* Only runtime.goexit: a goroutine created and not yet run, whose
	 * recorded stack is the return address the runtime set up; debug=2
	 * prints it [runnable] (with the function it is to run), a trace
	 * says runnable. */
	for (i = 0; i < n; i++)
		if (!(intern_frame_get(in, v[i])->flags & FRAME_GOEXIT))
			break;
	if (n > 0 && i == n)
		return "runnable";

	for (i = 0; i < n; i++) {
		uint32_t flags = intern_frame_get(in, v[i])->flags;
		unsigned hint = FRAME_HINT(flags);

		if (hint != 0) {
			const char *state = rules[hint - 1].state;

			if (state != NULL)
				return state;
			parked = 1;
		}
		if (!(flags & FRAME_MACHINERY))
			break;
	}
	return parked ? "waiting" : "running";
}
