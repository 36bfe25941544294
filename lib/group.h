/*
 * Grouping goroutines of one or more snapshots by a key (DESIGN.md section 4)
 * and keeping, per group, its count in each snapshot and what describes it:
 * states, wait times, stacks, creators, labels.
 */
#ifndef GROUP_H
#define GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "lib/idmap.h"
#include "lib/intern.h"
#include "lib/par.h"
#include "lib/u64map.h"

struct snapshot;
struct filter;
struct error;

enum group_by {
	GROUP_BY_STACK = 0, /* state class, every frame from the blocking one */
	GROUP_BY_FUNC,	    /* function names only: survives rebuilds */
	GROUP_BY_TOP,	    /* the innermost N frames outside the runtime */
	GROUP_BY_CREATOR,   /* the `go` statement that created them */
};

struct group_key {
	enum group_by by;
	unsigned top; /* N for GROUP_BY_TOP */
};

/* Largest N of top:N. */
#define GROUP_MAX_TOP 1024u

/*
 * What each --group-by key is made of: rows of group_bys[] in lib/group.c,
 * by enum group_by. Adding a key: a value above, a row there, the man
 * page's --group-by entry and golden cases.
 */
struct group_by_def {
	const char *name;  /* as --group-by takes it ("top" takes ":N") */
	int takes_n;	   /* NAME:N */
	int stack;	   /* the key holds frames of the stack */
	int from_blocking; /* ... from the blocking frame out */
	int top_n;	   /* ... only the innermost N outside the runtime */
	int func_only;	   /* ... and the creator by function, no file:line */
	int creator;	   /* the key holds the creator frame */
};

/* The row of key->by. */
const struct group_by_def *group_by_get(enum group_by by);

/* Parse "stack", "func", "top:N" or "creator". */
int group_key_parse(struct group_key *key, const char *text, struct error *err);

/* "stack", "func", "top:N", "creator" into buf. */
void group_key_format(const struct group_key *key, char *buf, size_t size);

/* Most distinct values a group keeps per histogram; the rest are left out. */
#define GROUP_HIST_MAX 64

struct hist_entry {
	uint32_t id;
	int64_t weight;
};

/* The values past GROUP_HIST_MAX are not kept (nor their weight: no
 * one read it, and 8 bytes a histogram were 32 a group). Packed, in 10
 * bytes: a group has four, and 64 bytes more a group made showing a
 * profile of 60,000 groups 7 % slower (bench/README.md). */
struct hist {
	struct hist_entry *v; /* in the grouping's arena */
	uint8_t n, cap;
} __attribute__((packed));

_Static_assert(GROUP_HIST_MAX <= UINT8_MAX, "a histogram's count in a byte");

/*
 * A group's count in one snapshot. A group keeps one for each snapshot it
 * is in, not one per snapshot of the series: a long series of groups that
 * come and go holds as many counts as the data has (DESIGN.md section 7).
 */
struct group_count {
	uint32_t idx; /* the snapshot */
	/* Goroutines of the group there, below GROUP_COUNT_BIG; else
	 * GROUP_COUNT_BIG + the index of the count among the grouping's big
	 * ones. Read it with group_count_n(). Eight bytes a count: a dense
	 * series costs what one count per snapshot did. */
	uint32_t n;
};

#define GROUP_COUNT_BIG 0x80000000u

/* Most goroutine ids a group remembers (the lowest). */
#define GROUP_MAX_IDS	8
#define GROUP_FIRST_IDS 2

/*
 * What few groups have, kept apart so that groups stay small (a profile
 * of 60,000 distinct stacks makes 60,000 groups): trace evidence, leaks,
 * and the weights of rare flags. Read it with group_more(); NULL in the
 * group until one of them is first seen.
 */
struct group_more {
	/* Execution traces: exact times in the current wait (ns) of the
	 * described goroutines, their creators' whole stacks, and how many
	 * the trace saw created (and of those, how many are blocked). */
	int has_wait_ns;
	int64_t wait_ns_min, wait_ns_median, wait_ns_max;
	int64_t *waits; /* while grouping; freed by grouping_finish */
	uint32_t nwaits, waitcap;
	int64_t traced, traced_blocked;
	struct hist creation_stacks;
	seqid creation_stack; /* the most common */
	/* Over every snapshot: the most goroutines of the group that one
	 * snapshot marks leaked. */
	int64_t leaked_peak;
	int64_t leaked_cur;
	unsigned leaked_idx; /* snapshot leaked_cur counts + 1 */
	/* Weights: goroutines a snapshot marks leaked (a goroutineleak
	 * profile, a trace), and as below. */
	int64_t leaked, locked, durable, truncated;
};

/*
 * A group's identity over the series (grouping.identity): of the
 * goroutines with an id in the last snapshot, how many; of those, how many
 * were in the group at an earlier snapshot too (stayed); of those, how
 * many were not alive at the first snapshot (new); and how many goroutines
 * were in the group once but are not at the end (left). Read it with
 * group_identity().
 */
struct group_identity {
	uint32_t ids_last, stayed, new_stayed, left;
};

struct group {
	uint64_t id;	 /* stable: hash of the key text */
	seqid key_stack; /* the key (normalised per --group-by) */
	frameid key_creator;
	seqid stack;	  /* the most common stack of the members */
	strid state;	  /* the most common state (0: none) */
	frameid creator;  /* the most common creator */
	frameid blocking; /* the blocking frame of stack */
	/* While adding, the count of the snapshot being added (adding_idx
	 * UINT32_MAX: none), moved into counts when the next one comes. */
	uint32_t adding_idx;
	uint8_t blocked;	    /* the key's state class */
	uint8_t has_wait;	    /* some member's wait time is known */
	uint8_t creator_goid_state; /* 0 none seen, 1 one value, 2 mixed */
	int64_t adding_n;
	/* The snapshots it is in, by index once finished (while adding, in
	 * the order they came); read them with group_count() and the rest. */
	struct group_count *counts;
	uint32_t ncounts, countcap;
	int64_t total; /* sum of counts */
	/*
	 * What follows describes the group in its latest snapshot (by
	 * capture time, then by place: its input, its position there), the
	 * one it was last seen in: described goroutines of it.
	 */
	int64_t described;
	/* Its index + 1 (0: none yet); grouping.desc_keys has where it
	 * stands in the series. */
	unsigned desc_idx;
	uint16_t nids, idcap;	     /* ids kept, and room for them */
	uint32_t wait_min, wait_max; /* minutes */
	int64_t inferred; /* the weight of goroutines whose state is guessed */
	uint64_t creator_goid; /* when all members name one creator */
	/* The lowest ids seen, sorted, in the grouping's arena: NULL until
	 * the first (most formats have none; groups are many), then room
	 * for GROUP_FIRST_IDS, then for GROUP_MAX_IDS. */
	uint64_t *ids;
	struct hist states, stacks, creators, labels;
	struct group_more *more; /* in the grouping's arena, or NULL */
};

/* g's rarer facts; all zero when it has none. */
static inline const struct group_more *
group_more(const struct group *g)
{
	extern const struct group_more group_more_none;

	return g->more ? g->more : &group_more_none;
}

struct grouping {
	struct intern *in; /* borrowed */
	unsigned threads;  /* for grouping_finish: 0 all processors, 1 one */
	/* The latest snapshot is the one with the latest place, capture
	 * times aside: set when the series is not ordered by time. */
	int by_place;
	struct group_key key;
	unsigned nsnap; /* snapshots added so far */
	size_t snapcap_totals, snapcap_kept;
	int counts_unsorted; /* some group's counts came out of order */
	/* Blocks of counts that groups outgrew, by log2 of their room, for
	 * the next group that grows: counts live in the arena. */
	struct group_count *counts_free[32];
	int64_t *big; /* counts of GROUP_COUNT_BIG and more (saturating) */
	size_t nbig, bigcap;
	/*
	 * Following goroutines by id (follow_ids, on unless cleared before
	 * adding: one snapshot has nothing to follow): where
	 * every snapshot names its goroutines (dumps, tracebacks, traces),
	 * grouping_finish() fills ident, by group, and sets identity. Not
	 * when a snapshot has no ids (identity_off = GROUP_IDS_MISSING) or
	 * more than GROUP_MAX_FOLLOWED goroutines were seen
	 * (GROUP_IDS_TOO_MANY).
	 */
	int follow_ids, identity, identity_off;
	struct group_identity *ident; /* by group once finished, or NULL */
	struct u64map followed;	      /* goroutine id -> index into follow */
	struct follow_rec *follow;    /* in lib/group.c */
	size_t nfollow, followcap;
	struct snap_order *order; /* per snapshot, as added: where it sorts */
	size_t ordercap;
	/* Per snapshot, as added: where it stands for the groups'
	 * descriptions (in lib/group.c). */
	struct desc_key *desc_keys;
	size_t desc_keys_cap;
	struct group *v;
	size_t n, cap;
	struct arena mem;     /* histograms and counts of the groups */
	struct idmap index;   /* key -> group, once indexed */
	int indexed;	      /* index holds every group (else: empty) */
	uint32_t *stack_memo; /* stack id -> key stack + 1 */
	size_t stack_memo_cap;
	uint32_t *group_memo; /* key stack -> last group of it + 1 (adding) */
	size_t group_memo_cap;
	int memo_partial;	/* group_memo has not seen every group */
	uint32_t *blocked_memo; /* state -> blocked class + 1 */
	size_t blocked_memo_cap;
	uint32_t *frame_memo; /* creator frame -> key frame + 1 */
	size_t frame_memo_cap;
	uint64_t *frame_hash; /* frame id -> hash of its key line, 0: unset */
	size_t frame_hash_cap;
	uint32_t *frame_rank; /* frame id -> rank by content (finish) */
	/* grouping_frames_ahead(): frame_hash and frame_rank worked out on
	 * a thread of their own over the first frames_ahead frames (0: not
	 * started) */
	struct par_task frames_task;
	size_t frames_ahead, strings_ahead;
	int64_t *totals; /* goroutines per snapshot, before filtering */
	int64_t *kept;	 /* goroutines per snapshot, after filtering */
};

/* The identity of gr's group g over the series; all zero without one. */
static inline const struct group_identity *
group_identity(const struct grouping *gr, const struct group *g)
{
	static const struct group_identity none;

	return gr->ident ? &gr->ident[g - gr->v] : &none;
}

/* Goroutines followed by id at the most (about 80 bytes each). */
#define GROUP_MAX_FOLLOWED (4u << 20)
enum { GROUP_IDS_MISSING = 1, GROUP_IDS_TOO_MANY };

void grouping_init(struct grouping *gr, struct intern *in,
		   const struct group_key *key, unsigned nsnap);
void grouping_release(struct grouping *gr);

/*
 * Add the goroutines of s that pass f (f may be NULL) as snapshot number
 * idx; the grouping grows to idx + 1 snapshots when needed. Snapshots may
 * come in any order: each group is described by its latest one, by capture
 * time (unless by_place) and then by its place (s->input, s->pos).
 */
void grouping_add(struct grouping *gr, const struct snapshot *s, unsigned idx,
		  struct filter *f);

/* Make room for n snapshots in all: a series that knows its length
 * grows its per-snapshot totals once. */
void grouping_reserve(struct grouping *gr, unsigned n);

/*
 * Reorder the snapshots: snapshot k becomes the one that was perm[k] (a
 * permutation of 0..nsnap-1). Call before grouping_finish().
 */
void grouping_permute(struct grouping *gr, const unsigned *perm);

/*
 * Start working out what grouping_finish() needs of every frame (its rank
 * by content, its line's hash) on another thread, while the records are
 * added: a snapshot of many distinct frames spends as long on that as on
 * grouping them. Call it once the tables hold every frame and string the
 * snapshots will name (after reading them); until grouping_finish() or
 * grouping_release(), nothing may add to the frame or string table. Does
 * nothing with one thread, with a key of functions only (grouping_add()
 * interns frames then), or for a small table.
 */
void grouping_frames_ahead(struct grouping *gr);

/*
 * Compute each group's id and representatives and sort: by the count in the
 * last snapshot, then the longest wait (0 for a group without one), then
 * the blocking frame's names.
 * Call once after the last grouping_add().
 */
void grouping_finish(struct grouping *gr);

/*
 * The groups to show: of the groups in order (indices into gr->v, gr->n of
 * them; NULL: gr's own order), those whose peak count over the snapshots
 * is at least min_count, at most limit of them (0: no limit). Fills idx
 * (gr->n entries) and returns how many.
 */
size_t grouping_select(const struct grouping *gr, const size_t *order,
		       long long min_count, long long limit, size_t *idx);

/* The largest count of g over the snapshots. */
int64_t group_peak(const struct grouping *gr, const struct group *g);

/* The number of goroutines c stands for. */
static inline int64_t
group_count_n(const struct grouping *gr, const struct group_count *c)
{
	return c->n < GROUP_COUNT_BIG ? (int64_t)c->n
				      : gr->big[c->n - GROUP_COUNT_BIG];
}

/* g's count in snapshot k (0 when it is not there). After
 * grouping_finish() or grouping_permute(). */
int64_t group_count(const struct grouping *gr, const struct group *g,
		    unsigned k);

/* g's count in the last snapshot, the one the groups are sorted by. */
static inline int64_t
group_last(const struct grouping *gr, const struct group *g)
{
	return g->ncounts && g->counts[g->ncounts - 1].idx == gr->nsnap - 1
		       ? group_count_n(gr, &g->counts[g->ncounts - 1])
		       : 0;
}

/* g's count in every snapshot, into out[0..nsnap). */
void group_counts(const struct grouping *gr, const struct group *g,
		  int64_t *out);

/* Compare two stacks by the content of their frames (a total order). */
int grouping_stack_cmp(const struct intern *in, seqid a, seqid b);

/* Compare two frames by function, file, line. */
int grouping_frame_cmp(const struct intern *in, frameid a, frameid b);

#endif
