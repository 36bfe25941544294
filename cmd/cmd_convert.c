/* goroscope convert: write a snapshot in another format. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/options.h"
#include "cmd/progress.h"
#include "cmd/output.h"
#include "formats/input.h"
#include "formats/pprof.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

int
cmd_convert(int argc, char **argv)
{
	const struct command *cmd = command_find("convert");
	struct options o;
	struct intern in;
	struct snapshot snap;
	struct output out;
	struct error err;
	struct progress bar;
	int status = EXIT_INPUT;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	if (o.to == NULL)
		return options_usage_error(cmd, "--to is required (pprof)");
	if (strcmp(o.to, "pprof") != 0)
		return options_usage_error(
			cmd, "--to: expected pprof, got '%s'", o.to);
	if (o.output == NULL && isatty(STDOUT_FILENO))
		return options_usage_error(cmd, "a profile is binary: give "
						"-o FILE (or -o - to write "
						"to a pipe)");
	error_clear(&err);
	intern_init(&in);
	snapshot_init(&snap, &in);
	snap.threads = options_threads();
	snap.trace_at_ns = o.at_ns;
	snap.trace_at_set = o.has_at;
	progress_init(&bar, o.progress);
	snap.progress = progress_cb;
	snap.progress_ctx = &bar;
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
	if (output_open(&out, o.output, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	if (pprof_write(out.fp, &snap, &err) < 0) {
		error_set_file(&err, o.output ? o.output : "-");
		output_abort(&out);
		diag_error(&err);
		goto out;
	}
	if (output_commit(&out, &err) < 0) {
		diag_error(&err);
		goto out;
	}
	status = EXIT_OK;
out:
	snapshot_release(&snap);
	intern_release(&in);
	return status;
}
