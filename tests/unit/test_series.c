/*
 * Series from what a read delivers (lib/series.h): one per instance, never
 * interleaved; ordered by capture time when every snapshot has one, else
 * by place; each group described by its latest snapshot whatever the order
 * the snapshots came in; --instance; the fleet summary; natural order.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/analysis.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "lib/sort.h"
#include "tests/tap.h"

static struct intern in;

/*
 * A snapshot of one instance: `a` goroutines in main.a (in state sa),
 * `b` in main.b, at place (input, pos), captured at t (0: unknown).
 */
static void
make(struct snapshot *s, const char *instance, int64_t t, uint32_t input,
     uint32_t pos, int64_t a, const char *sa, int64_t b)
{
	uint32_t fa = intern_frame(&in, "main.a", 6, "/m.go", 5, 1);
	uint32_t fb = intern_frame(&in, "main.b", 6, "/m.go", 5, 2);
	struct goroutine *g = NULL;

	snapshot_init(s, &in);
	s->instance = instance ? strtab_intern_cstr(&in.strings, instance) : 0;
	s->time_ns = t;
	s->input = input;
	s->pos = pos;
	s->format = strtab_intern_cstr(&in.strings, "debug=1");
	if (a > 0) {
		g = snapshot_add(s);
		g->weight = a;
		g->stack = intern_stack(&in, &fa, 1);
		g->state = strtab_intern_cstr(&in.strings, sa);
	}
	if (b > 0) {
		g = snapshot_add(s);
		g->weight = b;
		g->stack = intern_stack(&in, &fb, 1);
		g->state = strtab_intern_cstr(&in.strings, "select");
	}
}

static void
add(struct series *sr, const char *instance, int64_t t, uint32_t input,
    uint32_t pos, int64_t a, const char *sa, int64_t b)
{
	struct snapshot s;

	make(&s, instance, t, input, pos, a, sa, b);
	series_add(sr, &s);
	snapshot_release(&s);
}

/* The group whose first frame is func, in si. */
static const struct group *
group_of(const struct series_inst *si, const char *func)
{
	size_t i;

	for (i = 0; i < si->gr.n; i++) {
		uint32_t n = 0;
		const uint32_t *v =
			seqtab_items(&in.stacks, si->gr.v[i].stack, &n);

		if (n > 0 &&
		    strcmp(intern_str(&in, intern_frame_get(&in, v[0])->func),
			   func) == 0)
			return &si->gr.v[i];
	}
	return NULL;
}

static int
counts_are(const struct series_inst *si, const struct group *g, unsigned n,
	   const int64_t *want)
{
	unsigned k;

	if (g == NULL)
		return 0;
	for (k = 0; k < n; k++)
		if (group_count(&si->gr, g, k) != want[k])
			return 0;
	return 1;
}

static void
init(struct series *sr, enum series_mode mode)
{
	struct group_key key = { GROUP_BY_STACK, 0 };

	series_init(sr, &in, &key, NULL, 1, mode);
}

static void
test_instances(void)
{
	static const int64_t a_counts[] = { 1, 4, 7 };
	static const int64_t b_counts[] = { 1, 1, 1 };
	struct series sr;
	struct series_inst *a = NULL, *b = NULL;
	unsigned k;

	init(&sr, SERIES_BY_INSTANCE);
	/* Interleaved by time, as two hosts' snapshots of one merged series
	 * are: b's are listed first. */
	for (k = 0; k < 3; k++) {
		add(&sr, "b", 100 + 10 * k, 1, k, 1, "chan receive", 2);
		add(&sr, "a", 105 + 10 * k, 0, k, 1 + 3 * k, "chan receive", 2);
	}
	series_finish(&sr);
	ok(sr.n == 2 && sr.nsnap == 6, "two instances, six snapshots");
	a = series_find(&sr, "a");
	b = series_find(&sr, "b");
	ok(a == &sr.v[0] && b == &sr.v[1], "instances in order of their names");
	ok(a && b && a->gr.nsnap == 3 && b->gr.nsnap == 3,
	   "each its own three snapshots, never interleaved");
	ok(a && counts_are(a, group_of(a, "main.a"), 3, a_counts),
	   "a's main.a: 1 4 7");
	ok(b && counts_are(b, group_of(b, "main.a"), 3, b_counts),
	   "b's main.a: 1 1 1");
	ok(a && a->by_time && !a->mixed, "ordered by capture time");
	series_release(&sr);

	/* --instance b: only b's snapshots, the others counted. */
	init(&sr, SERIES_BY_INSTANCE);
	series_select(&sr, "b");
	for (k = 0; k < 3; k++) {
		add(&sr, "b", 100 + 10 * k, 1, k, 1, "chan receive", 2);
		add(&sr, "a", 105 + 10 * k, 0, k, 1 + 3 * k, "chan receive", 2);
	}
	series_finish(&sr);
	ok(sr.n == 1 && sr.v[0].gr.nsnap == 3 && sr.other == 3,
	   "--instance b keeps b's 3, leaves out 3 (%llu)",
	   (unsigned long long)sr.other);
	series_release(&sr);

	/* diff: one series as given, whatever the instances. */
	init(&sr, SERIES_AS_GIVEN);
	add(&sr, "canary", 200, 0, 0, 5, "chan receive", 2);
	add(&sr, "baseline", 100, 1, 0, 1, "chan receive", 2);
	series_finish(&sr);
	ok(sr.n == 1 && sr.v[0].gr.nsnap == 2 && !sr.v[0].by_time &&
		   sr.v[0].meta[0].time_ns == 200,
	   "as given: one series, in the order named, not by time");
	series_release(&sr);
}

static void
test_order_and_description(void)
{
	static const int64_t by_place[] = { 1, 2, 3 };
	static const int64_t by_time[] = { 2, 3, 1 };
	struct series sr;
	const struct group *g = NULL;

	/* Untimed, delivered latest first (as a .gsnap reader does): by
	 * place; described by position 2, which came first. */
	init(&sr, SERIES_BY_INSTANCE);
	add(&sr, NULL, 0, 0, 2, 3, "chan send", 1);
	add(&sr, NULL, 0, 0, 1, 2, "chan receive", 1);
	add(&sr, NULL, 0, 0, 0, 1, "chan receive", 1);
	series_finish(&sr);
	g = group_of(&sr.v[0], "main.a");
	ok(!sr.v[0].by_time && counts_are(&sr.v[0], g, 3, by_place),
	   "untimed: by place, whatever the order they came in");
	ok(g && strcmp(intern_str(&in, g->state), "chan send") == 0,
	   "described by the latest place, which came first");
	series_release(&sr);

	/* Timed, out of place order: by time; described by the latest. */
	init(&sr, SERIES_BY_INSTANCE);
	add(&sr, NULL, 30, 0, 0, 1, "chan send", 1);
	add(&sr, NULL, 10, 0, 1, 2, "chan receive", 1);
	add(&sr, NULL, 20, 0, 2, 3, "chan receive", 1);
	series_finish(&sr);
	g = group_of(&sr.v[0], "main.a");
	ok(sr.v[0].by_time && counts_are(&sr.v[0], g, 3, by_time) &&
		   sr.v[0].times[0] == 10 && sr.v[0].times[2] == 30,
	   "timed: by capture time (2 3 1)");
	ok(g && strcmp(intern_str(&in, g->state), "chan send") == 0,
	   "described by the latest capture time, at place 0");
	series_release(&sr);

	/* One without a time: by place, and said so. */
	init(&sr, SERIES_BY_INSTANCE);
	add(&sr, NULL, 30, 0, 0, 1, "chan receive", 1);
	add(&sr, NULL, 0, 1, 0, 2, "chan receive", 1);
	series_finish(&sr);
	ok(!sr.v[0].by_time && sr.v[0].mixed && sr.v[0].timed == 1,
	   "a mix of timed and untimed: by place, marked mixed");
	series_release(&sr);
}

/* At t: goroutine 8 in main.a, goroutine 7 in func; both with ids. */
static void
add_ids(struct series *sr, int64_t t, const char *func)
{
	uint32_t fa = intern_frame(&in, "main.a", 6, "/m.go", 5, 1);
	uint32_t f7 = intern_frame(&in, func, strlen(func), "/m.go", 5, 9);
	struct snapshot s;
	struct goroutine *g = NULL;

	snapshot_init(&s, &in);
	s.time_ns = t;
	s.pos = (uint32_t)t;
	s.provides = HAS_STATE | HAS_IDS;
	s.format = strtab_intern_cstr(&in.strings, "debug=2");
	g = snapshot_add(&s);
	g->id = 8;
	g->flags = G_HAS_ID;
	g->stack = intern_stack(&in, &fa, 1);
	g->state = strtab_intern_cstr(&in.strings, "chan receive");
	g = snapshot_add(&s);
	g->id = 7;
	g->flags = G_HAS_ID;
	g->stack = intern_stack(&in, &f7, 1);
	g->state = strtab_intern_cstr(&in.strings, "chan receive");
	series_add(sr, &s);
	snapshot_release(&s);
}

static void
test_identity_any_order(void)
{
	static const char *const where[] = { "main.a", "main.b", "main.c",
					     "main.d", "main.d" };
	struct series sr;
	const struct group *d = NULL;
	int k, reverse;

	/* Goroutine 7 goes through four groups, more than are followed per
	 * goroutine: the ones it was in last count, whatever the order the
	 * snapshots come in (a .gsnap is read latest first). */
	for (reverse = 0; reverse < 2; reverse++) {
		init(&sr, SERIES_BY_INSTANCE);
		for (k = 0; k < 5; k++) {
			int i = reverse ? 4 - k : k;

			add_ids(&sr, 10 * (i + 1), where[i]);
		}
		series_finish(&sr);
		d = group_of(&sr.v[0], "main.d");
		ok(sr.v[0].gr.identity && d &&
			   group_identity(&sr.v[0].gr, d)->ids_last == 1 &&
			   group_identity(&sr.v[0].gr, d)->stayed == 1,
		   "%s: goroutine 7 stayed in main.d (%u of %u)",
		   reverse ? "latest first" : "in order",
		   d ? group_identity(&sr.v[0].gr, d)->stayed : 0,
		   d ? group_identity(&sr.v[0].gr, d)->ids_last : 0);
		ok(group_identity(&sr.v[0].gr, group_of(&sr.v[0], "main.b"))
					   ->left == 1 &&
			   group_identity(&sr.v[0].gr,
					  group_of(&sr.v[0], "main.c"))
					   ->left == 1,
		   "%s: and left main.b and main.c",
		   reverse ? "latest first" : "in order");
		series_release(&sr);
	}
}

static void
test_fleet(void)
{
	struct series sr;
	struct analysis an[3];
	struct analysis_opts ao;
	struct fleet_part parts[3];
	struct fleet f;
	size_t k;
	unsigned t;

	init(&sr, SERIES_BY_INSTANCE);
	for (t = 0; t < 4; t++) {
		add(&sr, "a", 100 + t, 0, t, 1 + 3 * t, "chan receive", 2);
		add(&sr, "b", 100 + t, 1, t, 1, "chan receive", 2);
		add(&sr, "c", 100 + t, 2, t, 2 + 2 * t, "chan receive", 3);
	}
	series_finish(&sr);
	memset(&ao, 0, sizeof(ao));
	suspect_rules_default(&ao.rules);
	for (k = 0; k < sr.n; k++) {
		ao.times_ns = sr.v[k].times;
		analysis_run(&an[k], &sr.v[k].gr, &ao);
		parts[k].gr = &sr.v[k].gr;
		parts[k].an = &an[k];
	}
	fleet_build(&f, parts, sr.n);
	ok(f.n == 2 && f.nparts == 3 && f.nsuspect == 1,
	   "two groups over three instances, one a suspect somewhere");
	ok(f.v[0].suspect_on == 2 && f.v[0].nm == 3 &&
		   f.v[0].total == 10 + 1 + 8,
	   "main.a first: a suspect on 2 of 3, 19 goroutines in all (%u, %lld)",
	   f.v[0].suspect_on, (long long)f.v[0].total);
	ok(f.v[0].m[f.v[0].largest].part == 0 &&
		   f.v[0].m[f.v[0].largest].last == 10,
	   "largest on a, with 10");
	ok(f.v[1].suspect_on == 0 && f.v[1].total == 2 + 2 + 3 &&
		   f.v[1].m[f.v[1].largest].part == 2,
	   "main.b: a suspect nowhere, 7 in all, largest on c");
	fleet_release(&f);
	for (k = 0; k < sr.n; k++)
		analysis_release(&an[k]);
	series_release(&sr);
}

static void
test_natural(void)
{
	ok(sort_natural_cmp("dump-2", "dump-10") < 0, "dump-2 before dump-10");
	ok(sort_natural_cmp("dump-10", "dump-11") < 0, "dump-10 before 11");
	ok(sort_natural_cmp("a/dump-9.txt", "a/dump-10.txt") < 0,
	   "digits inside a path");
	ok(sort_natural_cmp("x", "x1") < 0 && sort_natural_cmp("x1", "x") > 0,
	   "a prefix first");
	ok(sort_natural_cmp("01", "1") != 0 &&
		   sort_natural_cmp("01", "1") == -sort_natural_cmp("1", "01"),
	   "equal values, different bytes: still a total order");
	ok(sort_natural_cmp("00.pb.gz", "01.pb.gz") < 0 &&
		   sort_natural_cmp("b", "a") > 0,
	   "zero-padded names and letters as bytes");
	ok(sort_natural_cmp("host-1/x", "host-1/x") == 0, "equal");
}

int
main(void)
{
	intern_init(&in);
	test_instances();
	test_order_and_description();
	test_identity_any_order();
	test_fleet();
	test_natural();
	intern_release(&in);
	return tap_done();
}
