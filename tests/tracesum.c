/*
 * tracesum FILE: goroscope's per-goroutine summary of an execution trace, in
 * the format of testdata/gen/tracecheck (Go's own reader), one line per
 * goroutine sorted by id, so that tests/tracecheck.sh can compare the two:
 *
 *   g=ID created=yes|no parent=ID|- start=FUNC|- blocks=N blocked_us=N
 *   created_us=N|- end=alive|ended end_us=N|- state=STATE reason=REASON|-
 *
 * Runtime goroutines are included (snapshots leave them out, the timeline
 * does not). blocked_us sums the waits that began with a block event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/input.h"
#include "formats/trace.h"
#include "lib/error.h"
#include "lib/xalloc.h"

struct line {
	uint64_t id;
	char *text;
};

struct sum {
	struct intern *in;
	struct u64map byid; /* goroutine -> line + blocked time slot */
	struct line *v;
	int64_t *blocked; /* per line, ns */
	size_t n, cap, bcap;
};

static uint32_t
slot(struct sum *s, uint64_t id)
{
	uint32_t i = u64map_get(&s->byid, id);

	if (i != U64MAP_NONE)
		return i;
	s->v = xgrow(s->v, sizeof(*s->v), s->n + 1, &s->cap);
	s->blocked =
		xgrow_zero(s->blocked, sizeof(*s->blocked), s->n + 1, &s->bcap);
	s->v[s->n].id = id;
	s->v[s->n].text = NULL;
	u64map_put(&s->byid, id, (uint32_t)s->n);
	return (uint32_t)s->n++;
}

static void
wait_done(void *ctx, const struct tl_goroutine *g, const struct tl_wait *w)
{
	struct sum *s = ctx;

	/* Waits known from a status event did not begin with a block. */
	if (!(g->flags & TLG_SINCE_START)) {
		uint32_t i = slot(s, g->id);

		s->blocked[i] += w->end_ns - w->begin_ns;
	}
}

static const char *
state_word(const struct tl_goroutine *g)
{
	static const char *const w[] = { "notexist", "runnable", "running",
					 "syscall", "waiting" };

	return (g->flags & TLG_ENDED) ? "notexist" : w[g->st];
}

static void
gone(void *ctx, const struct tl_goroutine *g, int at_end)
{
	struct sum *s = ctx;
	uint32_t i = slot(s, g->id);
	char text[1200], parent[32], created[32], end[32], reason[600];
	const char *start = "-";
	int64_t blocked = s->blocked[i];

	/* The wait a goroutine is in at the end counts up to the end. */
	if (at_end && g->st == TL_WAITING && !(g->flags & TLG_SINCE_START))
		blocked += g->ended_ns - g->since_ns;
	/* Go's reader names the start of goroutines it saw created only. */
	if (g->start && (g->flags & TLG_CREATED))
		start = intern_str(s->in,
				   intern_frame_get(s->in, g->start)->func);
	snprintf(parent, sizeof(parent), "%llu", (unsigned long long)g->parent);
	snprintf(created, sizeof(created), "%lld",
		 (long long)(g->created_ns / 1000));
	snprintf(end, sizeof(end), "%lld", (long long)(g->ended_ns / 1000));
	if (g->st == TL_WAITING && !(g->flags & TLG_ENDED) && g->reason)
		snprintf(reason, sizeof(reason), "\"%s\"",
			 intern_str(s->in, g->reason));
	else
		snprintf(reason, sizeof(reason), "-");
	snprintf(text, sizeof(text),
		 "g=%llu created=%s parent=%s start=%s blocks=%u "
		 "blocked_us=%lld created_us=%s end=%s end_us=%s state=%s "
		 "reason=%s",
		 (unsigned long long)g->id,
		 (g->flags & TLG_CREATED) ? "yes" : "no",
		 (g->flags & TLG_HAS_PARENT) ? parent : "-",
		 start[0] ? start : "-", g->nblocks,
		 (long long)(blocked / 1000),
		 (g->flags & TLG_CREATED) ? created : "-",
		 (g->flags & TLG_ENDED) ? "ended" : "alive",
		 (g->flags & TLG_ENDED) ? end : "-", state_word(g), reason);
	free(s->v[i].text);
	s->v[i].text = xstrdup(text);
	s->blocked[i] = 0; /* a later incarnation counts afresh */
}

static int
by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct line *)a)->id;
	uint64_t y = ((const struct line *)b)->id;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct intern in;
	struct input inp;
	struct error err;
	struct trace_opts o;
	struct sum s;
	size_t i;
	int status = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: tracesum FILE\n");
		return 2;
	}
	error_clear(&err);
	if (input_open(&inp, argv[1], &err) < 0) {
		fprintf(stderr, "tracesum: %s: %s\n", argv[1], err.text);
		return 1;
	}
	intern_init(&in);
	memset(&s, 0, sizeof(s));
	s.in = &in;
	u64map_init(&s.byid);
	memset(&o, 0, sizeof(o));
	o.listen.ctx = &s;
	o.listen.wait_done = wait_done;
	o.listen.gone = gone;
	/* As the tool does: tests/tracecheck.sh compares 1 and 2. */
	if (getenv("GOROSCOPE_THREADS") != NULL)
		o.threads = (unsigned)atoi(getenv("GOROSCOPE_THREADS"));
	if (trace_read_points(&in, inp.data, inp.len, &o, NULL, &err) < 0) {
		fprintf(stderr, "tracesum: %s: %s\n", argv[1], err.text);
		goto out;
	}
	qsort(s.v, s.n, sizeof(*s.v), by_id);
	for (i = 0; i < s.n; i++)
		if (s.v[i].text)
			printf("%s\n", s.v[i].text);
	status = 0;
out:
	for (i = 0; i < s.n; i++)
		free(s.v[i].text);
	free(s.v);
	free(s.blocked);
	u64map_release(&s.byid);
	intern_release(&in);
	input_release(&inp);
	return status;
}
