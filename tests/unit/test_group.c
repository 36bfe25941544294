/* Grouping keys, stable ids, statistics, filters and selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/filter.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "tests/tap.h"

static struct intern in;

static frameid
fr(const char *func, const char *file, uint32_t line)
{
	return intern_frame(&in, func, strlen(func), file, strlen(file), line);
}

/* n frames of functions prefix0, prefix1, ... in file, at lines line,
 * line + step, ... */
static void
frames_named(frameid *out, uint32_t n, const char *prefix, const char *file,
	     uint32_t line, uint32_t step)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		char f[64];

		snprintf(f, sizeof(f), "%s%u", prefix, i);
		out[i] = fr(f, file, line + i * step);
	}
}

/* Add a goroutine whose stack is the frames in v (innermost first). */
static struct goroutine *
add(struct snapshot *s, const char *state, frameid *v, uint32_t n,
    frameid creator)
{
	struct goroutine *g = snapshot_add(s);
	uint32_t tmp[16];

	memcpy(tmp, v, n * sizeof(*v));
	g->stack = intern_stack(&in, tmp, n);
	g->state = strtab_intern_cstr(&in.strings, state);
	g->creator = creator;
	return g;
}

static size_t
group_of(const struct grouping *gr, const char *blocking_func)
{
	size_t i;

	for (i = 0; i < gr->n; i++) {
		const struct frame *f =
			intern_frame_get(&in, gr->v[i].blocking);

		if (strcmp(intern_str(&in, f->func), blocking_func) == 0)
			return i;
	}
	return (size_t)-1;
}

static void
build(struct snapshot *s)
{
	frameid w1[] = { fr("main.worker", "/app/w.go", 10),
			 fr("main.pool", "/app/w.go", 30) };
	frameid w2[] = { fr("main.worker", "/app/w.go", 11),
			 fr("main.pool", "/app/w.go", 30) };
	frameid wg[] = { fr("sync.runtime_SemacquireWaitGroup", "/go/sema.go",
			    1),
			 fr("sync.(*WaitGroup).Wait", "/go/wg.go", 2),
			 fr("main.waiter", "/app/w.go", 50) };
	frameid c1 = fr("main.start", "/app/w.go", 5);
	frameid c2 = fr("main.start", "/app/w.go", 6);
	int i;
	struct goroutine *g = NULL;

	for (i = 0; i < 5; i++) {
		g = add(s, "chan receive", w1, 2, c1);
		g->id = 100 + (uint64_t)i;
		g->flags |= G_HAS_ID | G_HAS_WAIT;
		g->wait_minutes = (uint32_t)i * 10;
	}
	for (i = 0; i < 3; i++)
		add(s, "chan receive", w2, 2, c1); /* other line */
	for (i = 0; i < 2; i++)
		add(s, "running", w1, 2, c1); /* same stack, active */
	g = add(s, "sync.WaitGroup.Wait", wg, 3, c2);
	g->weight = 4; /* a pprof-style record standing for 4 */
}

static void
test_stack_key(void)
{
	struct snapshot s;
	struct grouping gr;
	struct group_key key = { GROUP_BY_STACK, 0 };
	size_t i;

	snapshot_init(&s, &in);
	build(&s);
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	is_int(gr.n, 4, "stack key: line, state class split groups");
	is_int(group_count(&gr, &gr.v[0], 0), 5, "largest first");
	is_int(gr.v[0].wait_min, 0, "wait min");
	is_int(gr.v[0].wait_max, 40, "wait max");
	is_int(gr.v[0].nids, 5, "ids kept");
	is_int(gr.v[0].ids[0], 100, "lowest id first");
	ok(gr.v[0].blocked, "chan receive is blocked");
	is_int(group_count(&gr, &gr.v[1], 0), 4, "weights count");
	i = group_of(&gr, "sync.(*WaitGroup).Wait");
	ok(i != (size_t)-1, "blocking frame skips runtime_ linknames");
	is_int(gr.totals[0], 14, "total goroutines");
	/* Pinned, computed apart from the documented recipe: FNV-1a 64 over
	 * "by=stack\nblocked\n"; then h = (h ^ w) * prime for w =
	 * FNV-1a("main.worker /app/w.go:10") | 1, then for "main.pool
	 * /app/w.go:30". The creator is not part of the key: profiles have
	 * none, and the same goroutines must have the same id in every
	 * format. */
	{
		char id[17];

		snprintf(id, sizeof(id), "%016llx",
			 (unsigned long long)gr.v[0].id);
		is_str(id, "9bdc6178cc728f5b", "stable group id");
	}
	grouping_release(&gr);
	snapshot_release(&s);
}

static void
test_other_keys(void)
{
	struct snapshot s;
	struct grouping gr;
	struct group_key key;
	struct error err;

	snapshot_init(&s, &in);
	build(&s);
	ok(group_key_parse(&key, "func", &err) == 0, "func key parses");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	is_int(gr.n, 3, "func key ignores line numbers");
	is_int(group_count(&gr, &gr.v[0], 0), 8, "both worker lines merge");
	is_int(gr.v[0].stacks.n, 2, "two stacks in the group");
	grouping_release(&gr);

	ok(group_key_parse(&key, "top:1", &err) == 0, "top:1 parses");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	is_int(gr.n, 4, "top:1 keeps the differing leaf lines apart");
	grouping_release(&gr);

	ok(group_key_parse(&key, "creator", &err) == 0, "creator parses");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	is_int(gr.n, 3, "creator key: two go statements, split by class");
	is_int(group_count(&gr, &gr.v[0], 0), 8,
	       "blocked goroutines of main.start:5");
	grouping_release(&gr);

	ok(group_key_parse(&key, "top:0", &err) < 0, "top:0 is refused");
	ok(group_key_parse(&key, "tree", &err) < 0, "unknown key refused");
	ok(strstr(err.text, "'tree'") != NULL, "error names it");
	snapshot_release(&s);
}

static void
test_filters(void)
{
	struct snapshot s;
	struct grouping gr;
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct filter f;
	struct filter_spec spec;
	struct error err;
	size_t idx[8];

	snapshot_init(&s, &in);
	build(&s);
	memset(&spec, 0, sizeof(spec));
	spec.focus = "WaitGroup";
	ok(filter_init(&f, &in, &spec, &err) == 0, "focus compiles");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, &f);
	grouping_finish(&gr);
	is_int(gr.n, 1, "focus keeps matching stacks");
	is_int(gr.kept[0], 4, "kept count");
	grouping_release(&gr);
	filter_release(&f);

	memset(&spec, 0, sizeof(spec));
	spec.states[spec.nstates++] = "running, sync.WaitGroup.Wait";
	ok(filter_init(&f, &in, &spec, &err) == 0, "state list compiles");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, &f);
	grouping_finish(&gr);
	is_int(gr.n, 2, "two states kept");
	grouping_release(&gr);
	filter_release(&f);

	memset(&spec, 0, sizeof(spec));
	spec.states[spec.nstates++] = "blocked";
	spec.ignore = "^main\\.waiter$";
	ok(filter_init(&f, &in, &spec, &err) == 0, "class and ignore");
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, &f);
	grouping_finish(&gr);
	is_int(gr.n, 2, "blocked groups without the ignored one");
	is_int(grouping_select(&gr, NULL, 4, 0, idx), 1, "min-count");
	is_int(grouping_select(&gr, NULL, 0, 1, idx), 1, "limit");
	grouping_release(&gr);
	filter_release(&f);

	memset(&spec, 0, sizeof(spec));
	spec.focus = "([";
	ok(filter_init(&f, &in, &spec, &err) < 0, "bad regex refused");
	ok(strstr(err.text, "--focus") != NULL, "error names the option");
	snapshot_release(&s);
}

/*
 * Over a series, what describes a group (states, ids, waits) is its
 * latest snapshot, by capture time when known: summing over snapshots
 * would count one long-lived goroutine once per capture.
 */
static void
add_series(struct grouping *gr, unsigned idx, int64_t t, const char *state,
	   int n, uint64_t first_id, int leaked)
{
	frameid w[] = { fr("main.series", "/app/s.go", 7) };
	struct snapshot s;
	int i;

	snapshot_init(&s, &in);
	s.time_ns = t;
	for (i = 0; i < n; i++) {
		struct goroutine *g = add(&s, state, w, 1, 0);

		g->id = first_id + (uint64_t)i;
		g->flags |= G_HAS_ID | (leaked ? G_LEAKED : 0);
	}
	grouping_add(gr, &s, idx, NULL);
	snapshot_release(&s);
}

/*
 * A group's ids: room for GROUP_FIRST_IDS, then for GROUP_MAX_IDS, each
 * snapshot's lowest ids kept sorted whatever the order they come in; a
 * later snapshot with more ids grows the room an earlier one made.
 */
static void
test_group_ids(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct grouping gr;
	frameid w[] = { fr("main.ids", "/app/ids.go", 3) };
	struct snapshot s;
	const struct group *g = NULL;
	static const uint64_t ids[] = {
		40, 7, 7, 31, 12, 99, 5, 64, 18, 3, 27
	};
	static const uint64_t lowest[] = { 3, 5, 7, 12, 18, 27, 31, 40 };
	size_t i;
	int same = 1;

	grouping_init(&gr, &in, &key, 0);
	add_series(&gr, 0, 0, "chan receive", 2, 10, 0);
	g = &gr.v[0];
	ok(g->nids == 2 && g->idcap == GROUP_FIRST_IDS && g->ids[1] == 11,
	   "two ids fill the first room (%u of %u)", g->nids, g->idcap);
	snapshot_init(&s, &in);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct goroutine *r = add(&s, "chan receive", w, 1, 0);

		r->id = ids[i];
		r->flags |= G_HAS_ID;
	}
	grouping_add(&gr, &s, 1, NULL);
	snapshot_release(&s);
	ok(gr.n == 2, "the second stack's group, made second");
	g = &gr.v[1];
	for (i = 0; i < GROUP_MAX_IDS && i < g->nids; i++)
		same &= g->ids[i] == lowest[i];
	ok(g->nids == GROUP_MAX_IDS && same,
	   "out of order, repeated: the lowest eight, sorted (%u kept)",
	   g->nids);
	add_series(&gr, 2, 0, "chan receive", 5, 20, 0);
	grouping_finish(&gr);
	g = &gr.v[group_of(&gr, "main.series")];
	ok(g->nids == 5 && g->idcap == GROUP_MAX_IDS && g->ids[0] == 20 &&
		   g->ids[4] == 24,
	   "a later snapshot's ids in the room the group grew (%u of %u)",
	   g->nids, g->idcap);
	grouping_release(&gr);
}

static void
test_latest_snapshot(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct grouping gr;
	const struct group *g = NULL;

	/* Command-line order, no capture times: the last file describes. */
	grouping_init(&gr, &in, &key, 0);
	add_series(&gr, 0, 0, "chan receive", 2, 10, 1);
	add_series(&gr, 1, 0, "chan receive", 3, 10, 0);
	add_series(&gr, 2, 0, "chan receive", 4, 10, 0);
	grouping_finish(&gr);
	ok(gr.n == 1, "one group over three snapshots");
	g = &gr.v[0];
	ok(g->total == 9 && group_count(&gr, g, 2) == 4,
	   "counts per snapshot kept");
	ok(g->described == 4, "described by the last snapshot (%lld)",
	   (long long)g->described);
	ok(g->states.n == 1 && g->states.v[0].weight == 4,
	   "state weight is the last snapshot's, not the sum (%lld)",
	   (long long)g->states.v[0].weight);
	ok(g->nids == 4 && g->ids[3] == 13, "ids of the last snapshot");
	ok(group_more(g)->leaked == 0, "latest snapshot has no leaked mark");
	ok(group_more(g)->leaked_peak == 2,
	   "but one snapshot proved 2 leaked (%lld)",
	   (long long)group_more(g)->leaked_peak);
	grouping_release(&gr);

	/* Files given out of time order: the latest capture describes. */
	grouping_init(&gr, &in, &key, 0);
	add_series(&gr, 0, 3000, "chan receive", 5, 50, 0);
	add_series(&gr, 1, 1000, "chan receive", 1, 90, 0);
	add_series(&gr, 2, 2000, "chan receive", 2, 70, 0);
	grouping_finish(&gr);
	g = &gr.v[0];
	ok(g->described == 5 && g->nids == 5 && g->ids[0] == 50,
	   "described by the latest capture, not the last file");
	grouping_release(&gr);
}

/*
 * One stack in two state classes and under two creators, the goroutines
 * interleaved: the memo by key stack keeps missing, and the index (built
 * on the first miss) must find each earlier group again.
 */
static void
test_shared_key_stacks(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct grouping gr;
	struct snapshot s;
	frameid w[] = { fr("main.shared", "/app/s.go", 1),
			fr("main.loop", "/app/s.go", 9) };
	frameid other[] = { fr("main.other", "/app/s.go", 2) };
	frameid c1 = fr("main.a", "/app/s.go", 20);
	frameid c2 = fr("main.b", "/app/s.go", 21);
	const char *states[] = { "chan receive", "running" };
	size_t i, k;
	int64_t sum = 0, want[2][2] = { { 0, 0 }, { 0, 0 } };
	int right = 1;

	snapshot_init(&s, &in);
	for (i = 0; i < 40; i++) {
		add(&s, states[i % 2], w, 2, (i / 2) % 2 ? c2 : c1);
		want[i % 2][(i / 2) % 2]++;
		if (i % 7 == 0)
			add(&s, "select", other, 1, c1);
	}
	grouping_init(&gr, &in, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	ok(gr.n == 3,
	   "2 groups of one stack (one per state class; the two creators do "
	   "not split them) and 1 other (%zu)",
	   gr.n);
	for (k = 0; k < gr.n; k++) {
		const struct group *g = &gr.v[k];

		sum += g->total;
		if (g->blocking == w[0]) {
			i = g->blocked ? 0 : 1;
			right &= g->total == want[i][0] + want[i][1] &&
				 g->creators.n == 2;
		}
	}
	ok(right, "each found again under its state class, with both "
		  "creators described");
	ok(sum == 46, "every goroutine counted once (%lld)", (long long)sum);
	grouping_release(&gr);
	snapshot_release(&s);
}

/* A series given latest first (as a .gsnap is read) groups as in order. */
/* The same counts in the same snapshots. */
static int
same_counts(const struct grouping *a, const struct group *x,
	    const struct grouping *b, const struct group *y)
{
	uint32_t j;

	if (x->ncounts != y->ncounts)
		return 0;
	for (j = 0; j < x->ncounts; j++)
		if (x->counts[j].idx != y->counts[j].idx ||
		    group_count_n(a, &x->counts[j]) !=
			    group_count_n(b, &y->counts[j]))
			return 0;
	return 1;
}

static void
test_latest_first(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct grouping a, b;
	unsigned k;
	int same = 1;

	grouping_init(&a, &in, &key, 0);
	grouping_init(&b, &in, &key, 0);
	for (k = 0; k < 4; k++)
		add_series(&a, k, 1000 * (k + 1),
			   k % 2 ? "select" : "chan receive", k + 1, 10 * k,
			   k == 1);
	for (k = 4; k-- > 0;)
		add_series(&b, k, 1000 * (k + 1),
			   k % 2 ? "select" : "chan receive", k + 1, 10 * k,
			   k == 1);
	grouping_finish(&a);
	grouping_finish(&b);
	same = a.n == b.n && a.nsnap == b.nsnap;
	for (k = 0; same && k < a.n; k++) {
		const struct group *x = &a.v[k], *y = &b.v[k];

		same = x->id == y->id && x->total == y->total &&
		       x->described == y->described && x->nids == y->nids &&
		       group_more(x)->leaked_peak ==
			       group_more(y)->leaked_peak &&
		       x->state == y->state && same_counts(&a, x, &b, y);
	}
	ok(same, "same groups, counts, descriptions and leak peaks (%zu)", a.n);
	grouping_release(&a);
	grouping_release(&b);
}

/* Whether two finished groupings hold the same groups in the same order. */
static int
same_groups(const struct grouping *a, const struct grouping *b)
{
	size_t i;
	int same = a->n == b->n;

	for (i = 0; same && i < a->n; i++)
		same = a->v[i].id == b->v[i].id &&
		       a->v[i].total == b->v[i].total &&
		       a->v[i].stack == b->v[i].stack &&
		       a->v[i].state == b->v[i].state &&
		       a->v[i].blocking == b->v[i].blocking;
	return same;
}

/*
 * Finishing on several threads (parts of the groups, the sort in two
 * halves merged) gives what one thread gives: the same groups in the
 * same order, with ties and waits that make the order depend on every
 * comparison. 20,000 groups: above the size that splits.
 */
static void
test_parallel_finish(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct grouping one, two;
	struct snapshot s;
	frameid leaf[50], mid[40];
	uint32_t i, seed = 7;
	int same;

	frames_named(leaf, 50, "main.leaf", "/app/p.go", 10, 1);
	frames_named(mid, 40, "main.mid", "/app/p.go", 100, 1);
	snapshot_init(&s, &in);
	for (i = 0; i < 20000; i++) {
		frameid v[3];
		struct goroutine *g = NULL;

		seed = seed * 1103515245u + 12345u;
		v[0] = leaf[(seed >> 8) % 50];
		v[1] = mid[(seed >> 16) % 40];
		v[2] = mid[i % 40];
		g = add(&s, (seed >> 4) % 3 ? "chan receive" : "running", v,
			1 + i % 3, 0);
		g->weight = 1 + (seed >> 24) % 4;
		if ((seed >> 12) % 2) {
			g->flags |= G_HAS_WAIT;
			g->wait_minutes = (seed >> 20) % 5;
		}
	}
	grouping_init(&one, &in, &key, 1);
	grouping_init(&two, &in, &key, 1);
	one.threads = 1;
	two.threads = 2;
	grouping_add(&one, &s, 0, NULL);
	grouping_add(&two, &s, 0, NULL);
	grouping_finish(&one);
	grouping_finish(&two);
	same = one.n > 8192 && same_groups(&one, &two);
	ok(same, "two threads finish %zu groups as one does", one.n);
	grouping_release(&one);
	grouping_release(&two);
	snapshot_release(&s);
}

/*
 * The finish's frame tables worked out ahead, on a thread of their own
 * while the records are added (grouping_frames_ahead), are those finishing
 * works out itself: the same ranks and hashes of every frame, the same
 * groups in the same order. A table of 24,000 frames: above the size that
 * starts the thread. With one thread, or a key of functions (adding
 * interns frames then), nothing starts.
 */
static void
test_frames_ahead(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct group_key funcs = { GROUP_BY_FUNC, 0 };
	struct grouping one, two, single, byfunc;
	struct snapshot s;
	static frameid pool[24000];
	uint32_t i, seed = 11;
	size_t n;
	int same;

	for (i = 0; i < 240; i++) {
		char p[32];

		snprintf(p, sizeof(p), "main.f%u_", i);
		frames_named(pool + i * 100, 100, p,
			     i % 2 ? "/app/a.go" : "/b.go", 1 + i, 3);
	}
	snapshot_init(&s, &in);
	for (i = 0; i < 20000; i++) {
		frameid v[3];

		seed = seed * 1103515245u + 12345u;
		v[0] = pool[(seed >> 8) % 24000];
		v[1] = pool[(seed >> 4) % 24000];
		v[2] = pool[i % 24000];
		add(&s, (seed >> 20) % 3 ? "chan receive" : "running", v, 3, 0);
	}
	n = in.frames.n;
	grouping_init(&one, &in, &key, 1);
	grouping_init(&two, &in, &key, 1);
	grouping_init(&single, &in, &key, 1);
	grouping_init(&byfunc, &in, &funcs, 1);
	one.threads = 1;
	single.threads = 1;
	two.threads = byfunc.threads = 2;
	grouping_frames_ahead(&two);
	grouping_frames_ahead(&single);
	grouping_frames_ahead(&byfunc);
	ok(two.frames_ahead == n && single.frames_ahead == 0 &&
		   byfunc.frames_ahead == 0,
	   "frame tables ahead over %zu frames on two threads only, not "
	   "for a key of functions",
	   n);
	grouping_add(&one, &s, 0, NULL);
	grouping_add(&two, &s, 0, NULL);
	grouping_finish(&one);
	grouping_finish(&two);
	same = one.n == two.n && one.n > 10000 && in.frames.n == n;
	for (i = 0; same && i < n; i++)
		same = one.frame_rank[i] == two.frame_rank[i] &&
		       one.frame_hash[i] == two.frame_hash[i];
	ok(same, "the same rank and hash of each of %zu frames", n);
	ok(same && same_groups(&one, &two),
	   "%zu groups in the same order with tables ahead", one.n);
	grouping_release(&one);
	grouping_release(&two);
	grouping_release(&single); /* never finished */
	grouping_release(&byfunc);
	snapshot_release(&s);
}

/* The order of two finished groups as grouping_finish() documents it:
 * the latest count, the total and the longest wait (0 without one)
 * larger first, then the blocking frame, the stack frame by frame (a
 * shorter one first), the creator, blocked first, the id. */
static int
ref_cmp(const struct grouping *gr, const struct group *a, const struct group *b)
{
	uint32_t na = 0, nb = 0, i, wa, wb;
	const uint32_t *va = seqtab_items(&in.stacks, a->stack, &na);
	const uint32_t *vb = seqtab_items(&in.stacks, b->stack, &nb);
	int c;

	if (group_last(gr, a) != group_last(gr, b))
		return group_last(gr, a) > group_last(gr, b) ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	wa = a->has_wait ? a->wait_max : 0;
	wb = b->has_wait ? b->wait_max : 0;
	if (wa != wb)
		return wa > wb ? -1 : 1;
	c = grouping_frame_cmp(&in, a->blocking, b->blocking);
	if (c)
		return c;
	for (i = 0; i < na && i < nb; i++)
		if ((c = grouping_frame_cmp(&in, va[i], vb[i])) != 0)
			return c;
	if (na != nb)
		return na < nb ? -1 : 1;
	c = grouping_frame_cmp(&in, a->creator, b->creator);
	if (c)
		return c;
	if ((a->blocked != 0) != (b->blocked != 0))
		return a->blocked ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Finished groups are in that order, on one thread and on two: with no
 * waits, with a wait for all, with a wait for some (as a dump's running
 * goroutines have none: grouping_finish() sorts compact keys then), with
 * counts too large for those keys (it sorts the full keys), and with
 * stacks whose frames before the blocking one are the machinery's, of
 * different lengths and orders (they fill the keys' first frames). Stacks share long prefixes, deeper than the compact keys hold,
 * and many differ only past them.
 */
static void
test_sort_order(void)
{
	static const char *const what[] = {
		"no waits",	  "a wait for each", "counts past 2^40",
		"waits for some", "machinery leads",
	};
	struct group_key key = { GROUP_BY_STACK, 0 };
	frameid leaf[6], mid[8], cr[3], mach[4];
	unsigned mode, th;
	uint32_t i;

	/* The runtime's and the standard library's (FRAME_MACHINERY). */
	mach[0] = fr("runtime.gopark", "/go/proc.go", 460);
	mach[1] = fr("runtime.chanrecv", "/go/chan.go", 664);
	mach[2] = fr("sync.runtime_SemacquireMutex", "/go/sema.go", 95);
	mach[3] = fr("internal/sync.(*Mutex).lockSlow", "/go/mutex.go", 149);

	frames_named(leaf, 6, "sync.wait", "/go/sync.go", 10, 1);
	frames_named(mid, 8, "main.step", "/app/s.go", 100, 1);
	frames_named(cr, 3, "main.spawn", "/app/c.go", 7, 0);
	for (mode = 0; mode < 5; mode++) {
		for (th = 1; th <= 2; th++) {
			struct grouping gr;
			struct snapshot s;
			uint32_t seed = 11 + mode, bad = 0;

			snapshot_init(&s, &in);
			for (i = 0; i < 12000; i++) {
				frameid v[48 + 4];
				uint32_t n, k, r, m = 0;
				struct goroutine *g = snapshot_add(&s);

				seed = seed * 1103515245u + 12345u;
				r = seed;
				n = 1 + (seed >> 8) % 48;
				v[0] = leaf[(seed >> 12) % 6];
				/* One long chain, then four frames of
				 * eight: many stacks tie past the frames
				 * the compact keys hold (under 30 here). */
				for (k = 1; k < n; k++) {
					if (k + 4 < n) {
						v[k] = mid[k % 8];
					} else {
						v[k] = mid[r % 8];
						r /= 8;
					}
				}
				if (mode == 4) {
					/* Up to four frames of the machinery
					 * before the blocking one, of either
					 * kind and in any order; now and then
					 * nothing else (the first is then the
					 * blocking frame). */
					m = (seed >> 27) % 5;
					memmove(v + m, v, n * sizeof(*v));
					for (k = 0; k < m; k++)
						v[k] = mach[(seed >> (2 * k)) %
							    4];
					n = m > 0 && (seed >> 5) % 16 == 0
						    ? m
						    : n + m;
				}
				g->stack = intern_stack(&in, v, n);
				g->state = strtab_intern_cstr(
					&in.strings, (seed >> 20) % 4
							     ? "chan receive"
							     : "running");
				g->creator = cr[(seed >> 22) % 3];
				g->weight = 1 + (seed >> 24) % 3;
				if (mode == 2)
					g->weight <<= 40;
				if (mode == 1 ||
				    (mode == 3 && (seed >> 28) % 2)) {
					g->flags |= G_HAS_WAIT;
					g->wait_minutes = (seed >> 26) % 3;
				}
			}
			grouping_init(&gr, &in, &key, 1);
			gr.threads = th;
			grouping_add(&gr, &s, 0, NULL);
			grouping_finish(&gr);
			for (i = 0; i + 1 < gr.n; i++)
				if (ref_cmp(&gr, &gr.v[i], &gr.v[i + 1]) >= 0)
					bad++;
			ok(bad == 0 && gr.n > 4096,
			   "%s, %u thread(s): %zu groups in order (%u out)",
			   what[mode], th, gr.n, bad);
			grouping_release(&gr);
			snapshot_release(&s);
		}
	}
}

/* The records of test_key_ids() into x's tables (the same ids in any
 * fresh table). */
static void
build_keys(struct intern *x, struct snapshot *s)
{
	static const char *const mach[] = { "runtime.gopark",
					    "runtime.chanrecv",
					    "sync.runtime_Semacquire",
					    "internal/poll.runtime_pollWait" };
	uint32_t i, seed = 5;

	snapshot_init(s, x);
	for (i = 0; i < 3000; i++) {
		frameid v[12];
		uint32_t n = 0, k, m;
		char f[32];
		struct goroutine *g = snapshot_add(s);

		seed = seed * 1103515245u + 12345u;
		/* No machinery, some, or nothing else. */
		m = (seed >> 8) % 4;
		for (k = 0; k < m; k++)
			v[n++] = intern_frame(x, mach[k], strlen(mach[k]),
					      "/go/rt.go", 9, 10 + k);
		for (k = 0;
		     k < (seed >> 12) % 6 && (m == 0 || (seed >> 16) % 5);
		     k++) {
			snprintf(f, sizeof(f), "main.f%u",
				 (seed >> (k + 3)) % 40);
			v[n++] = intern_frame(x, f, strlen(f), "/app/f.go", 9,
					      k);
		}
		if (n == 0) /* (the filter below keeps no empty stack) */
			v[n++] = intern_frame(x, "main.main", 9, "/app/f.go", 9,
					      1);
		g->stack = intern_stack(x, v, n);
		g->state = strtab_intern_cstr(&x->strings, "chan receive");
		g->weight = 1;
	}
}

/*
 * Without a filter the default key's stacks are interned before the
 * records are added; with one, as each record comes: the same stacks,
 * in the same order, with the same ids.
 */
static void
test_key_ids(void)
{
	struct intern a, b;
	struct snapshot sa, sb;
	struct grouping ga, gb;
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct filter f;
	struct filter_spec spec;
	struct error err;
	size_t i;
	int same;

	intern_init(&a);
	intern_init(&b);
	build_keys(&a, &sa);
	build_keys(&b, &sb);
	memset(&spec, 0, sizeof(spec));
	spec.focus = ".";
	ok(filter_init(&f, &b, &spec, &err) == 0, "a filter of every stack");
	grouping_init(&ga, &a, &key, 1);
	grouping_init(&gb, &b, &key, 1);
	grouping_add(&ga, &sa, 0, NULL);
	grouping_add(&gb, &sb, 0, &f);
	same = a.stacks.n == b.stacks.n && ga.n == gb.n &&
	       gb.kept[0] == (int64_t)sb.n && a.stacks.n > sa.n / 4;
	for (i = 0; same && i < a.stacks.n; i++) {
		uint32_t na = 0, nb = 0;
		const uint32_t *va = seqtab_items(&a.stacks, (seqid)i, &na);
		const uint32_t *vb = seqtab_items(&b.stacks, (seqid)i, &nb);

		same = na == nb && memcmp(va, vb, na * sizeof(*va)) == 0;
	}
	for (i = 0; same && i < ga.n; i++)
		same = ga.v[i].key_stack == gb.v[i].key_stack;
	ok(same, "%zu stacks, %zu key stacks among them, the same ids",
	   a.stacks.n, ga.n);
	grouping_release(&ga);
	grouping_release(&gb);
	filter_release(&f);
	snapshot_release(&sa);
	snapshot_release(&sb);
	intern_release(&a);
	intern_release(&b);
}

/*
 * The ranks grouping_finish() gives frames order them as
 * grouping_frame_cmp() does (by function, file, line, by content), both
 * when they pack into one word and when they do not (a huge line and
 * thousands of names).
 */
static int
ranks_agree(const struct grouping *gr, const struct intern *tab)
{
	size_t i, j;

	for (i = 0; i < tab->frames.n; i++)
		for (j = 0; j < tab->frames.n; j++) {
			int c = grouping_frame_cmp(tab, (frameid)i, (frameid)j);
			uint32_t a = gr->frame_rank[i], b = gr->frame_rank[j];

			if ((c < 0) != (a < b) || (c > 0) != (a > b))
				return 0;
		}
	return 1;
}

static void
rank_case(int wide)
{
	static const struct {
		const char *s;
		size_t n;
	} names[] = {
		{ "main.f", 6 },
		{ "main.f\x80", 7 },
		{ "main.f\0", 7 },
		{ "main.fa", 7 },
		{ "main.", 5 },
		{ "", 0 },
		{ "github.com/x/y/z.(*T).M", 23 },
		{ "github.com/x/y/z.(*T).M2", 24 },
	};
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct intern tab;
	struct grouping gr;
	struct snapshot s;
	size_t i, j;
	char buf[64];

	intern_init(&tab);
	snapshot_init(&s, &tab);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			uint32_t v[1];
			struct goroutine *g = snapshot_add(&s);

			v[0] = intern_frame(&tab, names[i].s, names[i].n,
					    names[j].s, names[j].n,
					    (uint32_t)(i * 31 + j) % 5);
			g->stack = intern_stack(&tab, v, 1);
		}
	for (i = 0; wide && i < 2100; i++) {
		int n = snprintf(buf, sizeof(buf), "pkg%zu.F",
				 (i * 7919) % 2100);

		(void)intern_frame(&tab, buf, (size_t)n, "/a.go", 5,
				   i == 0 ? UINT32_MAX : (uint32_t)i % 3);
	}
	grouping_init(&gr, &tab, &key, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	ok(ranks_agree(&gr, &tab), "%zu frame ranks in content order (%s)",
	   tab.frames.n, wide ? "wider than a word" : "one word");
	grouping_release(&gr);
	snapshot_release(&s);
	intern_release(&tab);
}

static void
test_frame_ranks(void)
{
	rank_case(0);
	rank_case(1);
}

/*
 * Groups that come and go over a long series: each keeps one count per
 * snapshot it is in (not one per snapshot of the series), read back the
 * same in any order the snapshots came in; counts past 2^31 and sums past
 * INT64_MAX are kept exactly or stop at INT64_MAX.
 */
static void
add_sparse(struct grouping *gr, unsigned idx, unsigned nsnap)
{
	struct snapshot s;
	unsigned j;

	snapshot_init(&s, &in);
	/* Group j lives in snapshots j .. j + 2, with j + k goroutines. */
	for (j = idx >= 2 ? idx - 2 : 0; j <= idx && j < nsnap; j++) {
		char name[32];
		frameid w[1];
		struct goroutine *g = NULL;

		snprintf(name, sizeof(name), "main.job%u", j);
		w[0] = fr(name, "/app/j.go", j + 1);
		g = add(&s, "chan receive", w, 1, 0);
		g->weight = (int64_t)idx + 1;
	}
	grouping_add(gr, &s, idx, NULL);
	snapshot_release(&s);
}

static int
sparse_ok(const struct grouping *gr, unsigned nsnap)
{
	unsigned j, k;

	if (gr->n != nsnap)
		return 0;
	for (j = 0; j < nsnap; j++) {
		char name[32];
		size_t gi;
		const struct group *g = NULL;

		snprintf(name, sizeof(name), "main.job%u", j);
		gi = group_of(gr, name);
		if (gi == (size_t)-1)
			return 0;
		g = &gr->v[gi];
		if (g->ncounts != (j + 2 < nsnap ? 3u : nsnap - j))
			return 0;
		for (k = 0; k < nsnap; k++) {
			int64_t want =
				k >= j && k <= j + 2 ? (int64_t)k + 1 : 0;

			if (group_count(gr, g, k) != want)
				return 0;
		}
	}
	return 1;
}

static void
test_sparse_counts(void)
{
	struct group_key key = { GROUP_BY_STACK, 0 };
	const unsigned n = 2000;
	struct grouping gr;
	unsigned k, *perm = NULL;
	struct snapshot s;
	frameid w[1];
	struct goroutine *g = NULL;
	int64_t big[3];

	grouping_init(&gr, &in, &key, 0);
	for (k = 0; k < n; k++)
		add_sparse(&gr, k, n);
	grouping_finish(&gr);
	ok(sparse_ok(&gr, n),
	   "2000 snapshots, 2000 groups of 3 each: 3 counts a group, each "
	   "read back");
	grouping_release(&gr);

	/* Latest first, as a .gsnap is read, then put in order. */
	grouping_init(&gr, &in, &key, 0);
	perm = calloc(n, sizeof(*perm));
	for (k = 0; k < n; k++) {
		add_sparse(&gr, n - 1 - k, n);
		perm[k] = k;
	}
	grouping_finish(&gr);
	ok(sparse_ok(&gr, n), "the same, added latest first");
	grouping_release(&gr);

	/* Added in order, then permuted: snapshot k becomes the one that
	 * was perm[k] (a reversal, and a shuffle). */
	grouping_init(&gr, &in, &key, 0);
	for (k = 0; k < n; k++)
		add_sparse(&gr, n - 1 - k, n);
	grouping_permute(&gr, perm); /* identity */
	for (k = 0; k < n; k++)
		perm[k] = (k * 7919u) % n;
	grouping_permute(&gr, perm);
	grouping_finish(&gr);
	{
		/* Group j now sits in the snapshots whose perm is j .. j+2. */
		size_t gi = group_of(&gr, "main.job5");
		unsigned found = 0;

		for (k = 0; k < n; k++)
			if (gi != (size_t)-1 &&
			    group_count(&gr, &gr.v[gi], k) ==
				    (perm[k] >= 5 && perm[k] <= 7
					     ? (int64_t)perm[k] + 1
					     : 0))
				found++;
		ok(found == n && gr.v[gi].ncounts == 3 &&
			   gr.v[gi].counts[0].idx < gr.v[gi].counts[1].idx &&
			   gr.v[gi].counts[1].idx < gr.v[gi].counts[2].idx,
		   "shuffled by grouping_permute: each count at its new "
		   "snapshot, in order");
	}
	grouping_release(&gr);
	free(perm);

	/* Counts too large for 31 bits, and sums past INT64_MAX. */
	grouping_init(&gr, &in, &key, 0);
	big[0] = 3000000000LL;
	big[1] = INT64_MAX - 1;
	big[2] = 5;
	for (k = 0; k < 3; k++) {
		snapshot_init(&s, &in);
		w[0] = fr("main.big", "/app/b.go", 1);
		g = add(&s, "chan receive", w, 1, 0);
		g->weight = big[k];
		g = add(&s, "chan receive", w, 1, 0);
		g->weight = k == 1 ? 7 : 1;
		grouping_add(&gr, &s, k, NULL);
		snapshot_release(&s);
	}
	grouping_finish(&gr);
	ok(gr.n == 1 && group_count(&gr, &gr.v[0], 0) == 3000000001LL &&
		   group_count(&gr, &gr.v[0], 1) == INT64_MAX &&
		   group_count(&gr, &gr.v[0], 2) == 6 &&
		   group_peak(&gr, &gr.v[0]) == INT64_MAX &&
		   gr.v[0].total == INT64_MAX && gr.totals[1] == INT64_MAX,
	   "3000000001 exact; INT64_MAX - 1 + 7 stops at INT64_MAX, in "
	   "counts, totals and peak");
	grouping_release(&gr);
}

int
main(void)
{
	intern_init(&in);
	test_stack_key();
	test_other_keys();
	test_filters();
	test_group_ids();
	test_latest_snapshot();
	test_shared_key_stacks();
	test_latest_first();
	test_parallel_finish();
	test_frames_ahead();
	test_sort_order();
	test_key_ids();
	test_frame_ranks();
	test_sparse_counts();
	intern_release(&in);
	return tap_done();
}
