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
	{ "test runner",
	  { "testing.RunTests", "testing.(*T).Run", "testing.(*T).Parallel",
	    "testing.(*M).Run", NULL } },
	{ "signal loop",
	  { "os/signal.signal_recv", "os/signal.loop", "runtime.ensureSigM",
	    NULL } },
	{ "trace reader",
	  { "runtime.ReadTrace", "runtime/trace.Start.func1",
	    "runtime/trace.(*traceMultiplexer).startLocked.func1", NULL } },
	{ "http keep-alive",
	  { "net/http.(*persistConn).readLoop",
	    "net/http.(*persistConn).writeLoop",
	    "net/http.(*http2clientConnReadLoop).run",
	    "golang.org/x/net/http2.(*clientConnReadLoop).run", NULL } },
	{ "profile writer",
	  { "runtime/pprof.writeGoroutineStacks",
	    "runtime/pprof.writeRuntimeProfile",
	    "net/http/pprof.handler.ServeHTTP", NULL } },
	{ "sql connection opener",
	  { "database/sql.(*DB).connectionOpener",
	    "database/sql.(*DB).connectionCleaner", NULL } },
	{ NULL, { NULL } },
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

/* The first rule of the table that some frame of the stack matches. */
static const struct known_rule *
match_stack(struct known *k, const struct intern *in, uint32_t stack)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, stack, &n);
	unsigned best = 0;

	for (i = 0; i < n; i++) {
		unsigned m = frame_rule(k, in, v[i]);

		if (m > 1 && (best == 0 || m < best))
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
		if (matches(r, in, creator))
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
