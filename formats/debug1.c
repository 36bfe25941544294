/*
 * debug=1 count profile reader: "N @ pcs" records with "#\tpc\tfunc+off\t
 * file:line" symbol lines, columns separated by runs of TABs.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/debug1.h"
#include "formats/lines.h"
#include "lib/error.h"
#include "lib/gostr.h"
#include "lib/infer.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define DEBUG1_MAX_LINE (1u << 20)

struct record {
	int open;
	uint64_t line; /* where it starts */
	int64_t count;
	uint32_t npcs;
	const char *pcs; /* the addresses after " @", pcslen bytes */
	size_t pcslen;
	int unread; /* some frame line of it could not be read */
	seqid labels;
};

struct reader {
	struct snapshot *s;
	struct intern *in;
	struct lines l;
	struct record rec;
	uint32_t *frames;
	size_t nframes, capframes;
	char *scratch;
	size_t scratchcap;
	uint32_t pairs[2 * INTERN_MAX_LABELS];
	int64_t sum;
};

/* "<name> profile: total N": sets name and total; 0 if not that. */
static int
parse_title(const struct line *ln, struct line *name, uint64_t *total)
{
	static const char mid[] = " profile: total ";
	const char *p = ln->p, *e = ln->p + ln->n, *q = p;
	size_t ml = sizeof(mid) - 1, d;

	while (q < e && *q != ' ')
		q++;
	if (q == p || (size_t)(e - q) <= ml || memcmp(q, mid, ml) != 0)
		return 0;
	d = parse_u64(q + ml, (size_t)(e - q - ml), total);
	if (d == 0 || q + ml + d != e)
		return 0;
	name->p = p;
	name->n = (size_t)(q - p);
	return 1;
}

/* The first line that is not blank and not a '#' comment. */
static int
first_line(struct lines *l, struct line *ln)
{
	while (lines_next(l, ln)) {
		if (ln->n == 0 || ln->p[0] == '#')
			continue;
		return 1;
	}
	return 0;
}

int
debug1_sniff(const unsigned char *buf, size_t len)
{
	struct lines l;
	struct line ln, name;
	uint64_t total;

	lines_init(&l, buf, len < 4096 ? len : 4096, DEBUG1_MAX_LINE);
	return first_line(&l, &ln) && parse_title(&ln, &name, &total);
}

/* The record's address list as its frames, each named by its address. */
static void
pcs_as_frames(struct reader *r)
{
	const char *p = r->rec.pcs, *e = p + r->rec.pcslen;

	r->nframes = 0;
	while (p < e && r->nframes < DEBUG1_MAX_PCS) {
		const char *q = NULL;

		while (p < e && *p == ' ')
			p++;
		for (q = p; q < e && *q != ' '; q++)
			;
		if (q > p) {
			r->frames = xgrow(r->frames, sizeof(*r->frames),
					  r->nframes + 1, &r->capframes);
			r->frames[r->nframes++] = intern_frame(
				r->in, p, (size_t)(q - p), "", 0, 0);
		}
		p = q;
	}
}

static void
finish_record(struct reader *r)
{
	struct goroutine *g = NULL;
	uint32_t n = (uint32_t)r->nframes;
	/* Leading runtime frames are not printed, runtime.goexit never is;
	 * more addresses than printed frames means the goroutine was parked
	 * inside the runtime. */
	int hidden = r->rec.npcs > n + 1;

	if (!r->rec.open)
		return;
	if (r->rec.unread && r->rec.npcs > 0) {
		/* Its frames cannot all be read: its addresses stand for
		 * them, so that records of other stacks stay apart. */
		pcs_as_frames(r);
		n = (uint32_t)r->nframes;
		hidden = 1; /* (unknown: most goroutines of a profile wait) */
	} else if (n == 0 && r->rec.npcs > 0) {
		/* Addresses and no frame line: Go prints every frame of a
		 * stack it would otherwise hide whole, but runtime.goexit,
		 * so they are goexit's alone (a goroutine not yet run). */
		r->frames =
			xgrow(r->frames, sizeof(*r->frames), 1, &r->capframes);
		r->frames[0] = intern_frame(r->in, INTERN_GOEXIT,
					    strlen(INTERN_GOEXIT), "", 0, 0);
		n = 1;
		hidden = 0;
	}
	g = snapshot_add(r->s);
	g->weight = r->rec.count;
	g->labels = r->rec.labels;
	g->flags |= G_STATE_INFERRED;
	if (r->s->kind == SNAPSHOT_LEAK)
		g->flags |= G_LEAKED;
	g->state = strtab_intern_cstr(&r->in->strings,
				      infer_state(r->in, r->frames, n, hidden));
	g->stack = intern_stack(r->in, r->frames, n);
	r->sum += r->rec.count;
	r->nframes = 0;
	memset(&r->rec, 0, sizeof(r->rec));
}

/* "N @ 0x1 0x2 ..." */
static int
start_record(struct reader *r, const struct line *ln)
{
	uint64_t count = 0;
	size_t d = parse_u64(ln->p, ln->n, &count);
	const char *p = ln->p + d, *e = ln->p + ln->n;
	uint32_t npcs = 0;

	if (d == 0 || e - p < 2 || memcmp(p, " @", 2) != 0 ||
	    count > INT64_MAX / 2)
		return 0;
	for (p += 2; p < e; p++)
		if (*p == ' ' && p + 1 < e && p[1] != ' ')
			npcs++;
	finish_record(r);
	r->rec.open = 1;
	r->rec.line = r->l.lineno;
	r->rec.count = (int64_t)count;
	r->rec.npcs = npcs;
	r->rec.pcs = ln->p + d + 2;
	r->rec.pcslen = (size_t)(e - r->rec.pcs);
	return 1;
}

/* "# labels: {"k":"v", "k2":"v2"}" (fmt %q of key and value). */
static int
parse_labels(struct reader *r, const struct line *ln)
{
	const char *p = ln->p + 10, *e = ln->p + ln->n;
	uint32_t np = 0;

	if (e - p < 2 || p[0] != '{' || e[-1] != '}')
		return 0;
	p++;
	e--;
	if (ln->n > r->scratchcap) {
		r->scratch = xrealloc(r->scratch, ln->n);
		r->scratchcap = ln->n;
	}
	while (p < e) {
		size_t outlen = 0, used;
		strid kv[2];
		int i;

		for (i = 0; i < 2; i++) {
			used = gostr_unquote(p, (size_t)(e - p), r->scratch,
					     &outlen);
			if (used == 0)
				return 0;
			kv[i] = strtab_intern(&r->in->strings, r->scratch,
					      outlen);
			p += used;
			if (i == 0) {
				if (p >= e || *p != ':')
					return 0;
				p++;
			}
		}
		if (np < INTERN_MAX_LABELS) {
			r->pairs[2 * np] = kv[0];
			r->pairs[2 * np + 1] = kv[1];
			np++;
		}
		if (p == e)
			break;
		if (e - p < 2 || p[0] != ',' || p[1] != ' ')
			return 0;
		p += 2;
	}
	r->rec.labels = intern_labels(r->in, r->pairs, np);
	return 1;
}

/* Split p[0..n) into fields at runs of TABs; returns the count (<= max). */
static size_t
tab_fields(const char *p, size_t n, struct line *f, size_t max)
{
	const char *e = p + n;
	size_t k = 0;

	while (p < e && k < max) {
		/* A field is 10 to 100 bytes: memchr, not a loop per byte. */
		const char *q = memchr(p, '\t', (size_t)(e - p));

		if (q == NULL)
			q = e;
		f[k].p = p;
		f[k].n = (size_t)(q - p);
		k++;
		while (q < e && *q == '\t')
			q++;
		p = q;
	}
	return k;
}

/* "#\t0x4c5e1d\tmain.worker+0x3d\t/app/main.go:42" or "#\t0x4c5e1d". */
static int
parse_frame(struct reader *r, const struct line *ln)
{
	struct line f[4];
	size_t k = tab_fields(ln->p + 1, ln->n - 1, f, 4);
	const char *func = NULL, *plus = NULL, *colon = NULL;
	size_t funclen = 0;
	uint64_t lineno = 0;

	if (ln->n < 2 || ln->p[1] != '\t')
		return 0;
	/* tab_fields saw the leading TAB run: the first field is empty. */
	if (k < 2 || f[0].n != 0 || f[1].n < 3 || memcmp(f[1].p, "0x", 2) != 0)
		return 0;
	if (r->nframes >= DEBUG1_MAX_PCS)
		return 1;
	if (k == 2) {
		/* No symbol: the address stands for the function. */
		func = f[1].p;
		funclen = f[1].n;
		r->frames = xgrow(r->frames, sizeof(*r->frames), r->nframes + 1,
				  &r->capframes);
		r->frames[r->nframes++] =
			intern_frame(r->in, func, funclen, "", 0, 0);
		return 1;
	}
	if (k != 4)
		return 0;
	func = f[2].p;
	funclen = f[2].n;
	for (plus = func + funclen; plus > func; plus--)
		if (plus[-1] == '+')
			break;
	if (plus > func && func + funclen - plus >= 2 && plus[0] == '0' &&
	    plus[1] == 'x')
		funclen = (size_t)(plus - 1 - func);
	for (colon = f[3].p + f[3].n; colon > f[3].p; colon--)
		if (colon[-1] == ':')
			break;
	if (colon == f[3].p)
		return 0;
	if (parse_u64(colon, (size_t)(f[3].p + f[3].n - colon), &lineno) !=
		    (size_t)(f[3].p + f[3].n - colon) ||
	    lineno > UINT32_MAX)
		return 0;
	r->frames = xgrow(r->frames, sizeof(*r->frames), r->nframes + 1,
			  &r->capframes);
	r->frames[r->nframes++] =
		intern_frame(r->in, func, funclen, f[3].p,
			     (size_t)(colon - 1 - f[3].p), (uint32_t)lineno);
	return 1;
}

/* Read the profile in buf[0..len), whose first line is line line0 + 1 of
 * the input. */
static int
parse_range(struct snapshot *out, const unsigned char *buf, size_t len,
	    uint64_t line0, struct error *err)
{
	struct reader r;
	struct line ln, name;
	uint64_t total = 0;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.s = out;
	r.in = out->in;
	lines_init(&r.l, buf, len, DEBUG1_MAX_LINE);
	r.l.lineno = line0;
	if (!first_line(&r.l, &ln) || !parse_title(&ln, &name, &total)) {
		error_set(err, "expected 'goroutine profile: total N'");
		goto out;
	}
	if (name.n == 13 && memcmp(name.p, "goroutineleak", 13) == 0) {
		out->kind = SNAPSHOT_LEAK;
	} else if (!(name.n == 9 && memcmp(name.p, "goroutine", 9) == 0)) {
		error_set_line(err, r.l.lineno,
			       "a '%.*s' profile is not a goroutine profile "
			       "(expected 'goroutine profile: total N')",
			       (int)(name.n > 64 ? 64 : name.n), name.p);
		goto out;
	}
	if (total > INT64_MAX / 2) {
		error_set_line(err, r.l.lineno, "total %llu is out of range",
			       (unsigned long long)total);
		goto out;
	}
	out->declared_total = (int64_t)total;
	out->format = strtab_intern_cstr(&r.in->strings, "debug=1");
	out->provides = 0;
	while (lines_next(&r.l, &ln)) {
		if (ln.n == 0) {
			finish_record(&r);
			continue;
		}
		if (LINE_STARTS(&ln, "---"))
			break; /* google/pprof legacy trailer */
		if (LINE_STARTS(&ln, "# labels: ")) {
			if (!r.rec.open || !parse_labels(&r, &ln))
				snapshot_skip_line(out, r.l.lineno, ln.p, ln.n);
			continue;
		}
		if (ln.p[0] == '#') {
			if (!r.rec.open || !parse_frame(&r, &ln)) {
				snapshot_skip_line(out, r.l.lineno, ln.p, ln.n);
				r.rec.unread = r.rec.open;
			}
			continue;
		}
		if (!start_record(&r, &ln))
			snapshot_skip_line(out, r.l.lineno, ln.p, ln.n);
	}
	finish_record(&r);
	if (r.sum != out->declared_total)
		snprintf(out->warning, sizeof(out->warning),
			 "the header says 'total %lld' but the records add "
			 "up to %lld goroutines",
			 (long long)out->declared_total, (long long)r.sum);
	ret = 0;
out:
	free(r.frames);
	free(r.scratch);
	return ret;
}

int
debug1_parse(struct snapshot *out, const unsigned char *buf, size_t len,
	     struct error *err)
{
	return parse_range(out, buf, len, 0, err);
}

/*
 * Where each profile of buf starts: at 0, and at every later line that is
 * a title ("goroutine profile: total N"), as `curl ...?debug=1 >> FILE`
 * leaves them. Sets *at (the caller frees it) and returns how many.
 */
static size_t
find_profiles(const unsigned char *buf, size_t len, size_t **at)
{
	static const char mid[] = " profile: total ";
	const char *b = (const char *)buf, *p = b, *e = b + len;
	size_t n = 0, cap = 0;
	int first = 1;

	*at = xgrow(NULL, sizeof(**at), 1, &cap);
	(*at)[n++] = 0;
	while (p < e) {
		const char *hit =
			memmem(p, (size_t)(e - p), mid, sizeof(mid) - 1);
		const char *ls = NULL, *nl = NULL;
		struct line ln, name;
		uint64_t total = 0;

		if (hit == NULL)
			break;
		ls = hit;
		while (ls > b && ls[-1] != '\n')
			ls--;
		nl = memchr(hit, '\n', (size_t)(e - hit));
		ln.p = ls;
		ln.n = (size_t)((nl ? nl : e) - ls);
		if (ln.n > 0 && ln.p[ln.n - 1] == '\r')
			ln.n--;
		if (parse_title(&ln, &name, &total)) {
			/* The first title is the file's own start. */
			if (!first) {
				*at = xgrow(*at, sizeof(**at), n + 1, &cap);
				(*at)[n++] = (size_t)(ls - b);
			}
			first = 0;
		}
		p = nl ? nl + 1 : e;
	}
	return n;
}

int
debug1_read(struct intern *in, const unsigned char *buf, size_t len,
	    const struct read_opts *o, snapshot_sink sink, void *ctx,
	    struct error *err)
{
	size_t *at = NULL, n, k, from;
	uint64_t line0 = 0;
	const char *b = (const char *)buf;
	struct snapshot *s = NULL;
	int ret = 0;

	(void)o;
	n = find_profiles(buf, len, &at);
	/* Every profile read before the first goes out: a file damaged in
	 * its third profile gives nothing rather than two. */
	s = xreallocarray(NULL, n, sizeof(*s));
	for (k = 0; k < n; k++)
		snapshot_init(&s[k], in);
	for (k = 0; k < n && ret == 0; k++) {
		size_t to = k + 1 < n ? at[k + 1] : len, i;

		from = at[k];
		s[k].pos = (uint32_t)k;
		s[k].parts = n > 1 ? (uint32_t)n : 0;
		s[k].held = (uint32_t)n;
		ret = parse_range(&s[k], buf + from, to - from, line0, err);
		for (i = from; n > 1 && i < to; i++)
			line0 += b[i] == '\n';
	}
	for (k = 0; k < n && ret == 0; k++)
		ret = sink(&s[k], ctx);
	for (k = 0; k < n; k++)
		snapshot_release(&s[k]);
	free(s);
	free(at);
	return ret;
}
