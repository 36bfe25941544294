/*
 * Goroutine lifecycles from an execution trace: per live goroutine its
 * creation (time, creating goroutine, creation stack, start function), its
 * current state with the reason and stack of the current wait, and its
 * blocked time so far. Trace readers (formats/tracev2.c, formats/tracev1.c)
 * feed it events in time order; it turns the states at chosen moments into
 * snapshots (DESIGN.md section 2: a trace is a source of snapshots) and tells
 * a listener about every finished wait and every goroutine that ends.
 *
 * Memory is per live goroutine: an ended goroutine is handed to the
 * listener and forgotten, and no event is kept.
 */
#ifndef TIMELINE_H
#define TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/intern.h"
#include "lib/u64map.h"

struct snapshot;

enum tl_state {
	TL_NOTEXIST = 0,
	TL_RUNNABLE,
	TL_RUNNING,
	TL_SYSCALL,
	TL_WAITING,
};

enum tl_flag {
	TLG_CREATED = 1 << 0,	  /* created during the trace */
	TLG_HAS_PARENT = 1 << 1,  /* parent is known */
	TLG_ENDED = 1 << 2,	  /* ended (only seen by the listener) */
	TLG_CGO = 1 << 3,	  /* a C thread calling into Go */
	TLG_SINCE_START = 1 << 4, /* waiting since before the trace began */
	TLG_SYSTEM = 1 << 5,	  /* a runtime goroutine: not in snapshots, as
				goroutine dumps and profiles leave it out */
	/* Only in a recording timeline (struct tl_record): */
	TLG_SEEDED = 1 << 6,  /* first known from a status event */
	TLG_PENDING = 1 << 7, /* seeded, and what it is still depends on
				 what came before the recording */
	TLG_MOVED = 1 << 8,   /* pending, and changed state since */
	TLG_STACKED = 1 << 9, /* pending, and took an event's stack since */
};

/* "No goroutine": the Go runtime's NoGoroutine and trace NoID. */
#define TL_NO_GOROUTINE UINT64_MAX

struct tl_goroutine {
	uint64_t id;
	uint64_t parent;      /* creating goroutine, with TLG_HAS_PARENT */
	int64_t created_ns;   /* with TLG_CREATED */
	int64_t ended_ns;     /* with TLG_ENDED */
	int64_t since_ns;     /* when the current state began */
	int64_t blocked_ns;   /* waits finished so far, summed */
	seqid creation_stack; /* normalised stack of the `go` statement */
	frameid creator;      /* its innermost frame: the `go` statement */
	frameid start;	      /* the start function, 0 when unknown */
	seqid stack;	      /* the goroutine's latest known stack */
	strid reason;	      /* the trace's reason for the current wait */
	strid state;	      /* the state as a goroutine dump words it */
	uint32_t nblocks;     /* waits begun (running -> waiting) */
	uint32_t flags;	      /* enum tl_flag */
	uint8_t st;	      /* enum tl_state */
};

/* A finished wait, for the listener. */
struct tl_wait {
	int64_t begin_ns, end_ns;
	strid reason, state;
	seqid stack;
};

/* Who hears about waits and ends; any callback may be NULL. */
struct tl_listener {
	void *ctx;
	void (*wait_done)(void *ctx, const struct tl_goroutine *g,
			  const struct tl_wait *w);
	/* A goroutine that ended, or (at_end) one alive at the end of the
	 * trace; called once per goroutine incarnation. */
	void (*gone)(void *ctx, const struct tl_goroutine *g, int at_end);
	/* A user log event (runtime/trace.Log): category and message. */
	void (*log)(void *ctx, int64_t ns, uint64_t goid, const char *cat,
		    size_t catlen, const char *msg, size_t msglen);
	/* A snapshot at a sampling point; owned by the timeline, valid
	 * during the call. Returns 0, or -1 to stop reading. */
	int (*snapshot)(void *ctx, struct snapshot *s);
};

/*
 * What a timeline records when it replays the later generations of a
 * trace on a thread of its own, knowing nothing of the earlier ones
 * (timeline_join() then applies it to the timeline of the earlier ones):
 * in order, every slot taken and freed, and every event of a goroutine
 * first known from a status event until what it is no longer depends on
 * what came before (it changed state and took an event's stack: its
 * state, wait and stack are then the recording's, its blocked time and
 * blocks those of before plus the recording's since); and at each
 * sampling point it reaches, what its live goroutines are.
 */
enum tl_step_kind {
	TLS_NEW,   /* a goroutine created: a slot taken */
	TLS_DROP,  /* a goroutine not pending ended: its slot freed */
	TLS_POINT, /* a sampling point: points[slot] */
	TLS_OP,	   /* TLS_OP + k: ops[k], an event of a pending goroutine */
};

enum tl_op_kind {
	TLO_STATUS,
	TLO_START,
	TLO_STOP,
	TLO_BLOCK,
	TLO_UNBLOCK,
	TLO_SYSCALL,
	TLO_SYSCALL_END,
	TLO_END,
};

struct tl_step {
	uint64_t id;
	uint32_t slot; /* in the recording timeline */
	uint32_t what; /* enum tl_step_kind */
};

struct tl_op {
	int64_t now, valid_from;
	seqid stack;
	strid reason, state;
	uint8_t kind, st, lost_p;
};

/* A live goroutine as the recording had it at a sampling point. */
struct tl_seen {
	struct tl_goroutine g;
	uint32_t slot;
};

/* A sampling point the recording reached: its goroutines are
 * seen[first .. first + n), by slot. */
struct tl_point {
	unsigned idx; /* in the timeline's points */
	int64_t at;
	size_t first, n;
	uint32_t part; /* the recording's part (generation) then */
};

/* Most goroutines a recording keeps over all its points: past them it
 * gives up (overflow), and the caller replays in order instead. */
#define TL_SEEN_MAX (1u << 18)

/* What a recording keeps of a slot's pending goroutine. */
struct tl_slot_record {
	uint32_t last;		 /* its last event recorded + 1, 0: none */
	uint32_t settled_blocks; /* nblocks when it stopped being pending */
	int64_t settled_blocked; /* blocked_ns then */
};

struct tl_record {
	struct tl_step *steps;
	size_t nsteps, stepcap;
	struct tl_op *ops;
	size_t nops, opcap;
	struct tl_seen *seen;
	size_t nseen, seencap;
	struct tl_point *points;
	size_t npoints, pointcap;
	uint32_t part; /* set by the reader as it goes */
	int overflow;
	struct tl_slot_record *slots; /* by slot */
	size_t slotcap;
};

void tl_record_release(struct tl_record *rec);

/* A created goroutine's first stack, by its start function. */
struct tl_start_memo {
	frameid frame; /* + 1, 0: none */
	seqid stack;
};

#define TL_START_MEMO 64u

/* Most sampling points of one trace (--every). */
#define TL_MAX_POINTS 100000u

/* "At the end of the trace", as a sampling point. */
#define TL_END INT64_MAX

struct timeline {
	struct intern *in; /* borrowed */
	struct tl_goroutine *g;
	size_t n, cap; /* slots in use or free */
	uint32_t *free;
	size_t nfree, freecap;
	struct u64map index; /* goroutine id -> slot */
	size_t live;
	struct tl_listener listen;
	/* Sampling points: ns since the trace's start, increasing, the last
	 * may be TL_END. */
	int64_t *points;
	unsigned npoints, next;
	/* What each snapshot says of its source. */
	strid source, format, go_version;
	int64_t wall_start_ns; /* Unix ns of the trace's start, 0 unknown */
	int64_t last_ns;       /* latest event time seen */
	char warning[256];     /* put on the last snapshot */
	int stopped;	       /* the listener asked to stop */
	/* timeline_due() is true past this: the next point to make
	 * (INT64_MAX: none before the end; INT64_MIN once stopped). */
	int64_t due_ns;
	/* Events that did not fit a goroutine's state (a damaged or cut
	 * trace): counted, and the first one described. */
	uint64_t anomalies;
	char anomaly[160];
	/* Interned words (+1, 0: not yet): the states, "coroutine". */
	strid words[5], coroutine;
	/* A snapshot held back until the next point because some of its
	 * goroutines had no known stack yet (older than the trace, they
	 * acted before the point but recorded no stack until later): their
	 * records get the stack they have by then. */
	struct snapshot *held;
	uint32_t *unknown; /* records of held without a stack */
	size_t nunknown, unknowncap;
	int held_last;
	struct tl_start_memo start_memo[TL_START_MEMO];
	/* Scratch. */
	uint32_t *tmp;
	size_t tmpcap;
	/* Set: this timeline records (a later part of a trace). */
	struct tl_record *rec;
};

void timeline_init(struct timeline *t, struct intern *in);
void timeline_release(struct timeline *t);

/* Sample at points[0..n) (copied): ns since the start, increasing. */
void timeline_set_points(struct timeline *t, const int64_t *points, unsigned n);

/* The live goroutine id, or NULL; borrowed until the next event. */
static inline struct tl_goroutine *
timeline_find(struct timeline *t, uint64_t id)
{
	uint32_t slot = u64map_get(&t->index, id);

	return slot == U64MAP_NONE ? NULL : &t->g[slot];
}

/*
 * Emit the snapshots of every sampling point before now (ns). Readers call
 * this before each event with that event's time, and timeline_finish()
 * after the last. Returns -1 when the listener asked to stop.
 */
int timeline_advance(struct timeline *t, int64_t now);

/* Whether timeline_advance(t, now) has anything to do; when it has not,
 * this notes now as the latest time instead (the common, cheap case). */
static inline int
timeline_due(struct timeline *t, int64_t now)
{
	if (now > t->due_ns)
		return 1;
	if (now > t->last_ns)
		t->last_ns = now;
	return 0;
}

/*
 * Whether the rest of the trace can change nothing the listener hears:
 * every point is made and handed on, and no one listens to waits, ends or
 * logs (show --at: the reader may stop there).
 */
static inline int
timeline_done(const struct timeline *t)
{
	return t->next == t->npoints && t->npoints > 0 && t->held == NULL &&
	       t->listen.wait_done == NULL && t->listen.gone == NULL &&
	       t->listen.log == NULL;
}

/*
 * Events. stack arguments are normalised stack ids (intern_stack), state
 * arguments dump-style state strings (trace_state() in formats/). Each
 * returns the goroutine affected (borrowed until the next event) or NULL.
 */
struct tl_goroutine *timeline_create(struct timeline *t, int64_t now,
				     uint64_t id, uint64_t parent,
				     seqid creation_stack, frameid creator,
				     frameid start, enum tl_state st);

/*
 * A status event: the goroutine is in st since valid_from_ns (the start of
 * its generation). An unknown goroutine is one that existed before the
 * trace; a known one is brought into line (counted as an anomaly when
 * its tracked state differs).
 */
struct tl_goroutine *timeline_status(struct timeline *t, int64_t now,
				     int64_t valid_from_ns, uint64_t id,
				     enum tl_state st, seqid stack,
				     strid state);

/*
 * A goroutine just created turns out to have been in st since since_ns
 * (old traces list the goroutines blocked when tracing began this way).
 */
void timeline_initial(struct timeline *t, struct tl_goroutine *g,
		      enum tl_state st, int64_t since_ns);

void timeline_start(struct timeline *t, int64_t now, struct tl_goroutine *g);
void timeline_stop(struct timeline *t, int64_t now, struct tl_goroutine *g,
		   seqid stack);
void timeline_block(struct timeline *t, int64_t now, struct tl_goroutine *g,
		    strid reason, strid state, seqid stack);
void timeline_unblock(struct timeline *t, int64_t now, struct tl_goroutine *g);
void timeline_syscall(struct timeline *t, int64_t now, struct tl_goroutine *g,
		      seqid stack);
void timeline_syscall_end(struct timeline *t, int64_t now,
			  struct tl_goroutine *g, int lost_p);
/* The goroutine ended; g is invalid afterwards. */
void timeline_end(struct timeline *t, int64_t now, struct tl_goroutine *g);

/* Count an event that does not fit (first described by fmt). */
void timeline_anomaly(struct timeline *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The trace ended at end_ns: emit the remaining sampling points (with the
 * state at the end) and tell the listener about every live goroutine.
 * Returns -1 when the listener asked to stop.
 */
int timeline_finish(struct timeline *t, int64_t end_ns);

/*
 * Join to t (the earlier generations) what the recording timeline b (the
 * generations after them, its tables imported into t's with map) found,
 * as replaying b's events on t would: b's goroutines take t's slots in
 * the same order, b's pending goroutines have their recorded events
 * replayed on t's, and the snapshots of the points b reached are made
 * from both and handed on in order. Returns 0; 1 when the listener asked
 * to stop at a point (*stop_part: the recording's part then); -1, t then
 * half changed (timeline_save() kept it), when the events do not fit
 * what t knows (an event out of place): replay them on t instead. Only
 * for timelines with no listener but the snapshot's. A last point before
 * the end is made (not held) and the caller stops there.
 */
int timeline_join(struct timeline *t, const struct timeline *b,
		  const struct intern_remap *map, uint32_t *stop_part);

/* What timeline_join() may change of t, kept to put back (it hands no
 * snapshot on before it knows the join fits). */
struct tl_saved {
	struct tl_goroutine *g;
	uint32_t *free;
	size_t n, nfree, live;
	uint64_t anomalies;
	char anomaly[160];
	int64_t last_ns;
};

void timeline_save(const struct timeline *t, struct tl_saved *s);
/* Put t back as saved, and release s. */
void timeline_restore(struct timeline *t, struct tl_saved *s);
/* Release s without putting it back. */
void timeline_saved_release(struct tl_saved *s);

/* Fill s (initialised over t->in) with the live goroutines at now. */
void timeline_snapshot(struct timeline *t, struct snapshot *s, int64_t now);

#endif
