/* The old execution trace format (Go 1.5-1.21): index, then merge per P. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/trace.h"
#include "formats/tracev1.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define HEADER_LEN 16
#define MAX_ARGS   16	      /* values kept of one event */
#define MAX_STRING (1u << 20) /* longest string accepted */
#define NO_P	   UINT64_MAX

/* Event types (spec section 7.4). */
enum {
	EV_BATCH = 1,
	EV_FREQUENCY = 2,
	EV_STACK = 3,
	EV_GOMAXPROCS = 4,
	EV_GO_CREATE = 13,
	EV_GO_START = 14,
	EV_GO_END = 15,
	EV_GO_STOP = 16,
	EV_GO_SCHED = 17,
	EV_GO_PREEMPT = 18,
	EV_GO_SLEEP = 19,
	EV_GO_BLOCK = 20,
	EV_GO_UNBLOCK = 21,
	EV_GO_BLOCK_SEND = 22,
	EV_GO_BLOCK_RECV = 23,
	EV_GO_BLOCK_SELECT = 24,
	EV_GO_BLOCK_SYNC = 25,
	EV_GO_BLOCK_COND = 26,
	EV_GO_BLOCK_NET = 27,
	EV_GO_SYSCALL = 28,
	EV_GO_SYS_EXIT = 29,
	EV_GO_SYS_BLOCK = 30,
	EV_GO_WAITING = 31,
	EV_GO_IN_SYSCALL = 32,
	EV_TIMER_GOROUTINE = 35,
	EV_STRING = 37,
	EV_GO_START_LOCAL = 38,
	EV_GO_UNBLOCK_LOCAL = 39,
	EV_GO_SYS_EXIT_LOCAL = 40,
	EV_GO_START_LABEL = 41,
	EV_GO_BLOCK_GC = 42,
	EV_USER_LOG = 48,
	EV_CPU_SAMPLE = 49,
	EV_COUNT = 50,
};

/* Which events end with a stack id, and the reason of each block event
 * as the new format words it (trace.go's conversion, spec 7.7). */
static const struct {
	unsigned char stack;
	const char *block;
} kinds[EV_COUNT] = {
	[EV_GOMAXPROCS] = { 1, NULL },
	[7] = { 1, NULL },  /* GCStart */
	[11] = { 1, NULL }, /* GCSweepStart */
	[EV_GO_CREATE] = { 1, NULL },
	[EV_GO_STOP] = { 1, "forever" },
	[EV_GO_SCHED] = { 1, NULL },
	[EV_GO_PREEMPT] = { 1, NULL },
	[EV_GO_SLEEP] = { 1, "sleep" },
	[EV_GO_BLOCK] = { 1, "" },
	[EV_GO_UNBLOCK] = { 1, NULL },
	[EV_GO_BLOCK_SEND] = { 1, "chan send" },
	[EV_GO_BLOCK_RECV] = { 1, "chan receive" },
	[EV_GO_BLOCK_SELECT] = { 1, "select" },
	[EV_GO_BLOCK_SYNC] = { 1, "sync" },
	[EV_GO_BLOCK_COND] = { 1, "sync.(*Cond).Wait" },
	[EV_GO_BLOCK_NET] = { 1, "network" },
	[EV_GO_SYSCALL] = { 1, NULL },
	[EV_GO_UNBLOCK_LOCAL] = { 1, NULL },
	[EV_GO_BLOCK_GC] = { 1, "GC mark assist wait for work" },
	[43] = { 1, NULL }, /* GCMarkAssistStart */
	[45] = { 1, NULL }, /* UserTaskCreate */
	[46] = { 1, NULL }, /* UserTaskEnd */
	[47] = { 1, NULL }, /* UserRegion */
	[EV_USER_LOG] = { 1, NULL },
	[49] = { 1, NULL }, /* CPUSample */
};

/* A raw event: its values, as written. */
struct raw {
	unsigned char type;
	unsigned nvals;
	uint64_t vals[MAX_ARGS];
	size_t at, next;
	size_t str, strlen; /* EvUserLog's trailing string */
};

/* A batch: the events after an EvBatch, up to the next one. */
struct batch {
	size_t begin, end;
	uint64_t p, ticks, seq; /* seq: Go 1.5's global sequence */
	uint32_t pi;		/* index into ps */
};

struct entry {
	size_t off;
	uint32_t len; /* bytes of a string; frames of a stack */
	uint32_t gid; /* interned string + 1 */
};

/* A P's stream: its batches in file order, the goroutine running on it. */
struct pstate {
	uint64_t p;
	uint64_t curg;
	seqid syscall_stack; /* of the last EvGoSysCall */
};

struct cursor {
	uint32_t pi;
	size_t bi, bend; /* its batches in order[] */
	size_t pos, end;
	uint64_t ticks, seq; /* of the previous event */
	struct raw ev;
	uint64_t key, evseq; /* merge key (ticks, or 1.5's seq) */
	int done;
};

struct v1 {
	struct trace_run *r;
	const unsigned char *buf;
	size_t len;
	unsigned ver; /* 1005 .. 1021 */
	struct batch *batches, *order;
	size_t nbatches, batchcap;
	struct pstate *ps;
	size_t nps, pscap;
	struct u64map pindex;
	struct entry *strs, *stacks;
	size_t nstrs, strcap, nstacks, stackcap;
	struct u64map strindex, stackindex;
	struct trace_stack *stackmemo;
	uint64_t freq;
	uint64_t min_ticks, max_ticks;
	double ns_per_tick;
	size_t damaged_at;
	char damage[160];
	struct cursor *cur;
	size_t ncur;
	struct cursor **heap;
	size_t nheap;
	int in_snapshot;	 /* before the first Gomaxprocs: trace start */
	int has_gomaxprocs;	 /* the trace has one, ending that snapshot */
	uint64_t missing_stacks; /* references to stacks not in the table */
	strid reasons[EV_COUNT]; /* interned block reasons + 1 */
	struct u64map seqs;	 /* goroutine -> v1 sequence number */
};

/* --- decoding ------------------------------------------------------------ */

/* Decode the event at pos; -1 with *why when it is malformed. */
static int
decode(const struct v1 *v, size_t pos, struct raw *e, const char **why)
{
	const unsigned char *b = v->buf;
	size_t p = pos + 1, end = v->len;
	unsigned n, k;

	memset(e, 0, offsetof(struct raw, vals));
	e->at = pos;
	e->type = b[pos] & 0x3f;
	n = b[pos] >> 6;
	if (e->type == 0 || e->type >= EV_COUNT) {
		*why = "event of unknown type";
		return -1;
	}
	if (e->type == EV_STRING) {
		uint64_t id = 0, len = 0;

		if (trace_uvarint(b, end, &p, &id) < 0 ||
		    trace_uvarint(b, end, &p, &len) < 0 || len > end - p) {
			*why = "string cut short";
			return -1;
		}
		if (len > MAX_STRING) {
			*why = "string longer than 1 MiB";
			return -1;
		}
		e->vals[0] = id;
		e->vals[1] = p;
		e->vals[2] = len;
		e->nvals = 3;
		e->next = p + len;
		return 0;
	}
	if (n < 3) {
		unsigned count = n + (v->ver < 1007 ? 2 : 1);
		int bad = 0;

		if (end - p >= 10 * 4) {
			/* Far from the end: no bound to check. */
			for (k = 0; k < count; k++)
				p = trace_uvarint10(b, p, &e->vals[k], &bad);
		} else {
			for (k = 0; k < count && !bad; k++)
				if (trace_uvarint(b, end, &p, &e->vals[k]) < 0)
					bad = 1;
		}
		if (bad) {
			*why = "event cut short";
			return -1;
		}
		e->nvals = count;
	} else {
		uint64_t l = 0;
		size_t q;

		if (trace_uvarint(b, end, &p, &l) < 0 || l > end - p) {
			*why = "event cut short";
			return -1;
		}
		q = p + l;
		for (k = 0; p < q; k++) {
			uint64_t x = 0;
			int bad = 0;

			if (q - p >= 10)
				p = trace_uvarint10(b, p, &x, &bad);
			else if (trace_uvarint(b, q, &p, &x) < 0)
				bad = 1;
			if (bad) {
				*why = "malformed event arguments";
				return -1;
			}
			if (k < MAX_ARGS)
				e->vals[k] = x;
		}
		e->nvals = k < MAX_ARGS ? k : MAX_ARGS;
		if (e->type == EV_STACK)
			e->vals[MAX_ARGS - 1] = q; /* where its frames end */
	}
	if (e->type == EV_USER_LOG) {
		uint64_t l = 0;

		if (trace_uvarint(b, end, &p, &l) < 0 || l > end - p) {
			*why = "user log cut short";
			return -1;
		}
		e->str = p;
		e->strlen = l;
		p += l;
	}
	e->next = p;
	return 0;
}

/* Whether an event has a timestamp (and, in 1.5, a sequence number). */
static int
timed(unsigned type)
{
	return type != EV_BATCH && type != EV_FREQUENCY && type != EV_STACK &&
	       type != EV_STRING && type != EV_TIMER_GOROUTINE;
}

/* The first argument after the timestamp (and 1.5's sequence). */
static unsigned
first_arg(const struct v1 *v)
{
	return v->ver < 1007 ? 2 : 1;
}

static uint64_t arg(const struct v1 *v, const struct raw *e, unsigned i);

/* --- first pass ---------------------------------------------------------- */

static uint32_t
p_index(struct v1 *v, uint64_t p)
{
	uint32_t i = u64map_get(&v->pindex, p);

	if (i != U64MAP_NONE)
		return i;
	v->ps = xgrow(v->ps, sizeof(*v->ps), v->nps + 1, &v->pscap);
	memset(&v->ps[v->nps], 0, sizeof(v->ps[0]));
	v->ps[v->nps].p = p;
	v->ps[v->nps].curg = TL_NO_GOROUTINE;
	u64map_put(&v->pindex, p, (uint32_t)v->nps);
	return (uint32_t)v->nps++;
}

static void
add_entry(struct entry **arr, size_t *n, size_t *cap, struct u64map *index,
	  uint64_t id, size_t off, uint32_t len)
{
	if (u64map_get(index, id) != U64MAP_NONE)
		return; /* a duplicate: the first wins */
	*arr = xgrow(*arr, sizeof(**arr), *n + 1, cap);
	(*arr)[*n].off = off;
	(*arr)[*n].len = len;
	(*arr)[*n].gid = 0;
	u64map_put(index, id, (uint32_t)(*n)++);
}

/* Index the file: batches, strings, stacks, frequency, time range. */
static void
index_events(struct v1 *v)
{
	size_t pos = HEADER_LEN;
	struct raw e;
	const char *why = NULL;
	struct batch *cur = NULL;
	uint64_t ticks = 0;

	v->min_ticks = UINT64_MAX;
	while (pos < v->len) {
		if (decode(v, pos, &e, &why) < 0) {
			v->damaged_at = pos;
			snprintf(v->damage, sizeof(v->damage), "%s (type %u)",
				 why, e.type);
			break;
		}
		trace_progress(v->r, pos / 4, v->len);
		switch (e.type) {
		case EV_BATCH: {
			unsigned ti = v->ver < 1007 ? 2 : 1;

			if (cur)
				cur->end = pos;
			v->batches = xgrow(v->batches, sizeof(*v->batches),
					   v->nbatches + 1, &v->batchcap);
			cur = &v->batches[v->nbatches++];
			cur->begin = e.next;
			cur->end = v->len;
			cur->p = e.vals[0];
			cur->ticks = e.nvals > ti ? e.vals[ti] : 0;
			cur->seq = v->ver < 1007 ? e.vals[1] : 0;
			cur->pi = p_index(v, cur->p);
			ticks = cur->ticks;
			break;
		}
		case EV_FREQUENCY:
			v->freq = e.vals[0];
			break;
		case EV_STRING:
			add_entry(&v->strs, &v->nstrs, &v->strcap, &v->strindex,
				  e.vals[0], (size_t)e.vals[1],
				  (uint32_t)e.vals[2]);
			break;
		case EV_STACK: {
			/* id, nframes, then the frames up to its end. */
			size_t p = e.at + 1, q = 0;
			uint64_t l = 0, id = 0, nf = 0;

			trace_uvarint(v->buf, v->len, &p, &l);
			q = p + l;
			trace_uvarint(v->buf, q, &p, &id);
			trace_uvarint(v->buf, q, &p, &nf);
			if (nf <= TRACE_MAX_FRAMES * 8)
				add_entry(&v->stacks, &v->nstacks, &v->stackcap,
					  &v->stackindex, id, p, (uint32_t)nf);
			break;
		}
		default:
			if (e.type == EV_GOMAXPROCS)
				v->has_gomaxprocs = 1;
			if (timed(e.type) && cur != NULL) {
				unsigned ti = v->ver < 1007 ? 1 : 0;

				ticks += e.vals[ti];
				if (ticks < v->min_ticks)
					v->min_ticks = ticks;
				if (ticks > v->max_ticks)
					v->max_ticks = ticks;
				/* A CPU sample carries its own time. */
				if (e.type == EV_CPU_SAMPLE &&
				    arg(v, &e, 0) > v->max_ticks)
					v->max_ticks = arg(v, &e, 0);
			}
			break;
		}
		pos = e.next;
	}
	if (cur && v->damaged_at)
		cur->end = v->damaged_at;
}

/* --- tables -------------------------------------------------------------- */

static const unsigned char *
string_bytes(struct v1 *v, uint64_t id, size_t *n)
{
	uint32_t i = id ? u64map_get(&v->strindex, id) : U64MAP_NONE;

	if (i == U64MAP_NONE) {
		*n = 0;
		return (const unsigned char *)"";
	}
	*n = v->strs[i].len;
	return v->buf + v->strs[i].off;
}

static struct trace_stack *
stack(struct v1 *v, uint64_t id)
{
	struct trace_run *r = v->r;
	uint32_t i, k, n;
	struct trace_stack *s = NULL;
	size_t p;

	if (id == 0)
		return NULL;
	i = u64map_get(&v->stackindex, id);
	if (i == U64MAP_NONE) {
		/* A trace cut short loses (part of) its stack table. */
		v->missing_stacks++;
		return NULL;
	}
	s = &v->stackmemo[i];
	if (s->filled)
		return s;
	n = v->stacks[i].len;
	r->frames = xgrow(r->frames, sizeof(*r->frames), n + 1, &r->framecap);
	p = v->stacks[i].off;
	for (k = 0; k < n; k++) {
		uint64_t pc = 0, fn = 0, file = 0, line = 0;
		const unsigned char *fb = NULL, *lb = NULL;
		size_t fl = 0, ll = 0;
		char hex[24];

		if (trace_uvarint(v->buf, v->len, &p, &pc) < 0)
			break;
		if (v->ver < 1007) {
			/* Go 1.5 wrote PCs only: name frames by them. */
			fl = (size_t)snprintf(hex, sizeof(hex), "0x%" PRIx64,
					      pc);
			r->frames[k] = intern_frame(r->in, hex, fl, "", 0, 0);
			continue;
		}
		if (trace_uvarint(v->buf, v->len, &p, &fn) < 0 ||
		    trace_uvarint(v->buf, v->len, &p, &file) < 0 ||
		    trace_uvarint(v->buf, v->len, &p, &line) < 0)
			break;
		fb = string_bytes(v, fn, &fl);
		lb = string_bytes(v, file, &ll);
		r->frames[k] = intern_frame(
			r->in, (const char *)fb, fl, (const char *)lb, ll,
			line > UINT32_MAX ? UINT32_MAX : (uint32_t)line);
	}
	trace_intern_stack(r, k, s);
	return s;
}

/* --- the merge ----------------------------------------------------------- */

static int64_t
ns_of(const struct v1 *v, uint64_t ticks)
{
	if (ticks < v->min_ticks)
		return 0;
	return trace_ticks_ns((double)(ticks - v->min_ticks), v->ns_per_tick);
}

/*
 * When an event happened, for the timeline. The events that list the
 * goroutines alive when tracing began were written one by one while the
 * world was stopped: they are one moment, the start, so that a snapshot
 * at 0 holds all of them (as a new-format trace's first statuses do).
 */
static int64_t
event_ns(const struct v1 *v, uint64_t ticks)
{
	return v->in_snapshot && v->has_gomaxprocs ? 0 : ns_of(v, ticks);
}

/* The next timed event of c into c->ev; 0 when its batches are done. */
static int
next_event(struct v1 *v, struct cursor *c)
{
	const char *why = NULL;

	for (;;) {
		if (c->pos >= c->end) {
			const struct batch *b = NULL;

			if (c->bi >= c->bend)
				return 0;
			b = &v->order[c->bi++];
			c->pos = b->begin;
			c->end = b->end;
			c->ticks = b->ticks;
			c->seq = b->seq;
			continue;
		}
		if (decode(v, c->pos, &c->ev, &why) < 0) {
			c->pos = c->end; /* the first pass stopped here */
			continue;
		}
		c->pos = c->ev.next;
		if (!timed(c->ev.type))
			continue;
		if (v->ver < 1007) {
			c->seq += c->ev.vals[0];
			c->ticks += c->ev.vals[1];
			c->key = c->seq;
		} else {
			c->ticks += c->ev.vals[0];
			c->key = c->ticks;
		}
		c->evseq = c->ticks;
		v->r->info->events++;
		return 1;
	}
}

static uint64_t
arg(const struct v1 *v, const struct raw *e, unsigned i)
{
	unsigned k = first_arg(v) + i;

	return k < e->nvals ? e->vals[k] : 0;
}

/* The stack id an event ends with, or 0. */
static uint64_t
stack_arg(const struct raw *e)
{
	return kinds[e->type].stack && e->nvals > 0 ? e->vals[e->nvals - 1] : 0;
}

static uint64_t
gseq(struct v1 *v, uint64_t g)
{
	uint32_t s = u64map_get(&v->seqs, g);

	return s == U64MAP_NONE ? 0 : s;
}

static void
set_gseq(struct v1 *v, uint64_t g, uint64_t s)
{
	u64map_put(&v->seqs, g,
		   s >= U64MAP_NONE ? U64MAP_NONE - 1 : (uint32_t)s);
}

/* Whether an event can come next: the sequence rules of the old
 * parser's merge (tracev1 order.go), on the goroutine's tracked state. */
static int
ready(struct v1 *v, const struct raw *e)
{
	const struct tl_goroutine *g = NULL;
	uint64_t id;

	switch (e->type) {
	case EV_GO_CREATE:
		return timeline_find(&v->r->tl, arg(v, e, 0)) == NULL;
	case EV_GO_START:
	case EV_GO_START_LABEL:
		if (v->ver < 1007)
			return 1;
		id = arg(v, e, 0);
		g = timeline_find(&v->r->tl, id);
		return g && g->st == TL_RUNNABLE && gseq(v, id) == arg(v, e, 1);
	case EV_GO_START_LOCAL:
		g = timeline_find(&v->r->tl, arg(v, e, 0));
		return g && g->st == TL_RUNNABLE;
	case EV_GO_UNBLOCK:
	case EV_GO_SYS_EXIT:
		if (v->ver < 1007)
			return 1;
		id = arg(v, e, 0);
		g = timeline_find(&v->r->tl, id);
		return g && (g->st == TL_WAITING || g->st == TL_SYSCALL) &&
		       gseq(v, id) == arg(v, e, 1);
	case EV_GO_UNBLOCK_LOCAL:
	case EV_GO_SYS_EXIT_LOCAL:
		g = timeline_find(&v->r->tl, arg(v, e, 0));
		return g && (g->st == TL_WAITING || g->st == TL_SYSCALL);
	default:
		return 1;
	}
}

static struct tl_goroutine *
current(struct v1 *v, struct pstate *ps, const struct raw *e)
{
	/* Old traces say 0 for no goroutine too. */
	return trace_running(v->r, ps->curg == 0 ? TL_NO_GOROUTINE : ps->curg,
			     e->type, e->at);
}

static struct tl_goroutine *
named(struct v1 *v, uint64_t id, const struct raw *e)
{
	return trace_named(v->r, id, e->type, e->at);
}

static void
do_create(struct v1 *v, struct pstate *ps, int64_t now, const struct raw *e)
{
	struct trace_run *r = v->r;
	uint64_t id = arg(v, e, 0);
	struct trace_stack *start = NULL, *by = NULL;
	struct tl_goroutine *g = NULL;

	if (v->ver >= 1007)
		start = stack(v, arg(v, e, 1));
	by = stack(v, stack_arg(e));
	if (v->in_snapshot) {
		/* The goroutines that exist when tracing starts are written
		 * as created by whoever started the trace: not so. */
		g = timeline_create(&r->tl, now, id, TL_NO_GOROUTINE, 0, 0,
				    start ? start->first : 0, TL_RUNNABLE);
		g->flags &= ~(uint32_t)TLG_CREATED;
	} else {
		g = timeline_create(&r->tl, now, id, ps->curg,
				    by ? by->norm : 0, by ? by->first : 0,
				    start ? start->first : 0, TL_RUNNABLE);
	}
	trace_mark_system(r, g, start);
	set_gseq(v, id, 1);
}

static void
do_block(struct v1 *v, struct pstate *ps, int64_t now, const struct raw *e)
{
	struct trace_run *r = v->r;
	struct tl_goroutine *g = current(v, ps, e);
	struct trace_stack *s = stack(v, stack_arg(e));
	strid reason = 0;

	/* Interned once per kind: this runs on every block event. */
	if (v->reasons[e->type] == 0)
		v->reasons[e->type] = strtab_intern_cstr(&r->in->strings,
							 kinds[e->type].block) +
				      1;
	reason = v->reasons[e->type] - 1;
	ps->curg = TL_NO_GOROUTINE;
	if (g == NULL)
		return;
	trace_mark_system(r, g, s);
	timeline_block(&r->tl, now, g, reason, trace_wait_state(r, reason, s),
		       s ? s->norm : 0);
}

static void
process(struct v1 *v, uint32_t pi, const struct raw *e, int64_t now)
{
	struct trace_run *r = v->r;
	struct timeline *tl = &r->tl;
	struct pstate *ps = &v->ps[pi];
	struct tl_goroutine *g = NULL;
	struct trace_stack *s = NULL;
	uint64_t id;

	switch (e->type) {
	case EV_GOMAXPROCS:
		v->in_snapshot = 0;
		break;
	case EV_GO_CREATE:
		do_create(v, ps, now, e);
		break;
	case EV_GO_WAITING:
	case EV_GO_IN_SYSCALL:
		g = named(v, arg(v, e, 0), e);
		if (g)
			timeline_initial(tl, g,
					 e->type == EV_GO_WAITING ? TL_WAITING
								  : TL_SYSCALL,
					 0);
		set_gseq(v, arg(v, e, 0), 2);
		break;
	case EV_GO_START:
	case EV_GO_START_LABEL:
	case EV_GO_START_LOCAL:
		id = arg(v, e, 0);
		g = named(v, id, e);
		if (g)
			timeline_start(tl, now, g);
		set_gseq(v, id,
			 e->type == EV_GO_START_LOCAL || v->ver < 1007
				 ? gseq(v, id) + 1
				 : arg(v, e, 1) + 1);
		ps->curg = id;
		break;
	case EV_GO_END:
		g = current(v, ps, e);
		if (g)
			timeline_end(tl, now, g);
		ps->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_SCHED:
	case EV_GO_PREEMPT:
		g = current(v, ps, e);
		s = stack(v, stack_arg(e));
		if (g)
			timeline_stop(tl, now, g, s ? s->norm : 0);
		ps->curg = TL_NO_GOROUTINE;
		break;
	case EV_GO_STOP:
	case EV_GO_SLEEP:
	case EV_GO_BLOCK:
	case EV_GO_BLOCK_SEND:
	case EV_GO_BLOCK_RECV:
	case EV_GO_BLOCK_SELECT:
	case EV_GO_BLOCK_SYNC:
	case EV_GO_BLOCK_COND:
	case EV_GO_BLOCK_NET:
	case EV_GO_BLOCK_GC:
		do_block(v, ps, now, e);
		break;
	case EV_GO_UNBLOCK:
	case EV_GO_UNBLOCK_LOCAL:
	case EV_GO_SYS_EXIT:
	case EV_GO_SYS_EXIT_LOCAL:
		id = arg(v, e, 0);
		g = named(v, id, e);
		if (g && g->st == TL_SYSCALL)
			timeline_syscall_end(tl, now, g, 1);
		else if (g)
			timeline_unblock(tl, now, g);
		set_gseq(v, id,
			 (e->type == EV_GO_UNBLOCK ||
			  e->type == EV_GO_SYS_EXIT) &&
					 v->ver >= 1007
				 ? arg(v, e, 1) + 1
				 : gseq(v, id) + 1);
		break;
	case EV_GO_SYSCALL:
		s = stack(v, stack_arg(e));
		ps->syscall_stack = s ? s->norm : 0;
		break;
	case EV_GO_SYS_BLOCK:
		g = current(v, ps, e);
		if (g)
			timeline_syscall(tl, now, g, ps->syscall_stack);
		ps->curg = TL_NO_GOROUTINE;
		break;
	case EV_USER_LOG:
		if (tl->listen.log) {
			size_t kl = 0;
			const unsigned char *k =
				string_bytes(v, arg(v, e, 1), &kl);

			tl->listen.log(
				tl->listen.ctx, now, ps->curg, (const char *)k,
				kl, (const char *)v->buf + e->str, e->strlen);
		}
		break;
	default:
		break;
	}
}

static int
cur_less(const struct cursor *a, const struct cursor *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->pi < b->pi;
}

static void
heap_fix(struct v1 *v, size_t i)
{
	struct cursor **h = v->heap;

	while (i > 0 && cur_less(h[i], h[(i - 1) / 2])) {
		struct cursor *t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
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

/*
 * The position in the heap of the cursor to advance: the earliest ready
 * event, heap[least] being the earliest of all. When none is ready the
 * trace is damaged: the earliest goes anyway.
 */
static size_t
pick_from(struct v1 *v, size_t least)
{
	size_t i, best = SIZE_MAX;

	if (ready(v, &v->heap[least]->ev))
		return least;
	for (i = 0; i < v->nheap; i++)
		if (i != least && ready(v, &v->heap[i]->ev) &&
		    (best == SIZE_MAX || cur_less(v->heap[i], v->heap[best])))
			best = i;
	if (best != SIZE_MAX)
		return best;
	timeline_anomaly(&v->r->tl,
			 "no event can come next at offset 0x%zx (events "
			 "out of order)",
			 v->heap[least]->ev.at);
	return least;
}

/* Up to this many Ps, the merge scans their next events instead of
 * keeping a heap: an old trace mostly has a few. */
#define V1_SCAN_MAX 8

static size_t
pick(struct v1 *v, int scan)
{
	size_t i, least = 0;

	if (scan)
		for (i = 1; i < v->nheap; i++)
			if (cur_less(v->heap[i], v->heap[least]))
				least = i;
	return pick_from(v, least);
}

/* Read every event, merged across Ps. Returns -1 when told to stop. */
static int
walk(struct v1 *v)
{
	struct trace_run *r = v->r;
	size_t i, *count = NULL;
	int scan;

	/* Batches by P, keeping file order: a counting sort. */
	count = xcalloc(v->nps + 1, sizeof(*count));
	for (i = 0; i < v->nbatches; i++)
		count[v->batches[i].pi + 1]++;
	for (i = 1; i <= v->nps; i++)
		count[i] += count[i - 1];
	v->order = xreallocarray(NULL, v->nbatches + 1, sizeof(*v->order));
	for (i = 0; i < v->nbatches; i++)
		v->order[count[v->batches[i].pi]++] = v->batches[i];
	free(count);
	v->cur = xcalloc(v->nps + 1, sizeof(*v->cur));
	v->heap = xcalloc(v->nps + 1, sizeof(*v->heap));
	for (i = 0; i < v->nbatches;) {
		size_t j = i;
		struct cursor *c = &v->cur[v->ncur++];

		while (j < v->nbatches && v->order[j].pi == v->order[i].pi)
			j++;
		c->pi = v->order[i].pi;
		c->bi = i;
		c->bend = j;
		i = j;
		if (next_event(v, c)) {
			v->heap[v->nheap++] = c;
			heap_fix(v, v->nheap - 1);
		}
	}
	v->in_snapshot = 1;
	scan = v->ncur <= V1_SCAN_MAX;
	while (v->nheap > 0) {
		size_t k = pick(v, scan);
		struct cursor *c = v->heap[k];
		int64_t now = event_ns(v, c->ticks);

		if (timeline_due(&r->tl, now) &&
		    (timeline_advance(&r->tl, now) < 0 ||
		     timeline_done(&r->tl)))
			return -1; /* asked to stop, or nothing more to tell */
		process(v, c->pi, &c->ev, now);
		if (next_event(v, c)) {
			if (!scan)
				heap_fix(v, k);
		} else {
			v->heap[k] = v->heap[--v->nheap];
			if (k < v->nheap && !scan)
				heap_fix(v, k);
		}
		if ((r->info->events & 0xffff) == 0)
			trace_progress(r, v->len / 4 + c->pos * 3 / 4, v->len);
	}
	return 0;
}

static void
v1_release(struct v1 *v)
{
	free(v->batches);
	free(v->order);
	free(v->ps);
	free(v->strs);
	free(v->stacks);
	free(v->stackmemo);
	free(v->cur);
	free(v->heap);
	u64map_release(&v->pindex);
	u64map_release(&v->strindex);
	u64map_release(&v->stackindex);
	u64map_release(&v->seqs);
}

/*
 * The warning of the last snapshot: damage (found by the first pass, so
 * told even when the last point comes before the end), stacks missing
 * from the table, events out of place.
 */
static void
old_warning(struct v1 *v, size_t len)
{
	struct trace_run *r = v->r;
	char *w = r->tl.warning;
	size_t n = sizeof(r->tl.warning), o = 0;

	w[0] = '\0';
	if (v->damaged_at)
		o += (size_t)snprintf(w, n,
				      "offset 0x%zx: %s; read the "
				      "events before it",
				      v->damaged_at, v->damage);
	else if (v->missing_stacks)
		o += (size_t)snprintf(w, n,
				      "offset 0x%zx: the stack table "
				      "misses %" PRIu64
				      " stacks that events name: the "
				      "trace may be cut short",
				      len, v->missing_stacks);
	trace_end_warning(r, o);
}

int
tracev1_read(struct trace_run *r, const unsigned char *buf, size_t len,
	     struct error *err)
{
	struct v1 v;
	int64_t duration;
	int ret = -1;
	size_t i;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.buf = buf;
	v.len = len;
	v.ver = r->info->version;
	u64map_init(&v.pindex);
	u64map_init(&v.strindex);
	u64map_init(&v.stackindex);
	u64map_init(&v.seqs);
	index_events(&v);
	if (v.freq == 0) {
		if (v.damaged_at)
			error_set_offset(err, v.damaged_at,
					 "%s; an old-format trace keeps its "
					 "frequency and stacks at the end, so "
					 "nothing before it can be used",
					 v.damage);
		else
			error_set_offset(err, len,
					 "old-format trace without a frequency "
					 "(cut short?)");
		goto out;
	}
	if (v.min_ticks == UINT64_MAX) {
		error_set_offset(err, len, "execution trace without events");
		goto out;
	}
	v.ns_per_tick = 1e9 / (double)v.freq;
	v.stackmemo = xcalloc(v.nstacks + 1, sizeof(*v.stackmemo));
	duration = ns_of(&v, v.max_ticks);
	r->info->duration_ns = duration;
	r->info->damaged_at = v.damaged_at;
	if (trace_set_points(r, duration, err) < 0)
		goto out;
	old_warning(&v, len); /* the damage, if the last point comes early */
	if (walk(&v) == 0) {
		old_warning(&v, len);
		timeline_finish(&r->tl, duration);
	}
	(void)i;
	ret = 0;
out:
	v1_release(&v);
	return ret;
}
