/* Running diff, trend and report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/options.h"
#include "cmd/output.h"
#include "cmd/render_series.h"
#include "cmd/series.h"
#include "formats/dot.h"
#include "formats/json.h"
#include "formats/trace.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/filter.h"
#include "lib/group.h"
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
	int64_t ca = ga->counts[1] - ga->counts[0];
	int64_t cb = gb->counts[1] - gb->counts[0];

	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (ga->counts[1] != gb->counts[1])
		return ga->counts[1] > gb->counts[1] ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int
write_output(enum analyze_view view, const struct options *o, FILE *fp,
	     const struct series_doc *sd, struct error *err)
{
	if (o->format == OUT_JSON) {
		struct json_doc jd = {
			.command = view_names[view],
			.gr = sd->gr,
			.meta = sd->meta,
			.order = sd->by_time ? "capture time" : "command line",
			.shown = sd->shown,
			.nshown = sd->nshown,
			.an = sd->an,
			.rules = view == VIEW_DIFF ? NULL : sd->rules,
		};

		return json_write(fp, &jd, err);
	}
	if (o->format == OUT_DOT) {
		char title[64];
		struct dot_doc dd = {
			.gr = sd->gr,
			.an = sd->an,
			.title = title,
			.max_nodes = (size_t)o->nodes,
		};

		snprintf(title, sizeof(title), "goroscope %s",
			 view_names[view]);
		return dot_write(fp, &dd, err);
	}
	if (view == VIEW_DIFF)
		render_diff(fp, sd);
	else if (view == VIEW_TREND)
		render_trend(fp, sd);
	else
		render_report(fp, sd);
	return 0;
}

int
analyze_main(const struct command *cmd, enum analyze_view view, int argc,
	     char **argv)
{
	struct options o;
	struct intern in;
	struct filter filter;
	struct grouping gr;
	struct series s;
	struct analysis an;
	struct analysis_opts ao;
	struct output out;
	struct error err;
	struct series_doc sd;
	uint64_t *base = NULL;
	size_t nbase = 0, *order = NULL, *shown = NULL, i;
	struct series_opts so;
	struct trace_opts sampling;
	int status = EXIT_INPUT, have = 0;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	error_clear(&err);
	memset(&so, 0, sizeof(so));
	memset(&sampling, 0, sizeof(sampling));
	/* diff compares two moments: a trace gives its end. */
	sampling.sampling = view == VIEW_DIFF ? SAMPLE_END
			    : o.every_ns > 0  ? SAMPLE_EVERY
					      : SAMPLE_EVENLY;
	sampling.every = o.every_ns;
	sampling.count = o.every_points;
	so.threads = options_threads();
	so.sampling = &sampling;
	so.progress = o.progress;
	intern_init(&in);
	memset(&s, 0, sizeof(s));
	memset(&an, 0, sizeof(an));
	if (filter_init(&filter, &in, &o.filter, &err) < 0) {
		intern_release(&in);
		return options_usage_error(cmd, "%s", err.text);
	}
	grouping_init(&gr, &in, &o.key, 1);
	gr.threads = so.threads;
	have = 1;
	if (series_load(&s, &gr, filter_is_empty(&filter) ? NULL : &filter,
			o.operands, o.noperands, &so) < 0)
		goto out;
	if (view == VIEW_DIFF && s.n != 2) {
		status = options_usage_error(cmd,
					     "diff compares two snapshots, "
					     "the operands hold %u%s",
					     s.n,
					     s.n > 2 ? " (trend and report "
						       "follow a series)"
						     : "");
		goto out;
	}
	if (o.baseline &&
	    series_baseline(&gr, o.baseline, &so, &base, &nbase) < 0)
		goto out;
	grouping_finish(&gr);
	memset(&ao, 0, sizeof(ao));
	ao.rules = o.rules;
	ao.ignore_known = o.ignore_known;
	ao.baseline = base;
	ao.nbaseline = nbase;
	ao.times_ns = s.by_time ? s.times : NULL;
	analysis_run(&an, &gr, &ao);
	order = xcalloc(gr.n + 1, sizeof(*order));
	shown = xcalloc(gr.n + 1, sizeof(*shown));
	for (i = 0; i < gr.n; i++)
		order[i] = view == VIEW_DIFF ? i : an.order[i];
	if (view == VIEW_DIFF)
		sort_stable(order, gr.n, sizeof(*order), change_cmp, &gr);
	memset(&sd, 0, sizeof(sd));
	sd.gr = &gr;
	sd.meta = s.meta;
	sd.an = &an;
	sd.rules = &o.rules;
	sd.shown = shown;
	sd.nshown = grouping_select(&gr, order, o.min_count, o.limit, shown);
	sd.by_time = s.by_time;
	sd.verbose = o.verbose;
	sd.filtered = !filter_is_empty(&filter);
	sd.ignore_known = o.ignore_known;
	sd.baseline = o.baseline;
	sd.nbaseline = nbase;
	if (output_open(&out, o.output, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	sd.color = options_use_color(&o, out.fp);
	if (write_output(view, &o, out.fp, &sd, &err) < 0) {
		error_set_file(&err, o.output ? o.output : "-");
		output_abort(&out);
		diag_error(&err);
		goto out;
	}
	if (output_commit(&out, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	status = o.fail_on_leak && an.nsuspects > 0 ? EXIT_LEAK : EXIT_OK;
out:
	free(order);
	free(shown);
	free(base);
	analysis_release(&an);
	series_release(&s);
	if (have)
		grouping_release(&gr);
	filter_release(&filter);
	intern_release(&in);
	return status;
}
