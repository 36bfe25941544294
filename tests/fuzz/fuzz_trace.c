/*
 * libFuzzer target: the execution trace readers (both formats), read for
 * the state at the end through everything downstream, and sampled at a
 * few points with every listener callback set, on one thread and on two:
 * what the listener hears must not differ (it aborts when it does).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/trace.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

static uint64_t sink;

static void
wait_done(void *ctx, const struct tl_goroutine *g, const struct tl_wait *w)
{
	(void)ctx;
	sink += g->id + (uint64_t)(w->end_ns - w->begin_ns);
}

static void
gone(void *ctx, const struct tl_goroutine *g, int at_end)
{
	(void)ctx;
	sink += g->id + (uint64_t)at_end;
}

static int
snapshot(void *ctx, struct snapshot *s)
{
	(void)ctx;
	sink += s->n;
	return 0;
}

/* What the listener heard, sampling data on threads threads. */
static uint64_t
heard(const uint8_t *data, size_t size, unsigned threads, int *rc)
{
	struct intern in;
	struct trace_opts o;
	struct trace_info info;
	struct error err;

	sink = 0;
	intern_init(&in);
	memset(&o, 0, sizeof(o));
	memset(&info, 0, sizeof(info));
	o.sampling = SAMPLE_EVENLY;
	o.count = 3;
	o.threads = threads;
	o.listen.wait_done = wait_done;
	o.listen.gone = gone;
	o.listen.snapshot = snapshot;
	error_clear(&err);
	*rc = trace_read_points(&in, data, size, &o, &info, &err);
	intern_release(&in);
	return sink + info.events * 3 + info.anomalies * 5 +
	       (uint64_t)strlen(info.warning) * 7;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc1 = 0, rc2 = 0;
	uint64_t one, two;

	fuzz_pipeline(trace_read, data, size);
	one = heard(data, size, 1, &rc1);
	two = heard(data, size, 2, &rc2);
	if (one != two || rc1 != rc2)
		abort(); /* the threads changed the answer */
	return 0;
}
