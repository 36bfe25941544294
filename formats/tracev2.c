/* The new execution trace format (Go 1.22-1.26), one generation at a time. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/trace.h"
#include "formats/tracev2.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define HEADER_LEN     16
#define MAX_BATCH      (64u << 10) /* tracev2.MaxBatchSize */
#define MAX_STRING     (1u << 10)  /* MaxEventTrailerDataSize */
#define NO_ID	       UINT64_MAX
#define MAX_EVENT_ARGS 5

/* Batch and structural event types (spec section 3.1). */
enum {
	EV_EVENT_BATCH = 1,
	EV_STACKS = 2,
	EV_STACK = 3,
	EV_STRINGS = 4,
	EV_STRING = 5,
	EV_CPU_SAMPLES = 6,
	EV_FREQUENCY = 8,
	EV_EXPERIMENTAL_BATCH = 49,
	EV_SYNC = 50,
	EV_CLOCK_SNAPSHOT = 51,
	EV_END_OF_GENERATION = 52,
};

/* Timed events that change a goroutine's state (spec section 3.2). */
enum {
	EV_GO_CREATE = 14,
	EV_GO_CREATE_SYSCALL = 15,
	EV_GO_START = 16,
	EV_GO_DESTROY = 17,
	EV_GO_DESTROY_SYSCALL = 18,
	EV_GO_STOP = 19,
	EV_GO_BLOCK = 20,
	EV_GO_UNBLOCK = 21,
	EV_GO_SYSCALL_BEGIN = 22,
	EV_GO_SYSCALL_END = 23,
	EV_GO_SYSCALL_END_BLOCKED = 24,
	EV_GO_STATUS = 25,
	EV_USER_LOG = 44,
	EV_GO_SWITCH = 45,
	EV_GO_SWITCH_DESTROY = 46,
	EV_GO_CREATE_BLOCKED = 47,
	EV_GO_STATUS_STACK = 48,
};

/*
 * Uvarints after the type byte of each timed event, dt included, and the
 * first format version with it. An event type not here ends its batch.
 */
static const struct {
	unsigned char nargs, since;
} timed[256] = {
	[9] = { 3, 22 },  /* ProcsChange */
	[10] = { 3, 22 }, /* ProcStart */
	[11] = { 1, 22 }, /* ProcStop */
	[12] = { 4, 22 }, /* ProcSteal */
	[13] = { 3, 22 }, /* ProcStatus */
	[14] = { 4, 22 }, /* GoCreate */
	[15] = { 2, 22 }, /* GoCreateSyscall */
	[16] = { 3, 22 }, /* GoStart */
	[17] = { 1, 22 }, /* GoDestroy */
	[18] = { 1, 22 }, /* GoDestroySyscall */
	[19] = { 3, 22 }, /* GoStop */
	[20] = { 3, 22 }, /* GoBlock */
	[21] = { 4, 22 }, /* GoUnblock */
	[22] = { 3, 22 }, /* GoSyscallBegin */
	[23] = { 1, 22 }, /* GoSyscallEnd */
	[24] = { 1, 22 }, /* GoSyscallEndBlocked */
	[25] = { 4, 22 }, /* GoStatus */
	[26] = { 3, 22 }, /* STWBegin */
	[27] = { 1, 22 }, /* STWEnd */
	[28] = { 2, 22 }, /* GCActive */
	[29] = { 3, 22 }, /* GCBegin */
	[30] = { 2, 22 }, /* GCEnd */
	[31] = { 2, 22 }, /* GCSweepActive */
	[32] = { 2, 22 }, /* GCSweepBegin */
	[33] = { 3, 22 }, /* GCSweepEnd */
	[34] = { 2, 22 }, /* GCMarkAssistActive */
	[35] = { 2, 22 }, /* GCMarkAssistBegin */
	[36] = { 1, 22 }, /* GCMarkAssistEnd */
	[37] = { 2, 22 }, /* HeapAlloc */
	[38] = { 2, 22 }, /* HeapGoal */
	[39] = { 2, 22 }, /* GoLabel */
	[40] = { 5, 22 }, /* UserTaskBegin */
	[41] = { 3, 22 }, /* UserTaskEnd */
	[42] = { 4, 22 }, /* UserRegionBegin */
	[43] = { 4, 22 }, /* UserRegionEnd */
	[44] = { 5, 22 }, /* UserLog */
	[45] = { 3, 23 }, /* GoSwitch */
	[46] = { 3, 23 }, /* GoSwitchDestroy */
	[47] = { 4, 23 }, /* GoCreateBlocked */
	[48] = { 5, 23 }, /* GoStatusStack */
	[51] = { 4, 25 }, /* ClockSnapshot */
	/* The AllocFree experiment (GODEBUG=traceallocfree=1). */
	[128] = { 4, 23 }, /* Span */
	[129] = { 4, 23 }, /* SpanAlloc */
	[130] = { 2, 23 }, /* SpanFree */
	[131] = { 3, 23 }, /* HeapObject */
	[132] = { 3, 23 }, /* HeapObjectAlloc */
	[133] = { 2, 23 }, /* HeapObjectFree */
	[134] = { 3, 23 }, /* GoroutineStack */
	[135] = { 3, 23 }, /* GoroutineStackAlloc */
	[136] = { 2, 23 }, /* GoroutineStackFree */
};

/* A batch header. */
struct bhdr {
	size_t at;	/* offset of the header */
	size_t off;	/* payload */
	uint32_t len;	/* payload bytes */
	int end_of_gen; /* the one-byte end-of-generation marker */
	int experimental;
	uint64_t gen, m, time;
};

/* One complete generation, from the first pass. */
struct gen {
	uint64_t gen;
	size_t begin, end; /* byte range of its batches */
	uint64_t min_time, max_time;
	uint64_t freq;
	int has_clock;
	uint64_t clock_time, clock_sec, clock_nsec;
};

/* An event batch of a generation. */
struct ebatch {
	size_t off;
	uint32_t len;
	uint32_t m; /* index into ms */
	uint64_t time;
};

/* A thread (M): its running goroutine carries across generations. */
struct thread {
	uint64_t id;
	uint64_t curg;
};

/* A decoded timed event. */
struct event {
	unsigned char type;
	uint64_t args[MAX_EVENT_ARGS - 1]; /* after dt */
	uint64_t time;			   /* ticks */
	size_t at;			   /* offset, for messages */
};

/* A read position in one M's batches of the generation. */
struct cursor {
	uint32_t m;
	size_t bi, bend; /* its batches in order[] */
	size_t pos, end; /* in the current batch */
	uint64_t time;	 /* of the previous event */
	struct event ev; /* the next event */
};

/* A string or a stack of the generation's tables. */
struct tabent {
	size_t off;
	uint32_t len; /* bytes of a string; frames of a stack */
	strid gid;    /* interned string + 1, 0: not yet */
};

/* What decoding counted: folded into the totals in generation order. */
struct counts {
	uint64_t events, skipped_events, skipped_batches;
	size_t skipped_at;
	char skip_why[120];
};

/*
 * A cursor in the merge's heap, with its next event's time inline. The
 * goroutine and sequence number that check needs stay in the cursor:
 * copying them here read the decoder's two 8-byte stores back as one
 * 16-byte load, which waits for the stores to retire (a stall on every
 * event, perf said).
 */
struct hent {
	uint64_t time;
	uint32_t m, ci; /* thread, cursor */
	uint32_t check; /* the event is ready once its goroutine (args[0])
			 * has sequence number args[1] - 1 */
};

/* A cache line: what one thread writes often stays off the other's. */
#define LINE 64

/*
 * One generation as its events are read: its batches per M, its tables,
 * and the merge's state. The merge of the Ms' streams needs only the
 * generation itself, so one thread can merge while the main one replays
 * the events it merged into the timeline (struct walk).
 */
struct gtab {
	const struct gen *g;
	struct ebatch *batches, *order;
	size_t nbatches, batchcap, ordercap;
	struct tabent *strs, *stacks;
	size_t nstrs, strcap, nstacks, stackcap;
	struct u64map strindex, stackindex;
	struct cursor *cur;
	size_t ncur, curcap;
	uint64_t cpu_max; /* latest CPU sample of the generation, ticks */
	/* The merge: its heap, and each goroutine's latest sequence number
	 * in the generation (on lines the replay does not read). */
	_Alignas(LINE) struct hent *heap;
	size_t nheap, heapcap;
	/*
	 * With SCAN_MAX Ms or fewer, each heap entry k also has a key,
	 * pk[k] = (time - min_time) << 16 | m << 3 | k (UINT64_MAX past
	 * nheap): one comparison orders two events, and the least tells
	 * where it is. packed: every key so far fits (times in 47 bits, Ms
	 * in 13), and it is the number of keys to look at: 4 once 4 Ms or
	 * fewer are left (most of a generation), else 8; 0 when one does
	 * not fit.
	 */
	int packed;
	uint64_t min_time; /* g->min_time, a load nearer */
	uint64_t pk[8];
	struct u64map seqs;
	struct counts counts;
};

struct v2 {
	struct trace_run *r;
	const unsigned char *buf;
	size_t len;
	unsigned version;
	unsigned char nargs[256]; /* timed[].nargs of this version, else 0 */
	struct error *err;
	/* First pass. */
	struct gen *gens;
	size_t ngens, gencap;
	size_t damaged_at;
	char damage[200];
	/* Threads, over the whole trace: those that write batches are all
	 * known after the first pass (mindex, read by every thread); those
	 * only named by a status event are added later (mextra). */
	struct thread *ms;
	size_t nms, mscap;
	struct u64map mindex, mextra;
	int mfrozen;
	size_t nbatchms; /* ms[0..nbatchms) write batches */
	/* The generation being replayed (or learnt). */
	const struct gen *g;
	struct gtab *t;
	double ns_per_tick;
	int64_t start_ns;  /* of the trace, in this clock */
	int64_t gen_start; /* ns since the start */
	struct trace_stack *stackmemo;
	size_t stackmemocap;
	strid coroutine; /* interned + 1 */
	struct counts counts;
	/* Replaying later generations alone (struct later): later is set,
	 * and curg_unknown once an event needed the running goroutine of an
	 * M that only earlier generations tell (CURG_UNKNOWN). */
	int later, curg_unknown;
};

/* The later generations replayed alone: an M's running goroutine before
 * their events say which it is. A forged trace may name a goroutine so:
 * the later part then gives up (v->later), as for any unknown. */
#define CURG_UNKNOWN (UINT64_MAX - 1)

/* M m's running goroutine, noting when the later part cannot know it. */
static inline uint64_t
curg_of(struct v2 *v, uint32_t m)
{
	uint64_t g = v->ms[m].curg;

	if (g == CURG_UNKNOWN && v->later)
		v->curg_unknown = 1;
	return g;
}

/* --- first pass: batches and generations --------------------------------- */

static int
read_header(const struct v2 *v, size_t pos, struct bhdr *h, const char **why)
{
	const unsigned char *b = v->buf;
	size_t p = pos + 1;
	uint64_t size = 0;

	memset(h, 0, sizeof(*h));
	h->at = pos;
	if (b[pos] == EV_END_OF_GENERATION && v->version >= 26) {
		h->end_of_gen = 1;
		h->off = pos + 1;
		return 0;
	}
	if (b[pos] == EV_EXPERIMENTAL_BATCH && v->version >= 23) {
		h->experimental = 1;
		p++;
	} else if (b[pos] != EV_EVENT_BATCH) {
		*why = "expected a batch (0x01)";
		return -1;
	}
	if (p > v->len || trace_uvarint(b, v->len, &p, &h->gen) < 0 ||
	    trace_uvarint(b, v->len, &p, &h->m) < 0 ||
	    trace_uvarint(b, v->len, &p, &h->time) < 0 ||
	    trace_uvarint(b, v->len, &p, &size) < 0) {
		*why = "the trace ends inside a batch header";
		return -1;
	}
	if (size > MAX_BATCH) {
		*why = "batch larger than 65536 bytes";
		return -1;
	}
	if (h->gen == 0) {
		*why = "batch of generation 0";
		return -1;
	}
	if (size > v->len - p) {
		*why = "the trace ends inside a batch";
		return -1;
	}
	h->off = p;
	h->len = (uint32_t)size;
	return 0;
}

/* Check the records of a strings or stacks batch; -1 with *why. */
static int
check_table(struct v2 *v, const struct bhdr *h, size_t *bad, const char **why)
{
	const unsigned char *b = v->buf;
	size_t p = h->off + 1, end = h->off + h->len;
	int strings = b[h->off] == EV_STRINGS;
	uint64_t x;

	while (p < end) {
		uint64_t n = 0, k;

		*bad = p;
		if (b[p] != (strings ? EV_STRING : EV_STACK)) {
			*why = strings ? "expected a string (0x05)"
				       : "expected a stack (0x03)";
			return -1;
		}
		p++;
		if (trace_uvarint(b, end, &p, &x) < 0 ||
		    trace_uvarint(b, end, &p, &n) < 0) {
			*why = "table entry cut short";
			return -1;
		}
		if (x == 0) {
			*why = "table entry with id 0";
			return -1;
		}
		if (strings) {
			if (n > MAX_STRING || n > end - p) {
				*why = "string longer than its batch or 1024 "
				       "bytes";
				return -1;
			}
			p += n;
			continue;
		}
		if (n > TRACE_MAX_FRAMES) {
			*why = "stack of more than 128 frames";
			return -1;
		}
		for (k = 0; k < 4 * n; k++)
			if (trace_uvarint(b, end, &p, &x) < 0) {
				*why = "stack frame cut short";
				return -1;
			}
	}
	return 0;
}

/* The frequency (and clock) of a sync batch; -1 with *why. */
static int
read_sync(struct v2 *v, const struct bhdr *h, struct gen *g, const char **why)
{
	const unsigned char *b = v->buf;
	size_t p = h->off, end = h->off + h->len;
	uint64_t dt = 0, mono = 0;

	if (b[p] == EV_SYNC)
		p++;
	while (p < end) {
		unsigned char t = b[p++];

		if (t == EV_FREQUENCY) {
			if (trace_uvarint(b, end, &p, &g->freq) < 0)
				goto cut;
		} else if (t == EV_CLOCK_SNAPSHOT) {
			if (trace_uvarint(b, end, &p, &dt) < 0 ||
			    trace_uvarint(b, end, &p, &mono) < 0 ||
			    trace_uvarint(b, end, &p, &g->clock_sec) < 0 ||
			    trace_uvarint(b, end, &p, &g->clock_nsec) < 0)
				goto cut;
			g->has_clock = 1;
			g->clock_time = h->time + dt;
		} else {
			*why = "expected a frequency or clock snapshot";
			return -1;
		}
	}
	return 0;
cut:
	*why = "sync batch cut short";
	return -1;
}

static void
damage(struct v2 *v, size_t at, const char *why, uint64_t gen)
{
	v->damaged_at = at;
	if (gen == 0)
		snprintf(v->damage, sizeof(v->damage), "%s", why);
	else
		snprintf(v->damage, sizeof(v->damage),
			 "%s (in generation %" PRIu64 ")", why, gen);
}

/* Whether a generation about to be closed has what a complete one has. */
static int
gen_complete(struct v2 *v, const struct gen *g, int has_strings, size_t at)
{
	if (g->freq == 0) {
		damage(v, at, "generation without a frequency", g->gen);
		return 0;
	}
	if (v->version >= 25 && !g->has_clock) {
		damage(v, at, "generation without a clock snapshot", g->gen);
		return 0;
	}
	if (!has_strings) {
		damage(v, at,
		       "generation without a string table: the trace is cut "
		       "short",
		       g->gen);
		return 0;
	}
	return 1;
}

/* Whether a batch holds an M's events (not tables, samples or a clock). */
static int
event_batch(const struct v2 *v, const struct bhdr *h)
{
	if (h->end_of_gen || h->experimental || h->len == 0)
		return 0;
	switch (v->buf[h->off]) {
	case EV_STRINGS:
	case EV_STACKS:
	case EV_CPU_SAMPLES:
		return 0;
	case EV_SYNC:
		return v->version < 25;
	case EV_FREQUENCY:
		return v->version >= 25;
	default:
		return 1;
	}
}

/* The index of thread id in ms, added when new (by the main thread only:
 * the first pass, status events). */
static uint32_t
thread_index(struct v2 *v, uint64_t id)
{
	uint32_t i = u64map_get(&v->mindex, id);

	if (i == U64MAP_NONE)
		i = u64map_get(&v->mextra, id);
	if (i != U64MAP_NONE)
		return i;
	v->ms = xgrow(v->ms, sizeof(*v->ms), v->nms + 1, &v->mscap);
	v->ms[v->nms].id = id;
	v->ms[v->nms].curg = TL_NO_GOROUTINE;
	/* Once the first pass is done, mindex is only read. */
	u64map_put(v->mfrozen ? &v->mextra : &v->mindex, id, (uint32_t)v->nms);
	return (uint32_t)v->nms++;
}

/* Find the complete generations: v->gens, and where damage stops it. */
static void drop(struct v2 *v, size_t from, size_t to);

static void
index_generations(struct v2 *v)
{
	size_t pos = HEADER_LEN, dropped = 0;
	struct gen cur;
	int open = 0, has_strings = 0;
	const char *why = NULL;
	struct bhdr h;

	memset(&cur, 0, sizeof(cur));
	while (pos < v->len) {
		size_t bad = 0;

		trace_progress(v->r, pos / 4, v->len);
		if (pos - dropped >= (64u << 20)) {
			drop(v, dropped, pos);
			dropped = pos;
		}
		if (read_header(v, pos, &h, &why) < 0) {
			damage(v, pos, why, open ? cur.gen : 0);
			return;
		}
		if (h.end_of_gen) {
			if (!open) {
				damage(v, pos,
				       "end of a generation that did "
				       "not begin",
				       0);
				return;
			}
			cur.end = pos + 1;
			if (!gen_complete(v, &cur, has_strings, pos))
				return;
			v->gens = xgrow(v->gens, sizeof(*v->gens), v->ngens + 1,
					&v->gencap);
			v->gens[v->ngens++] = cur;
			open = 0;
			pos++;
			continue;
		}
		if (open && h.gen != cur.gen) {
			if (v->version >= 26) {
				damage(v, pos,
				       "generation without an end marker",
				       cur.gen);
				return;
			}
			if (h.gen < cur.gen) {
				damage(v, pos, "generations out of order",
				       cur.gen);
				return;
			}
			cur.end = pos;
			if (!gen_complete(v, &cur, has_strings, pos))
				return;
			v->gens = xgrow(v->gens, sizeof(*v->gens), v->ngens + 1,
					&v->gencap);
			v->gens[v->ngens++] = cur;
			open = 0;
		}
		if (!open) {
			if (v->ngens > 0 &&
			    h.gen <= v->gens[v->ngens - 1].gen) {
				damage(v, pos, "generations out of order",
				       h.gen);
				return;
			}
			memset(&cur, 0, sizeof(cur));
			cur.gen = h.gen;
			cur.begin = pos;
			cur.min_time = UINT64_MAX;
			has_strings = 0;
			open = 1;
		}
		if (event_batch(v, &h))
			thread_index(v, h.m);
		if (h.time < cur.min_time)
			cur.min_time = h.time;
		if (h.time > cur.max_time)
			cur.max_time = h.time;
		if (!h.experimental && h.len > 0) {
			unsigned char k = v->buf[h.off];
			int r = 0;

			if (k == EV_STRINGS || k == EV_STACKS) {
				has_strings |= k == EV_STRINGS;
				r = check_table(v, &h, &bad, &why);
			} else if ((k == EV_SYNC && v->version >= 25) ||
				   (k == EV_FREQUENCY && v->version < 25)) {
				bad = h.at;
				r = read_sync(v, &h, &cur, &why);
			}
			if (r < 0) {
				damage(v, bad, why, cur.gen);
				return;
			}
		}
		pos = h.off + h.len;
	}
	drop(v, dropped, v->len);
	if (!open)
		return;
	if (v->version >= 26) {
		damage(v, v->len,
		       "the trace ends inside a generation (no end marker): "
		       "cut short",
		       cur.gen);
		return;
	}
	cur.end = v->len;
	if (gen_complete(v, &cur, has_strings, v->len)) {
		v->gens = xgrow(v->gens, sizeof(*v->gens), v->ngens + 1,
				&v->gencap);
		v->gens[v->ngens++] = cur;
	}
}

/* --- tables of a generation ---------------------------------------------- */

static void
gtab_init(struct gtab *t)
{
	memset(t, 0, sizeof(*t));
	u64map_init(&t->strindex);
	u64map_init(&t->stackindex);
	u64map_init(&t->seqs);
}

static void
gtab_release(struct gtab *t)
{
	free(t->batches);
	free(t->order);
	free(t->strs);
	free(t->stacks);
	free(t->cur);
	free(t->heap);
	u64map_release(&t->strindex);
	u64map_release(&t->stackindex);
	u64map_release(&t->seqs);
}

static void
add_entries(const struct v2 *v, struct gtab *t, const struct bhdr *h)
{
	const unsigned char *b = v->buf;
	size_t p = h->off + 1, end = h->off + h->len;
	int strings = b[h->off] == EV_STRINGS;

	/* check_table() passed: the records are well formed. */
	while (p < end) {
		uint64_t id = 0, n = 0, x, k;
		struct tabent e;

		p++;
		trace_uvarint(b, end, &p, &id);
		trace_uvarint(b, end, &p, &n);
		e.off = p;
		e.len = (uint32_t)n;
		e.gid = 0;
		if (strings) {
			p += n;
		} else {
			for (k = 0; k < 4 * n; k++)
				trace_uvarint(b, end, &p, &x);
		}
		if (strings) {
			if (u64map_get(&t->strindex, id) != U64MAP_NONE)
				continue; /* a duplicate: the first wins */
			t->strs = xgrow(t->strs, sizeof(*t->strs), t->nstrs + 1,
					&t->strcap);
			t->strs[t->nstrs] = e;
			u64map_put(&t->strindex, id, (uint32_t)t->nstrs++);
		} else {
			if (u64map_get(&t->stackindex, id) != U64MAP_NONE)
				continue;
			t->stacks = xgrow(t->stacks, sizeof(*t->stacks),
					  t->nstacks + 1, &t->stackcap);
			t->stacks[t->nstacks] = e;
			u64map_put(&t->stackindex, id, (uint32_t)t->nstacks++);
		}
	}
}

/* CPU samples are events too: the trace lasts until the last one. */
static void
cpu_samples_end(const struct v2 *v, struct gtab *t, const struct bhdr *h)
{
	size_t p = h->off + 1, end = h->off + h->len;
	uint64_t x[5];
	unsigned k;

	while (p < end && v->buf[p] == 7) {
		p++;
		for (k = 0; k < 5; k++)
			if (trace_uvarint(v->buf, end, &p, &x[k]) < 0)
				return;
		if (x[0] > t->cpu_max)
			t->cpu_max = x[0];
	}
}

/* A cursor per M over its batches in order[]. */
static void
make_cursors(struct gtab *t)
{
	size_t i = 0;

	t->ncur = 0;
	while (i < t->nbatches) {
		size_t j = i;
		struct cursor *c = NULL;

		while (j < t->nbatches && t->order[j].m == t->order[i].m)
			j++;
		t->cur =
			xgrow(t->cur, sizeof(*t->cur), t->ncur + 1, &t->curcap);
		c = &t->cur[t->ncur++];
		memset(c, 0, sizeof(*c));
		c->m = t->order[i].m;
		c->bi = i;
		c->bend = j;
		i = j;
	}
}

/*
 * Collect generation g's batches into t: tables, and event batches per M.
 * Reads v only (any thread may call it).
 */
static void
load_generation(const struct v2 *v, struct gtab *t, const struct gen *g)
{
	size_t pos = g->begin, i, *count = NULL, nc = v->nbatchms + 1;
	const char *why = NULL;
	struct bhdr h;

	t->g = g;
	t->min_time = g->min_time;
	t->nbatches = t->nstrs = t->nstacks = 0;
	t->cpu_max = 0;
	memset(&t->counts, 0, sizeof(t->counts));
	u64map_clear(&t->strindex);
	u64map_clear(&t->stackindex);
	while (pos < g->end) {
		/* Checked by the first pass, which knows every M. */
		read_header(v, pos, &h, &why);
		pos = h.end_of_gen ? pos + 1 : h.off + h.len;
		if (h.end_of_gen || h.experimental || h.len == 0)
			continue;
		switch (v->buf[h.off]) {
		case EV_STRINGS:
		case EV_STACKS:
			add_entries(v, t, &h);
			continue;
		case EV_CPU_SAMPLES:
			cpu_samples_end(v, t, &h);
			continue;
		}
		if (!event_batch(v, &h))
			continue;
		t->batches = xgrow(t->batches, sizeof(*t->batches),
				   t->nbatches + 1, &t->batchcap);
		t->batches[t->nbatches].off = h.off;
		t->batches[t->nbatches].len = h.len;
		t->batches[t->nbatches].time = h.time;
		t->batches[t->nbatches].m = u64map_get(&v->mindex, h.m);
		t->nbatches++;
	}
	/* Order the batches by M, keeping file order: a counting sort. */
	count = xcalloc(nc, sizeof(*count));
	for (i = 0; i < t->nbatches; i++)
		count[t->batches[i].m + 1]++;
	for (i = 1; i < nc; i++)
		count[i] += count[i - 1];
	t->order = xgrow(t->order, sizeof(*t->order), t->nbatches + 1,
			 &t->ordercap);
	for (i = 0; i < t->nbatches; i++)
		t->order[count[t->batches[i].m]++] = t->batches[i];
	free(count);
	make_cursors(t);
}

/* Make generation t the one whose stacks and strings are looked up. */
static void
use_generation(struct v2 *v, struct gtab *t)
{
	v->t = t;
	v->g = t->g;
	v->stackmemo = xgrow(v->stackmemo, sizeof(*v->stackmemo),
			     t->nstacks + 1, &v->stackmemocap);
	memset(v->stackmemo, 0, (t->nstacks + 1) * sizeof(*v->stackmemo));
}

/* The interned string of a generation's string id (0 for none). */
static strid
gstring(struct v2 *v, uint64_t id)
{
	uint32_t i;
	struct tabent *e = NULL;

	if (id == 0)
		return 0;
	i = u64map_get(&v->t->strindex, id);
	if (i == U64MAP_NONE) {
		timeline_anomaly(&v->r->tl,
				 "string %" PRIu64 " of generation %" PRIu64
				 " is not in its table",
				 id, v->g->gen);
		return 0;
	}
	e = &v->t->strs[i];
	if (e->gid == 0)
		e->gid = strtab_intern(&v->r->in->strings, v->buf + e->off,
				       e->len) +
			 1;
	return e->gid - 1;
}

static const unsigned char *
gstring_bytes(struct v2 *v, uint64_t id, size_t *n)
{
	uint32_t i = id ? u64map_get(&v->t->strindex, id) : U64MAP_NONE;

	if (i == U64MAP_NONE) {
		*n = 0;
		return (const unsigned char *)"";
	}
	*n = v->t->strs[i].len;
	return v->buf + v->t->strs[i].off;
}

/* gstack() the first time for id, or for an id not in the table. */
static struct trace_stack *
gstack_fill(struct v2 *v, uint64_t id)
{
	struct trace_run *r = v->r;
	uint32_t i, k;
	struct tabent *e = NULL;
	struct trace_stack *s = NULL;
	size_t p, end;

	i = u64map_get(&v->t->stackindex, id);
	if (i == U64MAP_NONE) {
		timeline_anomaly(&r->tl,
				 "stack %" PRIu64 " of generation %" PRIu64
				 " is not in its table",
				 id, v->g->gen);
		return NULL;
	}
	s = &v->stackmemo[i];
	e = &v->t->stacks[i];
	r->frames =
		xgrow(r->frames, sizeof(*r->frames), e->len + 1, &r->framecap);
	p = e->off;
	end = v->len;
	for (k = 0; k < e->len; k++) {
		uint64_t pc = 0, fn = 0, file = 0, line = 0;
		const unsigned char *fb = NULL, *lb = NULL;
		size_t fl = 0, ll = 0;

		trace_uvarint(v->buf, end, &p, &pc);
		trace_uvarint(v->buf, end, &p, &fn);
		trace_uvarint(v->buf, end, &p, &file);
		trace_uvarint(v->buf, end, &p, &line);
		fb = gstring_bytes(v, fn, &fl);
		lb = gstring_bytes(v, file, &ll);
		r->frames[k] = intern_frame(
			r->in, (const char *)fb, fl, (const char *)lb, ll,
			line > UINT32_MAX ? UINT32_MAX : (uint32_t)line);
	}
	trace_intern_stack(r, e->len, s);
	return s;
}

/* The stack of a generation's stack id, or NULL for none. Inline for
 * the stacks already worked out: most events name one. */
static inline struct trace_stack *
gstack(struct v2 *v, uint64_t id)
{
	uint32_t i;

	if (id == 0)
		return NULL;
	i = u64map_get(&v->t->stackindex, id);
	if (i != U64MAP_NONE && v->stackmemo[i].filled)
		return &v->stackmemo[i];
	return gstack_fill(v, id);
}

/* --- events -------------------------------------------------------------- */

static int64_t
ns_of(const struct v2 *v, uint64_t ticks)
{
	/* As Go's reader converts: ticks times ns per tick, in doubles. */
	return trace_ticks_ns((double)ticks, v->ns_per_tick) - v->start_ns;
}

/* Note (in n, when not NULL) the first event batch left unread, and why. */
static void
skip_batch(struct counts *n, struct cursor *c, int unknown, unsigned type)
{
	if (n != NULL && n->skipped_batches++ == 0) {
		n->skipped_at = c->pos;
		if (unknown)
			snprintf(n->skip_why, sizeof(n->skip_why),
				 "event of unknown type %u: the rest of its "
				 "batch is skipped",
				 type);
		else
			snprintf(n->skip_why, sizeof(n->skip_why),
				 "event (type %u) cut short: the rest of its "
				 "batch is skipped",
				 type);
	}
	if (n != NULL && unknown)
		n->skipped_events++;
	c->pos = c->end;
}

/*
 * Decode c's next event into c->ev; 0 when its batches are done. Counts
 * in n when it is not NULL. Reads v only.
 */
static inline __attribute__((always_inline)) int
decode_next(const struct v2 *v, const struct gtab *t, struct cursor *c,
	    struct counts *n)
{
	const unsigned char *b = v->buf;

	for (;;) {
		unsigned char ty;
		unsigned k, na;
		uint64_t dt = 0;
		size_t p;

		if (c->pos >= c->end) {
			const struct ebatch *eb = NULL;

			if (c->bi >= c->bend)
				return 0;
			eb = &t->order[c->bi++];
			c->pos = eb->off;
			c->end = eb->off + eb->len;
			c->time = eb->time;
			continue;
		}
		p = c->pos;
		ty = b[p];
		na = v->nargs[ty];
		if (na == 0) {
			skip_batch(n, c, 1, ty);
			continue;
		}
		p++;
		if (c->end - p >= 10 * MAX_EVENT_ARGS) {
			/* Far from the batch's end: no bound to check. */
			uint64_t *a = c->ev.args;
			int wrong = 0;

			p = trace_uvarint10(b, p, &dt, &wrong);
			if (na > 1)
				p = trace_uvarint10(b, p, &a[0], &wrong);
			if (na > 2)
				p = trace_uvarint10(b, p, &a[1], &wrong);
			if (na > 3)
				p = trace_uvarint10(b, p, &a[2], &wrong);
			if (na > 4)
				p = trace_uvarint10(b, p, &a[3], &wrong);
			if (wrong)
				goto bad;
		} else {
			if (trace_uvarint(b, c->end, &p, &dt) < 0)
				goto bad;
			for (k = 1; k < na; k++)
				if (trace_uvarint(b, c->end, &p,
						  &c->ev.args[k - 1]) < 0)
					goto bad;
		}
		c->ev.type = ty;
		c->ev.at = c->pos;
		c->time += dt;
		c->ev.time = c->time;
		c->pos = p;
		if (n != NULL)
			n->events++;
		return 1;
	bad:
		skip_batch(n, c, 0, ty);
	}
}

static int
next_event(const struct v2 *v, const struct gtab *t, struct cursor *c,
	   struct counts *n)
{
	return decode_next(v, t, c, n);
}

static enum tl_state
status_state(uint64_t s)
{
	switch (s) {
	case 1:
		return TL_RUNNABLE;
	case 2:
		return TL_RUNNING;
	case 3:
		return TL_SYSCALL;
	case 4:
		return TL_WAITING;
	default:
		return TL_NOTEXIST;
	}
}

/* The goroutine running on M m, or NULL (counted as an anomaly). */
static inline __attribute__((always_inline)) struct tl_goroutine *
current(struct v2 *v, uint32_t m, const struct event *e)
{
	return trace_running(v->r, curg_of(v, m), e->type, e->at);
}

/* The goroutine named by an event, or NULL (counted as an anomaly). */
static struct tl_goroutine *
named(struct v2 *v, uint64_t id, const struct event *e)
{
	return trace_named(v->r, id, e->type, e->at);
}

static strid
intern_coroutine(struct v2 *v)
{
	if (v->coroutine == 0)
		v->coroutine =
			strtab_intern_cstr(&v->r->in->strings, "coroutine") + 1;
	return v->coroutine - 1;
}

/* A status event: state at the start of the generation. */
static void
do_status(struct v2 *v, uint32_t m, int64_t now, const struct event *e)
{
	struct trace_run *r = v->r;
	enum tl_state st = status_state(e->args[2]);
	struct trace_stack *s = NULL;
	struct tl_goroutine *g = NULL;
	strid state = 0;

	if (st == TL_NOTEXIST) {
		timeline_anomaly(&r->tl,
				 "goroutine %" PRIu64 " has status %" PRIu64
				 " at offset 0x%zx",
				 e->args[0], e->args[2], e->at);
		return;
	}
	if (e->type == EV_GO_STATUS_STACK)
		s = gstack(v, e->args[3]);
	if (st == TL_WAITING)
		state = trace_wait_state(r, 0, s);
	g = timeline_status(&r->tl, now, v->gen_start, e->args[0], st,
			    s ? s->norm : 0, state);
	trace_mark_system(r, g, s);
	if (v->ms[m].id == NO_ID)
		return; /* end-of-generation statuses: no context */
	if (st == TL_RUNNING)
		v->ms[m].curg = e->args[0];
	if (st == TL_SYSCALL) {
		if (e->args[1] == v->ms[m].id)
			v->ms[m].curg = e->args[0];
		else if (e->args[1] != NO_ID)
			v->ms[thread_index(v, e->args[1])].curg = e->args[0];
	}
}

static void
do_create(struct v2 *v, uint32_t m, int64_t now, const struct event *e)
{
	struct trace_run *r = v->r;
	struct trace_stack *start = gstack(v, e->args[1]);
	struct trace_stack *by = gstack(v, e->args[2]);
	struct tl_goroutine *g = NULL;

	g = timeline_create(
		&r->tl, now, e->args[0], curg_of(v, m), by ? by->norm : 0,
		by ? by->first : 0, start ? start->first : 0,
		e->type == EV_GO_CREATE_BLOCKED ? TL_WAITING : TL_RUNNABLE);
	trace_mark_system(r, g, start);
}

static void
do_log(struct v2 *v, uint32_t m, int64_t now, const struct event *e)
{
	const struct tl_listener *l = &v->r->tl.listen;
	const unsigned char *cat = NULL, *msg = NULL;
	size_t cl = 0, ml = 0;

	if (l->log == NULL)
		return;
	cat = gstring_bytes(v, e->args[1], &cl);
	msg = gstring_bytes(v, e->args[2], &ml);
	l->log(l->ctx, now, v->ms[m].curg, (const char *)cat, cl,
	       (const char *)msg, ml);
}

static void
process(struct v2 *v, uint32_t m, const struct event *e, int64_t now)
{
	struct trace_run *r = v->r;
	struct timeline *tl = &r->tl;
	struct thread *th = &v->ms[m];
	struct tl_goroutine *g = NULL, *h = NULL;
	struct trace_stack *s = NULL;
	strid reason;

	switch (e->type) {
	case EV_GO_CREATE:
	case EV_GO_CREATE_BLOCKED:
		do_create(v, m, now, e);
		break;
	case EV_GO_CREATE_SYSCALL:
		g = timeline_create(tl, now, e->args[0], TL_NO_GOROUTINE, 0, 0,
				    0, TL_SYSCALL);
		trace_mark_system(r, g, NULL);
		th->curg = e->args[0];
		break;
	case EV_GO_START:
		g = named(v, e->args[0], e);
		if (g)
			timeline_start(tl, now, g);
		th->curg = e->args[0];
		break;
	case EV_GO_DESTROY:
	case EV_GO_DESTROY_SYSCALL:
		g = current(v, m, e);
		if (g)
			timeline_end(tl, now, g);
		th->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_STOP:
		g = current(v, m, e);
		s = gstack(v, e->args[1]);
		trace_mark_system(r, g, s);
		if (g)
			timeline_stop(tl, now, g, s ? s->norm : 0);
		th->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_BLOCK:
		g = current(v, m, e);
		s = trace_fuller(r, gstack(v, e->args[1]));
		trace_mark_system(r, g, s);
		reason = gstring(v, e->args[0]);
		if (g)
			timeline_block(tl, now, g, reason,
				       trace_wait_state(r, reason, s),
				       s ? s->norm : 0);
		th->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_UNBLOCK:
		g = named(v, e->args[0], e);
		if (g)
			timeline_unblock(tl, now, g);
		break;
	case EV_GO_SYSCALL_BEGIN:
		g = current(v, m, e);
		s = gstack(v, e->args[1]);
		trace_mark_system(r, g, s);
		if (g)
			timeline_syscall(tl, now, g, s ? s->norm : 0);
		break;
	case EV_GO_SYSCALL_END:
	case EV_GO_SYSCALL_END_BLOCKED:
		g = current(v, m, e);
		if (g)
			timeline_syscall_end(tl, now, g,
					     e->type ==
						     EV_GO_SYSCALL_END_BLOCKED);
		if (e->type == EV_GO_SYSCALL_END_BLOCKED)
			th->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		do_status(v, m, now, e);
		break;
	case EV_GO_SWITCH:
	case EV_GO_SWITCH_DESTROY:
		g = current(v, m, e);
		h = named(v, e->args[0], e);
		if (g && e->type == EV_GO_SWITCH) {
			reason = intern_coroutine(v);
			timeline_block(tl, now, g, reason, reason, 0);
		} else if (g) {
			timeline_end(tl, now, g);
		}
		h = timeline_find(tl, e->args[0]); /* g may have moved */
		if (h) {
			timeline_unblock(tl, now, h);
			timeline_start(tl, now, h);
		}
		th->curg = e->args[0];
		break;
	case EV_USER_LOG:
		do_log(v, m, now, e);
		break;
	default:
		break;
	}
}

/* --- the merge of the Ms' streams ---------------------------------------- */

static int
hent_less(const struct hent *a, const struct hent *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->m < b->m;
}

static void
heap_down(struct gtab *t, size_t i)
{
	struct hent *h = t->heap, x = h[i];

	for (;;) {
		size_t l = 2 * i + 1, s = l;

		if (l >= t->nheap)
			break;
		if (l + 1 < t->nheap && hent_less(&h[l + 1], &h[l]))
			s = l + 1;
		if (!hent_less(&h[s], &x))
			break;
		h[i] = h[s];
		i = s;
	}
	h[i] = x;
}

static void
heap_up(struct gtab *t, size_t i)
{
	struct hent *h = t->heap, x = h[i];

	while (i > 0 && hent_less(&x, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static void
heap_remove(struct gtab *t, size_t i)
{
	t->heap[i] = t->heap[--t->nheap];
	if (i < t->nheap) {
		heap_down(t, i);
		heap_up(t, i);
	}
}

/* What an event does to its goroutine's (args[0]) sequence number. */
enum {
	SEQ_NONE,
	SEQ_ARG,    /* checks and sets it: args[1] */
	SEQ_ZERO,   /* sets it to 0: a creation */
	SEQ_STATUS, /* sets it to 0 unless the status says it does not exist */
};

static const unsigned char seq_kind[256] = {
	[EV_GO_START] = SEQ_ARG,	   [EV_GO_UNBLOCK] = SEQ_ARG,
	[EV_GO_SWITCH] = SEQ_ARG,	   [EV_GO_SWITCH_DESTROY] = SEQ_ARG,
	[EV_GO_CREATE] = SEQ_ZERO,	   [EV_GO_CREATE_BLOCKED] = SEQ_ZERO,
	[EV_GO_CREATE_SYSCALL] = SEQ_ZERO, [EV_GO_STATUS] = SEQ_STATUS,
	[EV_GO_STATUS_STACK] = SEQ_STATUS,
};

/*
 * Whether the event of heap entry h can happen now: a goroutine sequence
 * number must be the next of its goroutine in this generation, where the
 * goroutine's status or creation set it to 0.
 */
static inline int
ready_at(const struct gtab *t, const struct hent *h)
{
	const struct event *e = NULL;
	uint32_t s;

	if (!h->check)
		return 1;
	e = &t->cur[h->ci].ev;
	s = u64map_get(&t->seqs, e->args[0]);
	return s != U64MAP_NONE && (uint64_t)s + 1 == e->args[1];
}

/* The sequence number an event gives its goroutine. */
static void
note_seq(struct gtab *t, const struct event *e)
{
	unsigned kind = seq_kind[e->type];
	uint64_t seq = 0;

	if (kind == SEQ_NONE)
		return;
	if (kind == SEQ_STATUS && status_state(e->args[2]) == TL_NOTEXIST)
		return;
	/* Kept below U64MAP_NONE; a larger one is never next. */
	if (kind == SEQ_ARG)
		seq = e->args[1] < U64MAP_NONE - 1 ? e->args[1]
						   : U64MAP_NONE - 1;
	u64map_set(&t->seqs, e->args[0], (uint32_t)seq);
}

/*
 * The position in the heap of the cursor to advance: the earliest ready
 * event. When none is ready the trace is damaged: the earliest goes anyway
 * (*forced).
 */
static size_t
pick(struct gtab *t, int *forced)
{
	size_t i, best = SIZE_MAX;

	*forced = 0;
	if (ready_at(t, &t->heap[0]))
		return 0;
	for (i = 1; i < t->nheap; i++)
		if (ready_at(t, &t->heap[i]) &&
		    (best == SIZE_MAX ||
		     hent_less(&t->heap[i], &t->heap[best])))
			best = i;
	if (best != SIZE_MAX)
		return best;
	*forced = 1;
	return 0;
}

/* Up to this many Ms, the merge scans their next events instead of
 * keeping a heap: a generation mostly has a few. */
#define SCAN_MAX 8
_Static_assert(SCAN_MAX == sizeof(((struct gtab *)0)->pk) / sizeof(uint64_t),
	       "a key for each M scanned");

static inline uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The scan's answer to pick(): the position of the earliest ready event
 * in the unordered t->heap[0..nheap). */
static size_t
pick_scan(struct gtab *t, int *forced)
{
	const struct hent *h = t->heap;
	size_t i, min = 0, best = SIZE_MAX;

	*forced = 0;
	if (t->packed == 4) {
		const uint64_t *k = t->pk;

		min = min64(min64(k[0], k[1]), min64(k[2], k[3])) & 7;
	} else if (t->packed) {
		const uint64_t *k = t->pk;

		min = min64(min64(min64(k[0], k[1]), min64(k[2], k[3])),
			    min64(min64(k[4], k[5]), min64(k[6], k[7]))) &
		      7;
	} else {
		for (i = 1; i < t->nheap; i++)
			if (hent_less(&h[i], &h[min]))
				min = i;
	}
	if (ready_at(t, &h[min]))
		return min;
	for (i = 0; i < t->nheap; i++)
		if (i != min && ready_at(t, &h[i]) &&
		    (best == SIZE_MAX || hent_less(&h[i], &h[best])))
			best = i;
	if (best != SIZE_MAX)
		return best;
	*forced = 1;
	return min;
}

/* Set the key of heap entry k to the next event of its cursor, c. */
static inline void
set_key(struct gtab *t, size_t k, const struct cursor *c, int scan)
{
	struct hent *h = &t->heap[k];
	uint64_t rel = c->ev.time - t->min_time;

	h->time = c->ev.time;
	if (rel >> 47 != 0)
		t->packed = 0; /* forged times: compare them in full */
	if (scan)
		t->pk[k] = rel << 16 | (uint64_t)h->m << 3 | k;
	h->check = seq_kind[c->ev.type] == SEQ_ARG;
}

/* --- the walk: merge, then replay ---------------------------------------- */

/* What the merge hands the replay. */
enum rec_kind {
	REC_EVENT,
	REC_FORCED,	 /* an event that went out of sequence (damage) */
	REC_BEGIN,	 /* generation args[0] begins (tables in its slot) */
	REC_END,	 /* it ends (its counts are final) */
	REC_WIDE = 0x80, /* with an event: in three slots, not one */
};

/*
 * A record in the ring: an event in 32 bytes (two to a cache line, which
 * the ring moves from one core to the other), its arguments in 32 bits
 * (below 2^31 - 1, NARROW_NONE for NO_ID), its offset from its
 * generation's start, and its M, type and kind in one word (written
 * whole: byte stores would make the compiler reload the walk's fields
 * after each). An event that does not fit takes REC_WIDE and two more
 * slots: its arguments in full, then its offset and M.
 */
union slot {
	struct {
		uint64_t time; /* ticks */
		uint32_t args[MAX_EVENT_ARGS - 1];
		uint32_t at;
		uint32_t tag; /* m | type << 16 | kind << 24 */
	} e;
	uint64_t wide[MAX_EVENT_ARGS - 1];
};

#define NARROW_NONE UINT32_MAX

/* The decoder and the records spell out the four arguments after dt. */
_Static_assert(MAX_EVENT_ARGS == 5, "four arguments after dt");

static inline uint32_t
slot_tag(uint32_t m, unsigned type, unsigned kind)
{
	return (m & 0xffff) | (uint32_t)type << 16 | (uint32_t)kind << 24;
}

/* An argument as the record has it: below 2^31 - 1, or NO_ID (2^64 - 1)
 * as NARROW_NONE; sign extension gives both back. */
static inline uint64_t
widen(uint32_t a)
{
	return (uint64_t)(int64_t)(int32_t)a;
}

/* Slots in the ring between the threads, handed over RING_CHUNK (or up
 * to two more, to end a record) at a time. */
#define RING_CHUNK 4096u
#define RING_SIZE  (16u * RING_CHUNK)

/*
 * The walk over the generations. On one thread the merge replays each
 * event as it comes. On two, a second thread merges (decoding every
 * event once) into a ring of records the calling thread replays, and
 * loads the next generation into the other slot while the calling thread
 * finishes the last one: the same events in the same order either way.
 */
struct walk {
	/* Set before the threads start. */
	struct v2 *v;
	size_t from, to; /* the generations to walk */
	int threaded;
	union slot *ring;
	/* The merge's own. */
	_Alignas(LINE) size_t wr; /* slots written */
	size_t handed;		  /* slots handed over */
	/* The replay's own. */
	_Alignas(LINE) size_t rd; /* slots read */
	size_t progress_at;	  /* the offset of the next progress report */
	int ret;		  /* -1: the listener asked to stop */
	/* Generations split between two threads (struct later): the later
	 * part's thread says where it is in *at_out; the earlier's reports
	 * progress with what the later's did since other_from. */
	size_t *at_out;
	const int *cancel; /* with at_out: set, the later part is to stop */
	const size_t *other_at;
	size_t other_from;
	/*
	 * Shared, read and written atomically. A thread that waits for one
	 * of them to change spins a while, then sleeps on cond (counted in
	 * sleepers, so that a change wakes it): a sleep and a wake-up cost a
	 * system call each and, between the cores of a virtual machine, an
	 * interrupt, once per chunk.
	 */
	_Alignas(LINE) size_t published; /* slots the replay may read */
	size_t released;		 /* slots the merge may overwrite */
	size_t replayed;		 /* generations replayed */
	int merged, stop; /* the merge is done; the replay stopped */
	int sleepers;	  /* threads asleep on cond, or about to be */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct gtab slot[2];
};

/* How many times a waiting thread looks before it sleeps (a pause each:
 * some hundred microseconds, a chunk's time). */
#define SPIN_TRIES 4096

static inline size_t
load_size(const size_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline int
load_int(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* Wake a thread asleep on w->cond; call it after a shared field changed. */
static void
wake(struct walk *w)
{
	if (load_int(&w->sleepers) == 0)
		return; /* seen after the change: a sleeper to be sees it */
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

/* Set a shared field and wake whoever waits for it. */
static void
tell_size(struct walk *w, size_t *p, size_t x)
{
	__atomic_store_n(p, x, __ATOMIC_SEQ_CST);
	wake(w);
}

static void
tell_int(struct walk *w, int *p, int x)
{
	__atomic_store_n(p, x, __ATOMIC_SEQ_CST);
	wake(w);
}

static inline void
cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Wait until ready(w, arg): spin, then sleep. */
static void
await(struct walk *w, int (*ready)(struct walk *, size_t), size_t arg)
{
	unsigned k;

	for (k = 0; k < SPIN_TRIES; k++) {
		if (ready(w, arg))
			return;
		cpu_pause();
	}
	pthread_mutex_lock(&w->mu);
	/* Counted before the last look: a change made after that look
	 * sees the count and wakes this thread. */
	__atomic_add_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
	while (!ready(w, arg))
		pthread_cond_wait(&w->cond, &w->mu);
	__atomic_sub_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&w->mu);
}

/* The 8 bytes at p as a little-endian number. */
static inline uint64_t
le64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* The lowest set bit of x, not 0. */
static inline unsigned
ctz64(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/*
 * The next status event of c's batches into c->ev (its time is not kept);
 * 0 when they are done. The same events as next_event() would give, of
 * these two types: the others are only stepped over, by their argument
 * bytes, unless one looks damaged, when next_event() decides.
 */
static int
next_status(const struct v2 *v, const struct gtab *t, struct cursor *c)
{
	const unsigned char *b = v->buf;

	for (;;) {
		unsigned char ty = c->pos < c->end ? b[c->pos] : 0;
		unsigned k, na = v->nargs[ty];

		if (na != 0 && ty != EV_GO_STATUS && ty != EV_GO_STATUS_STACK &&
		    c->end - c->pos > 8) {
			/* Its uvarints end at bytes below 0x80: the na-th such
			 * of the 8 after the type ends it, and uvarints of 8
			 * bytes or fewer are whole. A longer event is decoded. */
			uint64_t x =
				~le64(b + c->pos + 1) & 0x8080808080808080ULL;

			for (k = 1; k < na; k++)
				x &= x - 1;
			if (x != 0) {
				c->pos += 2 + (size_t)(ctz64(x) >> 3);
				continue;
			}
		}
		if (!next_event(v, t, c, NULL))
			return 0;
		if (c->ev.type == EV_GO_STATUS ||
		    c->ev.type == EV_GO_STATUS_STACK)
			return 1;
	}
}

/* Before the first generation's events: every goroutine it lists by a
 * status existed at the start of the trace, in that state. */
static void
seed_statuses(struct v2 *v)
{
	struct trace_run *r = v->r;
	const struct gtab *t = v->t;
	size_t i = 0;

	/* A cursor of its own per M: the merge may be using t->cur. */
	while (i < t->nbatches) {
		struct cursor c;

		memset(&c, 0, sizeof(c));
		c.m = t->order[i].m;
		c.bi = i;
		while (i < t->nbatches && t->order[i].m == c.m)
			i++;
		c.bend = i;
		while (next_status(v, t, &c)) {
			struct trace_stack *s = NULL;
			enum tl_state st = status_state(c.ev.args[2]);

			if (st == TL_NOTEXIST ||
			    timeline_find(&r->tl, c.ev.args[0]) != NULL)
				continue;
			if (c.ev.type == EV_GO_STATUS_STACK)
				s = gstack(v, c.ev.args[3]);
			trace_mark_system(
				r,
				timeline_status(
					&r->tl, 0, 0, c.ev.args[0], st,
					s ? s->norm : 0,
					st == TL_WAITING
						? trace_wait_state(r, 0, s)
						: 0),
				s);
		}
	}
}

/* Fold a generation's counts into the reading's. */
static void
add_counts(struct v2 *v, const struct counts *n)
{
	struct trace_info *info = v->r->info;

	info->events += n->events;
	info->skipped_events += n->skipped_events;
	if (v->counts.skipped_batches == 0 && n->skipped_batches) {
		v->counts.skipped_at = n->skipped_at;
		memcpy(v->counts.skip_why, n->skip_why,
		       sizeof(v->counts.skip_why));
	}
	v->counts.skipped_batches += n->skipped_batches;
}

/* Done with bytes [from, to) for now: memory holds one generation. */
static void
drop(struct v2 *v, size_t from, size_t to)
{
	if (v->r->o->drop)
		v->r->o->drop(v->r->o->drop_ctx, from, to);
}

/* Bytes the later part's thread replayed so far (none when there is
 * none). */
static size_t
other_done(const struct walk *w)
{
	size_t at;

	if (w->other_at == NULL)
		return 0;
	at = __atomic_load_n(w->other_at, __ATOMIC_RELAXED);
	return at > w->other_from ? at - w->other_from : 0;
}

/* Replay an event on M m into the timeline (forced: out of sequence);
 * -1 when the listener asked to stop. Main thread only. */
static inline int
replay_event(struct walk *w, uint32_t m, const struct event *e, int forced)
{
	struct v2 *v = w->v;
	struct trace_run *r = v->r;
	int64_t now;

	if (forced)
		timeline_anomaly(&r->tl,
				 "no event can come next at offset 0x%zx "
				 "(goroutine %" PRIu64 " out of sequence)",
				 e->at, e->args[0]);
	now = ns_of(v, e->time);
	if (timeline_due(&r->tl, now) &&
	    (timeline_advance(&r->tl, now) < 0 || timeline_done(&r->tl)))
		return -1; /* asked to stop, or nothing more to tell */
	process(v, m, e, now);
	if (e->at >= w->progress_at) {
		/* Every 256 KiB of the trace, about 48,000 events. */
		w->progress_at = e->at + ((size_t)256 << 10);
		if (w->at_out != NULL) {
			__atomic_store_n(w->at_out, e->at, __ATOMIC_RELAXED);
			if (__atomic_load_n(w->cancel, __ATOMIC_RELAXED))
				return -1; /* not needed after all */
		} else
			trace_progress(r, e->at + other_done(w), v->len);
	}
	return 0;
}

/* A mark of generation gi (REC_BEGIN, REC_END). Main thread only. */
static void
replay_mark(struct walk *w, unsigned kind, size_t gi)
{
	struct v2 *v = w->v;
	struct trace_run *r = v->r;

	if (kind == REC_BEGIN) {
		use_generation(v, &w->slot[gi % 2]);
		v->ns_per_tick = 1.0 / ((double)v->g->freq / 1e9);
		v->gen_start = gi == 0 ? 0 : ns_of(v, v->g->min_time);
		if (gi == 0)
			seed_statuses(v);
		return;
	}
	add_counts(v, &v->t->counts);
	if (v->t->cpu_max && ns_of(v, v->t->cpu_max) > r->tl.last_ns)
		r->tl.last_ns = ns_of(v, v->t->cpu_max);
	drop(v, v->g->begin, v->g->end);
	if (w->threaded)
		tell_size(w, &w->replayed, gi + 1);
}

/* Replay the record at ring slot w->rd, moving past it; -1 when the
 * listener asked to stop. */
static int
replay_slot(struct walk *w)
{
	const union slot *x = &w->ring[w->rd++ % RING_SIZE];
	uint32_t tag = x->e.tag, m = tag & 0xffff;
	unsigned kind = (tag >> 24) & ~REC_WIDE;
	struct event ev;

	if (kind == REC_BEGIN || kind == REC_END) {
		replay_mark(w, kind, x->e.args[0]);
		return 0;
	}
	ev.type = (unsigned char)(tag >> 16);
	ev.time = x->e.time;
	if (tag >> 24 & REC_WIDE) {
		const union slot *y = &w->ring[w->rd++ % RING_SIZE];
		const union slot *z = &w->ring[w->rd++ % RING_SIZE];

		memcpy(ev.args, y->wide, sizeof(ev.args));
		ev.at = (size_t)z->wide[0];
		m = (uint32_t)z->wide[1];
	} else {
		ev.args[0] = widen(x->e.args[0]);
		ev.args[1] = widen(x->e.args[1]);
		ev.args[2] = widen(x->e.args[2]);
		ev.args[3] = widen(x->e.args[3]);
		ev.at = w->v->g->begin + x->e.at;
	}
	return replay_event(w, m, &ev, kind == REC_FORCED);
}

/* Hand the slots written so far to the replay. */
static void
publish(struct walk *w)
{
	w->handed = w->wr;
	tell_size(w, &w->published, w->wr);
}

/* Whether a chunk and a record more fit in the ring, or the walk is to
 * stop. */
static int
has_room(struct walk *w, size_t unused)
{
	(void)unused;
	return load_int(&w->stop) ||
	       w->wr + RING_CHUNK + 3 - load_size(&w->released) <= RING_SIZE;
}

/* Hand the slots written so far to the replay, and wait until a chunk
 * and a record more fit. Returns -1 when the walk is to stop. */
static int
hand_over(struct walk *w)
{
	publish(w);
	await(w, has_room, 0);
	return load_int(&w->stop) ? -1 : 0;
}

/* Room for a record: a chunk written is handed over. */
static inline int
room(struct walk *w)
{
	return w->wr - w->handed >= RING_CHUNK ? hand_over(w) : 0;
}

/* Put the event of c (forced: out of sequence) into the ring; -1 when
 * the walk is to stop. */
static inline int
emit_event(struct walk *w, const struct gtab *t, const struct cursor *c,
	   int forced)
{
	union slot *x = NULL;
	unsigned kind = forced ? REC_FORCED : REC_EVENT;
	size_t at = c->ev.at - t->g->begin;
	const uint64_t *a = c->ev.args;
	/* Arguments past the event's own are whatever the cursor's last
	 * event had there, as on one thread: process() reads none. */
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
	/* Wide: an argument of 2^31 - 1 or more, but NO_ID (x + 1 wraps to
	 * 0), an offset past 4 GiB or an M past 16 bits. */
	int wide = ((a0 + 1) >> 31 | (a1 + 1) >> 31 | (a2 + 1) >> 31 |
		    (a3 + 1) >> 31) != 0 ||
		   at > UINT32_MAX || c->m >= 0xffff;

	if (room(w) < 0)
		return -1;
	x = &w->ring[w->wr++ % RING_SIZE];
	x->e.time = c->ev.time;
	x->e.args[0] = (uint32_t)a0; /* NO_ID is NARROW_NONE */
	x->e.args[1] = (uint32_t)a1;
	x->e.args[2] = (uint32_t)a2;
	x->e.args[3] = (uint32_t)a3;
	x->e.at = (uint32_t)at;
	x->e.tag = slot_tag(c->m, c->ev.type, kind | (wide ? REC_WIDE : 0));
	if (wide) {
		union slot *y = &w->ring[w->wr++ % RING_SIZE];
		union slot *z = &w->ring[w->wr++ % RING_SIZE];

		y->wide[0] = a0;
		y->wide[1] = a1;
		y->wide[2] = a2;
		y->wide[3] = a3;
		memset(z, 0, sizeof(*z));
		z->wide[0] = c->ev.at;
		z->wide[1] = c->m;
	}
	return 0;
}

/* A mark of generation gi: replayed at once on one thread, put into the
 * ring on two. Returns -1 when the walk is to stop. */
static int
emit_mark(struct walk *w, unsigned kind, size_t gi)
{
	union slot *x = NULL;

	if (!w->threaded) {
		replay_mark(w, kind, gi);
		return 0;
	}
	if (room(w) < 0)
		return -1;
	x = &w->ring[w->wr++ % RING_SIZE];
	memset(x, 0, sizeof(*x));
	x->e.tag = slot_tag(0, 0, kind);
	x->e.args[0] = (uint32_t)gi;
	return 0;
}

/*
 * Merge generation gi (loaded into t) into records: by time (then M),
 * each goroutine's events in the order of their sequence numbers.
 * Reads v only. Returns -1 when the walk is to stop.
 */
static int
merge_generation(struct walk *w, struct gtab *t, size_t gi)
{
	const struct v2 *v = w->v;
	int scan = t->ncur <= SCAN_MAX;
	size_t i;

	if (emit_mark(w, REC_BEGIN, gi) < 0)
		return -1;
	u64map_clear(&t->seqs);
	t->nheap = 0;
	/* Batches start at min_time or later, and times only grow. */
	t->packed = !scan || v->nbatchms > 0x2000 ? 0 : t->ncur <= 4 ? 4 : 8;
	for (i = 0; i < SCAN_MAX; i++)
		t->pk[i] = UINT64_MAX;
	t->heap = xgrow(t->heap, sizeof(*t->heap), t->ncur + 1, &t->heapcap);
	for (i = 0; i < t->ncur; i++) {
		struct cursor *c = &t->cur[i];

		if (!next_event(v, t, c, &t->counts))
			continue;
		t->heap[t->nheap].m = c->m;
		t->heap[t->nheap].ci = (uint32_t)i;
		set_key(t, t->nheap, c, scan);
		t->nheap++;
		if (!scan)
			heap_up(t, t->nheap - 1);
	}
	while (t->nheap > 0) {
		int forced;
		size_t k = scan ? pick_scan(t, &forced) : pick(t, &forced);
		struct cursor *c = &t->cur[t->heap[k].ci];

		note_seq(t, &c->ev);
		if (!w->threaded) {
			if (replay_event(w, c->m, &c->ev, forced) < 0)
				return -1;
		} else if (emit_event(w, t, c, forced) < 0) {
			return -1;
		}
		if (decode_next(v, t, c, &t->counts)) {
			set_key(t, k, c, scan);
			if (!scan) {
				heap_down(t, k);
				heap_up(t, k);
			}
		} else if (scan) {
			t->heap[k] = t->heap[--t->nheap];
			t->pk[k] = (t->pk[t->nheap] & ~(uint64_t)7) | k;
			t->pk[t->nheap] = UINT64_MAX;
			if (t->nheap == 4 && t->packed)
				t->packed = 4;
		} else {
			heap_remove(t, k);
		}
	}
	return emit_mark(w, REC_END, gi);
}

/* Whether generation gi's slot is free (gi - 2 is replayed), or the walk
 * is to stop. */
static int
slot_free(struct walk *w, size_t gi)
{
	return load_int(&w->stop) || load_size(&w->replayed) + 2 > gi;
}

/* Merge every generation in order; -1 when the walk is to stop. */
static int
merge_all(struct walk *w)
{
	size_t gi;

	for (gi = w->from; gi < w->to; gi++) {
		struct gtab *t = &w->slot[gi % 2];

		if (w->threaded) {
			/* The slot is free once generation gi - 2 is
			 * replayed; the replay needs what is written. */
			publish(w);
			await(w, slot_free, gi);
			if (load_int(&w->stop))
				return -1;
		}
		load_generation(w->v, t, &w->v->gens[gi]);
		if (merge_generation(w, t, gi) < 0)
			return -1;
	}
	return 0;
}

/* The second thread's part: merge, then say it is done. */
static void
merger(struct walk *w)
{
	(void)merge_all(w);
	__atomic_store_n(&w->published, w->wr, __ATOMIC_SEQ_CST);
	tell_int(w, &w->merged, 1);
}

/* Whether the replay has records to read (past slot rd), or the merge is
 * done. */
static int
has_records(struct walk *w, size_t rd)
{
	return load_size(&w->published) != rd || load_int(&w->merged);
}

/* The calling thread's part on two threads: replay what the merge wrote. */
static void
replayer(struct walk *w)
{
	size_t avail = 0;

	for (;;) {
		if (w->rd == avail) {
			tell_size(w, &w->released, w->rd);
			await(w, has_records, w->rd);
			avail = load_size(&w->published);
			if (w->rd == avail)
				break; /* merged, and all replayed */
		}
		if (replay_slot(w) < 0) {
			w->ret = -1;
			break;
		}
	}
	tell_int(w, &w->stop, 1);
}

static void *
merger_start(void *w)
{
	merger(w);
	return NULL;
}

/* A walk over generations [from, to) of v (other_at, other_from: as in
 * struct walk). */
static void
walk_init(struct walk *w, struct v2 *v, size_t from, size_t to,
	  const size_t *other_at, size_t other_from)
{
	memset(w, 0, sizeof(*w));
	w->v = v;
	w->from = from;
	w->to = to;
	w->replayed = from;
	w->other_at = other_at;
	w->other_from = other_from;
	gtab_init(&w->slot[0]);
	gtab_init(&w->slot[1]);
}

/* --- the later generations on a thread of their own ---------------------- */

/*
 * When no one listens to waits, ends or logs (show, diff, report, trend),
 * the generations are cut in two parts at the boundary nearest half their
 * bytes: this thread replays the earlier part into the reading's timeline
 * while another replays the later part into a timeline of its own that
 * records (struct tl_record), over a copy of the tables, what its
 * goroutines were at each point it reaches; the later part's tables are
 * then imported and its timeline joined to the earlier's
 * (timeline_join()), which makes those points' snapshots from both and
 * hands them on in order. Once the later part is (nearly) done, the
 * earlier part's remaining generations are merged on the core it frees
 * (walk_range()): generations are large, so the two parts are seldom
 * even. Every generation starts with the status of each goroutine
 * it names, so the later part knows every goroutine it meets; what it
 * cannot know (how long a goroutine has waited since before it, what an
 * M was running, anything out of place) the join takes from the earlier
 * part or, when that does not fit, the later part is replayed again here,
 * after the earlier: the answer is the one reading in order gives.
 */
/* What the later part counted up to the end of one of its generations. */
struct later_count {
	uint64_t events, skipped_events;
	struct counts c;
};

struct later {
	struct v2 v;
	struct trace_run r;
	struct trace_opts o;
	struct trace_info info;
	struct intern in;
	struct tl_record rec;
	struct later_count *counts; /* by generation from from */
	size_t from;		    /* its first generation */
	size_t at;		    /* where its replay is (atomic) */
	int done;		    /* atomic */
	int cancel;  /* atomic: the reading stopped in the earlier part */
	int at_last; /* it made the last point, before the end (--at) */
	int ret;     /* -1: it cannot be joined */
};

static int
is_identity(const uint32_t *map, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (map[i] != i)
			return 0;
	return 1;
}

/* The later part from generation from, over a copy of v's tables; -1
 * when the copy does not keep the ids. */
static int
later_init(struct later *L, const struct v2 *v, size_t from)
{
	const struct trace_run *r = v->r;
	const struct intern *src = r->in;
	struct intern_remap map;
	size_t i;
	int same;

	intern_init(&L->in);
	intern_import(&L->in, src, &map);
	same = is_identity(map.str, src->strings.n) &&
	       is_identity(map.frame, src->frames.n) &&
	       is_identity(map.stack, src->stacks.n) &&
	       is_identity(map.labelset, src->labelsets.n);
	intern_remap_release(&map);
	if (!same) {
		intern_release(&L->in);
		return -1;
	}
	L->from = from;
	L->o = *r->o;
	L->o.progress = NULL;
	memset(&L->o.listen, 0, sizeof(L->o.listen));
	L->info.version = r->info->version;
	L->r = *r;
	L->r.in = &L->in;
	L->r.o = &L->o;
	L->r.info = &L->info;
	timeline_init(&L->r.tl, &L->in);
	L->r.tl.source = r->tl.source;
	L->r.tl.format = r->tl.format;
	L->r.tl.go_version = r->tl.go_version;
	L->r.tl.rec = &L->rec;
	timeline_set_points(&L->r.tl, r->tl.points, r->tl.npoints);
	L->counts = xcalloc(v->ngens - from, sizeof(*L->counts));
	L->r.frames = NULL;
	L->r.framecap = 0;
	/* The fuller stacks keep caches: a copy of its own. The index and
	 * the runtime goroutines' ids are only read. */
	L->r.fuller = xreallocarray(NULL, r->nfuller ? r->nfuller : 1,
				    sizeof(*r->fuller));
	if (r->nfuller)
		memcpy(L->r.fuller, r->fuller, r->nfuller * sizeof(*r->fuller));
	L->r.fullercap = r->nfuller ? r->nfuller : 1;
	L->v = *v;
	L->v.r = &L->r;
	L->v.ms = xreallocarray(NULL, v->nms ? v->nms : 1, sizeof(*v->ms));
	for (i = 0; i < v->nms; i++) {
		L->v.ms[i].id = v->ms[i].id;
		L->v.ms[i].curg = CURG_UNKNOWN;
	}
	L->v.mscap = v->nms ? v->nms : 1;
	u64map_init(&L->v.mextra);
	L->v.stackmemo = NULL;
	L->v.stackmemocap = 0;
	L->v.t = NULL;
	L->v.g = NULL;
	L->v.coroutine = 0;
	L->v.later = 1;
	L->v.curg_unknown = 0;
	memset(&L->v.counts, 0, sizeof(L->v.counts));
	return 0;
}

static void
later_release(struct later *L)
{
	timeline_release(&L->r.tl);
	tl_record_release(&L->rec);
	intern_release(&L->in);
	free(L->r.frames);
	free(L->r.fuller);
	free(L->v.ms);
	free(L->v.stackmemo);
	free(L->counts);
	u64map_release(&L->v.mextra);
}

/* Whether the later part went off the track the join can follow. */
static int
later_lost(const struct later *L)
{
	return L->v.curg_unknown || L->r.tl.anomalies != 0 || L->rec.overflow;
}

static void *
later_run(void *arg)
{
	struct later *L = arg;
	struct walk w;
	size_t gi;
	int stopped;

	walk_init(&w, &L->v, L->from, L->v.ngens, NULL, 0);
	w.at_out = &L->at;
	w.cancel = &L->cancel;
	for (gi = L->from; gi < L->v.ngens && L->ret == 0; gi++) {
		struct gtab *t = &w.slot[gi % 2];
		struct later_count *n = &L->counts[gi - L->from];

		if (__atomic_load_n(&L->cancel, __ATOMIC_RELAXED)) {
			L->ret = -1;
			break;
		}
		L->rec.part = (uint32_t)gi;
		load_generation(&L->v, t, &L->v.gens[gi]);
		stopped = merge_generation(&w, t, gi) < 0;
		if (stopped && !later_lost(L) && timeline_done(&L->r.tl) &&
		    !__atomic_load_n(&L->cancel, __ATOMIC_RELAXED)) {
			L->at_last = 1; /* nothing after it to read */
			break;
		}
		if (stopped || later_lost(L))
			L->ret = -1; /* the caller replays it again */
		n->events = L->info.events;
		n->skipped_events = L->info.skipped_events;
		n->c = L->v.counts;
	}
	gtab_release(&w.slot[0]);
	gtab_release(&w.slot[1]);
	L->v.t = NULL;
	__atomic_store_n(&L->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Join the later part to v's reading: 0, or 1 when the listener asked
 * to stop at one of its points; -1, v as it was, when it does not fit. */
static int
later_join(struct v2 *v, struct later *L)
{
	struct trace_run *r = v->r;
	struct intern_remap map;
	struct tl_saved saved;
	const struct later_count *n = NULL;
	struct later_count none;
	uint32_t stop = 0;
	int ret;

	if (L->ret != 0 || later_lost(L))
		return -1;
	timeline_save(&r->tl, &saved);
	intern_import(r->in, &L->in, &map);
	ret = timeline_join(&r->tl, &L->r.tl, &map, &stop);
	intern_remap_release(&map);
	if (ret < 0) {
		timeline_restore(&r->tl, &saved);
		return -1;
	}
	if (ret == 0 && L->at_last) {
		/* Reading in order stops at the last point, as here. */
		ret = 1;
		stop = L->rec.points[L->rec.npoints - 1].part;
	}
	timeline_saved_release(&saved);
	/* What reading in order counted: every generation of the later
	 * part, or those before the one it stopped in. */
	memset(&none, 0, sizeof(none));
	if (ret == 0)
		n = &L->counts[v->ngens - 1 - L->from];
	else
		n = stop > L->from ? &L->counts[stop - 1 - L->from] : &none;
	r->info->events += n->events;
	r->info->skipped_events += n->skipped_events;
	if (v->counts.skipped_batches == 0 && n->c.skipped_batches) {
		v->counts.skipped_at = n->c.skipped_at;
		memcpy(v->counts.skip_why, n->c.skip_why,
		       sizeof(v->counts.skip_why));
	}
	v->counts.skipped_batches += n->c.skipped_batches;
	return ret;
}

static size_t
distance(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

/* The generation to start the later part at, or 0 for no split. */
static size_t
split_point(const struct v2 *v, unsigned threads)
{
	const struct timeline *tl = &v->r->tl;
	size_t k, best = 0, mid;

	if (threads < 2 || v->ngens < 2 || v->nms != v->nbatchms)
		return 0;
	if (tl->listen.wait_done || tl->listen.gone || tl->listen.log)
		return 0;
	if (tl->npoints == 0)
		return 0;
	mid = v->gens[0].begin +
	      (v->gens[v->ngens - 1].end - v->gens[0].begin) / 2;
	for (k = 1; k < v->ngens; k++)
		if (best == 0 || distance(v->gens[k].begin, mid) <
					 distance(v->gens[best].begin, mid))
			best = k;
	return best;
}

static int walk_range(struct v2 *v, size_t from, size_t to, unsigned threads,
		      const size_t *other_at, size_t other_from);

/* Whether the later part is done, or has less left than a quarter of
 * generation gi: the earlier part may take both cores for the rest. */
static int
later_ending(const struct later *L, const struct v2 *v, size_t gi)
{
	size_t at = __atomic_load_n(&L->at, __ATOMIC_RELAXED);
	size_t end = v->gens[v->ngens - 1].end;
	size_t left = at < end ? end - at : 0;

	return __atomic_load_n(&L->done, __ATOMIC_ACQUIRE) ||
	       left < (v->gens[gi].end - v->gens[gi].begin) / 4;
}

/*
 * The walk with the later generations, from k, on a thread of their own.
 * Returns 1 when it could not start (nothing done), else what walk_all()
 * returns.
 */
static int
walk_split(struct v2 *v, size_t k)
{
	struct later *L = xcalloc(1, sizeof(*L));
	struct walk w;
	pthread_t th;
	size_t gi;
	int ret = 0;

	if (later_init(L, v, k) < 0) {
		free(L);
		return 1;
	}
	drop(v, 0, 0); /* no page toucher from here: each part drops its own */
	if (pthread_create(&th, NULL, later_run, L) != 0) {
		later_release(L);
		free(L);
		return 1;
	}
	walk_init(&w, v, 0, k, &L->at, v->gens[k].begin);
	/* The earlier part alone while the later one runs, then, once it
	 * ends, merged on the freed core. */
	for (gi = 0; gi < k && ret == 0; gi++) {
		if (gi > 0 && later_ending(L, v, gi)) {
			ret = walk_range(v, gi, k, 2, &L->at, w.other_from);
			break;
		}
		w.from = gi;
		w.to = gi + 1;
		ret = merge_all(&w);
	}
	if (ret != 0) /* the listener stopped here: the later part is moot */
		__atomic_store_n(&L->cancel, 1, __ATOMIC_RELAXED);
	/* The bar moves on while the later part ends. */
	while (v->r->o->progress != NULL &&
	       !__atomic_load_n(&L->done, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		trace_progress(v->r, w.other_from + other_done(&w), v->len);
		nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
	v->r->info->split_gen = k;
	if (ret == 0) {
		int joined = later_join(v, L);

		if (joined == 1) {
			ret = -1; /* the listener asked to stop */
		} else if (joined < 0) {
			/* What the later part found does not fit: replay it
			 * here, on both cores. */
			v->r->info->split_redone = 1;
			ret = walk_range(v, k, v->ngens, 2, NULL, 0);
		}
	}
	later_release(L);
	free(L);
	gtab_release(&w.slot[0]);
	gtab_release(&w.slot[1]);
	v->t = NULL;
	return ret;
}

/*
 * Walk generations [from, to): merged on a second thread when threads
 * allows and a thread can be had, replayed in order on this one (other_at
 * and other_from: as in struct walk, for the progress). Returns -1 when
 * the listener asked to stop.
 */
static int
walk_range(struct v2 *v, size_t from, size_t to, unsigned threads,
	   const size_t *other_at, size_t other_from)
{
	struct walk w;

	walk_init(&w, v, from, to, other_at, other_from);
	if (threads > 1) {
		pthread_t th;

		w.threaded = 1;
		w.ring = xreallocarray(NULL, RING_SIZE, sizeof(*w.ring));
		pthread_mutex_init(&w.mu, NULL);
		pthread_cond_init(&w.cond, NULL);
		if (pthread_create(&th, NULL, merger_start, &w) == 0) {
			replayer(&w);
			pthread_join(th, NULL);
		} else {
			w.threaded = 0; /* no thread to be had: alone */
		}
		pthread_cond_destroy(&w.cond);
		pthread_mutex_destroy(&w.mu);
		free(w.ring);
	}
	if (!w.threaded)
		w.ret = merge_all(&w);
	gtab_release(&w.slot[0]);
	gtab_release(&w.slot[1]);
	v->t = NULL;
	return w.ret;
}

/*
 * Read every generation, on o->threads threads (0: as many as there are
 * cores). Returns -1 when the listener asked to stop.
 */
static int
walk_all(struct v2 *v)
{
	unsigned n = v->r->o->threads;
	size_t k;

	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	k = split_point(v, n);
	if (k > 0) {
		int ret = walk_split(v, k);

		if (ret != 1)
			return ret;
	}
	return walk_range(v, 0, v->ngens, n, NULL, 0);
}

/*
 * Before the events: learn every status stack of a parked goroutine (they
 * sit in the batches no thread wrote, at the end of each generation) and
 * the goroutines they show to be runtime ones; and find when the last
 * event happened, the end of the trace (*last_ns).
 */
static void
learn(struct v2 *v, int64_t *last_ns)
{
	struct trace_run *r = v->r;
	struct gtab t;
	size_t gi, i;
	uint64_t last = 0;

	gtab_init(&t);
	for (gi = 0; gi < v->ngens; gi++) {
		load_generation(v, &t, &v->gens[gi]);
		use_generation(v, &t);
		for (i = 0; i < t.ncur; i++) {
			struct cursor c = t.cur[i];
			int nothread = v->ms[c.m].id == NO_ID;

			/* The last generation: each thread's last batch. */
			if (!nothread && gi + 1 == v->ngens)
				c.bi = c.bend - 1;
			else if (!nothread)
				continue;
			while (next_event(v, &t, &c, NULL)) {
				struct trace_stack *s = NULL;

				if (c.ev.time > last && gi + 1 == v->ngens)
					last = c.ev.time;
				if (c.ev.type != EV_GO_STATUS_STACK ||
				    status_state(c.ev.args[2]) != TL_WAITING)
					continue;
				s = gstack(v, c.ev.args[3]);
				if (s && s->runtime)
					u64map_put(&r->system_ids, c.ev.args[0],
						   0);
				trace_learn(r, s);
			}
		}
		if (gi + 1 == v->ngens && t.cpu_max > last)
			last = t.cpu_max;
		drop(v, v->gens[gi].begin, v->gens[gi].end);
	}
	gtab_release(&t);
	v->t = NULL;
	v->ns_per_tick = 1.0 / ((double)v->gens[v->ngens - 1].freq / 1e9);
	*last_ns = ns_of(v, last);
}

static void
v2_release(struct v2 *v)
{
	free(v->gens);
	free(v->ms);
	free(v->stackmemo);
	u64map_release(&v->mindex);
	u64map_release(&v->mextra);
}

/*
 * The warning of the last snapshot: damage, skipped batches, events out
 * of place. When the last point comes before the end (show --at), the
 * snapshot is made with what is known by then (damage: found by the first
 * pass, so told there too).
 */
static void
compose_warning(struct v2 *v)
{
	struct trace_run *r = v->r;
	char *w = r->tl.warning;
	size_t n = sizeof(r->tl.warning), o = 0;

	if (v->damaged_at) {
		o += (size_t)snprintf(w + o, n - o,
				      "offset 0x%zx: %s; read the %zu complete "
				      "generation%s before it",
				      v->damaged_at, v->damage, v->ngens,
				      v->ngens == 1 ? "" : "s");
	}
	if (v->counts.skipped_batches && o < n)
		o += (size_t)snprintf(
			w + o, n - o,
			"%soffset 0x%zx: %s (%" PRIu64 " batch%s in all)",
			o ? "; " : "", v->counts.skipped_at, v->counts.skip_why,
			v->counts.skipped_batches,
			v->counts.skipped_batches == 1 ? "" : "es");
	trace_end_warning(r, o);
}

int
tracev2_read(struct trace_run *r, const unsigned char *buf, size_t len,
	     struct error *err)
{
	struct v2 v;
	int ret = -1;
	const struct gen *first = NULL;
	int64_t duration;
	unsigned k;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.buf = buf;
	v.len = len;
	v.version = r->info->version;
	for (k = 0; k < 256; k++)
		if (timed[k].since <= v.version)
			v.nargs[k] = timed[k].nargs;
	v.err = err;
	u64map_init(&v.mindex);
	u64map_init(&v.mextra);
	index_generations(&v);
	v.mfrozen = 1;
	v.nbatchms = v.nms;
	if (v.ngens == 0) {
		if (v.damaged_at)
			error_set_offset(err, v.damaged_at,
					 "%s; no complete generation before it",
					 v.damage);
		else
			error_set_offset(err, len,
					 "execution trace without events");
		goto out;
	}
	first = &v.gens[0];
	r->info->first_gen = first->gen;
	r->info->generations = v.ngens;
	r->info->damaged_at = v.damaged_at;
	v.ns_per_tick = 1.0 / ((double)first->freq / 1e9);
	v.start_ns = trace_ticks_ns((double)first->min_time, v.ns_per_tick);
	learn(&v, &duration);
	v.ns_per_tick = 1.0 / ((double)first->freq / 1e9);
	if (duration < 0)
		duration = 0;
	r->info->duration_ns = duration;
	if (first->has_clock) {
		int64_t at =
			(int64_t)((double)first->clock_time * v.ns_per_tick) -
			v.start_ns;

		r->tl.wall_start_ns =
			(int64_t)(first->clock_sec * 1000000000ULL +
				  first->clock_nsec) -
			at;
	}
	if (trace_set_points(r, duration, err) < 0)
		goto out;
	compose_warning(&v);
	if (walk_all(&v) == 0) {
		compose_warning(&v);
		timeline_finish(&r->tl, duration);
	}
	ret = 0;
out:
	v2_release(&v);
	return ret;
}
