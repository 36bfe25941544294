/* The table of goroutines that are long-lived by design. */
#include <stdlib.h>
#include <string.h>

#include "lib/intern.h"
#include "lib/known.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* uber-go/goleak ignores the first three by default; the rest are the
 * standard library's own long-lived goroutines. */
const struct known_rule known_rules[] = {
	/* The testing package's goroutines while they wait for the tests
	 * they started (src/testing/testing.go, fuzz.go: each one's
	 * "<-t.signal" or the like), as goleak's isTestStack takes them
	 * by their first function. Not the tests they created: a test
	 * blocked in select {} is what a hung test is. */
	{ "test runner",
	  KNOWN_BLOCKING_FRAME,
	  { "testing.(*T).Run", "testing.(*T).Parallel",
	    "testing.(*testState).waitParallel", "testing.tRunner.func1",
	    "testing/synctest.Test", "testing/synctest.testingSynctestTest",
	    "testing.runFuzzTests", "testing.runFuzzing",
	    "testing.(*F).Fuzz.func1", "testing.fRunner.func1",
	    /* Go 1.6 and before: the main goroutine waited here. */
	    "testing.RunTests", "testing.runTests", "testing.(*M).Run",
	    NULL } },
	{ "signal loop",
	  KNOWN_ANY_FRAME,
	  { "os/signal.signal_recv", "os/signal.loop", "runtime.ensureSigM",
	    NULL } },
	{ "trace reader",
	  KNOWN_ANY_FRAME,
	  { "runtime.ReadTrace", "runtime/trace.Start.func1",
	    "runtime/trace.(*traceMultiplexer).startLocked.func1", NULL } },
	{ "http keep-alive",
	  KNOWN_ANY_FRAME,
	  { "net/http.(*persistConn).readLoop",
	    "net/http.(*persistConn).writeLoop",
	    "net/http.(*http2clientConnReadLoop).run",
	    "golang.org/x/net/http2.(*clientConnReadLoop).run", NULL } },
	{ "profile writer",
	  KNOWN_ANY_FRAME,
	  { "runtime/pprof.writeGoroutineStacks",
	    "runtime/pprof.writeRuntimeProfile",
	    "net/http/pprof.handler.ServeHTTP", NULL } },
	{ "sql connection opener",
	  KNOWN_ANY_FRAME,
	  { "database/sql.(*DB).connectionOpener",
	    "database/sql.(*DB).connectionCleaner", NULL } },
	{ NULL, KNOWN_ANY_FRAME, { NULL } },
};

static int
matches(const struct known_rule *r, const struct intern *in, uint32_t frame)
{
	const struct frame *f = intern_frame_get(in, frame);
	const char *name = intern_str(in, f->func);
	size_t i;

	for (i = 0; r->funcs[i]; i++)
		if (strcmp(r->funcs[i], name) == 0)
			return 1;
	return 0;
}

/* The first rule a frame matches, + 2, or 1 (memoised: stacks share
 * frames, and a rule's names were compared with every frame of every
 * stack). */
static unsigned
frame_rule(struct known *k, const struct intern *in, uint32_t frame)
{
	const struct known_rule *r;

	k->frame_memo =
		xgrow_zero(k->frame_memo, 1, (size_t)frame + 1, &k->frame_cap);
	if (k->frame_memo[frame] == 0) {
		k->frame_memo[frame] = 1;
		for (r = known_rules; r->name; r++)
			if (matches(r, in, frame)) {
				k->frame_memo[frame] =
					(unsigned char)(r - known_rules + 2);
				break;
			}
	}
	return k->frame_memo[frame];
}

/* The first rule of the table that the stack matches: some frame of it,
 * or for a rule of the blocking frame, that frame. (No function is in two
 * rules, so a frame's first rule is its only one.) */
static const struct known_rule *
match_stack(struct known *k, const struct intern *in, uint32_t stack)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, stack, &n);
	frameid blocking = intern_blocking_frame(in, stack);
	unsigned best = 0;

	for (i = 0; i < n; i++) {
		unsigned m = frame_rule(k, in, v[i]);

		if (m < 2 || (best != 0 && m >= best))
			continue;
		if (known_rules[m - 2].where == KNOWN_BLOCKING_FRAME &&
		    v[i] != blocking)
			continue;
		best = m;
	}
	return best ? &known_rules[best - 2] : NULL;
}

const struct known_rule *
known_match(struct known *k, const struct intern *in, uint32_t stack,
	    uint32_t creator)
{
	const struct known_rule *r;

	k->memo = xgrow_zero(k->memo, 1, (size_t)stack + 1, &k->cap);
	if (k->memo[stack] == 0) {
		r = match_stack(k, in, stack);
		k->memo[stack] = (unsigned char)(r ? (r - known_rules) + 2 : 1);
	}
	if (k->memo[stack] > 1)
		return &known_rules[k->memo[stack] - 2];
	if (creator == 0)
		return NULL;
	for (r = known_rules; r->name; r++)
		if (r->where == KNOWN_ANY_FRAME && matches(r, in, creator))
			return r;
	return NULL;
}

void
known_release(struct known *k)
{
	free(k->memo);
	free(k->frame_memo);
	memset(k, 0, sizeof(*k));
}
