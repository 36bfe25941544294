/* The new execution trace format (Go 1.22-1.26), one generation at a time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* An event batch of the generation being read. */
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

struct v2 {
	struct trace_run *r;
	const unsigned char *buf;
	size_t len;
	unsigned version;
	struct error *err;
	/* First pass. */
	struct gen *gens;
	size_t ngens, gencap;
	size_t damaged_at;
	char damage[200];
	/* Threads, over the whole trace. */
	struct thread *ms;
	size_t nms, mscap;
	struct u64map mindex;
	/* The generation being read. */
	const struct gen *g;
	double ns_per_tick;
	int64_t start_ns;  /* of the trace, in this clock */
	int64_t gen_start; /* ns since the start */
	struct ebatch *batches, *order;
	size_t nbatches, batchcap, ordercap;
	struct tabent *strs, *stacks;
	size_t nstrs, strcap, nstacks, stackcap;
	struct u64map strindex, stackindex;
	struct trace_stack *stackmemo;
	size_t stackmemocap;
	struct cursor *cur;
	size_t ncur, curcap;
	struct cursor **heap;
	size_t nheap, heapcap;
	uint64_t cpu_max; /* latest CPU sample of the generation, ticks */
	strid coroutine;  /* interned + 1 */
	uint64_t skipped_batches;
	size_t skipped_at;
	char skip_why[120];
};

/* --- first pass: batches and generations --------------------------------- */

static int
read_header(struct v2 *v, size_t pos, struct bhdr *h, const char **why)
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

static uint32_t
thread_index(struct v2 *v, uint64_t id)
{
	uint32_t i = u64map_get(&v->mindex, id);

	if (i != U64MAP_NONE)
		return i;
	v->ms = xgrow(v->ms, sizeof(*v->ms), v->nms + 1, &v->mscap);
	v->ms[v->nms].id = id;
	v->ms[v->nms].curg = TL_NO_GOROUTINE;
	u64map_put(&v->mindex, id, (uint32_t)v->nms);
	return (uint32_t)v->nms++;
}

static void
add_entries(struct v2 *v, const struct bhdr *h)
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
			if (u64map_get(&v->strindex, id) != U64MAP_NONE)
				continue; /* a duplicate: the first wins */
			v->strs = xgrow(v->strs, sizeof(*v->strs), v->nstrs + 1,
					&v->strcap);
			v->strs[v->nstrs] = e;
			u64map_put(&v->strindex, id, (uint32_t)v->nstrs++);
		} else {
			if (u64map_get(&v->stackindex, id) != U64MAP_NONE)
				continue;
			v->stacks = xgrow(v->stacks, sizeof(*v->stacks),
					  v->nstacks + 1, &v->stackcap);
			v->stacks[v->nstacks] = e;
			u64map_put(&v->stackindex, id, (uint32_t)v->nstacks++);
		}
	}
}

/* CPU samples are events too: the trace lasts until the last one. */
static void
cpu_samples_end(struct v2 *v, const struct bhdr *h)
{
	size_t p = h->off + 1, end = h->off + h->len;
	uint64_t x[5];
	unsigned k;

	while (p < end && v->buf[p] == 7) {
		p++;
		for (k = 0; k < 5; k++)
			if (trace_uvarint(v->buf, end, &p, &x[k]) < 0)
				return;
		if (x[0] > v->cpu_max)
			v->cpu_max = x[0];
	}
}

/* Collect the generation's batches: tables, and event batches per M. */
static void
load_generation(struct v2 *v, const struct gen *g)
{
	size_t pos = g->begin, i, *count = NULL, nc = 0;
	const char *why = NULL;
	struct bhdr h;

	v->nbatches = v->nstrs = v->nstacks = 0;
	v->cpu_max = 0;
	u64map_clear(&v->strindex);
	u64map_clear(&v->stackindex);
	while (pos < g->end) {
		read_header(v, pos, &h, &why); /* checked by the first pass */
		pos = h.end_of_gen ? pos + 1 : h.off + h.len;
		if (h.end_of_gen || h.experimental || h.len == 0)
			continue;
		switch (v->buf[h.off]) {
		case EV_STRINGS:
		case EV_STACKS:
			add_entries(v, &h);
			continue;
		case EV_CPU_SAMPLES:
			cpu_samples_end(v, &h);
			continue;
		case EV_SYNC:
			if (v->version >= 25)
				continue;
			break;
		case EV_FREQUENCY:
			if (v->version < 25)
				continue;
			break;
		}
		v->batches = xgrow(v->batches, sizeof(*v->batches),
				   v->nbatches + 1, &v->batchcap);
		v->batches[v->nbatches].off = h.off;
		v->batches[v->nbatches].len = h.len;
		v->batches[v->nbatches].time = h.time;
		v->batches[v->nbatches].m = thread_index(v, h.m);
		v->nbatches++;
	}
	/* Order the batches by M, keeping file order: a counting sort. */
	count = xcalloc(v->nms + 1, sizeof(*count));
	nc = v->nms + 1;
	for (i = 0; i < v->nbatches; i++)
		count[v->batches[i].m + 1]++;
	for (i = 1; i < nc; i++)
		count[i] += count[i - 1];
	v->order = xgrow(v->order, sizeof(*v->order), v->nbatches + 1,
			 &v->ordercap);
	v->ncur = 0;
	for (i = 0; i < v->nbatches; i++)
		v->order[count[v->batches[i].m]++] = v->batches[i];
	free(count);
	v->stackmemo = xgrow(v->stackmemo, sizeof(*v->stackmemo),
			     v->nstacks + 1, &v->stackmemocap);
	memset(v->stackmemo, 0, (v->nstacks + 1) * sizeof(*v->stackmemo));
}

/* The interned string of a generation's string id (0 for none). */
static strid
gstring(struct v2 *v, uint64_t id)
{
	uint32_t i;
	struct tabent *e = NULL;

	if (id == 0)
		return 0;
	i = u64map_get(&v->strindex, id);
	if (i == U64MAP_NONE) {
		timeline_anomaly(&v->r->tl,
				 "string %" PRIu64 " of generation %" PRIu64
				 " is not in its table",
				 id, v->g->gen);
		return 0;
	}
	e = &v->strs[i];
	if (e->gid == 0)
		e->gid = strtab_intern(&v->r->in->strings, v->buf + e->off,
				       e->len) +
			 1;
	return e->gid - 1;
}

static const unsigned char *
gstring_bytes(struct v2 *v, uint64_t id, size_t *n)
{
	uint32_t i = id ? u64map_get(&v->strindex, id) : U64MAP_NONE;

	if (i == U64MAP_NONE) {
		*n = 0;
		return (const unsigned char *)"";
	}
	*n = v->strs[i].len;
	return v->buf + v->strs[i].off;
}

/* The stack of a generation's stack id, or NULL for none. */
static struct trace_stack *
gstack(struct v2 *v, uint64_t id)
{
	struct trace_run *r = v->r;
	uint32_t i, k;
	struct tabent *e = NULL;
	struct trace_stack *s = NULL;
	size_t p, end;

	if (id == 0)
		return NULL;
	i = u64map_get(&v->stackindex, id);
	if (i == U64MAP_NONE) {
		timeline_anomaly(&r->tl,
				 "stack %" PRIu64 " of generation %" PRIu64
				 " is not in its table",
				 id, v->g->gen);
		return NULL;
	}
	s = &v->stackmemo[i];
	if (s->filled)
		return s;
	e = &v->stacks[i];
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

/* --- events -------------------------------------------------------------- */

static int64_t
ns_of(const struct v2 *v, uint64_t ticks)
{
	/* As Go's reader converts: ticks times ns per tick, in doubles. */
	return trace_ticks_ns((double)ticks, v->ns_per_tick) - v->start_ns;
}

/* Note the first event batch left unread, and why. */
static void
skip_batch(struct v2 *v, struct cursor *c, size_t at, int unknown,
	   unsigned type)
{
	if (v->skipped_batches++ == 0) {
		v->skipped_at = at;
		if (unknown)
			snprintf(v->skip_why, sizeof(v->skip_why),
				 "event of unknown type %u: the rest of its "
				 "batch is skipped",
				 type);
		else
			snprintf(v->skip_why, sizeof(v->skip_why),
				 "event (type %u) cut short: the rest of its "
				 "batch is skipped",
				 type);
	}
	c->pos = c->end;
}

/* Decode c's next event into c->ev; 0 when its batches are done. */
static int
next_event(struct v2 *v, struct cursor *c)
{
	const unsigned char *b = v->buf;

	for (;;) {
		unsigned char t;
		unsigned k, n;
		uint64_t dt = 0;
		size_t p;

		if (c->pos >= c->end) {
			const struct ebatch *eb = NULL;

			if (c->bi >= c->bend)
				return 0;
			eb = &v->order[c->bi++];
			c->pos = eb->off;
			c->end = eb->off + eb->len;
			c->time = eb->time;
			continue;
		}
		p = c->pos;
		t = b[p++];
		n = timed[t].nargs;
		if (n == 0 || timed[t].since > v->version) {
			skip_batch(v, c, c->pos, 1, t);
			v->r->info->skipped_events++;
			continue;
		}
		if (trace_uvarint(b, c->end, &p, &dt) < 0)
			goto bad;
		for (k = 1; k < n; k++)
			if (trace_uvarint(b, c->end, &p, &c->ev.args[k - 1]) <
			    0)
				goto bad;
		c->ev.type = t;
		c->ev.at = c->pos;
		c->time += dt;
		c->ev.time = c->time;
		c->pos = p;
		v->r->info->events++;
		return 1;
	bad:
		skip_batch(v, c, c->pos, 0, t);
	}
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
static struct tl_goroutine *
current(struct v2 *v, uint32_t m, const struct event *e)
{
	return trace_running(v->r, v->ms[m].curg, e->type, e->at);
}

/* The goroutine named by an event, or NULL (counted as an anomaly). */
static struct tl_goroutine *
named(struct v2 *v, uint64_t id, const struct event *e)
{
	return trace_named(v->r, id, e->type, e->at);
}

static int
has_seq(unsigned char type)
{
	return type == EV_GO_START || type == EV_GO_UNBLOCK ||
	       type == EV_GO_SWITCH || type == EV_GO_SWITCH_DESTROY;
}

/* Whether an event can happen now: a goroutine sequence number must be
 * the next of its goroutine in this generation. */
static int
ready(struct v2 *v, const struct event *e)
{
	const struct tl_goroutine *g = NULL;

	if (!has_seq(e->type))
		return 1;
	g = timeline_find(&v->r->tl, e->args[0]);
	return g != NULL && g->seq_gen == v->g->gen && g->seq + 1 == e->args[1];
}

static void
set_seq(struct v2 *v, struct tl_goroutine *g, uint64_t seq)
{
	g->seq = seq;
	g->seq_gen = v->g->gen;
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
	set_seq(v, g, 0);
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
		&r->tl, now, e->args[0], v->ms[m].curg, by ? by->norm : 0,
		by ? by->first : 0, start ? start->first : 0,
		e->type == EV_GO_CREATE_BLOCKED ? TL_WAITING : TL_RUNNABLE);
	trace_mark_system(r, g, start);
	set_seq(v, g, 0);
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
		set_seq(v, g, 0);
		th->curg = e->args[0];
		break;
	case EV_GO_START:
		g = named(v, e->args[0], e);
		if (g) {
			timeline_start(tl, now, g);
			set_seq(v, g, e->args[1]);
		}
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
		if (g) {
			timeline_unblock(tl, now, g);
			set_seq(v, g, e->args[1]);
		}
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
			set_seq(v, h, e->args[1]);
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
cur_less(const struct cursor *a, const struct cursor *b)
{
	if (a->ev.time != b->ev.time)
		return a->ev.time < b->ev.time;
	return a->m < b->m;
}

static void
heap_down(struct v2 *v, size_t i)
{
	struct cursor **h = v->heap;

	for (;;) {
		size_t l = 2 * i + 1, s = i;

		if (l < v->nheap && cur_less(h[l], h[s]))
			s = l;
		if (l + 1 < v->nheap && cur_less(h[l + 1], h[s]))
			s = l + 1;
		if (s == i)
			return;
		{
			struct cursor *t = h[i];

			h[i] = h[s];
			h[s] = t;
		}
		i = s;
	}
}

static void
heap_up(struct v2 *v, size_t i)
{
	struct cursor **h = v->heap;

	while (i > 0 && cur_less(h[i], h[(i - 1) / 2])) {
		struct cursor *t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void
heap_remove(struct v2 *v, size_t i)
{
	v->heap[i] = v->heap[--v->nheap];
	if (i < v->nheap) {
		heap_down(v, i);
		heap_up(v, i);
	}
}

/*
 * The position in the heap of the cursor to advance: the earliest ready
 * event. When none is ready the trace is damaged: the earliest goes anyway.
 */
static size_t
pick(struct v2 *v)
{
	size_t i, best = SIZE_MAX;

	if (ready(v, &v->heap[0]->ev))
		return 0;
	for (i = 1; i < v->nheap; i++)
		if (ready(v, &v->heap[i]->ev) &&
		    (best == SIZE_MAX || cur_less(v->heap[i], v->heap[best])))
			best = i;
	if (best != SIZE_MAX)
		return best;
	timeline_anomaly(&v->r->tl,
			 "no event can come next at offset 0x%zx (goroutine "
			 "%" PRIu64 " out of sequence)",
			 v->heap[0]->ev.at, v->heap[0]->ev.args[0]);
	return 0;
}

static void
make_cursors(struct v2 *v)
{
	size_t i = 0;

	v->ncur = 0;
	while (i < v->nbatches) {
		size_t j = i;
		struct cursor *c = NULL;

		while (j < v->nbatches && v->order[j].m == v->order[i].m)
			j++;
		v->cur =
			xgrow(v->cur, sizeof(*v->cur), v->ncur + 1, &v->curcap);
		c = &v->cur[v->ncur++];
		memset(c, 0, sizeof(*c));
		c->m = v->order[i].m;
		c->bi = i;
		c->bend = j;
		i = j;
	}
}

/* Before the first generation's events: every goroutine it lists by a
 * status existed at the start of the trace, in that state. */
static void
seed_statuses(struct v2 *v)
{
	struct trace_run *r = v->r;
	uint64_t events = r->info->events, skipped = r->info->skipped_events;
	size_t i;

	make_cursors(v);
	for (i = 0; i < v->ncur; i++) {
		struct cursor c = v->cur[i];

		while (next_event(v, &c)) {
			struct trace_stack *s = NULL;
			enum tl_state st;

			if (c.ev.type != EV_GO_STATUS &&
			    c.ev.type != EV_GO_STATUS_STACK)
				continue;
			st = status_state(c.ev.args[2]);
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
	/* Counted again by the walk. */
	r->info->events = events;
	r->info->skipped_events = skipped;
	v->skipped_batches = 0;
}

/* Read the events of the loaded generation in order. */
static int
walk_generation(struct v2 *v)
{
	struct trace_run *r = v->r;
	size_t i;

	make_cursors(v);
	v->nheap = 0;
	v->heap = xgrow(v->heap, sizeof(*v->heap), v->ncur + 1, &v->heapcap);
	for (i = 0; i < v->ncur; i++) {
		if (!next_event(v, &v->cur[i]))
			continue;
		v->heap[v->nheap++] = &v->cur[i];
		heap_up(v, v->nheap - 1);
	}
	while (v->nheap > 0) {
		size_t k = pick(v);
		struct cursor *c = v->heap[k];

		int64_t now = ns_of(v, c->ev.time);

		if (timeline_due(&r->tl, now) &&
		    timeline_advance(&r->tl, now) < 0)
			return -1;
		process(v, c->m, &c->ev, now);
		if (next_event(v, c)) {
			heap_down(v, k);
			heap_up(v, k);
		} else {
			heap_remove(v, k);
		}
		if ((r->info->events & 0xffff) == 0 && c->bi > 0)
			trace_progress(r, v->order[c->bi - 1].off, v->len);
	}
	if (v->cpu_max && ns_of(v, v->cpu_max) > r->tl.last_ns)
		r->tl.last_ns = ns_of(v, v->cpu_max);
	return 0;
}

/* Done with bytes [from, to) for now: memory holds one generation. */
static void
drop(struct v2 *v, size_t from, size_t to)
{
	if (v->r->o->drop)
		v->r->o->drop(v->r->o->drop_ctx, from, to);
}

/* Read every generation. Returns -1 when the listener asked to stop. */
static int
walk_all(struct v2 *v)
{
	size_t gi;
	int ret = 0;

	for (gi = 0; gi < v->ngens && ret == 0; gi++) {
		v->g = &v->gens[gi];
		v->ns_per_tick = 1.0 / ((double)v->g->freq / 1e9);
		v->gen_start = gi == 0 ? 0 : ns_of(v, v->g->min_time);
		load_generation(v, v->g);
		if (gi == 0)
			seed_statuses(v);
		ret = walk_generation(v);
		drop(v, v->g->begin, v->g->end);
	}
	return ret;
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
	size_t gi, i;
	uint64_t last = 0;

	for (gi = 0; gi < v->ngens; gi++) {
		v->g = &v->gens[gi];
		load_generation(v, v->g);
		make_cursors(v);
		for (i = 0; i < v->ncur; i++) {
			struct cursor c = v->cur[i];
			int nothread = v->ms[c.m].id == NO_ID;

			/* The last generation: each thread's last batch. */
			if (!nothread && gi + 1 == v->ngens)
				c.bi = c.bend - 1;
			else if (!nothread)
				continue;
			while (next_event(v, &c)) {
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
		if (gi + 1 == v->ngens && v->cpu_max > last)
			last = v->cpu_max;
		drop(v, v->g->begin, v->g->end);
	}
	v->ns_per_tick = 1.0 / ((double)v->gens[v->ngens - 1].freq / 1e9);
	*last_ns = ns_of(v, last);
	/* Counted again by the walk. */
	r->info->events = r->info->skipped_events = 0;
	v->skipped_batches = 0;
	for (i = 0; i < v->nms; i++)
		v->ms[i].curg = TL_NO_GOROUTINE;
}

static void
v2_release(struct v2 *v)
{
	free(v->gens);
	free(v->ms);
	free(v->batches);
	free(v->order);
	free(v->strs);
	free(v->stacks);
	free(v->stackmemo);
	free(v->cur);
	free(v->heap);
	u64map_release(&v->mindex);
	u64map_release(&v->strindex);
	u64map_release(&v->stackindex);
}

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
	if (v->skipped_batches && o < n)
		o += (size_t)snprintf(w + o, n - o,
				      "%soffset 0x%zx: %s (%" PRIu64
				      " batch%s in all)",
				      o ? "; " : "", v->skipped_at, v->skip_why,
				      v->skipped_batches,
				      v->skipped_batches == 1 ? "" : "es");
	if (r->tl.anomalies && o < n)
		snprintf(w + o, n - o,
			 "%s%" PRIu64 " event%s out of place (%s)",
			 o ? "; " : "", r->tl.anomalies,
			 r->tl.anomalies == 1 ? "" : "s", r->tl.anomaly);
	snprintf(r->info->warning, sizeof(r->info->warning), "%s", w);
}

int
tracev2_read(struct trace_run *r, const unsigned char *buf, size_t len,
	     struct error *err)
{
	struct v2 v;
	int ret = -1;
	const struct gen *first = NULL;
	int64_t duration;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.buf = buf;
	v.len = len;
	v.version = r->info->version;
	v.err = err;
	u64map_init(&v.mindex);
	u64map_init(&v.strindex);
	u64map_init(&v.stackindex);
	index_generations(&v);
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
	if (walk_all(&v) == 0) {
		compose_warning(&v);
		timeline_finish(&r->tl, duration);
	}
	ret = 0;
out:
	v2_release(&v);
	return ret;
}
