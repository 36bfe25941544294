/*
 * libFuzzer target: the execution trace readers (both formats), read for
 * the state at the end through everything downstream, sampled at a few
 * points with every listener callback set, and read at the end and at 7
 * points with no listener but the snapshot's (the later generations then
 * replayed on a second thread and joined), each on one thread and on two:
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

/* A snapshot in full: every record's fields, in order. */
static int
snapshot_whole(void *ctx, struct snapshot *s)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < s->n; i++) {
		const struct goroutine *g = &s->g[i];

		sink = sink * 31 + g->id;
		sink = sink * 31 + g->state;
		sink = sink * 31 + g->stack;
		sink = sink * 31 + g->creator;
		sink = sink * 31 + g->creation_stack;
		sink = sink * 31 + g->creator_id;
		sink = sink * 31 + g->flags;
		sink = sink * 31 + (uint64_t)g->wait_ns;
	}
	sink = sink * 31 + strlen(s->warning);
	return 0;
}

/*
 * What the listener heard, reading data on threads threads: with points 0,
 * at 3 points with every callback set; else at the end (points 1), at one
 * moment, 20 us in (2), or at points points with no listener but the
 * snapshot's, which hears every record in full.
 */
static uint64_t
heard(const uint8_t *data, size_t size, unsigned threads, unsigned points,
      int *rc)
{
	struct intern in;
	struct trace_opts o;
	struct trace_info info;
	struct error err;

	sink = 0;
	intern_init(&in);
	memset(&o, 0, sizeof(o));
	memset(&info, 0, sizeof(info));
	o.sampling = points == 1   ? SAMPLE_END
		     : points == 2 ? SAMPLE_AT
				   : SAMPLE_EVENLY;
	o.at = 20000;
	o.count = points ? points : 3;
	o.threads = threads;
	if (points == 0) {
		o.listen.wait_done = wait_done;
		o.listen.gone = gone;
		o.listen.snapshot = snapshot;
	} else {
		o.listen.snapshot = snapshot_whole;
	}
	error_clear(&err);
	*rc = trace_read_points(&in, data, size, &o, &info, &err);
	intern_release(&in);
	return sink + info.events * 3 + info.anomalies * 5 +
	       (uint64_t)strlen(info.warning) * 7;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned points[] = { 0, 1, 2, 7 };
	size_t k;

	fuzz_pipeline(trace_read, data, size);
	for (k = 0; k < sizeof(points) / sizeof(points[0]); k++) {
		int rc1 = 0, rc2 = 0;
		uint64_t one = heard(data, size, 1, points[k], &rc1);
		uint64_t two = heard(data, size, 2, points[k], &rc2);

		if (one != two || rc1 != rc2)
			abort(); /* the threads changed the answer */
	}
	return 0;
}
