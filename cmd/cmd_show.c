/* goroscope show: the groups of one snapshot, largest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/options.h"
#include "cmd/progress.h"
#include "cmd/output.h"
#include "cmd/render_text.h"
#include "formats/input.h"
#include "formats/json.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/filter.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int
cmd_show(int argc, char **argv)
{
	const struct command *cmd = command_find("show");
	struct options o;
	struct intern in;
	struct snapshot snap;
	struct filter filter;
	struct grouping gr;
	struct output out;
	struct error err;
	struct progress bar;
	struct snapshot_meta meta;
	struct analysis an;
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
	intern_init(&in);
	snapshot_init(&snap, &in);
	snap.threads = options_threads();
	snap.trace_at_ns = o.at_ns;
	snap.trace_at_set = o.has_at;
	progress_init(&bar, o.progress);
	snap.progress = progress_cb;
	snap.progress_ctx = &bar;
	if (filter_init(&filter, &in, &o.filter, &err) < 0) {
		status = options_usage_error(cmd, "%s", err.text);
		goto out;
	}
	have_filter = 1;
	if (input_load(&snap, o.operands[0], &err) < 0) {
		progress_done(&bar);
		diag_error(&err);
		goto out;
	}
	progress_done(&bar);
	if (o.has_at && snap.offset_ns < 0) {
		status = options_usage_error(cmd,
					     "--at: '%s' is not an execution "
					     "trace",
					     o.operands[0]);
		goto out;
	}
	diag_warnings(&snap);
	grouping_init(&gr, &in, &o.key, 1);
	gr.threads = options_threads();
	have_gr = 1;
	grouping_add(&gr, &snap, 0, filter_is_empty(&filter) ? NULL : &filter);
	snapshot_meta(&snap, &meta);
	/* The records are grouped: their memory serves what follows. */
	snapshot_release(&snap);
	grouping_finish(&gr);
	shown = xreallocarray(NULL, gr.n ? gr.n : 1, sizeof(*shown));
	nshown = grouping_select(&gr, NULL, o.min_count, o.limit, shown);
	if (output_open(&out, o.output, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	if (o.format == OUT_JSON) {
		struct analysis_opts ao;

		/* One snapshot: verdicts say growth is unknown, proven
		 * leaks, known goroutines; scores rank by size and wait. */
		memset(&ao, 0, sizeof(ao));
		suspect_rules_default(&ao.rules);
		ao.ignore_known = 1;
		analysis_run(&an, &gr, &ao);
	}
	if (o.format == OUT_JSON) {
		struct json_doc doc = {
			.command = "show",
			.gr = &gr,
			.meta = &meta,
			.order = "command line",
			.shown = shown,
			.nshown = nshown,
			.an = &an,
		};

		if (json_write(out.fp, &doc, &err) < 0) {
			output_abort(&out);
			diag_error(&err);
			goto out;
		}
	} else {
		struct text_doc doc = {
			.gr = &gr,
			.meta = &meta,
			.shown = shown,
			.nshown = nshown,
			.color = options_use_color(&o, out.fp),
			.verbose = o.verbose,
			.filtered = !filter_is_empty(&filter),
			.threads = options_threads(),
		};

		render_show(out.fp, &doc);
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
	snapshot_release(&snap);
	intern_release(&in);
	return status;
}
