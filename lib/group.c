/* Grouping by key, with per-group statistics and stable ids. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/filter.h"
#include "lib/group.h"
#include "lib/hash.h"
#include "lib/par.h"
#include "lib/sat.h"
#include "lib/snapshot.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Each block of a group's counts is 2^COUNTS_GROW_LG times the one
 * before: fewer copies, at most that much room unused. */
#define COUNTS_GROW_LG 2

static const struct group_by_def group_bys[] = {
	[GROUP_BY_STACK] = { "stack", 0, 1, 1, 0, 0, 0 },
	[GROUP_BY_FUNC] = { "func", 0, 1, 1, 0, 1, 0 },
	[GROUP_BY_TOP] = { "top", 1, 1, 0, 1, 0, 0 },
	[GROUP_BY_CREATOR] = { "creator", 0, 0, 0, 0, 0, 1 },
};

#define NGROUP_BYS (sizeof(group_bys) / sizeof(group_bys[0]))

const struct group_by_def *
group_by_get(enum group_by by)
{
	return &group_bys[(unsigned)by < NGROUP_BYS ? by : GROUP_BY_STACK];
}

int
group_key_parse(struct group_key *key, const char *text, struct error *err)
{
	size_t i, len = strcspn(text, ":");
	char names[128] = "";

	memset(key, 0, sizeof(*key));
	for (i = 0; i < NGROUP_BYS; i++) {
		const struct group_by_def *d = &group_bys[i];
		char *end = NULL;
		unsigned long n = 0;

		if (strlen(d->name) != len || memcmp(d->name, text, len) != 0)
			continue;
		if (!d->takes_n && text[len] == '\0') {
			key->by = (enum group_by)i;
			return 0;
		}
		if (d->takes_n && text[len] == ':') {
			n = strtoul(text + len + 1, &end, 10);
			if (text[len + 1] >= '0' && text[len + 1] <= '9' &&
			    *end == '\0' && n >= 1 && n <= GROUP_MAX_TOP) {
				key->by = (enum group_by)i;
				key->top = (unsigned)n;
				return 0;
			}
		}
		if (d->takes_n)
			return error_set(err,
					 "--group-by: expected %s:N with "
					 "N from 1 to %u, got '%s'",
					 d->name, GROUP_MAX_TOP, text);
		break;
	}
	for (i = 0; i < NGROUP_BYS; i++) {
		size_t n = strlen(names);

		snprintf(names + n, sizeof(names) - n, "%s%s%s",
			 i == 0		       ? ""
			 : i + 1 == NGROUP_BYS ? " or "
					       : ", ",
			 group_bys[i].name, group_bys[i].takes_n ? ":N" : "");
	}
	return error_set(err, "--group-by: expected %s, got '%s'", names, text);
}

void
group_key_format(const struct group_key *key, char *buf, size_t size)
{
	const struct group_by_def *d = group_by_get(key->by);

	if (d->takes_n)
		snprintf(buf, size, "%s:%u", d->name, key->top);
	else
		snprintf(buf, size, "%s", d->name);
}

void
grouping_init(struct grouping *gr, struct intern *in,
	      const struct group_key *key, unsigned nsnap)
{
	memset(gr, 0, sizeof(*gr));
	gr->in = in;
	gr->key = *key;
	gr->nsnap = nsnap ? nsnap : 1;
	idmap_init(&gr->index);
	arena_init(&gr->mem);
	u64map_init(&gr->followed);
	gr->follow_ids = 1;
	gr->totals = xgrow_zero(NULL, sizeof(*gr->totals), gr->nsnap,
				&gr->snapcap_totals);
	gr->kept = xgrow_zero(NULL, sizeof(*gr->kept), gr->nsnap,
			      &gr->snapcap_kept);
}

void
grouping_release(struct grouping *gr)
{
	size_t i;

	par_end(&gr->frames_task); /* not finished: still running, maybe */
	for (i = 0; i < gr->n; i++)
		if (gr->v[i].more != NULL)
			free(gr->v[i].more->waits);
	arena_release(&gr->mem);
	free(gr->v);
	free(gr->stack_memo);
	free(gr->group_memo);
	free(gr->frame_memo);
	free(gr->blocked_memo);
	free(gr->frame_hash);
	free(gr->frame_rank);
	free(gr->totals);
	free(gr->kept);
	free(gr->big);
	u64map_release(&gr->followed);
	free(gr->follow);
	free(gr->order);
	free(gr->desc_keys);
	free(gr->ident);
	idmap_release(&gr->index);
	memset(gr, 0, sizeof(*gr));
}

/* Histograms live in the grouping's arena: most hold one value, and a
 * malloc each cost as much as the rest of grouping. */
static void hist_add_slow(struct arena *mem, struct hist *h, uint32_t id,
			  int64_t w);

static inline void
hist_add(struct arena *mem, struct hist *h, uint32_t id, int64_t w)
{
	if (h->n > 0 && h->v[0].id == id)
		h->v[0].weight = sat_add(h->v[0].weight, w); /* one value */
	else
		hist_add_slow(mem, h, id, w);
}

static void
hist_add_slow(struct arena *mem, struct hist *h, uint32_t id, int64_t w)
{
	uint32_t i;

	for (i = 1; i < h->n; i++) {
		if (h->v[i].id == id) {
			h->v[i].weight = sat_add(h->v[i].weight, w);
			return;
		}
	}
	if (h->n >= GROUP_HIST_MAX)
		return;
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 1;
		struct hist_entry *v = arena_alloc(mem, cap * sizeof(*v));

		if (h->n)
			memcpy(v, h->v, h->n * sizeof(*v));
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n].id = id;
	h->v[h->n].weight = w;
	h->n++;
}

const struct group_more group_more_none;

/* g's rarer facts, made on first use. */
static struct group_more *
more(struct grouping *gr, struct group *g)
{
	if (g->more == NULL) {
		g->more = arena_alloc(&gr->mem, sizeof(*g->more));
		memset(g->more, 0, sizeof(*g->more));
	}
	return g->more;
}

/* --- keys --------------------------------------------------------------- */

static uint32_t *
memo(uint32_t **m, size_t *cap, size_t id)
{
	if (id >= *cap)
		*m = xgrow_zero(*m, sizeof(**m), id + 1, cap);
	return &(*m)[id];
}

static frameid
func_only(struct intern *in, frameid f)
{
	const struct frame *fr = intern_frame_get(in, f);

	if (f == 0)
		return 0;
	return frames_intern(&in->frames, &in->strings, fr->func, 0, 0);
}

static frameid
key_frame(struct grouping *gr, frameid f)
{
	uint32_t *m = NULL;

	if (!group_by_get(gr->key.by)->func_only || f == 0)
		return f;
	m = memo(&gr->frame_memo, &gr->frame_memo_cap, f);
	if (*m == 0)
		*m = func_only(gr->in, f) + 1;
	return *m - 1;
}

/* How many of the frames v[0..n) are the runtime's and the standard
 * library's before the first of the program's (n when all are). */
static uint32_t
machinery_before(const struct grouping *gr, const uint32_t *v, uint32_t n)
{
	const struct frame *fv = gr->in->frames.v;
	uint32_t k = 0;

	while (k < n && (fv[v[k]].flags & FRAME_MACHINERY))
		k++;
	return k;
}

static seqid
key_stack(struct grouping *gr, seqid stack)
{
	uint32_t *m = NULL, n = 0, i, o = 0;
	const uint32_t *v = NULL;
	uint32_t *tmp = NULL;

	const struct group_by_def *d = group_by_get(gr->key.by);

	if (!d->stack)
		return 0;
	m = memo(&gr->stack_memo, &gr->stack_memo_cap, stack);
	if (*m != 0)
		return *m - 1;
	v = seqtab_items(&gr->in->stacks, stack, &n);
	if (d->from_blocking) {
		/* The key starts at the blocking frame: the frames inside
		 * it are the runtime's and the standard library's, and one
		 * wait is recorded with more of them or fewer by format (a
		 * trace's sync and IO waits start at the API the program
		 * called) and by Go version. */
		uint32_t k = machinery_before(gr, v, n);

		if (k < n) {
			v += k;
			n -= k;
		}
		if (!d->func_only && k == 0) {
			*m = stack + 1;
			return stack;
		}
	}
	/* (A copy: interning may move the table's items.) */
	tmp = xreallocarray(NULL, n ? n : 1, sizeof(*tmp));
	for (i = 0; i < n; i++) {
		uint32_t f = v[i];

		if (d->top_n) {
			if (intern_frame_get(gr->in, f)->flags &
			    FRAME_MACHINERY)
				continue;
			if (o == gr->key.top)
				break;
		}
		tmp[o++] = d->func_only ? func_only(gr->in, f) : f;
	}
	*m = seqtab_intern(&gr->in->stacks, tmp, o) + 1;
	free(tmp);
	return *m - 1;
}

/* --- adding ------------------------------------------------------------- */

/*
 * The key stacks of a snapshot's records, interned before the records are
 * added, for the default key (the stack from its blocking frame out):
 * where nearly every stack is new (a profile of distinct stacks), each
 * key stack is new too and its index slot a read far away, which
 * interning one record at a time waited for. Here each slot is fetched
 * KEYS_AHEAD stacks ahead. The stacks are interned in the records'
 * order, as key_stack() would have, so they get the same ids.
 */
struct key_pending {
	seqid stack;
	uint32_t skip; /* frames of the machinery before the key */
	uint64_t hash;
};

#define KEYS_AHEAD  8
#define KEY_PENDING (UINT32_MAX) /* in stack_memo: in the list below */

static void
key_stacks_ahead(struct grouping *gr, const struct snapshot *s)
{
	const struct group_by_def *d = group_by_get(gr->key.by);
	struct seqtab *t = &gr->in->stacks;
	struct key_pending *p = NULL;
	uint32_t *tmp = NULL;
	size_t i, np = 0, items = 0, tmpcap = 0;

	if (!d->stack || !d->from_blocking || d->func_only || d->top_n ||
	    s->n == 0)
		return;
	p = xreallocarray(NULL, s->n, sizeof(*p));
	for (i = 0; i < s->n; i++) {
		seqid st = s->g[i].stack;
		uint32_t *m = memo(&gr->stack_memo, &gr->stack_memo_cap, st);
		uint32_t n = 0, k = 0;
		const uint32_t *v = NULL;

		if (*m != 0)
			continue;
		v = seqtab_items(t, st, &n);
		k = machinery_before(gr, v, n);
		if (k == 0 || k == n) {
			/* The stack is its own key (key_stack()). */
			*m = st + 1;
			continue;
		}
		*m = KEY_PENDING;
		p[np].stack = st;
		p[np].skip = k;
		p[np].hash = seqtab_hash(v + k, n - k);
		items += n - k;
		np++;
	}
	seqtab_reserve(t, np, items);
	for (i = 0; i < np; i++) {
		uint32_t n = 0;
		const uint32_t *v = seqtab_items(t, p[i].stack, &n);

		if (i + KEYS_AHEAD < np)
			seqtab_prefetch(t, p[i + KEYS_AHEAD].hash);
		/* (A copy: interning may move the table's items.) */
		n -= p[i].skip;
		tmp = xgrow(tmp, sizeof(*tmp), n, &tmpcap);
		memcpy(tmp, v + p[i].skip, n * sizeof(*tmp));
		gr->stack_memo[p[i].stack] =
			seqtab_intern_hashed(t, tmp, n, p[i].hash) + 1;
	}
	free(tmp);
	free(p);
}

static struct group *find_group_hashed(struct grouping *gr, int blocked,
				       seqid ks, frameid kc);

/* A group key's hash in the grouping's index. */
static uint32_t
key_hash(int blocked, seqid ks, frameid kc)
{
	return hash_fold(hash_mix(hash_mix((uint64_t)blocked, ks), kc));
}
static struct group *new_group(struct grouping *gr, int blocked, seqid ks,
			       frameid kc, uint32_t h);

/*
 * The group of a key, through a memo by key stack first: the goroutines
 * of one stack nearly always share their creator and state class, and an
 * array index is far cheaper than hashing and probing the index.
 */
static struct group *
find_group(struct grouping *gr, int blocked, seqid ks, frameid kc)
{
	uint32_t *m = memo(&gr->group_memo, &gr->group_memo_cap, ks);
	struct group *g = NULL;

	if (*m != 0) {
		g = &gr->v[*m - 1];
		if (g->blocked == blocked && g->key_stack == ks &&
		    g->key_creator == kc)
			return g;
	}
	/* No group has the key stack when the memo has seen every group
	 * and holds none for it: no need to probe the index (a cache miss
	 * per group on a profile of distinct stacks). The index is built
	 * only when the memo cannot answer. */
	g = *m == 0 && !gr->memo_partial
		    ? new_group(gr, blocked, ks, kc, key_hash(blocked, ks, kc))
		    : find_group_hashed(gr, blocked, ks, kc);
	*m = (uint32_t)(g - gr->v) + 1;
	return g;
}

static struct group *
find_group_hashed(struct grouping *gr, int blocked, seqid ks, frameid kc)
{
	uint32_t h = key_hash(blocked, ks, kc), pos = 0, id;
	struct group *g = NULL;

	if (!gr->indexed) {
		/* The first time the memo cannot answer: index every group
		 * so far, and each new one from now on. */
		size_t i;

		idmap_reserve(&gr->index, gr->n);
		for (i = 0; i < gr->n; i++)
			idmap_insert(&gr->index,
				     key_hash(gr->v[i].blocked,
					      gr->v[i].key_stack,
					      gr->v[i].key_creator),
				     (uint32_t)i);
		gr->indexed = 1;
	}
	for (id = idmap_first(&gr->index, h, &pos); id != IDMAP_NONE;
	     id = idmap_next(&gr->index, h, &pos)) {
		g = &gr->v[id];
		if (g->blocked == blocked && g->key_stack == ks &&
		    g->key_creator == kc)
			return g;
	}
	return new_group(gr, blocked, ks, kc, h);
}

/* A group of the key, known to be new; h is its hash in the index. */
static struct group *
new_group(struct grouping *gr, int blocked, seqid ks, frameid kc, uint32_t h)
{
	struct group *g = NULL;

	gr->v = xgrow(gr->v, sizeof(*gr->v), gr->n + 1, &gr->cap);
	g = &gr->v[gr->n];
	memset(g, 0, sizeof(*g));
	g->blocked = blocked;
	g->key_stack = ks;
	g->key_creator = kc;
	{
		/* The first count and the first entry of each histogram in
		 * one piece: every group gets one of each, and most groups
		 * of a large dump no more. */
		struct hist_entry *e = NULL;
		char *p = arena_alloc(&gr->mem,
				      sizeof(*g->counts) + 4 * sizeof(*e));

		g->counts = (struct group_count *)(void *)p;
		g->countcap = 1;
		e = (struct hist_entry *)(void *)(p + sizeof(*g->counts));
		g->states.v = e;
		g->stacks.v = e + 1;
		g->creators.v = e + 2;
		g->labels.v = e + 3;
		g->states.cap = g->stacks.cap = 1;
		g->creators.cap = g->labels.cap = 1;
	}
	g->adding_idx = UINT32_MAX;
	g->wait_min = UINT32_MAX;
	if (gr->indexed)
		idmap_insert(&gr->index, h, (uint32_t)gr->n);
	gr->n++;
	return g;
}

static void
note_id(struct grouping *gr, struct group *g, uint64_t id)
{
	uint32_t i = g->nids, k;

	/* Goroutine ids are stable within a process: the same goroutine in
	 * every snapshot of a series counts once. */
	for (k = 0; k < g->nids; k++)
		if (g->ids[k] == id)
			return;
	if (i == GROUP_MAX_IDS) {
		if (id >= g->ids[GROUP_MAX_IDS - 1])
			return;
		i--;
	} else {
		if (i == g->idcap) {
			/* Room for GROUP_FIRST_IDS first: most groups of a
			 * dump of many stacks have a goroutine or two, and
			 * room for all was 64 bytes a group, each touched. */
			uint16_t cap =
				g->idcap == 0 ? GROUP_FIRST_IDS : GROUP_MAX_IDS;
			uint64_t *v = arena_alloc(&gr->mem, cap * sizeof(*v));

			if (i > 0)
				memcpy(v, g->ids, i * sizeof(*v));
			g->ids = v;
			g->idcap = cap;
		}
		g->nids++;
	}
	/* Keep the lowest ids, sorted. */
	while (i > 0 && g->ids[i - 1] > id) {
		g->ids[i] = g->ids[i - 1];
		i--;
	}
	g->ids[i] = id;
}

/* Forget the description of g: a later snapshot holds it. */
static void
describe_reset(struct group *g)
{
	g->described = 0;
	g->states.n = g->stacks.n = g->creators.n = g->labels.n = 0;
	g->has_wait = 0;
	g->wait_min = UINT32_MAX;
	g->wait_max = 0;
	g->inferred = 0;
	g->creator_goid = 0;
	g->creator_goid_state = 0;
	g->nids = 0;
	if (g->more != NULL) {
		struct group_more *x = g->more;

		x->has_wait_ns = 0;
		x->nwaits = 0;
		x->traced = x->traced_blocked = 0;
		x->creation_stacks.n = 0;
		x->locked = x->durable = x->truncated = 0;
		x->leaked = 0;
	}
}

/*
 * Where a snapshot stands in the series, for describe(): its capture time
 * (0 when unknown, or when the series goes by place), its place (input,
 * position), and the order it was added in (idx + 1); the latest by that
 * key, compared field by field, describes each group. Made once per
 * snapshot: describe() runs for every goroutine.
 */
struct desc_key {
	int64_t t;
	uint64_t place;
	unsigned idx1;
};

/*
 * Whether a goroutine of the snapshot at k belongs in g's description: k
 * is the key of the snapshot that describes it, or a later one, which
 * describes it from now on. The key of the one that does is looked up by
 * its index, not kept in the group (16 bytes a group).
 */
static inline int
describe(const struct grouping *gr, struct group *g, const struct desc_key *k)
{
	if (k->idx1 == g->desc_idx)
		return 1;
	if (g->desc_idx != 0) {
		const struct desc_key *d = &gr->desc_keys[g->desc_idx - 1];

		if (k->t < d->t)
			return 0;
		if (k->t == d->t &&
		    (k->place < d->place ||
		     (k->place == d->place && k->idx1 < g->desc_idx)))
			return 0;
		describe_reset(g);
	}
	g->desc_idx = k->idx1;
	return 1;
}

/* Whether a state is a blocked one, memoised here: asked of every
 * goroutine, and the intern's own memo is a call away. */
static int
state_blocked_slow(struct grouping *gr, strid state)
{
	int blocked = wait_class_blocked(intern_state_class(gr->in, state));

	*memo(&gr->blocked_memo, &gr->blocked_memo_cap, state) =
		(uint32_t)blocked + 1;
	return blocked;
}

static inline int
state_blocked(struct grouping *gr, strid state)
{
	if (state < gr->blocked_memo_cap && gr->blocked_memo[state] != 0)
		return (int)gr->blocked_memo[state] - 1;
	return state_blocked_slow(gr, state);
}

/*
 * The second count of a group, and every one after: the counts move to a
 * block 2^COUNTS_GROW_LG times as large, in the arena (out of the heap
 * the readers allocate from), and the block they leave waits for the next
 * group to reach its size. Most groups of a long series are in a few
 * snapshots, the rest in many.
 */
/* A block of counts on a free list (blocks of 4 counts and more hold
 * it; the arena aligns them for it). */
struct free_counts {
	struct group_count *next;
};

static void
count_grow(struct grouping *gr, struct group *g)
{
	unsigned old = 0, lg = 0;
	struct group_count *c = NULL;

	while ((1u << old) < g->countcap)
		old++;
	lg = old + COUNTS_GROW_LG;
	if (lg >= 32)
		xalloc_die("the counts of a group", SIZE_MAX);
	c = gr->counts_free[lg];
	if (c != NULL)
		gr->counts_free[lg] = ((struct free_counts *)(void *)c)->next;
	else
		c = arena_alloc(&gr->mem, sizeof(*c) << lg);
	memcpy(c, g->counts, g->ncounts * sizeof(*c));
	if (old > 0) { /* (the first count is no block of its own) */
		((struct free_counts *)(void *)g->counts)->next =
			gr->counts_free[old];
		gr->counts_free[old] = g->counts;
	}
	g->counts = c;
	g->countcap = 1u << lg;
}

/* The n of a group_count of v goroutines. */
static uint32_t
count_encode(struct grouping *gr, int64_t v)
{
	if (v < (int64_t)GROUP_COUNT_BIG)
		return (uint32_t)v;
	if (gr->nbig >= GROUP_COUNT_BIG)
		xalloc_die("the counts of a series", SIZE_MAX);
	gr->big = xgrow(gr->big, sizeof(*gr->big), gr->nbig + 1, &gr->bigcap);
	gr->big[gr->nbig] = v;
	return GROUP_COUNT_BIG + (uint32_t)gr->nbig++;
}

static inline void
count_push(struct grouping *gr, struct group *g)
{
	struct group_count *c = NULL;

	if (g->adding_idx == UINT32_MAX)
		return;
	if (g->ncounts == g->countcap)
		count_grow(gr, g);
	c = &g->counts[g->ncounts++];
	c->idx = g->adding_idx;
	c->n = count_encode(gr, g->adding_n);
	g->adding_idx = UINT32_MAX;
}

/*
 * Count w goroutines of g in snapshot idx. A snapshot is added whole, so
 * its goroutines of g add up in g itself and move to g's counts once, when
 * g is first seen in the next snapshot (or when the grouping finishes):
 * the counts, elsewhere in memory, are written once per snapshot and
 * never read while adding.
 */
static inline void
count_add(struct grouping *gr, struct group *g, unsigned idx, int64_t w)
{
	if (g->adding_idx == idx) {
		g->adding_n = sat_add(g->adding_n, w);
		return;
	}
	if (g->adding_idx != UINT32_MAX) {
		if (idx < g->adding_idx)
			gr->counts_unsorted = 1;
		count_push(gr, g);
	} else if (g->ncounts > 0) {
		gr->counts_unsorted = 1; /* pushed by permute: check */
	}
	g->adding_idx = idx;
	g->adding_n = w;
}

/* --- goroutines followed by id ----------------------------------------- */

/*
 * Where a snapshot sorts in the series: by capture time and place when the
 * series goes by time, by place when it goes by place; which one is known
 * only at the end (series.c), so both are kept, as the snapshots' indices
 * in the order they were added.
 */
struct snap_order {
	int64_t t;
	uint64_t place;
	int trace; /* a moment of an execution trace */
};

/* Where one goroutine was: in up to FOLLOW_GROUPS groups, the first and
 * the last snapshot it was in each, by time (t) and by place (p); and the
 * first snapshot it was in at all. */
#define FOLLOW_GROUPS 3

struct follow_ent {
	uint32_t group;
	uint32_t ft, lt, fp, lp;
};

struct follow_rec {
	uint32_t et, ep;
	uint8_t n;
	uint8_t old; /* alive before the trace began (not created in it) */
	struct follow_ent e[FOLLOW_GROUPS];
};

/* Whether snapshot a sorts before b: by time (then place) or by place. */
static int
snap_before(const struct grouping *gr, int by_time, uint32_t a, uint32_t b)
{
	const struct snap_order *x = &gr->order[a], *y = &gr->order[b];

	if (by_time && x->t != y->t)
		return x->t < y->t;
	if (x->place != y->place)
		return x->place < y->place;
	return a < b;
}

static void
follow_note(struct grouping *gr, const struct goroutine *gs, uint32_t group,
	    unsigned idx)
{
	uint32_t i = u64map_get(&gr->followed, gs->id), k;
	struct follow_rec *r = NULL;

	if (i == U64MAP_NONE) {
		if (gr->nfollow >= GROUP_MAX_FOLLOWED) {
			gr->identity_off = GROUP_IDS_TOO_MANY;
			return;
		}
		gr->follow = xgrow(gr->follow, sizeof(*gr->follow),
				   gr->nfollow + 1, &gr->followcap);
		i = (uint32_t)gr->nfollow++;
		r = &gr->follow[i];
		memset(r, 0, sizeof(*r));
		r->et = r->ep = idx;
		r->old = gr->order[idx].trace &&
			 !(gs->flags & G_CREATED_IN_TRACE);
		u64map_put(&gr->followed, gs->id, i);
	} else {
		r = &gr->follow[i];
		if (snap_before(gr, 1, idx, r->et))
			r->et = idx;
		if (snap_before(gr, 0, idx, r->ep))
			r->ep = idx;
	}
	for (k = 0; k < r->n; k++)
		if (r->e[k].group == group)
			break;
	if (k == r->n) {
		if (r->n == FOLLOW_GROUPS) {
			/* A goroutine in many groups: the group it was last
			 * in earliest makes room (the latest ones are what
			 * count), by the series' order, not the order the
			 * snapshots came in (a .gsnap is read latest first). */
			uint32_t m = 0;

			for (k = 1; k < r->n; k++)
				if (snap_before(gr, 1, r->e[k].lt, r->e[m].lt))
					m = k;
			if (snap_before(gr, 1, idx, r->e[m].lt))
				return; /* seen here before all of those */
			k = m;
		} else {
			r->n++;
		}
		r->e[k].group = group;
		r->e[k].ft = r->e[k].lt = r->e[k].fp = r->e[k].lp = idx;
		return;
	}
	if (snap_before(gr, 1, idx, r->e[k].ft))
		r->e[k].ft = idx;
	if (snap_before(gr, 1, r->e[k].lt, idx))
		r->e[k].lt = idx;
	if (snap_before(gr, 0, idx, r->e[k].fp))
		r->e[k].fp = idx;
	if (snap_before(gr, 0, r->e[k].lp, idx))
		r->e[k].lp = idx;
}

/*
 * Each group's goroutines that stayed, from the followed ids, in the
 * order the series goes by (by place once a snapshot has no time, as
 * series.c orders them). Before the groups move.
 */
static void
follow_finish(struct grouping *gr)
{
	int by_time = !gr->by_place;
	uint32_t first = 0, last = 0, k;
	size_t i;

	gr->identity = gr->follow_ids && !gr->identity_off && gr->nsnap >= 2;
	if (!gr->identity)
		return;
	free(gr->ident);
	gr->ident = xcalloc(gr->n ? gr->n : 1, sizeof(*gr->ident));
	for (k = 1; k < gr->nsnap; k++) {
		if (snap_before(gr, by_time, k, first))
			first = k;
		if (snap_before(gr, by_time, last, k))
			last = k;
	}
	for (i = 0; i < gr->nfollow; i++) {
		const struct follow_rec *r = &gr->follow[i];
		uint32_t earliest = by_time ? r->et : r->ep;
		int existed = r->old || earliest == first;

		for (k = 0; k < r->n; k++) {
			const struct follow_ent *e = &r->e[k];
			struct group_identity *x = &gr->ident[e->group];

			if ((by_time ? e->lt : e->lp) != last) {
				x->left++;
				continue;
			}
			x->ids_last++;
			if ((by_time ? e->ft : e->fp) == last)
				continue; /* new at the last snapshot */
			x->stayed++;
			if (!existed)
				x->new_stayed++;
		}
	}
}

static void
add_one(struct grouping *gr, const struct snapshot *s, unsigned idx,
	const struct desc_key *k, const struct goroutine *gs)
{
	int blocked = state_blocked(gr, gs->state);
	seqid ks = key_stack(gr, gs->stack);
	frameid kc = group_by_get(gr->key.by)->creator
			     ? key_frame(gr, gs->creator)
			     : 0;
	struct group *g = find_group(gr, blocked, ks, kc);
	int64_t w = gs->weight;

	count_add(gr, g, idx, w);
	g->total = sat_add(g->total, w);
	if (gr->follow_ids && !gr->identity_off && (gs->flags & G_HAS_ID))
		follow_note(gr, gs, (uint32_t)(g - gr->v), idx);
	if ((gs->flags & G_LEAKED) || s->kind == SNAPSHOT_LEAK) {
		struct group_more *x = more(gr, g);

		if (x->leaked_idx != idx + 1) {
			x->leaked_idx = idx + 1;
			x->leaked_cur = 0;
		}
		x->leaked_cur = sat_add(x->leaked_cur, w);
		if (x->leaked_cur > x->leaked_peak)
			x->leaked_peak = x->leaked_cur;
	}
	if (!describe(gr, g, k))
		return;
	g->described = sat_add(g->described, w);
	hist_add(&gr->mem, &g->states, gs->state, w);
	hist_add(&gr->mem, &g->stacks, gs->stack, w);
	hist_add(&gr->mem, &g->creators, gs->creator, w);
	hist_add(&gr->mem, &g->labels, gs->labels, w);
	if ((gs->flags & G_LEAKED) || s->kind == SNAPSHOT_LEAK)
		more(gr, g)->leaked = sat_add(more(gr, g)->leaked, w);
	if (gs->flags & G_LOCKED)
		more(gr, g)->locked = sat_add(more(gr, g)->locked, w);
	if (gs->flags & G_DURABLE)
		more(gr, g)->durable = sat_add(more(gr, g)->durable, w);
	if (gs->flags & G_STATE_INFERRED)
		g->inferred = sat_add(g->inferred, w);
	if (gs->flags & G_TRUNCATED)
		more(gr, g)->truncated = sat_add(more(gr, g)->truncated, w);
	if ((gs->flags & G_HAS_WAIT) || ((s->provides & HAS_WAIT) && blocked)) {
		/* Where the format prints wait times, a blocked goroutine
		 * without one has waited less than a minute. */
		uint32_t m = (gs->flags & G_HAS_WAIT) ? gs->wait_minutes : 0;

		g->has_wait = 1;
		if (m < g->wait_min)
			g->wait_min = m;
		if (m > g->wait_max)
			g->wait_max = m;
	}
	if (gs->flags & G_HAS_WAIT_NS) {
		struct group_more *x = more(gr, g);

		if (x->nwaits == x->waitcap) {
			size_t cap = x->waitcap;

			x->waits = xgrow(x->waits, sizeof(*x->waits),
					 (size_t)x->nwaits + 1, &cap);
			x->waitcap = (uint32_t)cap;
		}
		x->waits[x->nwaits++] = gs->wait_ns;
		x->has_wait_ns = 1;
	}
	if (gs->flags & G_CREATED_IN_TRACE) {
		struct group_more *x = more(gr, g);

		x->traced = sat_add(x->traced, w);
		if (blocked)
			x->traced_blocked = sat_add(x->traced_blocked, w);
	}
	if (gs->creation_stack)
		hist_add(&gr->mem, &more(gr, g)->creation_stacks,
			 gs->creation_stack, w);
	if (gs->flags & G_HAS_CREATOR_ID) {
		if (g->creator_goid_state == 0) {
			g->creator_goid = gs->creator_id;
			g->creator_goid_state = 1;
		} else if (g->creator_goid != gs->creator_id) {
			g->creator_goid_state = 2;
		}
	}
	if (gs->flags & G_HAS_ID)
		note_id(gr, g, gs->id);
}

/* Make room for n snapshots in the per-snapshot totals (a group's
 * counts grow with the snapshots it is in). */
static void
reserve(struct grouping *gr, unsigned n)
{
	gr->totals = xgrow_zero(gr->totals, sizeof(*gr->totals), n,
				&gr->snapcap_totals);
	gr->kept =
		xgrow_zero(gr->kept, sizeof(*gr->kept), n, &gr->snapcap_kept);
}

static void
grow_snapshots(struct grouping *gr, unsigned n)
{
	reserve(gr, n);
	gr->nsnap = n;
}

void
grouping_reserve(struct grouping *gr, unsigned n)
{
	reserve(gr, n);
}

void
grouping_permute(struct grouping *gr, const unsigned *perm)
{
	unsigned *to = xreallocarray(NULL, gr->nsnap, sizeof(*to));
	int64_t *tmp = xreallocarray(NULL, gr->nsnap, sizeof(*tmp));
	size_t i;
	unsigned k;

	/* Snapshot perm[k] becomes k: each count moves to its new index,
	 * and grouping_finish() puts them in order again. */
	for (k = 0; k < gr->nsnap; k++)
		to[perm[k]] = k;
	for (i = 0; i < gr->n; i++) {
		struct group *g = &gr->v[i];
		uint32_t j;

		count_push(gr, g);
		for (j = 0; j < g->ncounts; j++)
			g->counts[j].idx = to[g->counts[j].idx];
	}
	gr->counts_unsorted = 1;
	for (k = 0; k < gr->nsnap; k++)
		tmp[k] = gr->totals[perm[k]];
	memcpy(gr->totals, tmp, gr->nsnap * sizeof(*tmp));
	for (k = 0; k < gr->nsnap; k++)
		tmp[k] = gr->kept[perm[k]];
	memcpy(gr->kept, tmp, gr->nsnap * sizeof(*tmp));
	free(tmp);
	free(to);
}

void
grouping_add(struct grouping *gr, const struct snapshot *s, unsigned idx,
	     struct filter *f)
{
	size_t i;
	struct desc_key k;

	k.t = gr->by_place ? 0 : s->time_ns;
	k.place = (uint64_t)s->input << 32 | s->pos;
	k.idx1 = idx + 1;
	if (idx >= gr->nsnap)
		grow_snapshots(gr, idx + 1);
	gr->desc_keys = xgrow(gr->desc_keys, sizeof(*gr->desc_keys), idx + 1,
			      &gr->desc_keys_cap);
	gr->desc_keys[idx] = k;
	if (gr->follow_ids) {
		gr->order = xgrow_zero(gr->order, sizeof(*gr->order), idx + 1,
				       &gr->ordercap);
		gr->order[idx].t = s->time_ns;
		gr->order[idx].place = (uint64_t)s->input << 32 | s->pos;
		gr->order[idx].trace = s->offset_ns >= 0;
		if (!(s->provides & HAS_IDS))
			gr->identity_off = GROUP_IDS_MISSING;
	}
	if (gr->n == 0 && gr->cap < s->n) {
		/* Room for a group per record of the first snapshot, the
		 * most it can make: growing by copies was a fifth of show's
		 * time on a profile of 60,000 stacks (copying, and faulting
		 * in the pages of each new array). Pages are touched only as
		 * groups come. */
		size_t want = s->n < ((size_t)1 << 20) ? s->n : (size_t)1 << 20;

		gr->v = xgrow(gr->v, sizeof(*gr->v), want, &gr->cap);
	}
	if (f == NULL)
		key_stacks_ahead(gr, s);
	for (i = 0; i < s->n; i++) {
		const struct goroutine *gs = &s->g[i];

		gr->totals[idx] = sat_add(gr->totals[idx], gs->weight);
		if (f != NULL && !filter_match(f, gs))
			continue;
		gr->kept[idx] = sat_add(gr->kept[idx], gs->weight);
		add_one(gr, s, idx, &k, gs);
	}
}

/* --- finishing ---------------------------------------------------------- */

int
grouping_frame_cmp(const struct intern *in, frameid a, frameid b)
{
	const struct frame *fa = intern_frame_get(in, a);
	const struct frame *fb = intern_frame_get(in, b);
	int c;

	if (a == b)
		return 0;
	c = strtab_cmp(&in->strings, fa->func, fb->func);
	if (c)
		return c;
	c = strtab_cmp(&in->strings, fa->file, fb->file);
	if (c)
		return c;
	return fa->line < fb->line ? -1 : fa->line > fb->line;
}

int
grouping_stack_cmp(const struct intern *in, seqid a, seqid b)
{
	uint32_t na = 0, nb = 0, i;
	const uint32_t *va = seqtab_items(&in->stacks, a, &na);
	const uint32_t *vb = seqtab_items(&in->stacks, b, &nb);

	if (a == b)
		return 0;
	for (i = 0; i < na && i < nb; i++) {
		int c = grouping_frame_cmp(in, va[i], vb[i]);

		if (c)
			return c;
	}
	return na < nb ? -1 : na > nb;
}

static int
str_cmp(const struct grouping *gr, uint32_t a, uint32_t b)
{
	return strtab_cmp(&gr->in->strings, a, b);
}

static int
labelset_cmp(const struct grouping *gr, uint32_t a, uint32_t b)
{
	const struct intern *in = gr->in;
	uint32_t na = 0, nb = 0, i;
	const uint32_t *va = seqtab_items(&in->labelsets, a, &na);
	const uint32_t *vb = seqtab_items(&in->labelsets, b, &nb);

	for (i = 0; i < na && i < nb; i++) {
		int c = strtab_cmp(&in->strings, va[i], vb[i]);

		if (c)
			return c;
	}
	return na < nb ? -1 : na > nb;
}

static void
hash_text(uint64_t *h, const void *s, size_t n)
{
	*h = hash_stable(*h, s, n);
}

/* FNV-1a over ":line", the end of a frame's line of the key. */
static void
hash_lineno(uint64_t *h, uint32_t line)
{
	char num[16];
	size_t n = sizeof(num);

	do {
		num[--n] = (char)('0' + line % 10);
		line /= 10;
	} while (line > 0);
	num[--n] = ':';
	hash_text(h, num + n, sizeof(num) - n);
}

/* FNV-1a over "func file" ("func" alone with --group-by func). */
static uint64_t
hash_names(const struct grouping *gr, const struct frame *fr)
{
	const struct intern *in = gr->in;
	uint64_t h = HASH_STABLE_INIT;

	hash_text(&h, intern_str(in, fr->func),
		  strtab_len(&in->strings, fr->func));
	if (!group_by_get(gr->key.by)->func_only) {
		hash_text(&h, " ", 1);
		hash_text(&h, intern_str(in, fr->file),
			  strtab_len(&in->strings, fr->file));
	}
	return h;
}

/* FNV-1a of one frame's line of the key: "func file:line" or "func". */
static uint64_t
frame_line_hash(const struct grouping *gr, frameid f)
{
	const struct frame *fr = intern_frame_get(gr->in, f);
	uint64_t h = hash_names(gr, fr);

	if (!group_by_get(gr->key.by)->func_only)
		hash_lineno(&h, fr->line);
	return h;
}

/*
 * frame_line_hash() | 1 of every frame not hashed yet, the state after
 * "func file" kept per function (a function's frames mostly share a file):
 * a frame then costs the bytes of its ":line".
 */
static void
hash_all_frames(struct grouping *gr, size_t lo, size_t hi, size_t ns)
{
	const struct intern *in = gr->in;
	const struct frame *fv = in->frames.v;
	int func_only = group_by_get(gr->key.by)->func_only;
	size_t i;
	struct names_memo {
		strid file1; /* file + 1, 0: none */
		uint64_t h;
	} *memo = xcalloc(ns ? ns : 1, sizeof(*memo));

	for (i = lo; i < hi; i++) {
		const struct frame *fr = &fv[i];
		struct names_memo *m = &memo[fr->func];
		uint64_t h;

		if (gr->frame_hash[i] != 0)
			continue;
		if (m->file1 != fr->file + 1) {
			m->file1 = fr->file + 1;
			m->h = hash_names(gr, fr);
		}
		h = m->h;
		if (!func_only)
			hash_lineno(&h, fr->line);
		gr->frame_hash[i] = h | 1;
	}
	free(memo);
}

/* Fold a frame into a group id: one FNV-1a step over the 64-bit word of
 * its line's hash (memoised per frame: groups share most frames). */
static inline void
hash_frame(struct grouping *gr, uint64_t *h, frameid f)
{
	if (gr->frame_hash[f] == 0)
		gr->frame_hash[f] = frame_line_hash(gr, f) | 1;
	*h = (*h ^ gr->frame_hash[f]) * HASH_STABLE_PRIME;
}

/*
 * The id is FNV-1a 64 over the key: the bytes "by=<key>\n", then
 * "blocked\n" or "active\n"; then per frame one step over the 64-bit word
 * FNV-1a 64("func file:line") | 1 ("func" alone with --group-by func): h =
 * (h ^ word) * prime; then, under --group-by creator, the bytes
 * "created by " and the creator's word likewise. Made of text, not of ids,
 * so the same group has the same id in every run and every file.
 */
static uint64_t
group_id(struct grouping *gr, const struct group *g, const uint64_t by[2])
{
	const struct intern *in = gr->in;
	uint64_t h = by[g->blocked != 0]; /* with "active\n" or "blocked\n" */
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->key_stack, &n);

	for (i = 0; i < n; i++)
		hash_frame(gr, &h, v[i]);
	if (g->key_creator) {
		hash_text(&h, "created by ", 11);
		hash_frame(gr, &h, g->key_creator);
	}
	return h;
}

/* How many bits x takes (0 for 0). */
static unsigned
bits_of(uint64_t x)
{
	unsigned b = 0;

	for (; x != 0; x >>= 1)
		b++;
	return b;
}

/* Frames by the ranks of their strings and their line (rank_frames). */
struct frame_rank_ctx {
	const struct frame *fv;
	const uint32_t *srank;
};

static int
frame_rank_cmp(const void *a, const void *b, void *ctx)
{
	const struct frame_rank_ctx *c = ctx;
	const struct frame *fa = &c->fv[*(const uint32_t *)a];
	const struct frame *fb = &c->fv[*(const uint32_t *)b];
	uint32_t x = c->srank[fa->func], y = c->srank[fb->func];

	if (x == y) {
		x = c->srank[fa->file];
		y = c->srank[fb->file];
	}
	if (x == y) {
		x = fa->line;
		y = fb->line;
	}
	return x < y ? -1 : x > y;
}

/*
 * Frames ordered by content (function, file, line) once, so that sorting
 * groups compares ranks instead of strings; the order is the same as
 * grouping_frame_cmp's. The strings frames name are sorted once, then the
 * frames by their strings' ranks and their line, packed with the frame's
 * id into one word when they fit (a radix sort): the cost follows the
 * distinct frames, not their names' length times log n.
 */
static void
rank_frames(struct grouping *gr, size_t n, size_t ns)
{
	const struct intern *in = gr->in;
	const struct frame *fv = in->frames.v;
	size_t i, k = 0;
	uint32_t *srank = xcalloc(ns ? ns : 1, sizeof(*srank)), maxline = 0;
	strid *ids = xreallocarray(NULL, ns ? ns : 1, sizeof(*ids));
	unsigned sb, lb, nb;

	/* Mark the strings frames name, then rank them. */
	for (i = 0; i < n; i++) {
		srank[fv[i].func] = 1;
		srank[fv[i].file] = 1;
		if (fv[i].line > maxline)
			maxline = fv[i].line;
	}
	for (i = 0; i < ns; i++)
		if (srank[i])
			ids[k++] = (strid)i;
	strtab_sort(&in->strings, ids, k);
	for (i = 0; i < k; i++)
		srank[ids[i]] = (uint32_t)i;
	free(ids);
	sb = bits_of(k > 0 ? k - 1 : 0);
	lb = bits_of(maxline);
	nb = bits_of(n > 0 ? n - 1 : 0);
	gr->frame_rank =
		xreallocarray(gr->frame_rank, n ? n : 1, sizeof(uint32_t));
	if (2 * sb + lb + nb <= 64) {
		uint64_t *key = xreallocarray(NULL, n ? n : 1, sizeof(*key));
		uint64_t low = nb < 64 ? ((uint64_t)1 << nb) - 1 : ~0ULL;

		for (i = 0; i < n; i++)
			key[i] = (((uint64_t)srank[fv[i].func] << sb |
				   srank[fv[i].file])
					  << lb |
				  fv[i].line)
					 << nb |
				 i;
		sort_u64(key, n, nb, 2 * sb + lb + nb); /* ids ride along */
		for (i = 0; i < n; i++)
			gr->frame_rank[key[i] & low] = (uint32_t)i;
		free(key);
	} else {
		/* Too wide for a word: compare the ranks. */
		struct frame_rank_ctx c = { fv, srank };
		uint32_t *order =
			xreallocarray(NULL, n ? n : 1, sizeof(*order));

		for (i = 0; i < n; i++)
			order[i] = (uint32_t)i;
		sort_stable(order, n, sizeof(*order), frame_rank_cmp, &c);
		for (i = 0; i < n; i++)
			gr->frame_rank[order[i]] = (uint32_t)i;
		free(order);
	}
	free(srank);
}

static int
rank_cmp(const struct grouping *gr, frameid a, frameid b)
{
	uint32_t ra = gr->frame_rank[a], rb = gr->frame_rank[b];

	return ra < rb ? -1 : ra > rb;
}

static int
rank_stack_cmp(const struct grouping *gr, seqid a, seqid b)
{
	uint32_t na = 0, nb = 0, i;
	const uint32_t *va = seqtab_items(&gr->in->stacks, a, &na);
	const uint32_t *vb = seqtab_items(&gr->in->stacks, b, &nb);

	if (a == b)
		return 0;
	for (i = 0; i < na && i < nb; i++) {
		int c = rank_cmp(gr, va[i], vb[i]);

		if (c)
			return c;
	}
	return na < nb ? -1 : na > nb;
}

/*
 * What sorting compares of a group, copied out of it: groups are large and
 * scattered, and comparing them in place missed the cache at nearly every
 * step (a third of the time of showing 60,000 groups).
 */
#define PREFIX_WORDS 3

struct sort_key {
	int64_t last; /* count in the last snapshot */
	int64_t total;
	uint64_t id;
	uint64_t prefix[PREFIX_WORDS]; /* the stack's first frames */
	uint32_t wait_max;
	uint32_t blocking; /* frame ranks */
	uint32_t creator;
	seqid stack;
	uint32_t idx; /* position in gr->v */
	unsigned char blocked;
	unsigned char beyond; /* the stack has frames past the prefix */
};

/* How many bits a frame's rank + 1 takes: ranks are below frames.n. */
static unsigned
rank_bits(const struct grouping *gr)
{
	unsigned bits = 1;

	while (bits < 32 && ((uint64_t)1 << bits) <= gr->in->frames.n)
		bits++;
	return bits;
}

/*
 * The ranks + 1 of the first frames of a stack, packed into PREFIX_WORDS
 * words with the innermost frame in the highest bits and 0 after the last:
 * comparing the words compares the stacks frame by frame, a shorter stack
 * first, as far as they reach. Most stacks fit whole, so sorting seldom
 * walks frames. Returns whether frames are left over. Three words, nine
 * frames of a table of up to 2^20: a blocked goroutine's stack starts
 * with up to six frames of the runtime and the standard library that
 * every group blocked the same way shares (sync.Mutex.Lock's), and with
 * two words (six frames) 48,000 of the comparisons sorting the
 * many-stacks dump's groups tied there and walked the stacks.
 */
static int
stack_prefix(const struct grouping *gr, seqid stack, unsigned bits,
	     uint64_t out[PREFIX_WORDS])
{
	uint32_t n = 0, i = 0;
	const uint32_t *v = seqtab_items(&gr->in->stacks, stack, &n);
	unsigned per = 64 / bits, w, k;

	for (w = 0; w < PREFIX_WORDS; w++) {
		out[w] = 0;
		for (k = 0; k < per; k++) {
			uint64_t r = i < n ? gr->frame_rank[v[i++]] + 1 : 0;

			out[w] = out[w] << bits | r;
		}
	}
	return i < n;
}

static void
sort_key_of(const struct grouping *gr, size_t i, unsigned bits,
	    struct sort_key *k)
{
	const struct group *g = &gr->v[i];

	k->last = group_last(gr, g);
	k->total = g->total;
	k->id = g->id;
	k->beyond = (unsigned char)stack_prefix(gr, g->stack, bits, k->prefix);
	k->wait_max = g->wait_max;
	k->blocking = gr->frame_rank[g->blocking];
	k->creator = gr->frame_rank[g->creator];
	k->stack = g->stack;
	k->idx = (uint32_t)i;
	k->blocked = g->blocked != 0;
}

/* rank_stack_cmp of the keys' stacks, mostly from their prefixes. */
static int
key_stack_cmp(const struct grouping *gr, const struct sort_key *a,
	      const struct sort_key *b)
{
	unsigned w;

	for (w = 0; w < PREFIX_WORDS; w++)
		if (a->prefix[w] != b->prefix[w])
			return a->prefix[w] < b->prefix[w] ? -1 : 1;
	if (!a->beyond && !b->beyond)
		return 0; /* the same frames, all of them */
	return rank_stack_cmp(gr, a->stack, b->stack);
}

static int
key_cmp(const void *pa, const void *pb, const void *ctx)
{
	const struct grouping *gr = ctx;
	const struct sort_key *a = pa, *b = pb;
	int c;

	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->wait_max != b->wait_max) /* 0 without a wait */
		return a->wait_max > b->wait_max ? -1 : 1;
	if (a->blocking != b->blocking)
		return a->blocking < b->blocking ? -1 : 1;
	c = key_stack_cmp(gr, a, b);
	if (c)
		return c;
	if (a->creator != b->creator)
		return a->creator < b->creator ? -1 : 1;
	if (a->blocked != b->blocked)
		return a->blocked ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
key_less(const void *a, const void *b, const void *gr)
{
	return key_cmp(a, b, gr) < 0;
}

/*
 * sort_stable()'s merge, step for step (the same comparisons, so the same
 * order), for the keys.
 */
static void
sort_keys(struct sort_key *a, struct sort_key *tmp, size_t n,
	  struct grouping *gr)
{
	sort_merge_runs(a, tmp, n, 1, sizeof(*a), key_less, gr);
}

/* A hint to bring group g into the cache; it may be any group. */
static inline void
prefetch_group(const struct group *g)
{
	const char *p = (const char *)g;
	size_t o;

	for (o = 0; o < sizeof(*g); o += 64)
		__builtin_prefetch(p + o);
}

#define PERMUTE_AHEAD 4

/* Move each group once to where order says (v[i] becomes the v[order[i]]
 * of before), following the permutation's cycles: no second array of
 * groups. order is left as the identity. */
static void
permute_groups(struct grouping *gr, uint32_t *order)
{
	size_t i, j, k;

	for (i = 0; i < gr->n; i++) {
		struct group tmp;
		size_t ahead = i;
		unsigned d;

		if (order[i] == i)
			continue;
		tmp = gr->v[i];
		/* The cycle's groups are far apart and large: each is
		 * fetched PERMUTE_AHEAD moves before it moves (ahead
		 * stays at i once the cycle closes, order[i] being i). */
		for (d = 0; d < PERMUTE_AHEAD; d++) {
			ahead = order[ahead];
			prefetch_group(&gr->v[ahead]);
		}
		for (j = i;; j = k) {
			k = order[j];
			order[j] = (uint32_t)j;
			if (k == i) {
				gr->v[j] = tmp;
				break;
			}
			ahead = order[ahead];
			prefetch_group(&gr->v[ahead]);
			gr->v[j] = gr->v[k];
		}
	}
}

typedef int (*hist_cmp_fn)(const struct grouping *, uint32_t, uint32_t);

static void sort_hist_slow(struct hist *h, hist_cmp_fn cmp,
			   const struct grouping *gr);

/* Most histograms hold one value: nothing to sort, no call. */
static inline void
sort_hist(struct hist *h, hist_cmp_fn cmp, const struct grouping *gr)
{
	if (h->n > 1)
		sort_hist_slow(h, cmp, gr);
}

static void
sort_hist_slow(struct hist *h, hist_cmp_fn cmp, const struct grouping *gr)
{
	uint32_t i, j;

	/* Heaviest first, then by content: small arrays, insertion sort. */
	for (i = 1; i < h->n; i++) {
		struct hist_entry e = h->v[i];

		for (j = i; j > 0; j--) {
			const struct hist_entry *p = &h->v[j - 1];

			if (p->weight > e.weight || (p->weight == e.weight &&
						     cmp(gr, p->id, e.id) <= 0))
				break;
			h->v[j] = h->v[j - 1];
		}
		h->v[j] = e;
	}
}

static int
frame_cmp_u(const struct grouping *gr, uint32_t a, uint32_t b)
{
	return rank_cmp(gr, a, b);
}

static int
stack_cmp_u(const struct grouping *gr, uint32_t a, uint32_t b)
{
	return rank_stack_cmp(gr, a, b);
}

static int
i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Min, median (the lower middle) and max of the exact waits. */
static void
finish_waits(struct group_more *x)
{
	if (x->has_wait_ns && x->nwaits > 0) {
		qsort(x->waits, x->nwaits, sizeof(*x->waits), i64_cmp);
		x->wait_ns_min = x->waits[0];
		x->wait_ns_median = x->waits[(x->nwaits - 1) / 2];
		x->wait_ns_max = x->waits[x->nwaits - 1];
	}
	free(x->waits);
	x->waits = NULL;
	x->nwaits = x->waitcap = 0;
}

/* The frames' ranks and their hashes, two passes over the frame table
 * that need nothing of each other: with two threads, one each (part 1
 * allocates only its memo). */
struct frame_tables {
	struct grouping *gr;
	unsigned parts;
};

static void
frame_tables(void *ctx, unsigned k)
{
	const struct frame_tables *t = ctx;
	const struct intern *in = t->gr->in;

	if (k == 0)
		rank_frames(t->gr, in->frames.n, in->strings.n);
	if (k == 1 || t->parts == 1)
		hash_all_frames(t->gr, 0, in->frames.n, in->strings.n);
}

/* grouping_frames_ahead()'s thread: the ranks and the first half of the
 * hashes, over the frames and strings there were when it started; the
 * caller hashes the second half (frames_ahead_rest) when it is done
 * adding, so that the two threads finish together. */
static void
frames_ahead(void *ctx, unsigned k)
{
	struct grouping *gr = ctx;

	(void)k;
	rank_frames(gr, gr->frames_ahead, gr->strings_ahead);
	hash_all_frames(gr, 0, gr->frames_ahead / 2, gr->strings_ahead);
}

/* Room in frame_hash for the frames 0..n, the new ones zero (not hashed
 * yet): exactly n, as it is sized once or twice a command (a doubled
 * room was 3.6 MB zeroed for nothing under 600,000 frames). */
static void
frame_hash_room(struct grouping *gr, size_t n)
{
	size_t old = gr->frame_hash_cap;

	if (n <= old)
		return;
	gr->frame_hash =
		xreallocarray(gr->frame_hash, n, sizeof(*gr->frame_hash));
	memset(gr->frame_hash + old, 0, (n - old) * sizeof(*gr->frame_hash));
	gr->frame_hash_cap = n;
}

static void
frames_ahead_rest(struct grouping *gr)
{
	if (gr->frames_ahead != 0)
		hash_all_frames(gr, gr->frames_ahead / 2, gr->frames_ahead,
				gr->strings_ahead);
}

/* Fewer frames are quicker to do in grouping_finish() than a thread is
 * to start. */
#define FRAMES_AHEAD_MIN 16384

void
grouping_frames_ahead(struct grouping *gr)
{
	const struct intern *in = gr->in;

	if (gr->frames_ahead != 0 || group_by_get(gr->key.by)->func_only ||
	    in->frames.n < FRAMES_AHEAD_MIN || par_parts(gr->threads, 2, 1) < 2)
		return;
	frame_hash_room(gr, in->frames.n);
	gr->frames_ahead = in->frames.n;
	gr->strings_ahead = in->strings.n;
	par_begin(&gr->frames_task, frames_ahead, gr);
}

/* What finishing shares between the parts it is split into. */
struct finish {
	struct grouping *gr;
	uint64_t by_hash[2]; /* the id's first bytes: active, blocked */
	unsigned bits, parts;
	struct sort_key *keys, *tmp; /* tmp: as many, for merging */
	struct ckey *ckeys, *ctmp;   /* sort_compact()'s */
	size_t split;		     /* sorting: the right half starts there */
};

/* Finish the groups of part k: histograms in order, the most common
 * values, the id, and the sort key. */
static int
count_cmp(const void *pa, const void *pb)
{
	const struct group_count *a = pa, *b = pb;

	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Put g's counts in the order of their snapshots: as they are (the
 * common case), reversed (a series read latest first), or sorted. Two
 * counts of one snapshot (added twice) become one.
 */
/*
 * Add the count b to a (two counts of one snapshot). Runs in the parts of
 * grouping_finish(): a big count keeps its own slot, and only two small
 * ones that make a big one take a new slot, under a lock. (A snapshot is
 * never added twice, so this is for the API's sake.)
 */
static void
count_merge(struct grouping *gr, struct group_count *a,
	    const struct group_count *b)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int64_t sum = sat_add(group_count_n(gr, a), group_count_n(gr, b));

	if (sum < (int64_t)GROUP_COUNT_BIG) {
		a->n = (uint32_t)sum;
	} else if (a->n >= GROUP_COUNT_BIG) {
		gr->big[a->n - GROUP_COUNT_BIG] = sum;
	} else if (b->n >= GROUP_COUNT_BIG) {
		a->n = b->n;
		gr->big[a->n - GROUP_COUNT_BIG] = sum;
	} else {
		pthread_mutex_lock(&lock);
		a->n = count_encode(gr, sum);
		pthread_mutex_unlock(&lock);
	}
}

static void
sort_counts(struct grouping *gr, struct group *g)
{
	struct group_count *c = g->counts;
	uint32_t n = g->ncounts, j, up = 1, down = 1, w;

	for (j = 1; j < n && (up || down); j++) {
		if (c[j].idx <= c[j - 1].idx)
			up = 0;
		if (c[j].idx >= c[j - 1].idx)
			down = 0;
	}
	if (up)
		return;
	if (down) {
		for (j = 0; j < n / 2; j++) {
			struct group_count t = c[j];

			c[j] = c[n - 1 - j];
			c[n - 1 - j] = t;
		}
		return;
	}
	qsort(c, n, sizeof(*c), count_cmp);
	for (j = 1, w = 0; j < n; j++) {
		if (c[j].idx == c[w].idx)
			count_merge(gr, &c[w], &c[j]);
		else
			c[++w] = c[j];
	}
	g->ncounts = n ? w + 1 : 0;
}

static void
finish_part(void *ctx, unsigned k)
{
	struct finish *f = ctx;
	struct grouping *gr = f->gr;
	size_t i, lo, hi;

	par_range(gr->n, k, f->parts, &lo, &hi);
	for (i = lo; i < hi; i++) {
		struct group *g = &gr->v[i];

		if (gr->counts_unsorted)
			sort_counts(gr, g);
		sort_hist(&g->states, str_cmp, gr);
		sort_hist(&g->stacks, stack_cmp_u, gr);
		sort_hist(&g->creators, frame_cmp_u, gr);
		sort_hist(&g->labels, labelset_cmp, gr);
		if (g->more != NULL) {
			struct group_more *x = g->more;

			sort_hist(&x->creation_stacks, stack_cmp_u, gr);
			finish_waits(x);
			x->creation_stack = x->creation_stacks.n
						    ? x->creation_stacks.v[0].id
						    : 0;
		}
		g->stack = g->stacks.n ? g->stacks.v[0].id : 0;
		g->state = g->states.n ? g->states.v[0].id : 0;
		g->creator = g->creators.n ? g->creators.v[0].id : 0;
		g->blocking = intern_blocking_frame(gr->in, g->stack);
		if (!g->has_wait)
			g->wait_min = 0;
		g->id = group_id(gr, g, f->by_hash);
		sort_key_of(gr, i, f->bits, &f->keys[i]);
	}
}

/* Sort the half of the keys before split (k = 0) or after it (k = 1). */
static void
sort_half(void *ctx, unsigned k)
{
	struct finish *f = ctx;

	if (k == 0)
		sort_keys(f->keys, f->tmp, f->split, f->gr);
	else
		sort_keys(f->keys + f->split, f->tmp + f->split,
			  f->gr->n - f->split, f->gr);
}

/*
 * sort_keys() on two threads, to the same order: its merges below the
 * largest power of two under n stay within [0, that) or [that, n), so
 * the halves sort apart, and its last merge joins them.
 */
static void
sort_keys_split(struct finish *f)
{
	struct grouping *gr = f->gr;
	size_t n = gr->n, p = 1;
	struct sort_key *tmp = f->tmp, *a = f->keys;

	while (p * 2 < n)
		p *= 2;
	f->split = p;
	/* The threads allocate nothing: memory of their own would be
	 * fresh pages, faulted in. */
	par_run(2, sort_half, f);
	sort_merge_runs(a, tmp, n, p, sizeof(*a), key_less, gr);
}

/*
 * The order of the keys, sorted by what they begin with. key_cmp() is a
 * total order: lexicographic over its fields (a group without a wait
 * waited 0; comparing waits only when both had one made "sleep, 2
 * minutes" sort after "running" and after a wait of 0, through the
 * merge's steps). So the first fields pack into a compact key of 32 bytes
 * (the counts, the wait, the blocking frame and as many of the stack's
 * first frames as fit in one word, the stack's next frames in two) that
 * orders as key_cmp() does as far as it reaches, and only compact keys
 * that tie read the full ones.
 * The full keys are 72 bytes: over a profile of 60,000 groups, they and
 * their merge's second array take 8.6 MB, twice the second-level cache
 * here, and each of the 16 passes streamed them in and out; the compact
 * ones take 3.8 MB. Any stable sort of a total order gives the order
 * sort_keys() gives; a tie in full is broken by position, as its stable
 * merge does.
 */
#define CKEY_WORDS 2

struct ckey {
	uint64_t head; /* last, total, wait, blocking, first frames, packed */
	uint64_t prefix[CKEY_WORDS]; /* the stack's next frames */
	uint32_t idx;		     /* the full key: f->keys[idx] */
};

struct pack {
	uint64_t max_last, max_total, max_wait;
	unsigned sh_last, sh_total, sh_wait, sh_block; /* shifts */
	unsigned bits, per; /* of a frame in the prefixes; frames a word */
	unsigned extra;	    /* the stack's first frames in the head */
	int ok;
};

/*
 * Whether the keys pack: counts not negative, and the fields' bits within
 * 64 (the blocking frame's rank takes rbits, as a frame of the prefixes
 * does). The head's bits left over hold the stack's first frames (the
 * order is the same: they come after the blocking frame), so that the
 * compact keys reach as far into the stacks as three words of the full
 * keys' prefix, at 32 bytes: groups blocked the same way share up to six
 * frames of the runtime and the standard library (sync.Mutex.Lock's).
 */
static void
pack_plan(const struct sort_key *k, size_t n, unsigned rbits, struct pack *p)
{
	size_t i;
	unsigned bl, bt, bw;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		if (k[i].last < 0 || k[i].total < 0)
			return;
		if ((uint64_t)k[i].last > p->max_last)
			p->max_last = (uint64_t)k[i].last;
		if ((uint64_t)k[i].total > p->max_total)
			p->max_total = (uint64_t)k[i].total;
		if (k[i].wait_max > p->max_wait)
			p->max_wait = k[i].wait_max;
	}
	bl = bits_of(p->max_last);
	bt = bits_of(p->max_total);
	bw = bits_of(p->max_wait);
	if (bl + bt + bw + rbits > 64)
		return;
	p->bits = rbits;
	p->per = 64 / rbits;
	p->extra = (64 - bl - bt - bw - rbits) / rbits;
	if (p->extra > (PREFIX_WORDS - CKEY_WORDS) * p->per)
		p->extra = (PREFIX_WORDS - CKEY_WORDS) * p->per;
	p->sh_block = p->extra * rbits;
	p->sh_wait = p->sh_block + rbits;
	p->sh_total = p->sh_wait + bw;
	p->sh_last = p->sh_total + bt;
	p->ok = 1;
}

static inline uint64_t
shl(uint64_t x, unsigned n)
{
	return n >= 64 ? 0 : x << n;
}

static inline uint64_t
shr(uint64_t x, unsigned n)
{
	return n >= 64 ? 0 : x >> n;
}

/* Larger counts and waits first: each is packed as max - value. */
static void
ckey_of(const struct pack *p, const struct sort_key *k, uint32_t i,
	struct ckey *c)
{
	uint64_t h = (uint64_t)k->blocking << p->sh_block, m;
	unsigned in = p->extra * p->bits, out = (p->per - p->extra) * p->bits;
	unsigned w;

	/* A shift of 64 is for a field of no bits, all 0. */
	if (p->sh_total < 64)
		h |= (p->max_total - (uint64_t)k->total) << p->sh_total;
	if (p->sh_last < 64)
		h |= (p->max_last - (uint64_t)k->last) << p->sh_last;
	if (p->sh_wait < 64)
		h |= (p->max_wait - k->wait_max) << p->sh_wait;
	/* The full key's prefix (stack_prefix()'s layout: per frames a
	 * word in its low per * bits, the first highest) moved up by extra
	 * frames (at most per): the first extra into the head. With none,
	 * the words as they are. */
	m = shl(1, p->per * p->bits) - 1;
	c->head = h | shr(k->prefix[0], out);
	for (w = 0; w < CKEY_WORDS; w++)
		c->prefix[w] =
			(shl(k->prefix[w], in) | shr(k->prefix[w + 1], out)) &
			m;
	c->idx = i;
}

/* Whether a comes before b. */
static inline int
ckey_less(const struct ckey *a, const struct ckey *b, const struct finish *f)
{
	int c;
	unsigned w;

	if (a->head != b->head)
		return a->head < b->head;
	for (w = 0; w < CKEY_WORDS; w++)
		if (a->prefix[w] != b->prefix[w])
			return a->prefix[w] < b->prefix[w];
	c = key_cmp(&f->keys[a->idx], &f->keys[b->idx], f->gr);
	return c ? c < 0 : a->idx < b->idx;
}

/* Runs this long are insertion-sorted before the merges. */
#define CKEY_RUN 16

static int
ckey_less_v(const void *a, const void *b, const void *f)
{
	return ckey_less(a, b, f);
}

/* Sort c[0..n) (stable) with tmp as long; the sorted keys end in c. */
static void
sort_ckeys(struct ckey *c, struct ckey *tmp, size_t n, const struct finish *f)
{
	size_t lo;

	for (lo = 0; lo < n; lo += CKEY_RUN) {
		size_t hi = lo + CKEY_RUN < n ? lo + CKEY_RUN : n, i, j;

		for (i = lo + 1; i < hi; i++) {
			struct ckey x = c[i];

			for (j = i; j > lo && ckey_less(&x, &c[j - 1], f); j--)
				c[j] = c[j - 1];
			c[j] = x;
		}
	}
	sort_merge_runs(c, tmp, n, CKEY_RUN, sizeof(*c), ckey_less_v, f);
}

/* Sort the compact keys before f->split (k = 0) or after it (k = 1). */
static void
sort_ckey_half(void *ctx, unsigned k)
{
	struct finish *f = ctx;

	if (k == 0)
		sort_ckeys(f->ckeys, f->ctmp, f->split, f);
	else
		sort_ckeys(f->ckeys + f->split, f->ctmp + f->split,
			   f->gr->n - f->split, f);
}

/*
 * The order of the groups into order[], through compact keys; -1 when
 * they do not pack (then sort_keys() decides). Two parts sort the keys
 * below and above the largest power of two under n, merged after.
 */
static int
sort_compact(struct finish *f, uint32_t *order)
{
	struct grouping *gr = f->gr;
	size_t n = gr->n, i, p2 = 1;
	struct pack p;
	struct ckey *c = NULL, *t = NULL;

	pack_plan(f->keys, n, f->bits, &p);
	if (!p.ok || n < 2)
		return -1;
	c = xreallocarray(NULL, n, sizeof(*c));
	t = xreallocarray(NULL, n, sizeof(*t));
	for (i = 0; i < n; i++)
		ckey_of(&p, &f->keys[i], (uint32_t)i, &c[i]);
	f->ckeys = c;
	f->ctmp = t;
	if (f->parts > 1) {
		while (p2 * 2 < n)
			p2 *= 2;
		f->split = p2;
		par_run(2, sort_ckey_half, f);
		sort_merge_runs(c, t, n, p2, sizeof(*c), ckey_less_v, f);
	} else {
		sort_ckeys(c, t, n, f);
	}
	/* A compact key's idx is its group's position (sort_key_of()). */
	for (i = 0; i < n; i++)
		order[i] = c[i].idx;
	free(f->ckeys);
	free(f->ctmp);
	f->ckeys = f->ctmp = NULL;
	return 0;
}

/* Groups to a part: fewer are not worth a thread. */
#define FINISH_PART_MIN 4096

void
grouping_finish(struct grouping *gr)
{
	size_t i;
	uint32_t *order = NULL;
	struct finish f;
	struct frame_tables ft;
	char by[32];

	memset(&f, 0, sizeof(f));
	f.gr = gr;
	f.by_hash[0] = HASH_STABLE_INIT;
	f.parts = par_parts(gr->threads, gr->n, FINISH_PART_MIN);
	/* Groups move below: the memo of positions is stale. */
	free(gr->group_memo);
	gr->group_memo = NULL;
	gr->group_memo_cap = 0;
	gr->memo_partial = 1;
	follow_finish(gr);
	/* The last count of each group into its counts (the arena is not
	 * for the parts below). */
	for (i = 0; i < gr->n; i++) {
		if (i + 4 < gr->n)
			__builtin_prefetch(&gr->v[i + 4].adding_idx);
		count_push(gr, &gr->v[i]);
	}
	/* Every group's id starts with the same bytes, and hashes frames
	 * of the table as it is now (all of them first: the parts would
	 * fill the memo at once, and hash_all_frames() hashes a function's
	 * name once). */
	group_key_format(&gr->key, by, sizeof(by));
	hash_text(&f.by_hash[0], "by=", 3);
	hash_text(&f.by_hash[0], by, strlen(by));
	hash_text(&f.by_hash[0], "\n", 1);
	f.by_hash[1] = f.by_hash[0];
	hash_text(&f.by_hash[0], "active\n", 7);
	hash_text(&f.by_hash[1], "blocked\n", 8);
	frames_ahead_rest(gr);
	par_end(&gr->frames_task); /* before the tables may move */
	frame_hash_room(gr, gr->in->frames.n);
	ft.gr = gr;
	ft.parts = f.parts > 1 ? 2 : 1;
	/* Done ahead over every frame, or (none ahead: the table has frame
	 * 0 at least; or more frames since) now; hash_all_frames() skips
	 * the frames hashed already. */
	if (gr->frames_ahead != gr->in->frames.n)
		par_run(ft.parts, frame_tables, &ft);
	/* Then sort compact keys, and move each group once: groups are
	 * large. */
	f.keys = xreallocarray(NULL, gr->n ? gr->n : 1, sizeof(*f.keys));
	f.bits = rank_bits(gr);
	par_run(f.parts, finish_part, &f);
	order = xreallocarray(NULL, gr->n ? gr->n : 1, sizeof(*order));
	if (sort_compact(&f, order) < 0) {
		f.tmp = xreallocarray(NULL, gr->n ? gr->n : 1, sizeof(*f.tmp));
		if (f.parts > 1)
			sort_keys_split(&f);
		else
			sort_keys(f.keys, f.tmp, gr->n, gr);
		free(f.tmp);
		for (i = 0; i < gr->n; i++)
			order[i] = f.keys[i].idx;
	}
	free(f.keys);
	if (gr->ident != NULL) {
		/* The identities go where their groups go. */
		struct group_identity *id =
			xreallocarray(NULL, gr->n, sizeof(*id));

		for (i = 0; i < gr->n; i++)
			id[i] = gr->ident[order[i]];
		free(gr->ident);
		gr->ident = id;
	}
	permute_groups(gr, order);
	gr->counts_unsorted = 0;
	/* The index points at positions that moved: built again when
	 * needed. */
	idmap_release(&gr->index);
	gr->indexed = 0;
	free(order);
}

int64_t
group_peak(const struct grouping *gr, const struct group *g)
{
	int64_t peak = 0;
	uint32_t j;

	for (j = 0; j < g->ncounts; j++)
		if (group_count_n(gr, &g->counts[j]) > peak)
			peak = group_count_n(gr, &g->counts[j]);
	return peak;
}

int64_t
group_count(const struct grouping *gr, const struct group *g, unsigned k)
{
	uint32_t lo = 0, hi = g->ncounts;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (g->counts[mid].idx < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->ncounts && g->counts[lo].idx == k
		       ? group_count_n(gr, &g->counts[lo])
		       : 0;
}

void
group_counts(const struct grouping *gr, const struct group *g, int64_t *out)
{
	uint32_t j;

	memset(out, 0, gr->nsnap * sizeof(*out));
	for (j = 0; j < g->ncounts; j++)
		out[g->counts[j].idx] = group_count_n(gr, &g->counts[j]);
}

size_t
grouping_select(const struct grouping *gr, const size_t *order,
		long long min_count, long long limit, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < gr->n; i++) {
		size_t gi = order ? order[i] : i;

		/* No count is below 0: without a minimum, no peak is
		 * needed (each is a read far away, in the arena). */
		if (min_count > 0 && group_peak(gr, &gr->v[gi]) < min_count)
			continue;
		if (limit > 0 && (long long)n >= limit)
			break;
		idx[n++] = gi;
	}
	return n;
}
