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

static struct tl_goroutine *
new_slot(struct timeline *t, uint64_t id)
{
	uint32_t slot;
	struct tl_goroutine *g = NULL;

	if (t->nfree > 0) {
		slot = t->free[--t->nfree];
	} else {
		t->g = xgrow(t->g, sizeof(*t->g), t->n + 1, &t->cap);
		slot = (uint32_t)t->n++;
	}
	g = &t->g[slot];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->parent = TL_NO_GOROUTINE;
	u64map_put(&t->index, id, slot);
	t->live++;
	return g;
}

/* a + b for b >= 0, at most INT64_MAX: forged times must not overflow. */
static int64_t
sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static void
drop(struct timeline *t, struct tl_goroutine *g)
{
	uint32_t slot = (uint32_t)(g - t->g);

	u64map_remove(&t->index, g->id);
	g->st = TL_NOTEXIST;
	t->free = xgrow(t->free, sizeof(*t->free), t->nfree + 1, &t->freecap);
	t->free[t->nfree++] = slot;
	t->live--;
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

	(void)now;
	if (g == NULL) {
		g = new_slot(t, id);
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
	if (g->st == TL_RUNNING)
		timeline_anomaly(t, "goroutine %llu started while running",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_RUNNING, state_word(t, TL_RUNNING));
}

void
timeline_stop(struct timeline *t, int64_t now, struct tl_goroutine *g,
	      seqid stack)
{
	leave(t, now, g);
	enter(g, now, TL_RUNNABLE, state_word(t, TL_RUNNABLE));
	if (stack != 0)
		g->stack = stack;
}

void
timeline_block(struct timeline *t, int64_t now, struct tl_goroutine *g,
	       strid reason, strid state, seqid stack)
{
	if (g->st != TL_RUNNING)
		timeline_anomaly(t, "goroutine %llu blocked while not running",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_WAITING, state ? state : state_word(t, TL_WAITING));
	g->reason = reason;
	g->nblocks++;
	if (stack != 0)
		g->stack = stack;
}

void
timeline_unblock(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	if (g->st != TL_WAITING)
		timeline_anomaly(t,
				 "goroutine %llu unblocked while not "
				 "waiting",
				 (unsigned long long)g->id);
	leave(t, now, g);
	enter(g, now, TL_RUNNABLE, state_word(t, TL_RUNNABLE));
}

void
timeline_syscall(struct timeline *t, int64_t now, struct tl_goroutine *g,
		 seqid stack)
{
	leave(t, now, g);
	enter(g, now, TL_SYSCALL, state_word(t, TL_SYSCALL));
	if (stack != 0)
		g->stack = stack;
}

void
timeline_syscall_end(struct timeline *t, int64_t now, struct tl_goroutine *g,
		     int lost_p)
{
	enum tl_state st = lost_p ? TL_RUNNABLE : TL_RUNNING;

	leave(t, now, g);
	enter(g, now, st, state_word(t, st));
}

void
timeline_end(struct timeline *t, int64_t now, struct tl_goroutine *g)
{
	end_goroutine(t, now, g);
}

/* --- snapshots ----------------------------------------------------------- */

void
timeline_snapshot(struct timeline *t, struct snapshot *s, int64_t now)
{
	size_t i;

	s->format = t->format;
	s->go_version = t->go_version;
	s->source = t->source;
	s->offset_ns = now;
	s->time_ns = t->wall_start_ns ? t->wall_start_ns + now : 0;
	s->provides = HAS_STATE | HAS_CREATOR | HAS_IDS;
	for (i = 0; i < t->n; i++) {
		const struct tl_goroutine *tg = &t->g[i];
		struct goroutine *g = NULL;

		if (tg->st == TL_NOTEXIST || (tg->flags & TLG_SYSTEM))
			continue;
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
			g->wait_ns =
				now > tg->since_ns ? now - tg->since_ns : 0;
			g->flags |= G_HAS_WAIT_NS;
		}
	}
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
