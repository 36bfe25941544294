/*
 * libFuzzer target: the execution trace readers (both formats), read for
 * the state at the end through everything downstream, and sampled at a
 * few points with every listener callback set.
 */
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intern in;
	struct trace_opts o;
	struct error err;

	fuzz_pipeline(trace_read, data, size);
	intern_init(&in);
	memset(&o, 0, sizeof(o));
	o.sampling = SAMPLE_EVENLY;
	o.count = 3;
	o.listen.wait_done = wait_done;
	o.listen.gone = gone;
	o.listen.snapshot = snapshot;
	error_clear(&err);
	(void)trace_read_points(&in, data, size, &o, NULL, &err);
	intern_release(&in);
	return 0;
}
