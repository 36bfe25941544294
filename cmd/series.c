/* Loading and ordering the snapshots of a series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/diag.h"
#include "cmd/progress.h"
#include "cmd/series.h"
#include "formats/format.h"
#include "formats/input.h"
#include "formats/trace.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Where the snapshots of one file go. */
struct sink {
	struct series *s;
	struct grouping *gr;
	struct filter *f;
	const char *path;
	struct progress *bar; /* erased before a message */
	int bytes;	      /* the reader reports its progress to bar */
	unsigned base;	      /* snapshots in the series before the file's */
};

/* Add one snapshot of the file to the series, at position idx. */
static void
add_at(struct sink *k, struct snapshot *snap, unsigned idx)
{
	struct series *s = k->s;

	input_name(snap, k->path);
	if (snap->skipped.count || snap->warning[0])
		progress_done(k->bar);
	diag_warnings(snap);
	if (idx >= s->n) {
		s->meta = xgrow(s->meta, sizeof(*s->meta), idx + 1, &s->cap);
		s->n = idx + 1;
	}
	snapshot_meta(snap, &s->meta[idx]);
	grouping_add(k->gr, snap, idx, k->f);
}

/* The next snapshot of the file. */
static int
sink_add(void *ctx, struct snapshot *snap)
{
	struct sink *k = ctx;

	add_at(k, snap, k->s->n);
	return 0;
}

/* A snapshot of a .gsnap series, which comes latest first: the series
 * takes the file's n snapshots after those it has. */
static int
sink_series(struct snapshot *snap, unsigned pos, unsigned n, void *ctx)
{
	struct sink *k = ctx;

	add_at(k, snap, k->base + pos);
	(void)n;
	return 0;
}

/* A source of many snapshots (an execution trace), sampled as asked. */
static int
load_points(struct sink *k, const struct format *fmt, const struct input *in,
	    const struct series_opts *o, struct error *err)
{
	struct trace_opts to;

	memset(&to, 0, sizeof(to));
	if (o->sampling) {
		to.sampling = o->sampling->sampling;
		to.at = o->sampling->at;
		to.every = o->sampling->every;
		to.count = o->sampling->count;
	}
	to.listen.ctx = k;
	to.listen.snapshot = sink_add;
	to.progress = k->bytes ? progress_cb : NULL;
	to.progress_ctx = k->bar;
	to.drop = input_drop;
	to.drop_ctx = (void *)in;
	return fmt->read_points(k->gr->in, in->data, in->len, &to, NULL, err);
}

/*
 * Load one file as the next snapshots. A file from a directory that is not
 * a capture at all is skipped (returns 1): directories hold other files
 * too.
 */
static int
load_one(struct series *s, struct grouping *gr, struct filter *f,
	 const char *path, int from_dir, const struct series_opts *o,
	 struct progress *bar, int bytes)
{
	struct snapshot snap;
	struct input in;
	struct error err;
	const struct format *fmt = NULL;
	struct sink k = { s, gr, f, path, bar, bytes, s->n };
	int ret = -1;

	error_clear(&err);
	if (input_open(&in, path, &err) < 0) {
		progress_done(bar);
		diag_error(&err);
		return -1;
	}
	fmt = input_sniff(in.data, in.len, &err);
	if (fmt == NULL && from_dir) {
		progress_done(bar);
		fprintf(stderr, "goroscope: %s: warning: skipped: %s\n", path,
			err.text);
		input_release(&in);
		return 1;
	}
	snapshot_init(&snap, gr->in);
	snap.threads = o->threads;
	snap.progress = bytes ? progress_cb : NULL;
	snap.progress_ctx = bar;
	if (fmt != NULL && fmt->read_series != NULL)
		/* A .gsnap series: every snapshot in it. */
		ret = fmt->read_series(gr->in, in.data, in.len, o->threads,
				       SERIES_LATEST_FIRST, sink_series, &k,
				       &err);
	else if (fmt != NULL && fmt->read_points != NULL)
		ret = load_points(&k, fmt, &in, o, &err);
	else if (fmt != NULL && fmt->read(&snap, in.data, in.len, &err) == 0)
		ret = sink_add(&k, &snap);
	if (ret < 0) {
		/* No format took the file, or its reader said why not. */
		error_set_file(&err, path);
		progress_done(bar);
		diag_error(&err);
	}
	snapshot_release(&snap);
	input_release(&in);
	return ret;
}

static int
time_cmp(const void *a, const void *b, void *ctx)
{
	const struct snapshot_meta *m = ctx;
	int64_t ta = m[*(const unsigned *)a].time_ns;
	int64_t tb = m[*(const unsigned *)b].time_ns;

	return ta < tb ? -1 : ta > tb;
}

/* Order by capture time when every snapshot has one (stable). */
static void
order_by_time(struct series *s, struct grouping *gr)
{
	unsigned *perm = NULL, k;
	struct snapshot_meta *meta = NULL;

	for (k = 0; k < s->n; k++)
		if (s->meta[k].time_ns == 0)
			return;
	perm = xreallocarray(NULL, s->n ? s->n : 1, sizeof(*perm));
	for (k = 0; k < s->n; k++)
		perm[k] = k;
	sort_stable(perm, s->n, sizeof(*perm), time_cmp, s->meta);
	for (k = 0; k < s->n && perm[k] == k; k++)
		;
	if (k < s->n) /* not already in order */
		grouping_permute(gr, perm);
	meta = xreallocarray(NULL, s->n ? s->n : 1, sizeof(*meta));
	s->times = xreallocarray(NULL, s->n ? s->n : 1, sizeof(*s->times));
	for (k = 0; k < s->n; k++) {
		meta[k] = s->meta[perm[k]];
		s->times[k] = meta[k].time_ns;
	}
	free(s->meta);
	s->meta = meta;
	s->cap = s->n;
	s->by_time = 1;
	free(perm);
}

/* Formats with and without creation sites (dumps; pprof, debug=1) give
 * the same goroutines different groups under --group-by stack: say so. */
static void
warn_mixed(const struct series *s, const struct intern *in)
{
	unsigned k, with = 0, first = 0;

	for (k = s->n; k > 0; k--)
		if (s->meta[k - 1].provides & HAS_CREATOR) {
			with++;
			first = k - 1;
		}
	if (with > 0 && with < s->n)
		fprintf(stderr,
			"goroscope: warning: %u of the %u snapshots have "
			"creation sites (%s) and the others do not: their "
			"groups differ; compare them with --group-by top:N\n",
			with, s->n, intern_str(in, s->meta[first].format));
}

int
series_load(struct series *s, struct grouping *gr, struct filter *f,
	    char **operands, int noperands, const struct series_opts *o)
{
	static const struct series_opts none;
	struct progress bar;
	int i, ret = 0;

	if (o == NULL)
		o = &none;
	memset(s, 0, sizeof(*s));
	progress_init(&bar, o->progress);
	for (i = 0; i < noperands && ret == 0; i++) {
		char **paths = NULL;
		size_t n = 0, k;
		struct error err;
		int dir = input_is_dir(operands[i]);

		error_clear(&err);
		if (input_expand(operands[i], &paths, &n, &err) < 0) {
			progress_done(&bar);
			diag_error(&err);
			ret = -1;
		}
		for (k = 0; k < n; k++) {
			/* Many files: the bar counts them; one file: its
			 * reader reports bytes. */
			int many = n > 1 || noperands > 1;

			progress_what(&bar, paths[k]);
			if (n > 1)
				progress_update(&bar, k, n);
			else if (noperands > 1)
				progress_update(&bar, (uint64_t)i,
						(uint64_t)noperands);
			if (ret == 0 && load_one(s, gr, f, paths[k], dir, o,
						 &bar, !many) < 0)
				ret = -1;
			free(paths[k]);
		}
		free(paths);
		if (ret == 0 && dir && n == 0) {
			fprintf(stderr,
				"goroscope: %s: no captures in the "
				"directory\n",
				operands[i]);
			ret = -1;
		}
	}
	progress_done(&bar);
	if (ret == 0 && s->n == 0) {
		fprintf(stderr, "goroscope: no snapshots to read\n");
		ret = -1;
	}
	if (ret == 0) {
		order_by_time(s, gr);
		if (gr->key.by != GROUP_BY_TOP)
			warn_mixed(s, gr->in);
	}
	return ret;
}

void
series_release(struct series *s)
{
	free(s->meta);
	free(s->times);
	memset(s, 0, sizeof(*s));
}

const char *
series_order(const struct series *s)
{
	return s->by_time ? "capture time" : "command line";
}

static int
id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
series_baseline(struct grouping *gr, const char *path,
		const struct series_opts *o, uint64_t **ids, size_t *nids)
{
	struct series_opts bo = *o;
	struct grouping base;
	struct series s;
	char *operands[1];
	size_t i;
	int ret;

	operands[0] = (char *)(uintptr_t)path;
	grouping_init(&base, gr->in, &gr->key, 1);
	base.threads = gr->threads;
	bo.sampling = NULL; /* a trace as a baseline: its end */
	ret = series_load(&s, &base, NULL, operands, 1, &bo);
	if (ret == 0) {
		grouping_finish(&base);
		*ids = xreallocarray(NULL, base.n ? base.n : 1, sizeof(**ids));
		for (i = 0; i < base.n; i++)
			(*ids)[i] = base.v[i].id;
		*nids = base.n;
		qsort(*ids, *nids, sizeof(**ids), id_cmp);
	}
	series_release(&s);
	grouping_release(&base);
	return ret;
}
