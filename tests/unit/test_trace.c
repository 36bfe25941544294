/*
 * Execution traces with known answers, and damaged ones.
 *
 * testdata/captures/leaky/run.trace marks each moment of the leaky program
 * with a user log event; the trace read at that event must count, group by
 * group, what expected.tsv says the moment's profiles hold, and its end
 * must group like the debug=2 dump of the last moment (same group ids).
 * testdata/captures/traces/ holds one small scenario traced by Go 1.21 to
 * 1.26 (and a flight recorder): at each phase and at the end the counts are
 * known, and the leak suspects are exactly the four leaking groups.
 * Cut, damaged and unknown traces keep what is complete or fail clearly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/input.h"
#include "formats/source.h"
#include "formats/trace.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/timeline.h"
#include "tests/tap.h"
#include "tests/testutil.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

#define MAX_LOGS 16

struct logs {
	int64_t ns[MAX_LOGS];
	char msg[MAX_LOGS][32];
	int n;
};

static void
on_log(void *ctx, int64_t ns, uint64_t goid, const char *cat, size_t catlen,
       const char *msg, size_t msglen)
{
	struct logs *l = ctx;

	(void)goid;
	if (catlen != 9 || memcmp(cat, "goroscope", 9) != 0 || l->n == MAX_LOGS)
		return;
	l->ns[l->n] = ns;
	snprintf(l->msg[l->n], sizeof(l->msg[0]), "%.*s", (int)msglen, msg);
	l->n++;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	struct input in;
	struct error err;
	unsigned char *copy = NULL;

	if (input_open(&in, path, &err) < 0)
		return NULL;
	copy = malloc(in.len + 1);
	memcpy(copy, in.data, in.len);
	*len = in.len;
	input_release(&in);
	return copy;
}

static void
find_logs(const unsigned char *buf, size_t len, struct logs *l)
{
	struct intern in;
	struct trace_opts o;
	struct error err;

	memset(l, 0, sizeof(*l));
	memset(&o, 0, sizeof(o));
	o.listen.ctx = l;
	o.listen.log = on_log;
	intern_init(&in);
	error_clear(&err);
	(void)trace_read_points(&in, buf, len, &o, NULL, &err);
	intern_release(&in);
}

/* Goroutines of s whose stack holds the function marker. */
static int64_t
count_marker(const struct snapshot *s, const char *marker)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		uint32_t k, nf = 0;
		const uint32_t *v =
			seqtab_items(&s->in->stacks, s->g[i].stack, &nf);

		for (k = 0; k < nf; k++) {
			const struct frame *f = intern_frame_get(s->in, v[k]);

			if (strcmp(intern_str(s->in, f->func), marker) == 0) {
				n += s->g[i].weight;
				break;
			}
		}
	}
	return n;
}

/* Read buf at ns (or the end when ns < 0) into s. */
static int
read_at(struct snapshot *s, const unsigned char *buf, size_t len, int64_t ns,
	struct error *err)
{
	struct read_opts o;

	memset(&o, 0, sizeof(o));
	o.sampling = ns >= 0 ? SAMPLE_AT : SAMPLE_END;
	o.at = ns;
	return format_read_last(format_find("trace"), s, buf, len, &o, err);
}

/* --- leaky/run.trace against expected.tsv -------------------------------- */

static void
test_leaky(void)
{
	size_t len = 0, m;
	unsigned char *buf = slurp("testdata/captures/leaky/run.trace", &len);
	FILE *fp = fopen("testdata/captures/leaky/expected.tsv", "r");
	char line[1024];
	struct logs l;

	if (!ok(buf != NULL && fp != NULL, "read leaky/run.trace and "
					   "expected.tsv")) {
		free(buf);
		if (fp)
			fclose(fp);
		return;
	}
	find_logs(buf, len, &l);
	is_int(l.n, 6, "run.trace has the six moments");
	for (m = 0; m < (size_t)l.n && m < 6; m++) {
		struct intern in;
		struct snapshot s;
		struct error err;
		char want[16];
		int bad = 0, rows = 0;

		snprintf(want, sizeof(want), "moment %02zu", m);
		is_str(l.msg[m], want, "log %zu names its moment", m);
		intern_init(&in);
		snapshot_init(&s, &in);
		error_clear(&err);
		ok(read_at(&s, buf, len, l.ns[m], &err) == 0,
		   "read at moment %zu", m);
		rewind(fp);
		while (fgets(line, sizeof(line), fp)) {
			char *f[16];
			int n = 0;
			long want_n;
			int64_t got;

			if (line[0] == '#')
				continue;
			n = tsv_split(line, f, 16);
			/* main runs between moments: its stack then is not
			 * in the trace. */
			if (n < 15 || strcmp(f[0], "main") == 0)
				continue;
			rows++;
			want_n = strtol(f[6 + m], NULL, 10);
			got = count_marker(&s, f[2]);
			if (got != want_n) {
				bad++;
				diag("moment %zu, %s: %lld, expected %ld", m,
				     f[0], (long long)got, want_n);
			}
		}
		ok(rows >= 12 && bad == 0,
		   "moment %zu: every group has its expected count", m);
		snapshot_release(&s);
		intern_release(&in);
	}
	fclose(fp);
	free(buf);
}

/* The end of run.trace groups like 05.debug2.txt: same ids and counts. */
static void
test_leaky_ids(void)
{
	struct intern in;
	struct snapshot a, b;
	struct error err;
	struct grouping ga, gb;
	struct group_key key = { GROUP_BY_STACK, 0 };
	size_t i, j, same = 0;

	intern_init(&in);
	snapshot_init(&a, &in);
	snapshot_init(&b, &in);
	error_clear(&err);
	if (!ok(source_load(&a, "testdata/captures/leaky/run.trace", NULL,
			    &err) == 0 &&
			source_load(&b, "testdata/captures/leaky/05.debug2.txt",
				    NULL, &err) == 0,
		"read run.trace and 05.debug2.txt"))
		goto out;
	is_int(snapshot_total(&a), snapshot_total(&b),
	       "the trace's end has the dump's goroutines (runtime ones left "
	       "out)");
	grouping_init(&ga, &in, &key, 1);
	grouping_init(&gb, &in, &key, 1);
	grouping_add(&ga, &a, 0, NULL);
	grouping_add(&gb, &b, 0, NULL);
	grouping_finish(&ga);
	grouping_finish(&gb);
	for (i = 0; i < gb.n; i++)
		for (j = 0; j < ga.n; j++)
			if (ga.v[j].id == gb.v[i].id &&
			    group_count(&ga, &ga.v[j], 0) ==
				    group_count(&gb, &gb.v[i], 0))
				same++;
	/* All but main, which the dump shows writing itself. */
	is_int((long long)same, (long long)gb.n - 1,
	       "every group but main has the dump's id and count (%zu of %zu)",
	       same, gb.n);
	grouping_release(&ga);
	grouping_release(&gb);
out:
	snapshot_release(&a);
	snapshot_release(&b);
	intern_release(&in);
}

/* --- the small scenario, one trace per format ---------------------------- */

static const struct {
	const char *marker;
	int per_phase, before; /* goroutines added each phase, and before */
	int leak;
} scenario[] = {
	{ "main.recvLeak", 2, 0, 1 },	{ "main.lockLeak", 1, 0, 1 },
	{ "main.selectLeak", 1, 0, 1 }, { "main.wgLeak", 1, 0, 1 },
	{ "main.poolWorker", 0, 3, 0 }, { "main.earlyLeak", 0, 2, 0 },
};

/* The -wide traces have events from more Ps (Ms) than the merges scan
 * (8): their heaps are taken there. */
static const char *const traces[] = {
	"go1.21.trace",	     "go1.21-wide.trace",   "go1.22.trace",
	"go1.23.trace",	     "go1.25.trace",	    "go1.26.trace",
	"go1.26-wide.trace", "flight-go1.26.trace",
};

static int
suspect_marker(const struct intern *in, const struct group *g)
{
	uint32_t n = 0, k, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);

	for (k = 0; k < n; k++) {
		const char *fn =
			intern_str(in, intern_frame_get(in, v[k])->func);

		for (i = 0; i < 4; i++)
			if (strcmp(fn, scenario[i].marker) == 0)
				return (int)i;
	}
	return -1;
}

struct collect {
	struct grouping *gr;
	unsigned n;
};

static int
collect(void *ctx, struct snapshot *s)
{
	struct collect *c = ctx;

	grouping_add(c->gr, s, c->n++, NULL);
	return 0;
}

static void
test_scenario(const char *name)
{
	char path[256];
	size_t len = 0, k;
	unsigned char *buf = NULL;
	struct logs l;
	int p, v122 = strcmp(name, "go1.22.trace") == 0;

	snprintf(path, sizeof(path), "testdata/captures/traces/%s", name);
	buf = slurp(path, &len);
	if (!ok(buf != NULL, "read %s", path))
		return;
	find_logs(buf, len, &l);
	is_int(l.n, 4, "%s: four phases", name);
	/* At each phase and at the end (p == l.n). */
	for (p = 0; p <= l.n; p++) {
		struct intern in;
		struct snapshot s;
		struct error err;
		int phase = p < l.n ? p + 1 : l.n, bad = 0;

		intern_init(&in);
		snapshot_init(&s, &in);
		error_clear(&err);
		if (!ok(read_at(&s, buf, len, p < l.n ? l.ns[p] : -1, &err) ==
				0,
			"%s: read at %s", name, p < l.n ? l.msg[p] : "the end"))
			diag("%s", err.text);
		for (k = 0; k < sizeof(scenario) / sizeof(scenario[0]); k++) {
			int64_t want = scenario[k].before +
				       (int64_t)scenario[k].per_phase * phase;
			int64_t got = count_marker(&s, scenario[k].marker);

			/* Go 1.22 records no stack for a goroutine blocked
			 * since before the trace. */
			if (v122 && k == 5)
				want = 0;
			if (got != want) {
				bad++;
				diag("%s, %s: %s %lld, expected %lld", name,
				     p < l.n ? l.msg[p] : "end",
				     scenario[k].marker, (long long)got,
				     (long long)want);
			}
		}
		ok(bad == 0, "%s at %s: every group has its count", name,
		   p < l.n ? l.msg[p] : "the end");
		if (p == l.n)
			is_str(s.warning, "", "%s: no warning", name);
		snapshot_release(&s);
		intern_release(&in);
	}
	/* Sampled at ten points: the suspects are the four leaks. */
	{
		struct intern in;
		struct grouping gr;
		struct group_key key = { GROUP_BY_STACK, 0 };
		struct collect c = { &gr, 0 };
		struct trace_opts o;
		struct trace_info info;
		struct analysis an;
		struct analysis_opts ao;
		struct error err;
		int found[4] = { 0 }, others = 0;
		size_t i;

		intern_init(&in);
		grouping_init(&gr, &in, &key, 1);
		memset(&o, 0, sizeof(o));
		o.sampling = SAMPLE_EVENLY;
		o.listen.ctx = &c;
		o.listen.snapshot = collect;
		error_clear(&err);
		ok(trace_read_points(&in, buf, len, &o, &info, &err) == 0,
		   "%s: sampled", name);
		is_int(c.n, TRACE_DEFAULT_POINTS, "%s: ten snapshots", name);
		grouping_finish(&gr);
		memset(&ao, 0, sizeof(ao));
		suspect_rules_default(&ao.rules);
		ao.ignore_known = 1;
		analysis_run(&an, &gr, &ao);
		for (i = 0; i < gr.n; i++) {
			int m;

			if (!verdict_is_suspect(an.ev[i].verdict))
				continue;
			m = suspect_marker(&in, &gr.v[i]);
			if (m >= 0)
				found[m]++;
			else
				others++;
		}
		ok(found[0] == 1 && found[1] == 1 && found[2] == 1 &&
			   found[3] == 1 && others == 0,
		   "%s: the suspects are the four leaks (%d %d %d %d, %d "
		   "others)",
		   name, found[0], found[1], found[2], found[3], others);
		if (strncmp(name, "flight", 6) == 0)
			ok(info.first_gen > 1, "%s: starts at generation %llu",
			   name, (unsigned long long)info.first_gen);
		analysis_release(&an);
		grouping_release(&gr);
		intern_release(&in);
	}
	free(buf);
}

/* --- damage -------------------------------------------------------------- */

static int
read_buf(const unsigned char *buf, size_t len, struct snapshot *s,
	 struct error *err)
{
	error_clear(err);
	return format_read_last(format_find("trace"), s, buf, len, NULL, err);
}

/* Cut a trace at many places: complete generations survive, with a
 * warning naming the offset; nothing complete is an error at an offset. */
static void
test_cuts(const char *name, int old)
{
	char path[256];
	size_t len = 0, cut, good = 0, errors = 0, bad = 0;
	unsigned char *buf = NULL;

	snprintf(path, sizeof(path), "testdata/captures/traces/%s", name);
	buf = slurp(path, &len);
	if (!ok(buf != NULL, "read %s", path))
		return;
	for (cut = 0; cut < len; cut += len / 97 + 1) {
		struct intern in;
		struct snapshot s;
		struct error err;
		int rc;

		intern_init(&in);
		snapshot_init(&s, &in);
		rc = read_buf(buf, cut, &s, &err);
		if (rc == 0) {
			good++;
			if (strstr(s.warning, "offset 0x") == NULL) {
				bad++;
				diag("%s cut at %zu: no warning", name, cut);
			}
		} else {
			errors++;
			if (err.where != ERROR_OFFSET && cut >= 16) {
				bad++;
				diag("%s cut at %zu: %s", name, cut, err.text);
			}
		}
		snapshot_release(&s);
		intern_release(&in);
	}
	ok(bad == 0,
	   "%s cut at 98 places: %zu read with a warning, %zu "
	   "refused at an offset",
	   name, good, errors);
	/* An old trace keeps its frequency and stacks at the end: only the
	 * cuts inside the stack table can be read. */
	ok(good > 0 && errors > (old ? 50 : 0),
	   "%s: cuts after the %s keep what came before", name,
	   old ? "frequency" : "first generation");
	free(buf);
}

/* A byte buffer to build traces by hand. */
struct bytes {
	unsigned char b[4096];
	size_t n;
};

static void
put(struct bytes *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
uv(struct bytes *w, uint64_t v)
{
	while (v >= 0x80) {
		w->b[w->n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (unsigned char)v;
}

/* One generation of a Go 1.23 trace: goroutine 7 created by 1, which
 * blocks on a channel; a string table; then whatever extra says. */
static void
build_gen(struct bytes *w, uint64_t gen, int unknown_event, int experimental)
{
	struct bytes ev = { .n = 0 }, str = { .n = 0 }, fq = { .n = 0 };

	/* frequency batch */
	put(&fq, "\x08", 1), uv(&fq, 1000000000);
	put(w, "\x01", 1);
	uv(w, gen), uv(w, UINT64_MAX), uv(w, 100 * gen), uv(w, fq.n);
	put(w, fq.b, fq.n);
	if (experimental) {
		put(w, "\x31\x01", 2);
		uv(w, gen), uv(w, UINT64_MAX), uv(w, 100 * gen), uv(w, 3);
		put(w, "xyz", 3);
	}
	/* events of M 9: g1 runs, creates g7, blocks on "chan receive" */
	put(&ev, "\x19", 1), uv(&ev, 1), uv(&ev, 1), uv(&ev, 9), uv(&ev, 2);
	put(&ev, "\x0e", 1), uv(&ev, 1), uv(&ev, 7), uv(&ev, 0), uv(&ev, 0);
	if (unknown_event)
		put(&ev, "\x7f\x01\x01", 3);
	put(&ev, "\x14", 1), uv(&ev, 1), uv(&ev, 1), uv(&ev, 0);
	put(w, "\x01", 1);
	uv(w, gen), uv(w, 9), uv(w, 100 * gen + 1), uv(w, ev.n);
	put(w, ev.b, ev.n);
	/* strings */
	put(&str, "\x04\x05", 2), uv(&str, 1), uv(&str, 12);
	put(&str, "chan receive", 12);
	put(w, "\x01", 1);
	uv(w, gen), uv(w, UINT64_MAX), uv(w, 100 * gen + 50), uv(w, str.n);
	put(w, str.b, str.n);
}

static void
test_built(void)
{
	struct bytes w;
	struct intern in;
	struct snapshot s;
	struct error err;
	int rc;

	/* Clean: two goroutines, g1 in chan receive, g7 runnable. */
	memset(&w, 0, sizeof(w));
	put(&w, "go 1.23 trace\0\0\0", 16);
	build_gen(&w, 5, 0, 1);
	intern_init(&in);
	snapshot_init(&s, &in);
	rc = read_buf(w.b, w.n, &s, &err);
	ok(rc == 0 && s.n == 2,
	   "a built trace starting at generation 5, "
	   "with an experimental batch, reads: %zu "
	   "goroutines",
	   s.n);
	if (rc == 0 && s.n == 2) {
		const struct goroutine *g1 = s.g[0].id == 1 ? &s.g[0] : &s.g[1];
		const struct goroutine *g7 = s.g[0].id == 7 ? &s.g[0] : &s.g[1];

		is_str(intern_str(&in, g1->state), "chan receive",
		       "goroutine 1 waits in chan receive");
		is_str(intern_str(&in, g7->state), "runnable",
		       "goroutine 7 is runnable");
		ok((g7->flags & G_CREATED_IN_TRACE) && g7->creator_id == 1,
		   "goroutine 7 was created during the trace by goroutine 1");
		ok(!(g1->flags & G_CREATED_IN_TRACE),
		   "goroutine 1 existed before the trace");
	}
	is_str(s.warning, "", "no warning");
	snapshot_release(&s);
	intern_release(&in);

	/* An unknown event type: the rest of its batch is skipped. */
	memset(&w, 0, sizeof(w));
	put(&w, "go 1.23 trace\0\0\0", 16);
	build_gen(&w, 1, 1, 0);
	intern_init(&in);
	snapshot_init(&s, &in);
	rc = read_buf(w.b, w.n, &s, &err);
	ok(rc == 0 && strstr(s.warning, "unknown type 127") &&
		   strstr(s.warning, "offset 0x"),
	   "an unknown event type is skipped with a warning: %s", s.warning);
	snapshot_release(&s);
	intern_release(&in);

	/* A second generation cut inside: the first is kept. */
	memset(&w, 0, sizeof(w));
	put(&w, "go 1.23 trace\0\0\0", 16);
	build_gen(&w, 1, 0, 0);
	{
		size_t first = w.n;

		build_gen(&w, 2, 0, 0);
		intern_init(&in);
		snapshot_init(&s, &in);
		rc = read_buf(w.b, w.n - 3, &s, &err);
		ok(rc == 0 && strstr(s.warning, "generation 2") &&
			   strstr(s.warning, "complete generation"),
		   "a cut second generation keeps the first: %s", s.warning);
		snapshot_release(&s);
		intern_release(&in);
		/* Cut in the first: nothing complete, an error. */
		intern_init(&in);
		snapshot_init(&s, &in);
		rc = read_buf(w.b, first - 3, &s, &err);
		ok(rc < 0 && err.where == ERROR_OFFSET &&
			   strstr(err.text, "no complete generation"),
		   "a cut first generation is an error: %s", err.text);
		snapshot_release(&s);
		intern_release(&in);
	}

	/* Headers: unknown versions, and garbage after one. */
	{
		static const struct {
			const char *bytes;
			size_t n;
			const char *msg;
		} cases[] = {
			{ "go 1.24 trace\0\0\0", 16, "format go 1.24" },
			{ "go 1.27 trace\0\0\0", 16, "format go 1.27" },
			{ "go 1.25 trace\0\0\0\x07", 17, "expected a batch" },
			{ "go 1.26 trace\0\0\0", 16, "without events" },
		};
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			intern_init(&in);
			snapshot_init(&s, &in);
			rc = read_buf((const unsigned char *)cases[i].bytes,
				      cases[i].n, &s, &err);
			ok(rc < 0 && strstr(err.text, cases[i].msg),
			   "refused: %s", err.text);
			snapshot_release(&s);
			intern_release(&in);
		}
	}
}

/* --- generations: what crosses their boundaries -------------------------- */

static void
batch(struct bytes *w, uint64_t gen, uint64_t m, uint64_t time,
      const struct bytes *body)
{
	put(w, "\x01", 1);
	uv(w, gen), uv(w, m), uv(w, time), uv(w, body->n);
	put(w, body->b, body->n);
}

/* A Go 1.23 generation: a frequency of 1 GHz (a tick is a nanosecond),
 * M 9's events, and a string table whose string 1 is "chan receive". */
static void
gen_of(struct bytes *w, uint64_t gen, uint64_t time, const struct bytes *ev)
{
	struct bytes fq = { .n = 0 }, str = { .n = 0 };

	put(&fq, "\x08", 1), uv(&fq, 1000000000);
	batch(w, gen, UINT64_MAX, time, &fq);
	batch(w, gen, 9, time, ev);
	put(&str, "\x04\x05", 2), uv(&str, 1), uv(&str, 12);
	put(&str, "chan receive", 12);
	batch(w, gen, UINT64_MAX, time, &str);
}

/* Event type, then its arguments, dt first. */
static void
event(struct bytes *w, unsigned type, unsigned n, const uint64_t *args)
{
	unsigned k;

	w->b[w->n++] = (unsigned char)type;
	for (k = 0; k < n; k++)
		uv(w, args[k]);
}

#define EV(w, type, ...)                                                       \
	event(w, type, sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t), \
	      (uint64_t[]){ __VA_ARGS__ })

/* Everything a reading said, as text: the first 8 KiB of it, and a hash
 * and the length of all of it. */
struct heard {
	char text[8192];
	size_t n, total;
	uint64_t hash;
	struct intern *in;
};

static void hear(struct heard *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
hear(struct heard *h, const char *fmt, ...)
{
	va_list ap;
	char line[512];
	size_t k, len;

	va_start(ap, fmt);
	len = (size_t)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	for (k = 0; k < len; k++)
		h->hash = (h->hash ^ (unsigned char)line[k]) * 1099511628211ULL;
	h->total += len;
	if (h->n + len < sizeof(h->text)) {
		memcpy(h->text + h->n, line, len + 1);
		h->n += len;
	}
}

static void
heard_wait(void *ctx, const struct tl_goroutine *g, const struct tl_wait *w)
{
	struct heard *h = ctx;

	hear(h, "wait g%llu %lld-%lld %s;", (unsigned long long)g->id,
	     (long long)w->begin_ns, (long long)w->end_ns,
	     intern_str(h->in, w->state));
}

static void
heard_gone(void *ctx, const struct tl_goroutine *g, int at_end)
{
	struct heard *h = ctx;

	hear(h, "%s g%llu created %lld by g%llu ended %lld;",
	     at_end ? "alive" : "gone", (unsigned long long)g->id,
	     g->flags & TLG_CREATED ? (long long)g->created_ns : -1LL,
	     g->flags & TLG_HAS_PARENT ? (unsigned long long)g->parent : 0ULL,
	     g->flags & TLG_ENDED ? (long long)g->ended_ns : -1LL);
}

static int
heard_snapshot(void *ctx, struct snapshot *s)
{
	struct heard *h = ctx;
	size_t i;

	hear(h, "at %lld:", (long long)s->offset_ns);
	for (i = 0; i < s->n; i++)
		hear(h, " g%llu %s %lld", (unsigned long long)s->g[i].id,
		     intern_str(h->in, s->g[i].state),
		     s->g[i].flags & G_HAS_WAIT_NS ? (long long)s->g[i].wait_ns
						   : -1LL);
	hear(h, ";");
	return 0;
}

/* Read buf every `every` ns (0: at the default points) on threads
 * threads, into h. */
static int
hear_trace(struct heard *h, const unsigned char *buf, size_t len, int64_t every,
	   unsigned threads)
{
	struct intern in;
	struct trace_opts o;
	struct trace_info info;
	struct error err;
	int rc;

	memset(h, 0, sizeof(*h));
	memset(&o, 0, sizeof(o));
	intern_init(&in);
	h->in = &in;
	o.sampling = every ? SAMPLE_EVERY : SAMPLE_EVENLY;
	o.every = every;
	o.threads = threads;
	o.listen.ctx = h;
	o.listen.wait_done = heard_wait;
	o.listen.gone = heard_gone;
	o.listen.snapshot = heard_snapshot;
	error_clear(&err);
	rc = trace_read_points(&in, buf, len, &o, &info, &err);
	if (rc == 0)
		hear(h, "warning '%s' events %llu", info.warning,
		     (unsigned long long)info.events);
	intern_release(&in);
	h->in = NULL;
	return rc;
}

/*
 * Goroutine 1 blocks in generation 1 and is unblocked in generation 2:
 * one wait, from 10 to 150 ns, though generation 2 lists it anew (a status
 * event) before the unblock. Goroutine 7 is created in generation 1 and
 * ends in generation 2: one lifetime, created at 2 ns by goroutine 1,
 * ended at 160. Goroutine 1 blocks again in generation 3, alive at the
 * end. The same is heard on one thread and on two.
 */
static void
test_generations(void)
{
	struct bytes w, e1 = { .n = 0 }, e2 = { .n = 0 }, e3 = { .n = 0 };
	struct heard one, two;
	const uint64_t none = UINT64_MAX;
	int rc;

	memset(&w, 0, sizeof(w));
	put(&w, "go 1.23 trace\0\0\0", 16);
	/* GoStatus 0x19 (dt, g, m, status), GoCreate 0x0e (dt, g, stack,
	 * stack), GoBlock 0x14 (dt, reason, stack), GoStart 0x10 (dt, g,
	 * seq), GoUnblock 0x15 (dt, g, seq, stack), GoDestroy 0x11 (dt). */
	EV(&e1, 0x19, 1, 1, 9, 2); /* 101: g1 running on M 9 */
	EV(&e1, 0x0e, 1, 7, 0, 0); /* 102: g1 creates g7 */
	EV(&e1, 0x14, 8, 1, 0);	   /* 110: g1 blocks, chan receive */
	EV(&e1, 0x10, 10, 7, 1);   /* 120: g7 runs */
	gen_of(&w, 1, 100, &e1);
	EV(&e2, 0x19, 1, 7, 9, 2);     /* 201: g7 still running */
	EV(&e2, 0x19, 48, 1, none, 4); /* 249: g1 still waiting */
	EV(&e2, 0x15, 1, 1, 1, 0);     /* 250: g7 unblocks g1 */
	EV(&e2, 0x11, 10);	       /* 260: g7 ends */
	EV(&e2, 0x10, 10, 1, 2);       /* 270: g1 runs */
	gen_of(&w, 2, 200, &e2);
	EV(&e3, 0x19, 1, 1, 9, 2); /* 301: g1 still running */
	EV(&e3, 0x14, 9, 1, 0);	   /* 310: g1 blocks again */
	gen_of(&w, 3, 300, &e3);

	rc = hear_trace(&one, w.b, w.n, 20, 1);
	rc |= hear_trace(&two, w.b, w.n, 20, 2);
	ok(rc == 0, "three built generations read on one thread and on two");
	diag("%s", one.text);
	is_str(two.text, one.text, "two threads hear what one does");
	ok(strstr(one.text, "wait g1 10-150 chan receive;") != NULL,
	   "the wait across the boundary is one wait, from 10 to 150 ns");
	ok(strstr(one.text, "at 140: g1 chan receive 130 g7 running -1;") !=
		   NULL,
	   "at 140 ns goroutine 1 has waited 130 ns, since generation 1");
	ok(strstr(one.text, "gone g7 created 2 by g1 ended 160;") != NULL,
	   "goroutine 7 lived from generation 1 into generation 2");
	ok(strstr(one.text, "alive g1 created -1 by g0 ended -1;") != NULL &&
		   strstr(one.text, "g1 chan receive 0;") != NULL,
	   "goroutine 1 is waiting again at the end, since 210 ns");
	ok(strstr(one.text, "warning '' events 11") != NULL,
	   "no warning, and the 11 events");
}

/* A Go 1.23 trace's header in w, and in e a first event: at 101 ns,
 * goroutine 1 is running on M 9. */
static void
start_trace(struct bytes *w, struct bytes *e)
{
	memset(w, 0, sizeof(*w));
	put(w, "go 1.23 trace\0\0\0", 16);
	EV(e, 0x19, 1, 1, 9, 2);
}

/*
 * Before the first generation is replayed, its statuses are found by
 * stepping over the other events' uvarints (a goroutine listed at 200 ns
 * existed from the start). The step must stop where the decoder stops: a
 * 9- or 10-byte uvarint is whole, an 11-byte one ends the batch, and what
 * follows it, the status too, is never read.
 */
static void
test_seed_steps(void)
{
	const uint64_t none = UINT64_MAX;
	int bad;

	for (bad = 0; bad <= 1; bad++) {
		struct bytes w, e = { .n = 0 };
		struct heard h;
		int rc;

		start_trace(&w, &e);
		/* HeapAlloc 0x25 (dt, value): read by no one. */
		EV(&e, 0x25, 1, 300);	     /* 102: 3 bytes in all */
		EV(&e, 0x25, 0, 1ULL << 62); /* 102: a 9-byte uvarint */
		EV(&e, 0x25, 1, none);	     /* 103: a 10-byte one */
		if (bad)		     /* 104: an 11-byte one */
			put(&e,
			    "\x25\x01\xff\xff\xff\xff\xff\xff\xff"
			    "\xff\xff\xff\x01",
			    13);
		EV(&e, 0x19, 97, 5, none, 4); /* 200: g5 waiting */
		gen_of(&w, 1, 100, &e);
		rc = hear_trace(&h, w.b, w.n, 50, 1);
		ok(rc == 0, "%s uvarint: read", bad ? "an 11-byte" : "long");
		diag("%s", h.text);
		if (!bad) {
			ok(strstr(h.text, "at 50: g1 running -1 g5 ") != NULL,
			   "goroutine 5, listed after long uvarints, existed "
			   "from the start");
			ok(strstr(h.text, "warning '' events 5") != NULL,
			   "no warning, 5 events");
		} else {
			ok(strstr(h.text, " g5 ") == NULL,
			   "goroutine 5, listed after an 11-byte uvarint, is "
			   "never seen");
			ok(strstr(h.text, "(type 37) cut short") != NULL &&
				   strstr(h.text, "events 4") != NULL,
			   "the warning names the event, 4 events read");
		}
	}
}

/*
 * Far from its batch's end, an event is decoded without bounds checks;
 * it must judge uvarints as near the end: 10 bytes are whole when the
 * last is 0 or 1 (2^64 - 1 at most), and 0x02 there ends the batch.
 */
static void
test_decode_far(void)
{
	struct bytes w, e = { .n = 0 };
	struct heard h;
	int k;

	start_trace(&w, &e);
	EV(&e, 0x25, 1, UINT64_MAX); /* 102: HeapAlloc, 10 bytes, whole */
	put(&e, "\x25\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 12);
	for (k = 0; k < 30; k++) /* 90 bytes more: far from the end */
		EV(&e, 0x25, 1, 5);
	gen_of(&w, 1, 100, &e);
	ok(hear_trace(&h, w.b, w.n, 50, 1) == 0, "far from the end: read");
	diag("%s", h.text);
	ok(strstr(h.text, "(type 37) cut short") != NULL &&
		   strstr(h.text, "events 2") != NULL,
	   "a 10-byte uvarint above 2^64 - 1 ends the batch; 2 events read");
}

static int
count_snapshot(void *ctx, struct snapshot *s)
{
	(void)s;
	(*(unsigned *)ctx)++;
	return 0;
}

/*
 * A moment asked of a trace (show --at) is the last thing to hear when no
 * one listens to waits, ends or logs: the reader stops there, having
 * decoded fewer events than the whole trace holds; with a listener for
 * ends it reads on.
 */
static void
stops_at_moment(const char *name)
{
	char path[256];
	size_t len = 0;
	unsigned char *buf = NULL;
	uint64_t events[2] = { 0, 0 };
	unsigned seen[2] = { 0, 0 };
	int k, rc = 0;

	snprintf(path, sizeof(path), "testdata/captures/traces/%s", name);
	buf = slurp(path, &len);
	if (!ok(buf != NULL, "read %s", path))
		return;
	for (k = 0; k < 2; k++) {
		struct intern in;
		struct trace_opts o;
		struct trace_info info;
		struct heard h;
		struct error err;

		memset(&o, 0, sizeof(o));
		memset(&h, 0, sizeof(h));
		o.sampling = SAMPLE_AT;
		o.at = 20000000; /* 20 ms of 301 */
		o.listen.ctx = &seen[k];
		o.listen.snapshot = count_snapshot;
		if (k == 1) {
			o.listen.ctx = &h;
			o.listen.snapshot = heard_snapshot;
			o.listen.gone = heard_gone;
		}
		intern_init(&in);
		h.in = &in;
		error_clear(&err);
		rc |= trace_read_points(&in, buf, len, &o, &info, &err);
		events[k] = info.events;
		intern_release(&in);
	}
	ok(rc == 0 && seen[0] == 1 && events[0] < events[1],
	   "%s at 20 ms with no one listening to ends: %llu events counted, "
	   "%llu with a listener for ends",
	   name, (unsigned long long)events[0], (unsigned long long)events[1]);
	free(buf);
}

static void
test_stops_at_moment(void)
{
	stops_at_moment("go1.26.trace");
	stops_at_moment("go1.21.trace");
}

static void split_agrees(const char *name, const unsigned char *buf,
			 size_t len);

/*
 * Every committed trace, among them the flight recorder's (it starts in
 * the middle of a run, at a generation other than 1): each goroutine's
 * waits and lifetime and each snapshot are heard the same on one thread
 * and on two, as is what split_agrees() reads.
 */
static void
test_threads_agree(void)
{
	size_t t;

	for (t = 0; t < sizeof(traces) / sizeof(traces[0]); t++) {
		char path[256];
		size_t len = 0;
		unsigned char *buf = NULL;
		struct heard one, two;
		int rc;

		snprintf(path, sizeof(path), "testdata/captures/traces/%s",
			 traces[t]);
		buf = slurp(path, &len);
		if (!ok(buf != NULL, "read %s", path))
			continue;
		rc = hear_trace(&one, buf, len, 0, 1);
		rc |= hear_trace(&two, buf, len, 0, 2);
		ok(rc == 0 && one.total > 1000 && one.total == two.total &&
			   one.hash == two.hash,
		   "%s: the same %zu bytes of waits, lives and snapshots on "
		   "one thread and on two",
		   traces[t], one.total);
		split_agrees(traces[t], buf, len);
		free(buf);
	}
}

/* --- generations split between two threads ------------------------------- */

static int
heard_whole(void *ctx, struct snapshot *s)
{
	struct heard *h = ctx;
	size_t i;

	hear(h, "at %lld warning '%s':", (long long)s->offset_ns, s->warning);
	for (i = 0; i < s->n; i++) {
		const struct goroutine *g = &s->g[i];

		hear(h,
		     " g%llu %s wait %lld stack %u by %llu at %u/%u flags %x",
		     (unsigned long long)g->id, intern_str(h->in, g->state),
		     g->flags & G_HAS_WAIT_NS ? (long long)g->wait_ns : -1LL,
		     g->stack, (unsigned long long)g->creator_id, g->creator,
		     g->creation_stack, g->flags);
	}
	hear(h, ";");
	return 0;
}

/* heard_whole(), asking to stop after h->stop_after snapshots (0: never). */
static unsigned stop_after, stop_seen;

static int
heard_stopping(void *ctx, struct snapshot *s)
{
	heard_whole(ctx, s);
	return stop_after != 0 && ++stop_seen == stop_after ? -1 : 0;
}

/*
 * Read buf at its end (every 0: show), every `every` ns (trend) or, every
 * negative, at -every ns (show --at), with no one listening to waits or
 * ends: on two threads the later
 * generations are replayed on the second and joined. Everything
 * snapshots tell, ids of stacks and strings and the order of the
 * goroutines too, into h; the reading's info into *info.
 */
static int
hear_split(struct heard *h, const unsigned char *buf, size_t len,
	   unsigned threads, int64_t every, struct trace_info *info)
{
	struct intern in;
	struct trace_opts o;
	struct error err;
	int rc;

	memset(h, 0, sizeof(*h));
	memset(&o, 0, sizeof(o));
	intern_init(&in);
	h->in = &in;
	o.sampling = every > 0	 ? SAMPLE_EVERY
		     : every < 0 ? SAMPLE_AT
				 : SAMPLE_END;
	o.every = every > 0 ? every : 0;
	o.at = every < 0 ? -every : 0;
	o.threads = threads;
	o.listen.ctx = h;
	o.listen.snapshot = heard_stopping;
	stop_seen = 0;
	error_clear(&err);
	rc = trace_read_points(&in, buf, len, &o, info, &err);
	if (rc == 0)
		hear(h, "events %llu anomalies %llu strings %zu stacks %zu",
		     (unsigned long long)info->events,
		     (unsigned long long)info->anomalies, in.strings.n,
		     in.stacks.n);
	intern_release(&in);
	h->in = NULL;
	return rc;
}

/*
 * The generations of test_generations() read at the end: on two threads
 * the second replays the later ones (goroutine 1 waiting across the
 * boundary, goroutine 7 created before it and ending after) and they are
 * joined, telling what one thread does. Then goroutine 1's status in
 * generation 2 says it is runnable where generation 1 left it waiting and
 * nothing unblocked it: out of place, which the later generations alone
 * cannot see and the join cannot take, so they are replayed again after
 * the earlier, telling what one thread does (the saved timeline put
 * back). Each read at the end and every 15 ns (points in both parts and
 * between generations; the built goroutines have no stacks, so every
 * snapshot is held to the next point).
 */
static void
test_split(void)
{
	const uint64_t none = UINT64_MAX;
	int bad;

	for (bad = 0; bad <= 1; bad++) {
		struct bytes w, e1 = { .n = 0 }, e2 = { .n = 0 },
				e3 = { .n = 0 };
		struct heard one, two;
		struct trace_info i1, i2;
		int rc;

		memset(&w, 0, sizeof(w));
		put(&w, "go 1.23 trace\0\0\0", 16);
		EV(&e1, 0x19, 1, 1, 9, 2); /* 101: g1 running on M 9 */
		EV(&e1, 0x0e, 1, 7, 0, 0); /* 102: g1 creates g7 */
		EV(&e1, 0x14, 8, 1, 0);	   /* 110: g1 blocks */
		EV(&e1, 0x10, 10, 7, 1);   /* 120: g7 runs */
		gen_of(&w, 1, 100, &e1);
		EV(&e2, 0x19, 1, 7, 9, 2); /* 201: g7 still running */
		if (bad) {
			/* 250: g1 runnable, though it blocked and no one
			 * unblocked it: out of place only after 110 */
			EV(&e2, 0x19, 49, 1, none, 1);
			EV(&e2, 0x11, 10);	 /* 260: g7 ends */
			EV(&e2, 0x10, 10, 1, 1); /* 270: g1 runs */
		} else {
			EV(&e2, 0x19, 48, 1, none, 4); /* 249: g1 waiting */
			EV(&e2, 0x15, 1, 1, 1, 0);     /* 250: g7 unblocks g1 */
			EV(&e2, 0x11, 10);	       /* 260: g7 ends */
			EV(&e2, 0x10, 10, 1, 2);       /* 270: g1 runs */
		}
		gen_of(&w, 2, 200, &e2);
		EV(&e3, 0x19, 1, 1, 9, 2); /* 301: g1 still running */
		EV(&e3, 0x0e, 1, 8, 0, 0); /* 302: g1 creates g8 */
		EV(&e3, 0x14, 8, 1, 0);	   /* 310: g1 blocks again */
		gen_of(&w, 3, 300, &e3);

		rc = hear_split(&one, w.b, w.n, 1, 0, &i1);
		rc |= hear_split(&two, w.b, w.n, 2, 0, &i2);
		ok(rc == 0, "%s: read on one thread and on two",
		   bad ? "out of place at the boundary" : "three generations");
		diag("%s", one.text);
		is_str(two.text, one.text,
		       "two threads tell what one does, ids and order too");
		ok(i1.split_gen == 0 && i2.split_gen > 0 &&
			   i2.split_redone == bad,
		   "the later generations, from %llu, were %s",
		   (unsigned long long)i2.split_gen,
		   bad ? "replayed again" : "joined");
		if (!bad) {
			ok(strstr(one.text, " g1 chan receive wait 0 ") &&
				   strstr(one.text, " g8 runnable ") &&
				   !strstr(one.text, " g7 "),
			   "goroutine 1 waits again, 8 is new, 7 ended");
		} else {
			ok(i1.anomalies == 1 && i2.anomalies == 1,
			   "the status out of place is counted once: %llu",
			   (unsigned long long)i2.anomalies);
		}
		/* Every 15 ns: points in both parts, some between
		 * generations, goroutines without a stack held on. */
		rc = hear_split(&one, w.b, w.n, 1, 15, &i1);
		rc |= hear_split(&two, w.b, w.n, 2, 15, &i2);
		diag("%s", one.text);
		ok(rc == 0 && strcmp(one.text, two.text) == 0 &&
			   one.hash == two.hash && i2.split_gen > 0 &&
			   i2.split_redone == bad,
		   "every 15 ns: two threads tell what one does (%zu "
		   "bytes), the later generations %s",
		   one.total, bad ? "replayed again" : "joined");
	}
}

/*
 * A recording timeline keeps one status of a goroutine parked for good,
 * not one a generation (a leak of a million goroutines would otherwise
 * keep a million a generation), and every status that says more.
 */
static void
test_record_repeats(void)
{
	struct intern in;
	struct timeline t;
	struct tl_record rec;
	struct tl_goroutine *g = NULL;
	seqid s1, s2;
	uint32_t f[2];
	int k;

	intern_init(&in);
	timeline_init(&t, &in);
	memset(&rec, 0, sizeof(rec));
	t.rec = &rec;
	f[0] = intern_frame(&in, "main.a", 6, "a.go", 4, 1);
	f[1] = intern_frame(&in, "main.b", 6, "b.go", 4, 2);
	s1 = intern_stack(&in, &f[0], 1);
	s2 = intern_stack(&in, &f[1], 1);
	for (k = 0; k < 3; k++)
		g = timeline_status(&t, 100 * k + 1, 100 * k, 5, TL_WAITING, s1,
				    0);
	ok(g != NULL && (g->flags & TLG_PENDING) && rec.nops == 1,
	   "three like statuses of a parked goroutine: %zu kept", rec.nops);
	g = timeline_status(&t, 301, 300, 5, TL_WAITING, s2, 0);
	ok(rec.nops == 2, "one with another stack is kept: %zu", rec.nops);
	timeline_unblock(&t, 310, g);
	g = timeline_status(&t, 401, 400, 5, TL_RUNNABLE, 0, 0);
	ok(rec.nops == 4, "an unblock, then a status after it: %zu", rec.nops);
	tl_record_release(&rec);
	t.rec = NULL;
	timeline_release(&t);
	intern_release(&in);
}

/*
 * The later part does not know which goroutine an M was running until an
 * event says so; its stand-in must not be taken for a goroutine of that
 * id (2^64 - 2, created here): M 9's stop in generation 2 is goroutine
 * 1's, on two threads as on one.
 */
static void
test_split_unknown_m(void)
{
	const uint64_t none = UINT64_MAX, odd = UINT64_MAX - 1;
	struct bytes w, e1 = { .n = 0 }, e2 = { .n = 0 };
	struct heard one, two;
	struct trace_info i1, i2;
	int rc;

	memset(&w, 0, sizeof(w));
	put(&w, "go 1.23 trace\0\0\0", 16);
	EV(&e1, 0x19, 1, 1, 9, 2);   /* 101: g1 running on M 9 */
	EV(&e1, 0x0e, 1, odd, 0, 0); /* 102: g1 creates g 2^64 - 2 */
	gen_of(&w, 1, 100, &e1);
	EV(&e2, 0x19, 1, odd, none, 1); /* 201: it is runnable */
	EV(&e2, 0x13, 9, 0, 0);		/* 210: M 9's goroutine stops */
	gen_of(&w, 2, 200, &e2);
	rc = hear_split(&one, w.b, w.n, 1, 0, &i1);
	rc |= hear_split(&two, w.b, w.n, 2, 0, &i2);
	diag("%s", one.text);
	ok(rc == 0 && strstr(one.text, " g1 runnable ") != NULL,
	   "goroutine 1 stopped: runnable");
	is_str(two.text, one.text,
	       "two threads tell what one does, goroutine 2^64 - 2 running "
	       "on no M");
	ok(i2.split_gen == 1 && i2.split_redone,
	   "the later part gave up at the stop, and was replayed again");
}

/*
 * A committed trace (test_threads_agree()) read on two threads at the
 * end, every 7 ms, and every 7 ms by a listener that stops at a moment of
 * the later part, with no listener for waits or ends: the later
 * generations joined (a trace of the new format), and what is heard (and
 * counted) the same as on one thread.
 */
static void
split_agrees(const char *name, const unsigned char *buf, size_t len)
{
	struct heard one, two;
	struct trace_info i1, i2;
	unsigned k;
	int rc;

	memset(&i2, 0, sizeof(i2));
	rc = hear_split(&one, buf, len, 1, 0, &i1);
	rc |= hear_split(&two, buf, len, 2, 0, &i2);
	ok(rc == 0 && one.total > 1000 && one.total == two.total &&
		   one.hash == two.hash &&
		   (i1.version < 22 || i1.version > 26 ||
		    (i2.split_gen > 0 && !i2.split_redone)),
	   "%s: the same %zu bytes of snapshot on one thread and on "
	   "two (later generations from %llu joined)",
	   name, one.total, (unsigned long long)i2.split_gen);
	memset(&i2, 0, sizeof(i2));
	rc = hear_split(&one, buf, len, 1, 7000000, &i1);
	rc |= hear_split(&two, buf, len, 2, 7000000, &i2);
	ok(rc == 0 && one.total > 10000 && one.total == two.total &&
		   one.hash == two.hash &&
		   (i1.version < 22 || i1.version > 26 ||
		    (i2.split_gen > 0 && !i2.split_redone)),
	   "%s every 7 ms: the same %zu bytes of snapshots on one "
	   "thread and on two",
	   name, one.total);
	/* One moment (show --at), in each part: the reading stops there. */
	for (k = 0; k < 3; k++) {
		int64_t at = k == 0 ? 50000000 : k == 1 ? 200000000 : 280000000;

		rc = hear_split(&one, buf, len, 1, -at, &i1);
		rc |= hear_split(&two, buf, len, 2, -at, &i2);
		ok(rc == 0 && one.hash == two.hash && one.total > 100 &&
			   i1.events == i2.events &&
			   (i1.version < 22 || i1.version > 26 ||
			    (i2.split_gen > 0 && !i2.split_redone)),
		   "%s at %lld ms: the same on one thread and on two (%llu "
		   "events counted)",
		   name, (long long)(at / 1000000),
		   (unsigned long long)i1.events);
	}
	/* The listener stops at the 38th of 44, in the later part, then at
	 * the 3rd, in the earlier (the later part told to stop). */
	for (k = 0; k < 2; k++) {
		stop_after = k == 0 ? 38 : 3;
		rc = hear_split(&one, buf, len, 1, 7000000, &i1);
		rc |= hear_split(&two, buf, len, 2, 7000000, &i2);
		stop_after = 0;
		ok(rc == 0 && one.hash == two.hash && one.total > 100 &&
			   i1.events == i2.events && (k == 1 || i1.events > 0),
		   "%s, stopped at moment %u: the same on one thread and on "
		   "two (%llu events counted)",
		   name, k == 0 ? 38 : 3, (unsigned long long)i1.events);
	}
}

/*
 * Goroutine ids at the edges of what a ring record holds in 32 bits
 * (2^31 - 2 fits, 2^31 - 1 and above take the wide form; NO_ID, here the
 * M of a waiting goroutine's status, is narrowed): heard the same on one
 * thread and on two, with the ids whole.
 */
static void
test_record_widths(void)
{
	static const uint64_t ids[] = {
		2147483646ULL,	  /* 2^31 - 2 */
		2147483647ULL,	  /* 2^31 - 1 */
		2147483648ULL,	  /* 2^31 */
		4294967294ULL,	  /* 2^32 - 2 */
		4294967295ULL,	  /* 2^32 - 1 */
		4294967296ULL,	  /* 2^32 */
		1099511627776ULL, /* 2^40 */
	};
	const uint64_t none = UINT64_MAX;
	struct bytes w, e = { .n = 0 };
	struct heard one, two;
	char want[64];
	size_t i;
	int rc, all = 1;

	start_trace(&w, &e);
	/* g1 creates each, and each runs once and blocks, in turn. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		EV(&e, 0x0e, 1, ids[i], 0, 0);
	EV(&e, 0x14, 1, 1, 0); /* g1 blocks */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		EV(&e, 0x10, 1, ids[i], 1);
		EV(&e, 0x14, 1, 1, 0);
	}
	EV(&e, 0x19, 1, 3, none, 4); /* g3 waiting, on no M */
	gen_of(&w, 1, 100, &e);
	rc = hear_trace(&one, w.b, w.n, 0, 1);
	rc |= hear_trace(&two, w.b, w.n, 0, 2);
	ok(rc == 0, "ids around 2^31 and 2^32 read on one thread and on two");
	diag("%s", one.text);
	is_str(two.text, one.text, "two threads hear what one does");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(want, sizeof(want), "g%llu chan receive",
			 (unsigned long long)ids[i]);
		if (strstr(one.text, want) == NULL)
			all = 0;
	}
	ok(all, "every id whole, each goroutine waiting at the end");
	ok(strstr(one.text, "g3 ") != NULL, "the status on no M is heard");
}

/* --- sampling points ---------------------------------------------------- */

#define MAX_POINTS 64

struct moments {
	int64_t ns[MAX_POINTS];
	unsigned n;
};

static int
note_moment(void *ctx, struct snapshot *s)
{
	struct moments *m = ctx;

	if (m->n < MAX_POINTS)
		m->ns[m->n] = s->offset_ns;
	m->n++;
	return 0;
}

/*
 * Each committed trace sampled every so often and at N points: the points
 * rise from the start, 0, to the end, and none is within a tenth of the
 * interval of the next (--every 100ms of a trace of 301 ms: 0, 100, 200
 * and the end, not 300 ms and then 301 ms).
 */
static void
test_points(void)
{
	static const struct {
		enum trace_sampling how;
		int64_t every;
		unsigned count;
	} runs[] = {
		{ SAMPLE_EVERY, 100000000, 0 }, { SAMPLE_EVERY, 50000000, 0 },
		{ SAMPLE_EVERY, 30000000, 0 },	{ SAMPLE_EVERY, 150000000, 0 },
		{ SAMPLE_EVENLY, 0, 3 },	{ SAMPLE_EVENLY, 0, 0 },
		{ SAMPLE_EVENLY, 0, 2 },
	};
	size_t t, k;

	for (t = 0; t < sizeof(traces) / sizeof(traces[0]); t++) {
		char path[256];
		size_t len = 0;
		unsigned char *buf = NULL;

		snprintf(path, sizeof(path), "testdata/captures/traces/%s",
			 traces[t]);
		buf = slurp(path, &len);
		if (!ok(buf != NULL, "read %s", path))
			continue;
		for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
			struct intern in;
			struct trace_opts o;
			struct trace_info info;
			struct moments m;
			struct error err;
			double interval = 0;
			unsigned count = runs[k].count ? runs[k].count
						       : TRACE_DEFAULT_POINTS;
			unsigned i, close = 0, order = 0;

			memset(&o, 0, sizeof(o));
			memset(&m, 0, sizeof(m));
			o.sampling = runs[k].how;
			o.every = runs[k].every;
			o.count = runs[k].count;
			o.listen.ctx = &m;
			o.listen.snapshot = note_moment;
			intern_init(&in);
			error_clear(&err);
			if (!ok(trace_read_points(&in, buf, len, &o, &info,
						  &err) == 0 &&
					m.n >= 1 && m.n <= MAX_POINTS,
				"%s: sampled (%u points)", traces[t], m.n)) {
				intern_release(&in);
				continue;
			}
			interval = runs[k].every ? (double)runs[k].every
						 : (double)info.duration_ns /
							   (count - 1);
			for (i = 0; i + 1 < m.n; i++) {
				if (m.ns[i + 1] <= m.ns[i])
					order++;
				else if ((double)(m.ns[i + 1] - m.ns[i]) * 10 <
					 interval)
					close++;
			}
			ok(order == 0 && close == 0 && m.ns[0] == 0 &&
				   m.ns[m.n - 1] == info.duration_ns,
			   "%s, run %zu: %u points rising from the start, "
			   "none within a tenth of the interval of the next, "
			   "the last at the end (%lld ns)",
			   traces[t], k, m.n, (long long)m.ns[m.n - 1]);
			if (runs[k].how == SAMPLE_EVENLY)
				is_int(m.n, count,
				       "%s, run %zu: as many points as asked",
				       traces[t], k);
			intern_release(&in);
		}
		free(buf);
	}
}

struct first_point {
	unsigned seen, pool, stackless;
};

static int
note_first(void *ctx, struct snapshot *s)
{
	struct first_point *f = ctx;
	size_t i;

	if (f->seen++ > 0)
		return 0;
	for (i = 0; i < s->n; i++) {
		uint32_t n = 0, k;
		const uint32_t *v =
			seqtab_items(&s->in->stacks, s->g[i].stack, &n);

		if (s->g[i].stack == 0)
			f->stackless++;
		for (k = 0; k < n; k++)
			if (strcmp(intern_str(
					   s->in,
					   intern_frame_get(s->in, v[k])->func),
				   "main.poolWorker") == 0) {
				f->pool++;
				break;
			}
	}
	return 0;
}

/*
 * The pool's three workers are older than the trace and busy in its first
 * generation, so the trace records no stack for them at the start: the
 * point at 0 gives them the stack they have by the next point, so that
 * they are one steady group, not a stack-less group that shrank beside a
 * pool that grew.
 */
static void
test_first_point_stacks(void)
{
	struct intern in;
	struct trace_opts o;
	struct trace_info info;
	struct first_point f;
	struct error err;
	size_t len = 0;
	int rc;
	unsigned char *buf =
		slurp("testdata/captures/traces/go1.26.trace", &len);

	if (!ok(buf != NULL, "read go1.26.trace"))
		return;
	intern_init(&in);
	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	error_clear(&err);
	o.sampling = SAMPLE_EVENLY;
	o.listen.ctx = &f;
	o.listen.snapshot = note_first;
	rc = trace_read_points(&in, buf, len, &o, &info, &err);
	ok(rc == 0 && f.seen == TRACE_DEFAULT_POINTS,
	   "go1.26.trace sampled at %u points (%u)", TRACE_DEFAULT_POINTS,
	   f.seen);
	ok(f.pool == 3 && f.stackless == 0,
	   "at 0: the 3 pool workers in main.poolWorker (%u), no goroutine "
	   "without a stack (%u)",
	   f.pool, f.stackless);
	intern_release(&in);
	free(buf);
}

/* --at past the end fails; durations parse. */
static void
test_options(void)
{
	struct intern in;
	struct snapshot s;
	struct error err;
	size_t len = 0;
	unsigned char *buf =
		slurp("testdata/captures/traces/go1.26.trace", &len);
	int64_t ns = 0;
	int rc;

	if (!ok(buf != NULL, "read go1.26.trace"))
		return;
	intern_init(&in);
	snapshot_init(&s, &in);
	error_clear(&err);
	ok(read_at(&s, buf, len, 3600 * 1000000000LL, &err) < 0 &&
		   strstr(err.text, "past the end"),
	   "--at past the end: %s", err.text);
	snapshot_release(&s);
	snapshot_init(&s, &in);
	rc = read_at(&s, buf, len, 0, &err);
	ok(rc == 0 && s.offset_ns == 0 && s.n == 6,
	   "--at 0 reads the start: main, 2 early leaks, 3 pool workers (%zu)",
	   s.n);
	snapshot_release(&s);
	free(buf);
	/* An old-format trace lists the goroutines alive when it began one
	 * event at a time, over some 30 us: the start holds them all. */
	buf = slurp("testdata/captures/traces/go1.21.trace", &len);
	snapshot_init(&s, &in);
	rc = buf ? read_at(&s, buf, len, 0, &err) : -1;
	ok(rc == 0 && s.n == 6,
	   "go1.21.trace at 0: the same 6 goroutines (%zu)", s.n);
	snapshot_release(&s);
	intern_release(&in);
	free(buf);
	ok(trace_parse_duration("1m30.5s", &ns, &err) == 0 &&
		   ns == 90500000000LL,
	   "1m30.5s is 90.5 s");
	ok(trace_parse_duration("250ms", &ns, &err) == 0 && ns == 250000000,
	   "250ms");
	ok(trace_parse_duration("10", &ns, &err) < 0, "a number without a "
						      "unit is refused");
	ok(trace_parse_duration("-1s", &ns, &err) < 0, "a negative duration "
						       "is refused");
}

/* The listener of test_timeline_due(): counts snapshots, and asks to
 * stop at the second. */
static int
due_snapshot(void *ctx, struct snapshot *s)
{
	int *n = ctx;

	(void)s;
	return ++*n >= 2 ? -1 : 0;
}

/* timeline_due() says when timeline_advance() has a point to make: never
 * before points are set or for the end, just past each point, and always
 * once the listener asked to stop. */
static void
test_timeline_due(void)
{
	struct intern in;
	struct timeline t;
	const int64_t points[] = { 50, 80, TL_END };
	int made = 0;

	intern_init(&in);
	timeline_init(&t, &in);
	t.listen.snapshot = due_snapshot;
	t.listen.ctx = &made;
	ok(!timeline_due(&t, 1000), "due: nothing before points are set");
	is_int(t.last_ns, 1000, "due: the time is noted instead");
	timeline_set_points(&t, points, 3);
	ok(!timeline_due(&t, 50), "due: not at the point itself");
	ok(timeline_due(&t, 51), "due: just past the first point");
	is_int(timeline_advance(&t, 51), 0, "due: the first point made");
	is_int(made, 1, "due: one snapshot");
	ok(!timeline_due(&t, 80), "due: the next point is 80");
	ok(timeline_due(&t, 81), "due: past the second point");
	is_int(timeline_advance(&t, 81), -1, "due: the listener stops");
	ok(timeline_due(&t, 0), "due: always once stopped");
	is_int(timeline_advance(&t, 0), -1, "due: still stopped");
	timeline_release(&t);

	timeline_init(&t, &in);
	timeline_set_points(&t, points + 2, 1);
	ok(!timeline_due(&t, INT64_MAX - 1), "due: the end is for finish()");
	timeline_release(&t);
	intern_release(&in);
}

int
main(void)
{
	size_t i;

	test_timeline_due();
	test_record_widths();
	test_leaky();
	test_leaky_ids();
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++)
		test_scenario(traces[i]);
	test_cuts("go1.26.trace", 0);
	test_cuts("go1.22.trace", 0);
	test_cuts("go1.21.trace", 1);
	test_built();
	test_generations();
	test_seed_steps();
	test_decode_far();
	test_threads_agree();
	test_split();
	test_split_unknown_m();
	test_record_repeats();
	test_stops_at_moment();
	test_points();
	test_first_point_stacks();
	test_options();
	return tap_done();
}
