/* Running diff, trend and report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/load.h"
#include "cmd/options.h"
#include "cmd/output.h"
#include "cmd/render_html.h"
#include "cmd/render_series.h"
#include "cmd/textout.h"
#include "formats/dot.h"
#include "formats/json.h"
#include "formats/trace.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/filter.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/series.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const char *const view_names[] = {
	[VIEW_DIFF] = "diff",
	[VIEW_TREND] = "trend",
	[VIEW_REPORT] = "report",
};

/* diff lists groups by change: the largest growth first, the largest
 * shrinking last; then by size, then as the grouping orders them. */
static int
change_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct grouping *gr = ctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct group *ga = &gr->v[a], *gb = &gr->v[b];
	int64_t a1 = group_count(gr, ga, 1), b1 = group_count(gr, gb, 1);
	int64_t ca = a1 - group_count(gr, ga, 0);
	int64_t cb = b1 - group_count(gr, gb, 0);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* One instance's analysis and what its report shows. */
struct judged {
	struct series_inst *si;
	struct analysis an;
	size_t *shown, nshown;
};

/* The verdicts over a finished series, and what a report shows. */
struct run {
	enum analyze_view view;
	const struct options *o;
	struct series *s;
	struct intern *in;
	int filtered;
	struct judged *j;
	size_t nj;
	struct fleet fleet;
	int has_fleet;
	const uint64_t *base;
	size_t nbase;
};

static int
take(void *ctx, struct snapshot *s)
{
	return series_add(ctx, s);
}

static void
skipped(void *ctx, const char *path, const char *why)
{
	series_skip(ctx, path, why);
}

static int
id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The sorted group ids, under key, of the snapshots in path (all of them,
 * whatever their instance): what --baseline excludes. Returns -1 after
 * printing why.
 */
static int
load_baseline(struct intern *in, const struct group_key *key,
	      const struct load_opts *lo0, const char *path, uint64_t **ids,
	      size_t *nids)
{
	struct series b;
	struct load_opts lo = *lo0;
	struct load_sink sink = { &b, take, NULL };
	char *operands[1];
	size_t i, k, n = 0;
	int ret;

	operands[0] = (char *)(uintptr_t)path;
	series_init(&b, in, key, NULL, lo.read.threads, SERIES_AS_GIVEN);
	lo.read.sampling = SAMPLE_END; /* a trace as a baseline: its end */
	lo.strict = 1;
	ret = load_sources(in, operands, 1, &lo, &sink) < 0 ? -1 : 0;
	if (ret == 0) {
		series_finish(&b);
		for (k = 0; k < b.n; k++)
			n += b.v[k].gr.n;
		*ids = xreallocarray(NULL, n ? n : 1, sizeof(**ids));
		for (k = 0; k < b.n; k++)
			for (i = 0; i < b.v[k].gr.n; i++)
				(*ids)[(*nids)++] = b.v[k].gr.v[i].id;
		qsort(*ids, *nids, sizeof(**ids), id_cmp);
	}
	series_release(&b);
	return ret;
}

/* Formats with and without creation sites (dumps and traces; pprof,
 * debug=1) give the same goroutines different groups under --group-by
 * creator (the other keys leave creators out): say so. */
void
analyze_warn_creators(const struct snapshot_meta *meta, unsigned n,
		      const struct intern *in)
{
	unsigned k, with = 0, first = 0, last = 0;

	for (k = n; k > 0; k--) {
		if (meta[k - 1].provides & HAS_CREATOR) {
			with++;
			first = k - 1;
		} else {
			last = k - 1;
		}
	}
	if (with > 0 && with < n)
		fprintf(stderr,
			"goroscope: warning: %u of the %u snapshots have "
			"creation sites (%s) and the others do not: "
			"--group-by creator puts all of theirs in one group\n",
			with, n, intern_shown(in, meta[first].format));
	else if (with == 0 && n > 0)
		fprintf(stderr,
			"goroscope: warning: %s carries no creation sites: "
			"--group-by creator puts every goroutine in one group "
			"per state class (a debug=2 dump or a trace has "
			"them)\n",
			intern_shown(in, meta[last].format));
}

/* Say when the baseline matched no group: a different program, build or
 * --group-by, most likely; it then changes nothing. */
static void
warn_baseline(const struct run *r)
{
	size_t k, i;

	if (r->o->baseline == NULL || r->nbase == 0)
		return;
	for (k = 0; k < r->nj; k++) {
		const struct grouping *gr = &r->j[k].si->gr;

		for (i = 0; i < gr->n; i++)
			if (bsearch(&gr->v[i].id, r->base, r->nbase,
				    sizeof(*r->base), id_cmp) != NULL)
				return;
	}
	fprintf(stderr,
		"goroscope: warning: --baseline %s: none of its %zu groups is "
		"in the series, so it changes no verdict (another program or "
		"build, or another --group-by?)\n",
		r->o->baseline, r->nbase);
}

/* Say when an instance's snapshots could not all be put in time order. */
static void
warn_order(const struct series *s, const struct series_inst *si)
{
	char name[300] = "";

	if (!si->mixed || s->mode == SERIES_AS_GIVEN)
		return;
	if (si->name)
		snprintf(name, sizeof(name), " of instance '%s'",
			 intern_shown(s->in, si->name));
	fprintf(stderr,
		"goroscope: warning: %u of the %u snapshots%s have a capture "
		"time and the others do not: ordered by file names, then "
		"position\n",
		si->timed, si->gr.nsnap, name);
}

/* Judge every instance, and pick what each shows. */
static void
judge(struct run *r)
{
	size_t k, i, picked = 0;

	r->nj = r->s->n;
	r->j = xcalloc(r->nj ? r->nj : 1, sizeof(*r->j));
	for (k = 0; k < r->nj; k++) {
		struct judged *j = &r->j[k];
		struct grouping *gr = NULL;
		struct analysis_opts ao;
		size_t *order = NULL;

		j->si = &r->s->v[k];
		gr = &j->si->gr;
		memset(&ao, 0, sizeof(ao));
		ao.rules = r->o->rules;
		ao.ignore_known = r->o->ignore_known;
		ao.baseline = r->base;
		ao.nbaseline = r->nbase;
		ao.times_ns = j->si->by_time ? j->si->times : NULL;
		analysis_run(&j->an, gr, &ao);
		order = xcalloc(gr->n + 1, sizeof(*order));
		j->shown = xcalloc(gr->n + 1, sizeof(*j->shown));
		for (i = 0; i < gr->n; i++)
			order[i] = r->view == VIEW_DIFF ? i : j->an.order[i];
		if (r->view == VIEW_DIFF)
			sort_stable(order, gr->n, sizeof(*order), change_cmp,
				    gr);
		j->nshown = grouping_select(gr, order, r->o->min_count,
					    r->o->group ? 0 : r->o->limit,
					    j->shown);
		j->nshown = options_pick_group(r->o, gr, j->shown, j->nshown);
		if (r->o->limit > 0 && j->nshown > (size_t)r->o->limit)
			j->nshown = (size_t)r->o->limit;
		picked += j->nshown;
		free(order);
	}
	if (r->o->group != NULL && picked == 0)
		fprintf(stderr,
			"goroscope: %s: no group's id starts with '%s'\n",
			view_names[r->view], r->o->group);
	if (r->nj > 1) {
		struct fleet_part *parts = xcalloc(r->nj, sizeof(*parts));

		for (k = 0; k < r->nj; k++) {
			parts[k].gr = &r->j[k].si->gr;
			parts[k].an = &r->j[k].an;
		}
		fleet_build(&r->fleet, parts, r->nj);
		r->has_fleet = 1;
		free(parts);
	}
}

/* An instance's name as text and DOT show it (shown) or as it is. */
static const char *
inst_name(const struct run *r, const struct judged *j, int shown)
{
	if (j->si->name == 0)
		return NULL;
	return shown ? intern_shown(r->in, j->si->name)
		     : intern_str(r->in, j->si->name);
}

static void
fill_doc(const struct run *r, const struct judged *j, struct series_doc *sd)
{
	memset(sd, 0, sizeof(*sd));
	sd->gr = &j->si->gr;
	sd->meta = j->si->meta;
	sd->an = &j->an;
	sd->rules = &r->o->rules;
	sd->shown = j->shown;
	sd->nshown = j->nshown;
	sd->by_time = j->si->by_time;
	sd->verbose = r->o->verbose;
	sd->filtered = r->filtered;
	sd->ignore_known = r->o->ignore_known;
	sd->baseline = r->o->baseline;
	sd->nbaseline = r->nbase;
	sd->instance = inst_name(r, j, 1);
	sd->ninstances = r->nj;
	sd->skipped = r->s->skipped;
	sd->nskipped = r->s->nskipped;
}

/* The document JSON and HTML write: parts[] has r->nj rows. */
static void
fill_json(const struct run *r, struct json_doc *jd, struct json_part *parts)
{
	size_t k;

	for (k = 0; k < r->nj; k++) {
		const struct judged *j = &r->j[k];

		parts[k].instance = inst_name(r, j, 0);
		parts[k].gr = &j->si->gr;
		parts[k].meta = j->si->meta;
		parts[k].order = series_order_name(r->s, j->si);
		parts[k].shown = j->shown;
		parts[k].nshown = j->nshown;
		parts[k].an = &j->an;
	}
	memset(jd, 0, sizeof(*jd));
	jd->command = view_names[r->view];
	jd->parts = parts;
	jd->nparts = r->nj;
	jd->rules = r->view == VIEW_DIFF ? NULL : &r->o->rules;
	jd->fleet = r->has_fleet ? &r->fleet : NULL;
	jd->skipped = r->s->skipped;
	jd->nskipped = r->s->nskipped;
}

static int
write_json(const struct run *r, FILE *fp, struct error *err)
{
	struct json_part *parts = xcalloc(r->nj, sizeof(*parts));
	struct json_doc jd;
	int ret;

	fill_json(r, &jd, parts);
	ret = json_write(fp, &jd, err);
	free(parts);
	return ret;
}

/* The graph of the suspects, in dd (parts[] has r->nj rows). */
static void
fill_graph(const struct run *r, struct dot_doc *dd, struct dot_part *parts,
	   char *title, size_t size)
{
	size_t k;

	for (k = 0; k < r->nj; k++) {
		parts[k].instance = inst_name(r, &r->j[k], 1);
		parts[k].gr = &r->j[k].si->gr;
		parts[k].an = &r->j[k].an;
	}
	snprintf(title, size, "goroscope %s", view_names[r->view]);
	memset(dd, 0, sizeof(*dd));
	dd->parts = parts;
	dd->nparts = r->nj;
	dd->fleet = r->has_fleet ? &r->fleet : NULL;
	dd->title = title;
	dd->max_nodes = (size_t)r->o->nodes;
}

static int
write_dot(const struct run *r, FILE *fp, struct error *err)
{
	struct dot_part *parts = xcalloc(r->nj, sizeof(*parts));
	struct dot_doc dd;
	char title[64];
	int ret;

	fill_graph(r, &dd, parts, title, sizeof(title));
	ret = dot_write(fp, &dd, err);
	free(parts);
	return ret;
}

static int
write_html(const struct run *r, FILE *fp, struct error *err)
{
	struct json_part *parts = xcalloc(r->nj, sizeof(*parts));
	struct dot_part *gparts = xcalloc(r->nj, sizeof(*gparts));
	struct json_doc jd;
	struct dot_doc dd;
	struct html_doc h;
	char title[64];
	int ret;

	fill_json(r, &jd, parts);
	fill_graph(r, &dd, gparts, title, sizeof(title));
	memset(&h, 0, sizeof(h));
	h.doc = &jd;
	h.graph = &dd;
	h.title = title;
	h.series = 1;
	h.thresholds = r->view != VIEW_DIFF;
	ret = render_html(fp, &h, err);
	free(parts);
	free(gparts);
	return ret;
}

static int
write_text(const struct run *r, FILE *fp, struct error *err)
{
	struct series_doc sd;
	size_t k;
	int color = options_use_color(r->o, fp);

	if (r->nj > 1 && r->view != VIEW_DIFF) {
		struct pen p = { fp, color };

		tx_on(&p, C_BOLD);
		fprintf(fp, "goroscope %s", view_names[r->view]);
		tx_off(&p, C_BOLD);
		fprintf(fp,
			": %u snapshots of %zu instances, each judged on its "
			"own series\n\n",
			r->s->nsnap, r->nj);
	}
	for (k = 0; k < r->nj; k++) {
		fill_doc(r, &r->j[k], &sd);
		sd.color = color;
		sd.list_skipped = k == 0;
		if (k > 0)
			fputc('\n', fp);
		if (r->view == VIEW_DIFF)
			render_diff(fp, &sd);
		else if (r->view == VIEW_TREND)
			render_trend(fp, &sd);
		else
			render_report(fp, &sd);
	}
	fill_doc(r, &r->j[0], &sd);
	sd.color = color;
	if (r->has_fleet) {
		struct fleet_text ft = { &r->fleet, NULL, NULL, r->nj, 5 };
		const char **names = xcalloc(r->nj, sizeof(*names));
		const struct grouping **grs = xcalloc(r->nj, sizeof(*grs));

		for (k = 0; k < r->nj; k++) {
			names[k] = inst_name(r, &r->j[k], 1);
			grs[k] = &r->j[k].si->gr;
		}
		ft.names = names;
		ft.grs = grs;
		/* The largest groups that are a suspect nowhere, for scale:
		 * five, or fewer with --limit. */
		if (r->o->limit > 0 && (size_t)r->o->limit < ft.others)
			ft.others = (size_t)r->o->limit;
		render_fleet(fp, &sd, &ft);
		free(names);
		free(grs);
	}
	if (r->view == VIEW_TREND)
		render_trend_footer(fp, &sd);
	else if (r->view == VIEW_REPORT)
		render_report_footer(fp, &sd);
	(void)err; /* output.c reports a failed write */
	return 0;
}

/* The writer of each output format a series command takes (out_formats[]
 * in cmd/options.c says which). */
static int (*const writers[OUT_NFORMATS])(const struct run *, FILE *,
					  struct error *) = {
	[OUT_TEXT] = write_text,
	[OUT_JSON] = write_json,
	[OUT_DOT] = write_dot,
	[OUT_HTML] = write_html,
};

int
analyze_write(enum analyze_view view, const struct options *o, struct series *s,
	      int filtered, const uint64_t *base, size_t nbase, FILE *fp,
	      size_t *suspects, struct error *err)
{
	struct run r;
	size_t k;
	int ret;

	memset(&r, 0, sizeof(r));
	r.view = view;
	r.o = o;
	r.s = s;
	r.in = s->in;
	r.filtered = filtered;
	r.base = base;
	r.nbase = nbase;
	judge(&r);
	warn_baseline(&r);
	ret = writers[o->format](&r, fp, err);
	*suspects = 0;
	for (k = 0; k < r.nj; k++) {
		*suspects += r.j[k].an.nsuspects;
		analysis_release(&r.j[k].an);
		free(r.j[k].shown);
	}
	free(r.j);
	if (r.has_fleet)
		fleet_release(&r.fleet);
	return ret;
}

void
analyze_warn(const struct series *s)
{
	size_t k;

	for (k = 0; k < s->n; k++) {
		warn_order(s, &s->v[k]);
		if (group_by_get(s->key.by)->creator)
			analyze_warn_creators(s->v[k].meta, s->v[k].gr.nsnap,
					      s->in);
	}
}

int
analyze_main(const struct command *cmd, enum analyze_view view, int argc,
	     char **argv)
{
	struct options o;
	struct intern in;
	struct filter filter;
	struct series s;
	struct output out;
	struct error err;
	struct load_sink sink;
	struct load_opts lo;
	uint64_t *base = NULL;
	size_t nbase = 0, suspects = 0;
	int status = EXIT_INPUT;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	error_clear(&err);
	load_opts_init(&lo, &o);
	/* diff compares two moments: a trace gives its end. */
	lo.read.sampling = view == VIEW_DIFF ? SAMPLE_END
			   : o.every_ns > 0  ? SAMPLE_EVERY
					     : SAMPLE_EVENLY;
	lo.read.every = o.every_ns;
	lo.read.count = o.every_points;
	lo.as_given = view == VIEW_DIFF;
	intern_init(&in);
	if (filter_init(&filter, &in, &o.filter, &err) < 0) {
		intern_release(&in);
		return options_usage_error(cmd, "%s", err.text);
	}
	series_init(&s, &in, &o.key, filter_is_empty(&filter) ? NULL : &filter,
		    lo.read.threads,
		    view == VIEW_DIFF ? SERIES_AS_GIVEN : SERIES_BY_INSTANCE);
	if (o.instance)
		series_select(&s, o.instance);
	sink.ctx = &s;
	sink.snapshot = take;
	sink.skipped = skipped;
	if (load_sources(&in, o.operands, o.noperands, &lo, &sink) < 0)
		goto out;
	if (s.nsnap == 0) {
		if (o.instance && s.other > 0)
			fprintf(stderr,
				"goroscope: no snapshot of instance '%s' "
				"(%llu of other instances)\n",
				o.instance, (unsigned long long)s.other);
		else
			fprintf(stderr, "goroscope: no snapshots to read\n");
		goto out;
	}
	series_finish(&s);
	if (view == VIEW_DIFF && s.nsnap != 2) {
		status = options_usage_error(cmd,
					     "diff compares two snapshots, "
					     "the operands hold %u%s",
					     s.nsnap,
					     s.nsnap > 2 ? " (trend and report "
							   "follow a series)"
							 : "");
		goto out;
	}
	analyze_warn(&s);
	if (o.baseline &&
	    load_baseline(&in, &o.key, &lo, o.baseline, &base, &nbase) < 0)
		goto out;
	if (output_open(&out, o.output, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	if (analyze_write(view, &o, &s, !filter_is_empty(&filter), base, nbase,
			  out.fp, &suspects, &err) < 0) {
		error_set_file(&err, o.output ? o.output : "-");
		output_abort(&out);
		diag_error(&err);
		goto out;
	}
	if (output_commit(&out, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	status = o.fail_on_leak && suspects > 0 ? EXIT_LEAK : EXIT_OK;
	if (status == EXIT_LEAK)
		fprintf(stderr,
			"goroscope: %s: %zu leak suspect%s (--fail-on-leak: "
			"exit status 3)\n",
			cmd->name, suspects, suspects == 1 ? "" : "s");
out:
	free(base);
	series_release(&s);
	filter_release(&filter);
	intern_release(&in);
	return status;
}
