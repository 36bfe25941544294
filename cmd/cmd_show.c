/* goroscope show: the groups of one snapshot, largest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/options.h"
#include "cmd/load.h"
#include "cmd/output.h"
#include "cmd/render_html.h"
#include "cmd/render_text.h"
#include "formats/dot.h"
#include "formats/json.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/filter.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The snapshot show shows: the latest of its source. */
struct pick {
	struct snapshot snap;
	unsigned seen;	/* snapshots of the instance asked for */
	unsigned parts; /* text captures of the file, when several */
	strid only;	/* --instance, or 0 */
	int has_only;
};

/* Whether a is later than b: by capture time, then by place. */
static int
later(const struct snapshot *a, const struct snapshot *b)
{
	if (a->time_ns != 0 && b->time_ns != 0 && a->time_ns != b->time_ns)
		return a->time_ns > b->time_ns;
	if (a->input != b->input)
		return a->input > b->input;
	return a->pos > b->pos;
}

static int
keep_latest(void *ctx, struct snapshot *s)
{
	struct pick *p = ctx;

	if (p->has_only && s->instance != p->only)
		return 0;
	if (s->parts > p->parts)
		p->parts = s->parts;
	if (p->seen++ > 0 && !later(s, &p->snap))
		return 0;
	snapshot_take(&p->snap, s);
	return 0;
}

/* What each writer of show is handed. */
struct show_out {
	const struct options *o;
	struct json_doc json;
	struct text_doc text;
	struct dot_part graph_part;
};

static int
show_text(const struct show_out *so, FILE *fp, struct error *err)
{
	(void)err; /* output.c reports a failed write */
	render_show(fp, &so->text);
	return 0;
}

static int
show_json(const struct show_out *so, FILE *fp, struct error *err)
{
	return json_write(fp, &so->json, err);
}

static int
show_html(const struct show_out *so, FILE *fp, struct error *err)
{
	struct dot_doc dd;
	struct html_doc h;

	memset(&dd, 0, sizeof(dd));
	dd.parts = &so->graph_part;
	dd.nparts = 1;
	dd.title = "goroscope show";
	dd.max_nodes = (size_t)so->o->nodes;
	memset(&h, 0, sizeof(h));
	h.doc = &so->json;
	h.graph = &dd;
	h.title = "goroscope show";
	return render_html(fp, &h, err);
}

/* The writer of each output format show takes (out_formats[] in
 * cmd/options.c says which). */
static int (*const show_writers[OUT_NFORMATS])(const struct show_out *, FILE *,
					       struct error *) = {
	[OUT_TEXT] = show_text,
	[OUT_JSON] = show_json,
	[OUT_HTML] = show_html,
};

/* Say which snapshot of a source of several is shown. */
static void
say_which(const struct pick *p, const char *path)
{
	const struct snapshot *s = &p->snap;
	unsigned n = s->held > p->seen ? s->held : p->seen;

	if (n < 2)
		return;
	if (p->parts > 1 && s->line > 0)
		fprintf(stderr,
			"goroscope: %s: warning: holds %u captures: showing "
			"the last, #%u from line %llu (trend and report read "
			"them all)\n",
			path, n, s->pos + 1, (unsigned long long)s->line);
	else if (p->parts > 1)
		fprintf(stderr,
			"goroscope: %s: warning: holds %u captures: showing "
			"the last, #%u (trend and report read them all)\n",
			path, n, s->pos + 1);
	else
		fprintf(stderr,
			"goroscope: %s: warning: holds %u snapshots: showing "
			"the latest, record %u (trend and report read them "
			"all)\n",
			path, n, s->pos + 1);
}

int
cmd_show(int argc, char **argv)
{
	const struct command *cmd = command_find("show");
	struct options o;
	struct intern in;
	struct pick pick;
	struct snapshot *snapp = &pick.snap;
	struct filter filter;
	struct grouping gr;
	struct output out;
	struct error err;
	struct snapshot_meta meta;
	struct analysis an;
	struct load_opts lo;
	struct load_sink sink = { &pick, keep_latest, NULL };
	size_t *shown = NULL, nshown = 0;
	int status = EXIT_INPUT, have_filter = 0, have_gr = 0;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	error_clear(&err);
	memset(&an, 0, sizeof(an));
	memset(&pick, 0, sizeof(pick));
	intern_init(&in);
	snapshot_init(&pick.snap, &in);
	if (o.instance) {
		pick.only = strtab_intern_cstr(&in.strings, o.instance);
		pick.has_only = 1;
	}
	load_opts_init(&lo, &o);
	lo.read.sampling = o.has_at ? SAMPLE_AT : SAMPLE_END;
	lo.read.at = o.at_ns;
	/* One snapshot is shown: a series need not be read whole, unless
	 * the latest of one instance is asked for. */
	lo.read.latest_only = !pick.has_only;
	lo.strict = 1;
	lo.single = "show";
	if (filter_init(&filter, &in, &o.filter, &err) < 0) {
		status = options_usage_error(cmd, "%s", err.text);
		goto out;
	}
	have_filter = 1;
	if (load_sources(&in, o.operands, o.noperands, &lo, &sink) < 0)
		goto out;
	if (pick.seen == 0) {
		fprintf(stderr, "goroscope: %s: no snapshot of instance '%s'\n",
			o.noperands ? o.operands[0] : "-", o.instance);
		goto out;
	}
	if (o.has_at && pick.snap.offset_ns < 0) {
		status = options_usage_error(cmd,
					     "--at: '%s' is not an execution "
					     "trace",
					     o.operands[0]);
		goto out;
	}
	say_which(&pick, o.noperands ? o.operands[0] : "-");
	grouping_init(&gr, &in, &o.key, 1);
	gr.follow_ids = 0; /* one snapshot: no one to follow */
	gr.threads = options_threads();
	have_gr = 1;
	/* Every frame is read: the finish's frame tables start now. */
	grouping_frames_ahead(&gr);
	grouping_add(&gr, snapp, 0, filter_is_empty(&filter) ? NULL : &filter);
	snapshot_meta(snapp, &meta);
	if (group_by_get(o.key.by)->creator)
		analyze_warn_creators(&meta, 1, &in);
	/* The records are grouped: their memory serves what follows. */
	snapshot_release(snapp);
	grouping_finish(&gr);
	shown = xreallocarray(NULL, gr.n ? gr.n : 1, sizeof(*shown));
	nshown = grouping_select(&gr, NULL, o.min_count, o.group ? 0 : o.limit,
				 shown);
	nshown = options_pick_group(&o, &gr, shown, nshown);
	if (o.limit > 0 && nshown > (size_t)o.limit)
		nshown = (size_t)o.limit;
	if (o.group != NULL && nshown == 0)
		fprintf(stderr,
			"goroscope: show: no group's id starts with '%s'\n",
			o.group);
	if (output_open(&out, o.output, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	if (o.format != OUT_TEXT) {
		struct analysis_opts ao;

		/* One snapshot: verdicts say growth is unknown, proven
		 * leaks, known goroutines; scores rank by size and wait
		 * (JSON and HTML say them; text does not). */
		memset(&ao, 0, sizeof(ao));
		suspect_rules_default(&ao.rules);
		ao.ignore_known = 1;
		analysis_run(&an, &gr, &ao);
	}
	{
		struct json_part part = {
			.instance = meta.instance
					    ? intern_str(&in, meta.instance)
					    : NULL,
			.gr = &gr,
			.meta = &meta,
			.order = "as given",
			.shown = shown,
			.nshown = nshown,
			.an = &an,
		};
		struct show_out so = {
			.o = &o,
			.json = { .command = "show", .parts = &part,
				  .nparts = 1 },
			.text = {
				.gr = &gr,
				.meta = &meta,
				.shown = shown,
				.nshown = nshown,
				.color = options_use_color(&o, out.fp),
				.verbose = o.verbose,
				.filtered = !filter_is_empty(&filter),
				.threads = options_threads(),
			},
			.graph_part = { part.instance, &gr, &an },
		};

		if (show_writers[o.format](&so, out.fp, &err) < 0) {
			output_abort(&out);
			diag_error(&err);
			goto out;
		}
	}
	if (output_commit(&out, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	status = EXIT_OK;
out:
	analysis_release(&an);
	free(shown);
	if (have_gr)
		grouping_release(&gr);
	if (have_filter)
		filter_release(&filter);
	snapshot_release(&pick.snap);
	intern_release(&in);
	return status;
}
