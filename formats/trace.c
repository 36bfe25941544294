/* Execution traces: header, sampling, and what both versions share. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/trace.h"
#include "formats/tracev1.h"
#include "formats/tracev2.h"
#include "lib/error.h"
#include "lib/infer.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define HEADER_LEN 16

/*
 * The minor version in "go 1.N trace" followed by NULs up to 16 bytes, or
 * 0 when buf does not start with such a header.
 */
static unsigned
header_version(const unsigned char *buf, size_t len)
{
	size_t i = 5;
	unsigned v = 0;

	if (len < HEADER_LEN || memcmp(buf, "go 1.", 5) != 0)
		return 0;
	while (i < 7 && buf[i] >= '0' && buf[i] <= '9')
		v = v * 10 + (unsigned)(buf[i++] - '0');
	if (i == 5 || memcmp(buf + i, " trace", 6) != 0)
		return 0;
	for (i += 6; i < HEADER_LEN; i++)
		if (buf[i] != 0)
			return 0;
	return v;
}

int
trace_sniff(const unsigned char *buf, size_t len)
{
	return header_version(buf, len) != 0;
}

/* --- durations ----------------------------------------------------------- */

static const struct {
	const char *unit;
	int64_t ns;
} units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 }, /* µs */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", 60 * 1000000000LL },
	{ "h", 3600 * 1000000000LL },
};

int
trace_parse_duration(const char *s, int64_t *ns, struct error *err)
{
	const char *p = s;
	double total = 0;

	if (*p == '\0')
		goto bad;
	while (*p) {
		char *end = NULL;
		double v;
		size_t k, best = 0, bestlen = 0;

		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			goto bad;
		v = strtod(p, &end);
		if (end == p || !(v >= 0))
			goto bad;
		p = end;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t ul = strlen(units[k].unit);

			if (strncmp(p, units[k].unit, ul) == 0 &&
			    ul > bestlen) {
				best = k;
				bestlen = ul;
			}
		}
		if (bestlen == 0)
			goto bad;
		p += bestlen;
		total += v * (double)units[best].ns;
	}
	if (!(total < 9.2e18))
		goto bad;
	*ns = (int64_t)llround(total);
	return 0;
bad:
	return error_set(err,
			 "expected a duration with a unit (such as 2.5s, "
			 "300ms, 1m30s), got '%s'",
			 s);
}

void
trace_format_duration(int64_t ns, char *buf, size_t size)
{
	double s = (double)ns / 1e9;

	if (ns < 0)
		ns = 0;
	if (ns < 1000)
		snprintf(buf, size, "%" PRId64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.3gus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3gms", (double)ns / 1e6);
	else if (ns < 60 * 1000000000LL)
		snprintf(buf, size, "%.3gs", s);
	else if (ns < 3600 * 1000000000LL)
		snprintf(buf, size, "%dm%ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, size, "%dh%dm", (int)(s / 3600),
			 (int)fmod(s / 60, 60));
}

/* --- stacks and states --------------------------------------------------- */

/* Runtime goroutines that wait with "system goroutine wait": the state a
 * goroutine dump prints for each, found by a function of its stack. */
static const struct {
	const char *func;
	const char *state;
} system_waits[] = {
	{ "runtime.ReadTrace", "trace reader (blocked)" },
	{ "runtime.gcBgMarkWorker", "GC worker (idle)" },
	{ "runtime.forcegchelper", "force gc (idle)" },
	{ "runtime.bgsweep", "GC sweep wait" },
	{ "runtime.bgscavenge", "GC scavenge wait" },
	{ "runtime.runfinq", "finalizer wait" },
	{ "runtime.runCleanups", "cleanup wait" },
	{ "runtime/trace.(*traceMultiplexer).startLocked.func1",
	  "trace reader (blocked)" },
	{ "runtime/trace.Start.func1", "trace reader (blocked)" },
};

void
trace_intern_stack(struct trace_run *r, uint32_t n, struct trace_stack *s)
{
	struct intern *in = r->in;
	const char *st = NULL;
	uint32_t i;
	size_t k;

	memset(s, 0, sizeof(*s));
	s->filled = 1;
	if (n == 0)
		return;
	s->first = r->frames[0];
	st = infer_state(in, r->frames, n, 0);
	if (strcmp(st, "running") != 0 && strcmp(st, "waiting") != 0)
		s->inferred = strtab_intern_cstr(&in->strings, st);
	for (i = 0; i < n && s->system == 0; i++) {
		const struct frame *f = intern_frame_get(in, r->frames[i]);
		const char *fn = intern_str(in, f->func);

		for (k = 0; k < sizeof(system_waits) / sizeof(system_waits[0]);
		     k++)
			if (strcmp(fn, system_waits[k].func) == 0) {
				s->system = strtab_intern_cstr(
					&in->strings, system_waits[k].state);
				break;
			}
	}
	{
		const struct frame *f = intern_frame_get(in, r->frames[n - 1]);
		const char *fn = intern_str(in, f->func);

		/* isSystemGoroutine: started in package runtime, except
		 * runtime.main (which traces leave out anyway). */
		s->runtime = strncmp(fn, "runtime.", 8) == 0 &&
			     strcmp(fn, "runtime.main") != 0;
	}
	s->norm = intern_stack(in, r->frames, n);
}

#define FULLER_AMBIGUOUS (U64MAP_NONE - 1)

void
trace_learn(struct trace_run *r, const struct trace_stack *st)
{
	uint32_t n = 0, k, idx;
	const uint32_t *v = NULL;

	if (st == NULL || st->norm == 0)
		return;
	v = seqtab_items(&r->in->stacks, st->norm, &n);
	if (n < 2)
		return;
	r->fuller = xgrow(r->fuller, sizeof(*r->fuller), r->nfuller + 1,
			  &r->fullercap);
	r->fuller[r->nfuller] = *st;
	r->fuller[r->nfuller].memo_reason = 0;
	idx = (uint32_t)r->nfuller++;
	for (k = 1; k < n; k++) {
		seqid suffix;
		uint32_t old;

		/* Interning may move the items: find them again. */
		v = seqtab_items(&r->in->stacks, st->norm, &n);
		r->frames = xgrow(r->frames, sizeof(*r->frames), n + 1,
				  &r->framecap);
		memcpy(r->frames, v + k, (n - k) * sizeof(*v));
		suffix = seqtab_intern(&r->in->stacks, r->frames, n - k);
		old = u64map_get(&r->fuller_index, suffix);
		if (old == U64MAP_NONE)
			u64map_put(&r->fuller_index, suffix, idx);
		else if (old != FULLER_AMBIGUOUS &&
			 r->fuller[old].norm != st->norm)
			u64map_put(&r->fuller_index, suffix, FULLER_AMBIGUOUS);
	}
}

void
trace_fuller_memo(struct trace_run *r, struct trace_stack *s)
{
	uint32_t i = u64map_get(&r->fuller_index, s->norm);

	s->memo_fuller = i == U64MAP_NONE || i == FULLER_AMBIGUOUS ? 1 : i + 2;
}

/* How a trace's block reason becomes the words of a goroutine dump. */
enum reason_how {
	R_FIXED,   /* state as given */
	R_INFER,   /* what the stack suggests, else state */
	R_SYNC,	   /* a sync.* state the stack suggests, else state */
	R_FOREVER, /* nil channel or select {} */
	R_SYSTEM,  /* a runtime goroutine's own state */
};

static const struct {
	const char *reason; /* as the runtime writes it */
	const char *state;
	enum reason_how how;
} reason_map[] = {
	{ "chan receive", "chan receive", R_FIXED },
	{ "chan send", "chan send", R_FIXED },
	{ "select", "select", R_FIXED },
	{ "sync", "semacquire", R_SYNC },
	{ "sync.(*Cond).Wait", "sync.Cond.Wait", R_FIXED },
	{ "network", "IO wait", R_FIXED },
	{ "sleep", "sleep", R_FIXED },
	{ "forever", "select (no cases)", R_FOREVER },
	{ "GC mark assist wait for work", "GC assist wait", R_FIXED },
	{ "GC background sweeper wait", "GC sweep wait", R_FIXED },
	{ "system goroutine wait", "system goroutine wait", R_SYSTEM },
	{ "preempted", "preempted", R_FIXED },
	{ "wait for debug call", "debug call", R_FIXED },
	{ "wait until GC ends", "wait for GC cycle", R_FIXED },
	{ "GC weak to strong wait", "GC weak to strong wait", R_FIXED },
	{ "synctest", "synctest.Wait", R_INFER },
	{ "coroutine", "coroutine", R_FIXED },
	{ "unspecified", "waiting", R_INFER },
	{ "", "waiting", R_INFER },
};

/*
 * The state of a sync wait whose block stack starts at the API the program
 * called (the runtime skips the frames below it: sync.(*Mutex).Lock, not
 * internal/sync.runtime_SemacquireMutex), as a dump of the moment names
 * it; 0 when f is none of them.
 */
static strid
sync_api_state(struct trace_run *r, frameid f)
{
	static const char *const api[][2] = {
		{ "sync.(*Mutex).Lock", "sync.Mutex.Lock" },
		{ "sync.(*RWMutex).RLock", "sync.RWMutex.RLock" },
		{ "sync.(*RWMutex).Lock", "sync.RWMutex.Lock" },
		{ "sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait" },
		{ "sync.(*Cond).Wait", "sync.Cond.Wait" },
	};
	const struct frame *fr = intern_frame_get(r->in, f);
	const char *name = intern_str(r->in, fr->func);
	size_t len = strtab_len(&r->in->strings, fr->func), k;

	for (k = 0; k < sizeof(api) / sizeof(api[0]); k++)
		if (strlen(api[k][0]) == len &&
		    memcmp(api[k][0], name, len) == 0)
			return strtab_intern_cstr(&r->in->strings, api[k][1]);
	return 0;
}

strid
trace_wait_state_of(struct trace_run *r, strid reason,
		    const struct trace_stack *s)
{
	struct strtab *st = &r->in->strings;
	const char *text = intern_str(r->in, reason);
	size_t len = strtab_len(st, reason), k;
	strid inferred = s ? s->inferred : 0;
	const char *inf = inferred ? intern_str(r->in, inferred) : "";

	for (k = 0; k < sizeof(reason_map) / sizeof(reason_map[0]); k++) {
		if (strlen(reason_map[k].reason) != len ||
		    memcmp(reason_map[k].reason, text, len) != 0)
			continue;
		switch (reason_map[k].how) {
		case R_FIXED:
			break;
		case R_INFER:
			if (inferred && strcmp(inf, "syscall") != 0)
				return inferred;
			break;
		case R_SYNC:
			if (strncmp(inf, "sync.", 5) == 0 ||
			    strcmp(inf, "semacquire") == 0)
				return inferred;
			if (s != NULL && s->first != 0) {
				strid st2 = sync_api_state(r, s->first);

				if (st2 != 0)
					return st2;
			}
			break;
		case R_FOREVER:
			if (strcmp(inf, "chan receive") == 0)
				return strtab_intern_cstr(
					st, "chan receive (nil chan)");
			if (strcmp(inf, "chan send") == 0)
				return strtab_intern_cstr(
					st, "chan send (nil chan)");
			break;
		case R_SYSTEM:
			if (s && s->system)
				return s->system;
			break;
		}
		return strtab_intern_cstr(st, reason_map[k].state);
	}
	/* A reason this table does not know (a newer Go): as written. */
	return reason;
}

/* --- sampling ------------------------------------------------------------ */

/*
 * Leave out each of pts[0..n) that is closer to the next than a tenth of
 * the interval between points (or not before it): it would be a near copy
 * of the next one (--every 3s of a trace of 12.001 s: 12 s, then the end).
 * The last point, the end, stays. Returns the points kept.
 */
static unsigned
merge_close(int64_t *pts, unsigned n, int64_t duration, double interval)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (i + 1 < n) {
			int64_t next =
				pts[i + 1] == TL_END ? duration : pts[i + 1];

			if (next <= pts[i] ||
			    (double)(next - pts[i]) * 10 < interval)
				continue;
		}
		pts[k++] = pts[i];
	}
	return k;
}

int
trace_set_points(struct trace_run *r, int64_t duration, struct error *err)
{
	const struct trace_opts *o = r->o;
	int64_t *pts = NULL;
	unsigned n = 0, k;
	char a[32], b[32];

	switch (o->sampling) {
	case SAMPLE_END:
		pts = xmalloc(sizeof(*pts));
		pts[n++] = TL_END;
		break;
	case SAMPLE_AT:
		if (o->at > duration) {
			trace_format_duration(o->at, a, sizeof(a));
			trace_format_duration(duration, b, sizeof(b));
			return error_set(err,
					 "--at %s is past the end of the trace "
					 "(it lasts %s)",
					 a, b);
		}
		pts = xmalloc(sizeof(*pts));
		pts[n++] = o->at;
		break;
	case SAMPLE_EVENLY: {
		unsigned count = o->count ? o->count : TRACE_DEFAULT_POINTS;

		/* From the start, so that a series sees what was there before
		 * anything happened, to the end; one point is the end. */
		if (count > TL_MAX_POINTS)
			count = TL_MAX_POINTS;
		pts = xreallocarray(NULL, count, sizeof(*pts));
		for (k = 0; k + 1 < count; k++)
			pts[n++] =
				(int64_t)((double)duration * k / (count - 1));
		pts[n++] = TL_END;
		if (count > 1)
			n = merge_close(pts, n, duration,
					(double)duration / (count - 1));
		break;
	}
	case SAMPLE_EVERY:
		if (o->every <= 0 || duration / o->every >= TL_MAX_POINTS) {
			trace_format_duration(o->every, a, sizeof(a));
			trace_format_duration(duration, b, sizeof(b));
			return error_set(err,
					 "--every %s makes more than %u "
					 "snapshots of a trace of %s",
					 a, TL_MAX_POINTS, b);
		}
		pts = xreallocarray(NULL, (size_t)(duration / o->every) + 2,
				    sizeof(*pts));
		for (k = 0; (int64_t)k * o->every < duration; k++)
			pts[n++] = (int64_t)k * o->every;
		pts[n++] = TL_END;
		n = merge_close(pts, n, duration, (double)o->every);
		break;
	}
	timeline_set_points(&r->tl, pts, n);
	free(pts);
	return 0;
}

void
trace_progress(struct trace_run *r, uint64_t done, uint64_t total)
{
	if (r->o->progress == NULL || done < r->progress_done)
		return;
	r->progress_done = done + r->progress_step;
	r->o->progress(r->o->progress_ctx, done, total);
}

/* --- reading ------------------------------------------------------------- */

int
trace_read_points(struct intern *in, const unsigned char *buf, size_t len,
		  const struct trace_opts *o, struct trace_info *info,
		  struct error *err)
{
	struct trace_run r;
	struct trace_info local;
	unsigned v = header_version(buf, len);
	char ver[16];
	int ret;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (v == 0)
		return error_set_offset(err, 0,
					"not an execution trace: expected the "
					"header 'go 1.N trace'");
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.o = o;
	r.info = info;
	r.progress_step = len / 200 + 1;
	timeline_init(&r.tl, in);
	u64map_init(&r.fuller_index);
	u64map_init(&r.system_ids);
	r.tl.listen = o->listen;
	r.tl.source = o->source;
	r.tl.format = strtab_intern_cstr(&in->strings, "trace");
	snprintf(ver, sizeof(ver), "1.%u", v);
	r.tl.go_version = strtab_intern_cstr(&in->strings, ver);
	if (v >= 22 && v <= 26 && v != 24) {
		info->version = v;
		ret = tracev2_read(&r, buf, len, err);
	} else if (v == 5 || v == 7 || v == 8 || v == 9 || v == 10 || v == 11 ||
		   v == 19 || v == 21) {
		info->version = 1000 + v;
		ret = tracev1_read(&r, buf, len, err);
	} else {
		ret = error_set_offset(
			err, 0,
			"execution trace of format go 1.%u: this goroscope "
			"reads the formats of Go 1.5 to 1.26 (headers go 1.5, "
			"1.7 to 1.11, 1.19 and 1.21 to 1.26, not 1.24)",
			v);
	}
	info->anomalies = r.tl.anomalies;
	info->wall_start_ns = r.tl.wall_start_ns;
	timeline_release(&r.tl);
	u64map_release(&r.fuller_index);
	u64map_release(&r.system_ids);
	free(r.fuller);
	free(r.frames);
	return ret;
}

/* Points of a trace on their way to a read path's sink. */
struct points {
	snapshot_sink sink;
	void *ctx;
	uint32_t pos;
};

static int
to_sink(void *ctx, struct snapshot *s)
{
	struct points *p = ctx;

	s->pos = p->pos++;
	return p->sink(s, p->ctx) != 0 ? -1 : 0;
}

int
trace_read(struct intern *in, const unsigned char *buf, size_t len,
	   const struct read_opts *ro, snapshot_sink sink, void *ctx,
	   struct error *err)
{
	struct trace_opts o;
	struct points p = { sink, ctx, 0 };

	memset(&o, 0, sizeof(o));
	o.sampling = ro->sampling;
	o.at = ro->at;
	o.every = ro->every;
	o.count = ro->count;
	o.listen.ctx = &p;
	o.listen.snapshot = to_sink;
	o.progress = ro->progress;
	o.progress_ctx = ro->progress_ctx;
	o.drop = ro->drop;
	o.drop_ctx = ro->drop_ctx;
	o.threads = ro->threads;
	return trace_read_points(in, buf, len, &o, NULL, err);
}

void
trace_end_warning(struct trace_run *r, size_t o)
{
	char *w = r->tl.warning;
	size_t n = sizeof(r->tl.warning);

	if (r->tl.anomalies && o < n)
		snprintf(w + o, n - o,
			 "%s%" PRIu64 " event%s out of place (%s)",
			 o ? "; " : "", r->tl.anomalies,
			 r->tl.anomalies == 1 ? "" : "s", r->tl.anomaly);
	snprintf(r->info->warning, sizeof(r->info->warning), "%s", w);
}

struct tl_goroutine *
trace_not_running(struct trace_run *r, unsigned type, size_t at)
{
	timeline_anomaly(&r->tl,
			 "event %u at offset 0x%zx has no running goroutine",
			 type, at);
	return NULL;
}

struct tl_goroutine *
trace_not_named(struct trace_run *r, uint64_t id, unsigned type, size_t at)
{
	timeline_anomaly(&r->tl,
			 "event %u at offset 0x%zx names goroutine %" PRIu64
			 ", which does not exist",
			 type, at, id);
	return NULL;
}
