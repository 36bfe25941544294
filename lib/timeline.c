/* Goroutine lifecycles and snapshots at sampling points. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/snapshot.h"
#include "lib/timeline.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
timeline_init(struct timeline *t, struct intern *in)
{
	memset(t, 0, sizeof(*t));
	t->in = in;
	t->due_ns = INT64_MAX;
	u64map_init(&t->index);
}

void
timeline_release(struct timeline *t)
{
	free(t->g);
	free(t->free);
	free(t->points);
	free(t->tmp);
	if (t->held != NULL) {
		snapshot_release(t->held);
		free(t->held);
	}
	free(t->unknown);
	u64map_release(&t->index);
	memset(t, 0, sizeof(*t));
}

/* Keep due_ns as timeline_due() reads it. */
static void
set_due(struct timeline *t)
{
	if (t->stopped)
		t->due_ns = INT64_MIN;
	else if (t->next < t->npoints && t->points[t->next] != TL_END)
		t->due_ns = t->points[t->next];
	else
		t->due_ns = INT64_MAX;
}

void
timeline_set_points(struct timeline *t, const int64_t *points, unsigned n)
{
	free(t->points);
	t->points = xreallocarray(NULL, n ? n : 1, sizeof(*t->points));
	if (n)
		memcpy(t->points, points, n * sizeof(*points));
	t->npoints = n;
	t->next = 0;
	set_due(t);
}

void
timeline_anomaly(struct timeline *t, const char *fmt, ...)
{
	va_list ap;

	if (t->anomalies++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->anomaly, sizeof(t->anomaly), fmt, ap);
	va_end(ap);
}

/* A free slot, zeroed (the last one freed, else a new one). */
static uint32_t
take_slot(struct timeline *t)
{
	uint32_t slot;

	if (t->nfree > 0) {
		slot = t->free[--t->nfree];
	} else {
		t->g = xgrow(t->g, sizeof(*t->g), t->n + 1, &t->cap);
		slot = (uint32_t)t->n++;
	}
	memset(&t->g[slot], 0, sizeof(t->g[slot]));
	t->live++;
	return slot;
}

/* Free a slot take_slot() gave. */
static void
give_slot(struct timeline *t, uint32_t slot)
{
	t->g[slot].st = TL_NOTEXIST;
	t->free = xgrow(t->free, sizeof(*t->free), t->nfree + 1, &t->freecap);
	t->free[t->nfree++] = slot;
	t->live--;
}

static struct tl_goroutine *
new_slot(struct timeline *t, uint64_t id)
{
	uint32_t slot = take_slot(t);
	struct tl_goroutine *g = &t->g[slot];

	g->id = id;
	g->parent = TL_NO_GOROUTINE;
	u64map_put(&t->index, id, slot);
	return g;
}

/* a + b for b >= 0, at most INT64_MAX: forged times must not overflow. */
static int64_t
sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* --- recording ----------------------------------------------------------- */

void
tl_record_release(struct tl_record *rec)
{
	free(rec->steps);
	free(rec->ops);
	free(rec->seen);
	free(rec->points);
	free(rec->slots);
	memset(rec, 0, sizeof(*rec));
}

/* What the record keeps of slot (grown, zeroed, as needed). */
static struct tl_slot_record *
slot_record(struct tl_record *rec, size_t slot)
{
	if (slot >= rec->slotcap) {
		size_t cap = rec->slotcap;

		rec->slots =
			xgrow(rec->slots, sizeof(*rec->slots), slot + 1, &cap);
		memset(rec->slots + rec->slotcap, 0,
		       (cap - rec->slotcap) * sizeof(*rec->slots));
		rec->slotcap = cap;
	}
	return &rec->slots[slot];
}

static void
step(struct tl_record *rec, uint64_t id, uint32_t slot, uint32_t what)
{
	struct tl_step *s = NULL;

	rec->steps = xgrow(rec->steps, sizeof(*rec->steps), rec->nsteps + 1,
			   &rec->stepcap);
	s = &rec->steps[rec->nsteps++];
	s->id = id;
	s->slot = slot;
	s->what = what;
}

/* Record an event of pending goroutine g, as its arguments are. */
static void
record_op(struct timeline *t, const struct tl_goroutine *g,
	  const struct tl_op *op)
{
	struct tl_record *rec = t->rec;
	size_t slot = (size_t)(g - t->g);

	rec->ops =
		xgrow(rec->ops, sizeof(*rec->ops), rec->nops + 1, &rec->opcap);
	rec->ops[rec->nops] = *op;
	slot_record(rec, slot)->last = (uint32_t)rec->nops + 1;
	step(rec, g->id, (uint32_t)slot, TLS_OP + (uint32_t)rec->nops++);
}

/* Whether status op would repeat the last recorded event of pending
 * goroutine g, a status the same in all but its time: replayed, it
 * would change nothing (a goroutine parked for good is listed so in
 * every generation). */
static int
repeats(const struct timeline *t, const struct tl_goroutine *g,
	const struct tl_op *op)
{
	const struct tl_record *rec = t->rec;
	size_t slot = (size_t)(g - t->g);
	const struct tl_op *last = NULL;

	if (slot >= rec->slotcap || rec->slots[slot].last == 0)
		return 0;
	last = &rec->ops[rec->slots[slot].last - 1];
	return last->kind == TLO_STATUS && last->st == op->st &&
	       last->stack == op->stack && last->state == op->state;
}

/* Record an event of pending goroutine g: kind, at now, with stack and
 * (a block) reason and state, or (a syscall's end) lost_p. Off the path
 * of every event (cold): only the later part of a trace records. */
static __attribute__((cold)) void
record(struct timeline *t, const struct tl_goroutine *g, unsigned kind,
       int64_t now, seqid stack, strid reason, strid state, int lost_p)
{
	struct tl_op op;

	memset(&op, 0, sizeof(op));
	op.kind = (uint8_t)kind;
	op.now = now;
	op.stack = stack;
	op.reason = reason;
	op.state = state;
	op.lost_p = (uint8_t)(lost_p != 0);
	record_op(t, g, &op);
}

/* After an event of pending goroutine g that moved it (stack: the one it
 * took, or 0): once it has moved and taken a stack, it is settled. */
static __attribute__((cold)) void
settle(struct timeline *t, struct tl_goroutine *g, seqid stack)
{
	struct tl_slot_record *r = NULL;

	g->flags |= TLG_MOVED | (stack != 0 ? TLG_STACKED : 0);
	if ((g->flags & (TLG_MOVED | TLG_STACKED)) != (TLG_MOVED | TLG_STACKED))
		return;
	g->flags &= ~(uint32_t)(TLG_PENDING | TLG_MOVED | TLG_STACKED);
	r = slot_record(t->rec, (size_t)(g - t->g));
	r->settled_blocked = g->blocked_ns;
	r->settled_blocks = g->nblocks;
}

static void
drop(struct timeline *t, struct tl_goroutine *g)
{
	u64map_remove(&t->index, g->id);
	give_slot(t, (uint32_t)(g - t->g));
}

/* Leave the current state at now: a wait that ends is summed and told. */
static void
leave(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	if (g->st == TL_WAITING) {
		int64_t d = now > g->since_ns ? now - g->since_ns : 0;

		g->blocked_ns = sat_add(g->blocked_ns, d);
		if (t->listen.wait_done) {
			struct tl_wait w = {
				.begin_ns = g->since_ns,
				.end_ns = now,
				.reason = g->reason,
				.state = g->state,
				.stack = g->stack,
			};

			t->listen.wait_done(t->listen.ctx, g, &w);
		}
		g->reason = 0;
		g->flags &= ~(uint32_t)TLG_SINCE_START;
	}
}

static void
enter(struct tl_goroutine *g, int64_t now, enum tl_state st, strid state)
{
	g->st = (uint8_t)st;
	g->since_ns = now;
	g->state = state;
}

static strid
state_word(struct timeline *t, enum tl_state st)
{
	static const char *const words[] = {
		[TL_NOTEXIST] = "dead",	  [TL_RUNNABLE] = "runnable",
		[TL_RUNNING] = "running", [TL_SYSCALL] = "syscall",
		[TL_WAITING] = "waiting",
	};

	/* Interned once per timeline: this runs on every event. */
	if (t->words[st] == 0)
		t->words[st] =
			strtab_intern_cstr(&t->in->strings, words[st]) + 1;
	return t->words[st] - 1;
}

static void
end_goroutine(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	if (t->rec != NULL) {
		if (g->flags & TLG_PENDING)
			record(t, g, TLO_END, now, 0, 0, 0, 0);
		else
			step(t->rec, g->id, (uint32_t)(g - t->g), TLS_DROP);
	}
	leave(t, now, g);
	g->flags |= TLG_ENDED;
	g->ended_ns = now;
	if (t->listen.gone)
		t->listen.gone(t->listen.ctx, g, 0);
	drop(t, g);
}

/* The stack of one frame, start, that a goroutine has when created:
 * interned once per start function (most goroutines share a few). */
static seqid
start_stack(struct timeline *t, frameid start)
{
	struct tl_start_memo *m = &t->start_memo[start % TL_START_MEMO];

	if (m->frame != start + 1) {
		m->stack = seqtab_intern(&t->in->stacks, &start, 1);
		m->frame = start + 1;
	}
	return m->stack;
}

struct tl_goroutine *
timeline_create(struct timeline *t, int64_t now, uint64_t id, uint64_t parent,
		seqid creation_stack, frameid creator, frameid start,
		enum tl_state st)
{
	struct tl_goroutine *g = timeline_find(t, id);

	if (g != NULL) {
		/* Ids are reused only by cgo callback threads, after their
		 * goroutine left Go; anything else is a damaged trace. */
		if (!(g->flags & TLG_CGO))
			timeline_anomaly(t,
					 "goroutine %llu created while it "
					 "exists",
					 (unsigned long long)id);
		end_goroutine(t, now, g);
	}
	g = new_slot(t, id);
	if (t->rec != NULL)
		step(t->rec, id, (uint32_t)(g - t->g), TLS_NEW);
	g->flags = TLG_CREATED;
	if (parent != TL_NO_GOROUTINE) {
		g->flags |= TLG_HAS_PARENT;
		g->parent = parent;
	}
	if (st == TL_SYSCALL && start == 0)
		g->flags |= TLG_CGO;
	g->created_ns = now;
	g->creation_stack = creation_stack;
	g->creator = creator;
	g->start = start;
	if (start != 0)
		g->stack = start_stack(t, start);
	enter(g, now, st, state_word(t, st));
	if (st == TL_WAITING) {
		if (t->coroutine == 0)
			t->coroutine = strtab_intern_cstr(&t->in->strings,
							  "coroutine") +
				       1;
		g->state = t->coroutine - 1;
	}
	return g;
}

struct tl_goroutine *
timeline_status(struct timeline *t, int64_t now, int64_t valid_from_ns,
		uint64_t id, enum tl_state st, seqid stack, strid state)
{
	struct tl_goroutine *g = timeline_find(t, id);
	int fresh = g == NULL;

	if (fresh) {
		g = new_slot(t, id);
		if (t->rec != NULL)
			g->flags = TLG_SEEDED | TLG_PENDING;
	}
	if (g->flags & TLG_PENDING) {
		struct tl_op op;

		memset(&op, 0, sizeof(op));
		op.kind = TLO_STATUS;
		op.now = now;
		op.valid_from = valid_from_ns;
		op.st = (uint8_t)st;
		op.stack = stack;
		op.state = state;
		if (fresh || !repeats(t, g, &op))
			record_op(t, g, &op);
	}
	if (fresh) {
		enter(g, valid_from_ns, st, state ? state : state_word(t, st));
		g->stack = stack;
		if (st == TL_WAITING)
			g->flags |= TLG_SINCE_START;
		return g;
	}
	if (g->st != st) {
		timeline_anomaly(t,
				 "goroutine %llu: status %s, but the events "
				 "say %s",
				 (unsigned long long)id,
				 intern_str(t->in, state_word(t, st)),
				 intern_str(t->in, state_word(t, g->st)));
		leave(t, valid_from_ns, g);
		enter(g, valid_from_ns, st, state ? state : state_word(t, st));
	}
	/* A status stack of a waiting goroutine is where it is parked;
	 * a block event's stack and reason say the same, better. */
	if (stack != 0 && (g->stack == 0 || g->reason == 0))
		g->stack = stack;
	if (state != 0 && g->reason == 0 && st == TL_WAITING)
		g->state = state;
	return g;
}

void
timeline_initial(struct timeline *t, struct tl_goroutine *g, enum tl_state st,
		 int64_t since_ns)
{
	enter(g, since_ns, st, state_word(t, st));
	if (st == TL_WAITING)
		g->flags |= TLG_SINCE_START;
}

void
timeline_start(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	if (g->flags & TLG_PENDING)
		record(t, g, TLO_START, now, 0, 0, 0, 0);
	if (g->st == TL_RUNNING)
		timeline_anomaly(t, "goroutine %llu started while running",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_RUNNING, state_word(t, TL_RUNNING));
	if (g->flags & TLG_PENDING)
		settle(t, g, 0);
}

void
timeline_stop(struct timeline *t, int64_t now, struct tl_goroutine *g,
	      seqid stack)
{
	if (g->flags & TLG_PENDING)
		record(t, g, TLO_STOP, now, stack, 0, 0, 0);
	leave(t, now, g);
	enter(g, now, TL_RUNNABLE, state_word(t, TL_RUNNABLE));
	if (stack != 0)
		g->stack = stack;
	if (g->flags & TLG_PENDING)
		settle(t, g, stack);
}

void
timeline_block(struct timeline *t, int64_t now, struct tl_goroutine *g,
	       strid reason, strid state, seqid stack)
{
	if (g->flags & TLG_PENDING)
		record(t, g, TLO_BLOCK, now, stack, reason, state, 0);
	if (g->st != TL_RUNNING)
		timeline_anomaly(t, "goroutine %llu blocked while not running",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_WAITING, state ? state : state_word(t, TL_WAITING));
	g->reason = reason;
	g->nblocks++;
	if (stack != 0)
		g->stack = stack;
	if (g->flags & TLG_PENDING)
		settle(t, g, stack);
}

void
timeline_unblock(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	if (g->flags & TLG_PENDING)
		record(t, g, TLO_UNBLOCK, now, 0, 0, 0, 0);
	if (g->st != TL_WAITING)
		timeline_anomaly(t,
				 "goroutine %llu unblocked while not "
				 "waiting",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_RUNNABLE, state_word(t, TL_RUNNABLE));
	if (g->flags & TLG_PENDING)
		settle(t, g, 0);
}

void
timeline_syscall(struct timeline *t, int64_t now, struct tl_goroutine *g,
		 seqid stack)
{
	if (g->flags & TLG_PENDING)
		record(t, g, TLO_SYSCALL, now, stack, 0, 0, 0);
	leave(t, now, g);
	enter(g, now, TL_SYSCALL, state_word(t, TL_SYSCALL));
	if (stack != 0)
		g->stack = stack;
	if (g->flags & TLG_PENDING)
		settle(t, g, stack);
}

void
timeline_syscall_end(struct timeline *t, int64_t now, struct tl_goroutine *g,
		     int lost_p)
{
	enum tl_state st = lost_p ? TL_RUNNABLE : TL_RUNNING;

	if (g->flags & TLG_PENDING)
		record(t, g, TLO_SYSCALL_END, now, 0, 0, 0, lost_p);
	leave(t, now, g);
	enter(g, now, st, state_word(t, st));
	if (g->flags & TLG_PENDING)
		settle(t, g, 0);
}

void
timeline_end(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	end_goroutine(t, now, g);
}

/* --- snapshots ----------------------------------------------------------- */

static void
snapshot_head(const struct timeline *t, struct snapshot *s, int64_t now)
{
	s->format = t->format;
	s->go_version = t->go_version;
	s->source = t->source;
	s->offset_ns = now;
	s->time_ns = t->wall_start_ns ? t->wall_start_ns + now : 0;
	s->provides = HAS_STATE | HAS_CREATOR | HAS_IDS;
}

/* Goroutine tg's record at now, unless it is a runtime one. */
static void
snapshot_record(struct snapshot *s, const struct tl_goroutine *tg, int64_t now)
{
	struct goroutine *g = NULL;

	if (tg->flags & TLG_SYSTEM)
		return;
	g = snapshot_add(s);
	g->id = tg->id;
	g->flags = G_HAS_ID;
	g->stack = tg->stack;
	g->state = tg->state;
	g->creator = tg->creator;
	g->creation_stack = tg->creation_stack;
	if (tg->flags & TLG_HAS_PARENT) {
		g->creator_id = tg->parent;
		g->flags |= G_HAS_CREATOR_ID;
	}
	if (tg->flags & TLG_CREATED)
		g->flags |= G_CREATED_IN_TRACE;
	if (tg->st == TL_WAITING) {
		g->wait_ns = now > tg->since_ns ? now - tg->since_ns : 0;
		g->flags |= G_HAS_WAIT_NS;
	}
}

void
timeline_snapshot(struct timeline *t, struct snapshot *s, int64_t now)
{
	size_t i;

	snapshot_head(t, s, now);
	for (i = 0; i < t->n; i++)
		if (t->g[i].st != TL_NOTEXIST)
			snapshot_record(s, &t->g[i], now);
}

/* A recording timeline at a point: what each live goroutine is. */
static int
record_point(struct timeline *t, int64_t at)
{
	struct tl_record *rec = t->rec;
	struct tl_point *pt = NULL;
	size_t i;

	if (rec->overflow || rec->nseen + t->live > TL_SEEN_MAX) {
		/* Too much to keep: the reader stops here, and the caller
		 * replays in order instead. */
		rec->overflow = 1;
		return -1;
	}
	rec->points = xgrow(rec->points, sizeof(*rec->points), rec->npoints + 1,
			    &rec->pointcap);
	pt = &rec->points[rec->npoints];
	pt->idx = t->next - 1;
	pt->at = at;
	pt->first = rec->nseen;
	pt->part = rec->part;
	rec->seen = xgrow(rec->seen, sizeof(*rec->seen), rec->nseen + t->live,
			  &rec->seencap);
	for (i = 0; i < t->n; i++) {
		struct tl_seen *x = NULL;

		if (t->g[i].st == TL_NOTEXIST)
			continue;
		x = &rec->seen[rec->nseen++];
		x->g = t->g[i];
		x->slot = (uint32_t)i;
	}
	pt->n = rec->nseen - pt->first;
	step(rec, 0, (uint32_t)rec->npoints++, TLS_POINT);
	return 0;
}

/* Hand s to the listener (and release it). */
static int
hand(struct timeline *t, struct snapshot *s)
{
	int ret = 0;

	if (t->listen.snapshot && t->listen.snapshot(t->listen.ctx, s) < 0) {
		t->stopped = 1;
		set_due(t);
		ret = -1;
	}
	snapshot_release(s);
	return ret;
}

/* Give the held snapshot's stack-less records the stacks their goroutines
 * have now, and hand it on. */
static int
release_held(struct timeline *t)
{
	struct snapshot *s = t->held;
	size_t k;
	int ret;

	if (s == NULL)
		return 0;
	for (k = 0; k < t->nunknown; k++) {
		struct goroutine *g = &s->g[t->unknown[k]];
		const struct tl_goroutine *tg = timeline_find(t, g->id);

		if (tg != NULL && tg->stack != 0)
			g->stack = tg->stack;
	}
	t->held = NULL;
	t->nunknown = 0;
	ret = hand(t, s);
	free(s);
	return ret;
}

static int
emit(struct timeline *t, int64_t at, int last)
{
	struct snapshot s;
	size_t i;

	if (t->rec != NULL)
		return record_point(t, at);
	if (release_held(t) < 0)
		return -1;
	snapshot_init(&s, t->in);
	timeline_snapshot(t, &s, at);
	if (last && t->warning[0])
		snprintf(s.warning, sizeof(s.warning), "%s", t->warning);
	if (!last) {
		for (i = 0; i < s.n; i++)
			if (s.g[i].stack == 0) {
				t->unknown =
					xgrow(t->unknown, sizeof(*t->unknown),
					      t->nunknown + 1, &t->unknowncap);
				t->unknown[t->nunknown++] = (uint32_t)i;
			}
		if (t->nunknown > 0) {
			t->held = xmalloc(sizeof(*t->held));
			snapshot_init(t->held, t->in);
			snapshot_take(t->held, &s);
			snapshot_release(&s);
			return 0;
		}
	}
	return hand(t, &s);
}

int
timeline_advance(struct timeline *t, int64_t now)
{
	if (now > t->last_ns)
		t->last_ns = now;
	while (t->next < t->npoints && t->points[t->next] < now &&
	       t->points[t->next] != TL_END) {
		int64_t at = t->points[t->next++];

		set_due(t);
		if (emit(t, at, t->next == t->npoints) < 0)
			return -1;
	}
	return t->stopped ? -1 : 0;
}

int
timeline_finish(struct timeline *t, int64_t end_ns)
{
	size_t i;

	if (end_ns < t->last_ns)
		end_ns = t->last_ns;
	while (t->next < t->npoints) {
		int64_t at = t->points[t->next++];

		set_due(t);
		if (at == TL_END || at > end_ns)
			at = end_ns;
		if (emit(t, at, t->next == t->npoints) < 0)
			return -1;
	}
	if (release_held(t) < 0)
		return -1;
	if (t->listen.gone) {
		for (i = 0; i < t->n; i++) {
			struct tl_goroutine *g = &t->g[i];

			if (g->st == TL_NOTEXIST)
				continue;
			if (g->st == TL_WAITING) {
				/* The wait so far counts, without ending. */
				int64_t d = end_ns > g->since_ns
						    ? end_ns - g->since_ns
						    : 0;

				g->blocked_ns = sat_add(g->blocked_ns, d);
			}
			g->ended_ns = end_ns;
			t->listen.gone(t->listen.ctx, g, 1);
		}
	}
	return 0;
}

/* --- joining a recording ------------------------------------------------- */

void
timeline_save(const struct timeline *t, struct tl_saved *s)
{
	memset(s, 0, sizeof(*s));
	s->g = xreallocarray(NULL, t->n ? t->n : 1, sizeof(*s->g));
	if (t->n)
		memcpy(s->g, t->g, t->n * sizeof(*s->g));
	s->free =
		xreallocarray(NULL, t->nfree ? t->nfree : 1, sizeof(*s->free));
	if (t->nfree)
		memcpy(s->free, t->free, t->nfree * sizeof(*s->free));
	s->n = t->n;
	s->nfree = t->nfree;
	s->live = t->live;
	s->anomalies = t->anomalies;
	memcpy(s->anomaly, t->anomaly, sizeof(s->anomaly));
	s->last_ns = t->last_ns;
}

void
timeline_restore(struct timeline *t, struct tl_saved *s)
{
	size_t i;

	if (s->n)
		memcpy(t->g, s->g, s->n * sizeof(*t->g));
	t->n = s->n;
	if (s->nfree) {
		t->free =
			xgrow(t->free, sizeof(*t->free), s->nfree, &t->freecap);
		memcpy(t->free, s->free, s->nfree * sizeof(*t->free));
	}
	t->nfree = s->nfree;
	t->live = s->live;
	t->anomalies = s->anomalies;
	memcpy(t->anomaly, s->anomaly, sizeof(t->anomaly));
	t->last_ns = s->last_ns;
	u64map_clear(&t->index);
	for (i = 0; i < t->n; i++)
		if (t->g[i].st != TL_NOTEXIST)
			u64map_put(&t->index, t->g[i].id, (uint32_t)i);
	free(s->g);
	free(s->free);
	memset(s, 0, sizeof(*s));
}

void
timeline_saved_release(struct tl_saved *s)
{
	free(s->g);
	free(s->free);
	memset(s, 0, sizeof(*s));
}

/* Replay recorded event op of goroutine id on t; NULL when it does not
 * fit (no such goroutine). */
static struct tl_goroutine *
replay_op(struct timeline *t, uint64_t id, const struct tl_op *op,
	  const struct intern_remap *map)
{
	struct tl_goroutine *g = NULL;
	seqid stack = map->stack[op->stack];

	if (op->kind == TLO_STATUS)
		return timeline_status(t, op->now, op->valid_from, id,
				       (enum tl_state)op->st, stack,
				       map->str[op->state]);
	g = timeline_find(t, id);
	if (g == NULL)
		return NULL;
	switch (op->kind) {
	case TLO_START:
		timeline_start(t, op->now, g);
		break;
	case TLO_STOP:
		timeline_stop(t, op->now, g, stack);
		break;
	case TLO_BLOCK:
		timeline_block(t, op->now, g, map->str[op->reason],
			       map->str[op->state], stack);
		break;
	case TLO_UNBLOCK:
		timeline_unblock(t, op->now, g);
		break;
	case TLO_SYSCALL:
		timeline_syscall(t, op->now, g, stack);
		break;
	case TLO_SYSCALL_END:
		timeline_syscall_end(t, op->now, g, op->lost_p);
		break;
	default: /* TLO_END */
		end_goroutine(t, op->now, g);
		break;
	}
	return g;
}

/* The state of recorded goroutine bg (state, wait, stack) onto mg, in
 * t's ids. */
static void
take_state(struct tl_goroutine *mg, const struct tl_goroutine *bg,
	   const struct intern_remap *map)
{
	mg->st = bg->st;
	mg->since_ns = bg->since_ns;
	mg->state = map->str[bg->state];
	mg->reason = map->str[bg->reason];
	mg->stack = map->stack[bg->stack];
}

/* Goroutine bg, created in the recording, as mg in t's ids. */
static void
copy_created(struct tl_goroutine *mg, const struct tl_goroutine *bg,
	     const struct intern_remap *map)
{
	*mg = *bg;
	mg->creation_stack = map->stack[bg->creation_stack];
	mg->creator = map->frame[bg->creator];
	mg->start = map->frame[bg->start];
	take_state(mg, bg, map);
}

/* Seeded goroutine bg, settled in the recording as r says, onto mg
 * (t's, with the recorded events replayed). */
static int
settle_onto(struct tl_goroutine *mg, const struct tl_goroutine *bg,
	    const struct tl_slot_record *r, const struct intern_remap *map)
{
	const uint32_t keep = TLG_SINCE_START;

	if (bg->blocked_ns == INT64_MAX || bg->blocked_ns < r->settled_blocked)
		return -1; /* saturated: the sum would not be the same */
	take_state(mg, bg, map);
	mg->flags = (mg->flags & ~keep) | (bg->flags & keep) |
		    (bg->flags & TLG_SYSTEM);
	mg->blocked_ns =
		sat_add(mg->blocked_ns, bg->blocked_ns - r->settled_blocked);
	mg->nblocks += bg->nblocks - r->settled_blocks;
	return 0;
}

/* A snapshot made at the join, to hand on once the join is known to fit:
 * at the point of part part (a held one: the next point's part). */
struct queued {
	struct snapshot *s; /* NULL: t's own held one, patched */
	uint32_t part;
};

/* The join in progress. */
struct join {
	struct timeline *t;
	const struct timeline *b;
	const struct tl_record *rec;
	const struct intern_remap *map;
	uint32_t *at;	   /* b's slot -> t's, or NONE */
	uint32_t *rev;	   /* t's slot -> b's, or NONE */
	uint32_t *pos;	   /* b's slot -> its seen[] at the point */
	uint32_t *stamp;   /* b's slot -> the point (+ 1) pos is of */
	struct u64map now; /* goroutine -> stack + 1 at the point */
	struct queued *q;
	size_t nq, qcap;
	struct snapshot *held; /* made at the join, held to the next point */
	uint32_t *unknown;     /* its records without a stack */
	size_t nunknown, unknowncap;
	/* t's own held snapshot, released at the first point: stacks for
	 * its records without one (0: none known then). */
	seqid *patch;
	int patched;
};

#define NONE UINT32_MAX

static void
enqueue(struct join *j, struct snapshot *s, uint32_t part)
{
	j->q = xgrow(j->q, sizeof(*j->q), j->nq + 1, &j->qcap);
	j->q[j->nq].s = s;
	j->q[j->nq].part = part;
	j->nq++;
}

/* Goroutine x (b's, seen at the point) as t would have it there, into g
 * (m: t's slot of it). */
static void
seen_as(const struct join *j, const struct tl_seen *x, uint32_t m,
	struct tl_goroutine *g)
{
	const struct tl_goroutine *bg = &x->g;

	if (!(bg->flags & TLG_SEEDED)) {
		copy_created(g, bg, j->map); /* all its own */
		return;
	}
	*g = j->t->g[m]; /* its creation, from before */
	g->flags |= bg->flags & TLG_SYSTEM;
	if (!(bg->flags & TLG_PENDING)) /* else t's, its events replayed */
		take_state(g, bg, j->map);
}

/*
 * The snapshot of point pt, at this step of the join: t's goroutines in
 * t's slot order, each as t has it or, when the later part knows it, as
 * that part saw it. -1 when the parts do not agree on who is alive.
 */
static int
join_point(struct join *j, const struct tl_point *pt, uint32_t stamp)
{
	struct timeline *t = j->t;
	const struct tl_seen *seen = j->rec->seen + pt->first;
	struct snapshot *s = xmalloc(sizeof(*s));
	size_t i, mapped = 0;
	/* The stacks at the point, for a snapshot held since the last. */
	int want_now = j->held != NULL || (t->held != NULL && !j->patched);

	for (i = 0; i < pt->n; i++) {
		j->pos[seen[i].slot] = (uint32_t)i;
		j->stamp[seen[i].slot] = stamp;
	}
	u64map_clear(&j->now);
	snapshot_init(s, t->in);
	snapshot_head(t, s, pt->at);
	for (i = 0; i < t->n; i++) {
		uint32_t x = j->rev[i];
		struct tl_goroutine g;

		if (x != NONE) {
			if (j->stamp[x] != stamp)
				goto bad;
			seen_as(j, &seen[j->pos[x]], (uint32_t)i, &g);
			mapped++;
		} else if (t->g[i].st != TL_NOTEXIST) {
			g = t->g[i];
		} else {
			continue;
		}
		if (want_now)
			u64map_put(&j->now, g.id, g.stack + 1);
		snapshot_record(s, &g, pt->at);
	}
	if (mapped != pt->n)
		goto bad;
	/* The snapshot held at the last point gets its stacks now. */
	if (j->held != NULL) {
		for (i = 0; i < j->nunknown; i++) {
			struct goroutine *g = &j->held->g[j->unknown[i]];
			uint32_t v = u64map_get(&j->now, g->id);

			if (v != U64MAP_NONE && v != 1)
				g->stack = v - 1;
		}
		enqueue(j, j->held, pt->part);
		j->held = NULL;
		j->nunknown = 0;
	} else if (t->held != NULL && !j->patched) {
		j->patch = xreallocarray(NULL, t->nunknown ? t->nunknown : 1,
					 sizeof(*j->patch));
		for (i = 0; i < t->nunknown; i++) {
			uint32_t v = u64map_get(&j->now,
						t->held->g[t->unknown[i]].id);

			j->patch[i] = v != U64MAP_NONE && v != 1 ? v - 1 : 0;
		}
		j->patched = 1;
		enqueue(j, NULL, pt->part);
	}
	if (pt->idx + 1 == t->npoints) {
		/* The last point, before the end (--at): as emit() makes it,
		 * with the warning and held for nothing. */
		if (t->warning[0])
			snprintf(s->warning, sizeof(s->warning), "%s",
				 t->warning);
		enqueue(j, s, pt->part);
		return 0;
	}
	for (i = 0; i < s->n; i++)
		if (s->g[i].stack == 0) {
			j->unknown = xgrow(j->unknown, sizeof(*j->unknown),
					   j->nunknown + 1, &j->unknowncap);
			j->unknown[j->nunknown++] = (uint32_t)i;
		}
	if (j->nunknown > 0)
		j->held = s;
	else
		enqueue(j, s, pt->part);
	return 0;
bad:
	snapshot_release(s);
	free(s);
	return -1;
}

/* Replay the recorded steps onto t. */
static int
join_steps(struct join *j)
{
	struct timeline *t = j->t;
	const struct tl_record *rec = j->rec;
	uint64_t anomalies = t->anomalies;
	unsigned first = t->next;
	uint32_t stamp = 0;
	size_t i;

	for (i = 0; i < rec->nsteps; i++) {
		const struct tl_step *s = &rec->steps[i];
		struct tl_goroutine *g = NULL;
		uint32_t m;

		if (s->what == TLS_POINT) {
			const struct tl_point *pt = &rec->points[s->slot];

			/* The earlier part made the points it reached. */
			if (pt->idx >= first && join_point(j, pt, ++stamp) < 0)
				return -1;
			continue;
		}
		if (s->slot >= j->b->n)
			return -1;
		if (s->what == TLS_NEW) {
			g = timeline_find(t, s->id);
			if (g != NULL) {
				/* As timeline_create() ends it. */
				if (!(g->flags & TLG_CGO))
					return -1;
				j->rev[g - t->g] = NONE;
				end_goroutine(t, 0, g);
			}
			m = take_slot(t);
			j->at[s->slot] = m;
			j->rev[m] = s->slot;
		} else if (s->what == TLS_DROP) {
			m = j->at[s->slot];
			if (m == NONE)
				return -1;
			if (t->g[m].st != TL_NOTEXIST &&
			    timeline_find(t, s->id) == &t->g[m])
				drop(t, &t->g[m]);
			else
				give_slot(t, m);
			j->at[s->slot] = NONE;
			j->rev[m] = NONE;
		} else {
			const struct tl_op *op = &rec->ops[s->what - TLS_OP];

			g = replay_op(t, s->id, op, j->map);
			if (g == NULL || t->anomalies != anomalies)
				return -1;
			m = (uint32_t)(g - t->g);
			if (op->kind == TLO_END) {
				j->at[s->slot] = NONE;
				j->rev[m] = NONE;
			} else {
				j->at[s->slot] = m;
				j->rev[m] = s->slot;
			}
		}
	}
	return 0;
}

/* The later part's goroutines alive at its end, into their slots. */
static int
join_end(struct join *j)
{
	struct timeline *t = j->t;
	const struct timeline *b = j->b;
	const struct tl_record *rec = j->rec;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct tl_goroutine *bg = &b->g[i];
		struct tl_goroutine *mg = NULL;

		if (bg->st == TL_NOTEXIST)
			continue;
		if (j->at[i] == NONE)
			return -1;
		mg = &t->g[j->at[i]];
		if (!(bg->flags & TLG_SEEDED)) {
			copy_created(mg, bg, j->map);
			u64map_put(&t->index, mg->id, j->at[i]);
		} else if (bg->flags & TLG_PENDING) {
			mg->flags |= bg->flags & TLG_SYSTEM;
		} else if (i >= rec->slotcap ||
			   settle_onto(mg, bg, &rec->slots[i], j->map) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Hand the join's snapshots on, in order; 1 when the listener asked to
 * stop (*stop_part: where). */
static int
join_hand(struct join *j, uint32_t *stop_part)
{
	struct timeline *t = j->t;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < j->nq; i++) {
		struct snapshot *s = j->q[i].s;

		if (s == NULL) { /* t's own held snapshot */
			s = t->held;
			for (k = 0; k < t->nunknown; k++)
				if (j->patch[k] != 0)
					s->g[t->unknown[k]].stack = j->patch[k];
			t->held = NULL;
			t->nunknown = 0;
		}
		if (ret == 0 && t->listen.snapshot &&
		    t->listen.snapshot(t->listen.ctx, s) < 0) {
			t->stopped = 1;
			*stop_part = j->q[i].part;
			ret = 1;
		}
		snapshot_release(s);
		free(s);
	}
	j->nq = 0;
	if (j->held != NULL && ret == 0) {
		/* Held to the next point, or to the end. */
		t->held = j->held;
		t->unknown =
			xgrow(t->unknown, sizeof(*t->unknown),
			      j->nunknown ? j->nunknown : 1, &t->unknowncap);
		memcpy(t->unknown, j->unknown,
		       j->nunknown * sizeof(*j->unknown));
		t->nunknown = j->nunknown;
		j->held = NULL;
	}
	return ret;
}

int
timeline_join(struct timeline *t, const struct timeline *b,
	      const struct intern_remap *map, uint32_t *stop_part)
{
	const struct tl_record *rec = b->rec;
	struct join j;
	size_t i, nb = b->n ? b->n : 1, nt;
	int ret = -1;

	if (b->anomalies != 0 || rec == NULL || rec->overflow)
		return -1;
	memset(&j, 0, sizeof(j));
	j.t = t;
	j.b = b;
	j.rec = rec;
	j.map = map;
	/* t's slots grow by at most a slot a step. */
	nt = t->n + rec->nsteps + 1;
	j.at = xreallocarray(NULL, nb, sizeof(*j.at));
	j.pos = xreallocarray(NULL, nb, sizeof(*j.pos));
	j.stamp = xcalloc(nb, sizeof(*j.stamp));
	j.rev = xreallocarray(NULL, nt, sizeof(*j.rev));
	for (i = 0; i < nb; i++)
		j.at[i] = NONE;
	for (i = 0; i < nt; i++)
		j.rev[i] = NONE;
	u64map_init(&j.now);
	if (join_steps(&j) == 0 && join_end(&j) == 0) {
		if (b->last_ns > t->last_ns)
			t->last_ns = b->last_ns;
		if (b->next > t->next) {
			t->next = b->next;
			set_due(t);
		}
		ret = join_hand(&j, stop_part);
	}
	for (i = 0; i < j.nq; i++)
		if (j.q[i].s != NULL) {
			snapshot_release(j.q[i].s);
			free(j.q[i].s);
		}
	if (j.held != NULL) {
		snapshot_release(j.held);
		free(j.held);
	}
	free(j.q);
	free(j.unknown);
	free(j.patch);
	free(j.at);
	free(j.rev);
	free(j.pos);
	free(j.stamp);
	u64map_release(&j.now);
	return ret;
}
