/*
 * Go execution traces (runtime/trace, go test -trace, the flight recorder):
 * the new format of Go 1.22 and later (tracev2.c) and the old one of Go 1.11
 * to 1.21 (tracev1.c); byte layouts in the project's specs/trace-format.md.
 *
 * A trace is a source of snapshots (DESIGN.md section 2): the readers feed
 * every goroutine event to a timeline (lib/timeline.h), which turns the
 * goroutines' states at chosen moments into snapshots. trace_read() is the
 * format table's reader: one snapshot, at the end of the trace or at
 * out->trace_at_ns. trace_read_points() samples the trace at many points.
 *
 * A trace cut short or damaged keeps every complete generation before the
 * damage (old-format traces: every event before it), with a warning naming
 * the byte offset; only a trace with nothing complete is an error.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"
#include "lib/intern.h"
#include "lib/timeline.h"

struct snapshot;
struct error;

/* Whether buf starts with a trace header, "go 1.N trace" NUL-padded. */
int trace_sniff(const unsigned char *buf, size_t len);

/*
 * The format table's reader: the trace sampled as o says (the end, a
 * moment, evenly spaced points, every so often), each snapshot to sink
 * with its position among the points; a warning about damage goes with
 * the last.
 */
int trace_read(struct intern *in, const unsigned char *buf, size_t len,
	       const struct read_opts *o, snapshot_sink sink, void *ctx,
	       struct error *err);

/* Points of SAMPLE_EVENLY unless told otherwise (DESIGN.md section 2). */
#define TRACE_DEFAULT_POINTS 10

struct trace_opts {
	enum trace_sampling sampling;
	int64_t at, every; /* ns */
	unsigned count;
	struct tl_listener listen; /* snapshots, waits, ends, user logs */
	strid source;		   /* what snapshots name as their source */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* When set, the reader says which bytes it is done with (see
	 * input_drop), so that memory holds about one generation. */
	void (*drop)(void *ctx, size_t from, size_t to);
	void *drop_ctx;
	/* Threads that read generations at once (0: one per core); the
	 * answer is the same for any number. */
	unsigned threads;
};

/* What a reader found out about the trace. */
struct trace_info {
	unsigned version;	 /* 22..26, or 1005..1021 for old traces */
	uint64_t first_gen;	 /* first generation in the file (new) */
	uint64_t generations;	 /* complete generations used (new) */
	uint64_t events;	 /* timed events of the generations read to
				    their end (new), or read (old) */
	int64_t duration_ns;	 /* from the first to the last moment */
	int64_t wall_start_ns;	 /* Unix ns at the start, 0 when unknown */
	uint64_t damaged_at;	 /* offset where reading stopped, or 0 */
	uint64_t skipped_events; /* events of unknown types skipped */
	uint64_t anomalies;	 /* events that did not fit a state */
	uint64_t split_gen;	 /* the generations from this one on were
				    replayed on a second thread and joined
				    (new), or 0 */
	int split_redone;	 /* they were, but did not fit: replayed
				    again in order */
	char warning[256];	 /* what the user should hear, or "" */
};

/*
 * Read the trace buf[0..len) over the tables in, sampling it as o says:
 * each snapshot goes to o->listen.snapshot. info (may be NULL) says what
 * was read. Fails (err names the offset) when the bytes are not a trace,
 * hold no complete generation, or when sampling asks for a moment past the
 * end.
 */
int trace_read_points(struct intern *in, const unsigned char *buf, size_t len,
		      const struct trace_opts *o, struct trace_info *info,
		      struct error *err);

/*
 * Parse a duration for --at and --every: a number with a unit, "2.5s",
 * "300ms", "1m30s", "150us", "10ns", "1h". Returns -1 and fills err when it
 * is not one.
 */
int trace_parse_duration(const char *s, int64_t *ns, struct error *err);

/*
 * Nanoseconds from a tick count times ns per tick, computed in doubles as
 * Go's reader does, and kept within +-2^62 so that differences and sums
 * of a forged trace's times cannot overflow.
 */
static inline int64_t
trace_ticks_ns(double ticks, double ns_per_tick)
{
	const double limit = 4611686018427387904.0; /* 2^62 */
	double x = ticks * ns_per_tick;

	if (!(x > -limit)) /* also NaN */
		return -((int64_t)1 << 62);
	if (x > limit)
		return (int64_t)1 << 62;
	return (int64_t)x;
}

/* Format ns as a short duration: "850ms", "2.03s", "4m10s", "1h2m". */
void trace_format_duration(int64_t ns, char *buf, size_t size);

/* --- for the readers of each format version ------------------------------ */

/* A decoded stack, interned: what the readers keep per stack id. */
struct trace_stack {
	seqid norm;	 /* normalised (intern_stack), for snapshots */
	frameid first;	 /* the innermost frame, before normalisation */
	strid inferred;	 /* the state its frames suggest, 0: none */
	strid system;	 /* a runtime goroutine's state, 0: none */
	uint8_t filled;	 /* this entry is computed */
	uint8_t runtime; /* its outermost frame is a runtime function:
			    a goroutine dumps leave out */
	strid memo_reason, memo_state; /* trace_wait_state() cache */
	/* trace_fuller() cache, once every status stack is learnt: index
	 * into fuller + 2, 1 for itself, 0 not yet. */
	uint32_t memo_fuller;
};

/* The state of a reading in progress, shared by both versions. */
struct trace_run {
	struct intern *in;
	const struct trace_opts *o;
	struct trace_info *info;
	struct timeline tl;
	uint32_t *frames; /* scratch for one stack */
	size_t framecap;
	/*
	 * Block events record a stack that starts a few frames above where
	 * the goroutine parked; status events record it all, as goroutine
	 * dumps do. Every status stack is learnt before the events are read
	 * (trace_learn), so that a block stack that ends one of them shows
	 * as that fuller stack in every snapshot (normalised stack -> index
	 * into fuller, or FULLER_AMBIGUOUS).
	 */
	struct u64map fuller_index;
	struct trace_stack *fuller;
	size_t nfuller, fullercap;
	/* Goroutines whose status stack shows a runtime goroutine: left
	 * out of every snapshot from the start. */
	struct u64map system_ids;
	uint64_t progress_done, progress_step;
};

/* Largest number of frames of a stack the runtime writes. */
#define TRACE_MAX_FRAMES 128u

/*
 * Intern the raw frames r->frames[0..n) (frame ids, innermost first) as a
 * stack: normalised, with its first frame and the states it suggests.
 */
void trace_intern_stack(struct trace_run *r, uint32_t n, struct trace_stack *s);

/*
 * Learn a status stack of a parked goroutine: a block stack equal to one
 * of its proper suffixes (normalised) stands for it, unless the suffix
 * ends two different status stacks.
 */
void trace_learn(struct trace_run *r, const struct trace_stack *status);

/*
 * Mark g (may be NULL) as a runtime goroutine when stack s (may be NULL)
 * of it says so or its status stacks did (system_ids).
 */
static inline void
trace_mark_system(struct trace_run *r, struct tl_goroutine *g,
		  const struct trace_stack *s)
{
	if (g == NULL || (g->flags & TLG_SYSTEM))
		return;
	if ((s && s->runtime) ||
	    u64map_get(&r->system_ids, g->id) != U64MAP_NONE)
		g->flags |= TLG_SYSTEM;
}

/* Find which fuller stack s stands for, into s->memo_fuller. */
void trace_fuller_memo(struct trace_run *r, struct trace_stack *s);

/* The fuller stack learnt for s, or s itself (NULL for NULL). Call it
 * only once every status stack is learnt: the answer is kept in s. */
static inline struct trace_stack *
trace_fuller(struct trace_run *r, struct trace_stack *s)
{
	if (s == NULL || r->nfuller == 0)
		return s;
	if (s->memo_fuller == 0)
		trace_fuller_memo(r, s);
	return s->memo_fuller == 1 ? s : &r->fuller[s->memo_fuller - 2];
}

/*
 * The dump-style state of a wait with the trace's reason (a string id, 0
 * for none) and its stack (NULL when none), worked out each time.
 */
strid trace_wait_state_of(struct trace_run *r, strid reason,
			  const struct trace_stack *s);

/* trace_wait_state_of(), the answer cached in s: a stack blocks for one
 * reason, nearly always. */
static inline strid
trace_wait_state(struct trace_run *r, strid reason, struct trace_stack *s)
{
	if (s == NULL)
		return trace_wait_state_of(r, reason, NULL);
	if (s->memo_reason != reason + 1) {
		s->memo_state = trace_wait_state_of(r, reason, s);
		s->memo_reason = reason + 1;
	}
	return s->memo_state;
}

/*
 * The sampling points for a trace of duration ns: set on r->tl, leaving
 * out a point closer to the next than a tenth of the interval between
 * points (the end stays). Fails when o asks for a moment past the end or
 * for too many points.
 */
int trace_set_points(struct trace_run *r, int64_t duration, struct error *err);

/*
 * End the warning the reader wrote (o bytes of r->tl.warning) with the
 * events out of place, if any, and copy it into r->info.
 */
void trace_end_warning(struct trace_run *r, size_t o);

/* Report progress: done of total bytes. */
void trace_progress(struct trace_run *r, uint64_t done, uint64_t total);

/* Decode a uvarint at *pos (< end); -1 when it runs past end or is too
 * long, without moving *pos. */
static inline int
trace_uvarint(const unsigned char *buf, size_t end, size_t *pos, uint64_t *v)
{
	size_t p = *pos;
	uint64_t x = 0;
	unsigned shift = 0;

	/* Most values fit one byte. */
	if (p < end && buf[p] < 0x80) {
		*v = buf[p];
		*pos = p + 1;
		return 0;
	}
	while (p < end) {
		unsigned char c = buf[p++];

		if (shift == 63 && c > 1)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*pos = p;
			*v = x;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

/*
 * A uvarint at b[p], when 10 bytes from p can be read: the position after
 * it. When it is not valid (more than 10 bytes, or above 2^64 - 1, as
 * trace_uvarint() judges) *bad is set and the position is p + 10.
 * Unrolled for the lengths events mostly have.
 */
static inline size_t
trace_uvarint10(const unsigned char *b, size_t p, uint64_t *v, int *bad)
{
	uint64_t x = b[p], c;
	unsigned k;

	if (x < 0x80) {
		*v = x;
		return p + 1;
	}
	x &= 0x7f;
	c = b[p + 1];
	x |= (c & 0x7f) << 7;
	if (c < 0x80) {
		*v = x;
		return p + 2;
	}
	c = b[p + 2];
	x |= (c & 0x7f) << 14;
	if (c < 0x80) {
		*v = x;
		return p + 3;
	}
	for (k = 3; k < 10; k++) {
		c = b[p + k];
		if (k == 9 && c > 1)
			break;
		x |= (c & 0x7f) << (7 * k);
		if (c < 0x80) {
			*v = x;
			return p + k + 1;
		}
	}
	*bad = 1;
	return p + 10;
}

/*
 * The goroutine an event runs on (id, TL_NO_GOROUTINE when none) or
 * names, or NULL, counted as an anomaly naming the event type and offset.
 */
struct tl_goroutine *trace_not_running(struct trace_run *r, unsigned type,
				       size_t at);
struct tl_goroutine *trace_not_named(struct trace_run *r, uint64_t id,
				     unsigned type, size_t at);

static inline struct tl_goroutine *
trace_running(struct trace_run *r, uint64_t id, unsigned type, size_t at)
{
	struct tl_goroutine *g = NULL;

	if (id != TL_NO_GOROUTINE)
		g = timeline_find(&r->tl, id);
	return g != NULL ? g : trace_not_running(r, type, at);
}

static inline struct tl_goroutine *
trace_named(struct trace_run *r, uint64_t id, unsigned type, size_t at)
{
	struct tl_goroutine *g = timeline_find(&r->tl, id);

	return g != NULL ? g : trace_not_named(r, id, type, at);
}

#endif
