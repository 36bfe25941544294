/* goroscope: argv, the command table and dispatch. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/output.h"
#include "lib/suggest.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

const struct command commands[] = {
	{
		.name = "show",
		.alias = "top",
		.run = cmd_show,
		.synopsis = "FILE",
		.summary = "groups of one snapshot, largest first",
		.help = "Group the goroutines of one capture (goroutine dump, "
			"debug=1 or pprof\n"
			"profile, execution trace, gzipped or not; '-' reads "
			"stdin) by stack and\n"
			"list the groups, largest first: count, state and wait "
			"time, the blocking\n"
			"frame (the first frame outside the runtime) and where "
			"the goroutines were\n"
			"created. A trace shows its end, or the moment --at "
			"names.",
		.optsets = OPTSET_GROUP | OPTSET_OUTPUT | OPTSET_AT |
			   OPTSET_FETCH | OPTSET_DOT,
		.stdin_ok = 1,
		.min_operands = 1,
		.max_operands = 1,
	},
	{
		.name = "diff",
		.run = cmd_diff,
		.synopsis = "OLD NEW",
		.summary = "per-group change between two snapshots",
		.help = "Group two captures the same way and list every group "
			"with its count\n"
			"before and after, largest growth first; new and gone "
			"groups are marked.",
		.optsets = OPTSET_GROUP | OPTSET_OUTPUT | OPTSET_SERIES |
			   OPTSET_FETCH | OPTSET_DOT,
		.min_operands = 2,
		.max_operands = 2,
	},
	{
		.name = "trend",
		.run = cmd_trend,
		.synopsis = "FILE...",
		.summary = "per-group counts across a series of snapshots",
		.help = "Group a series of captures (files, directories of "
			"captures) and list\n"
			"each group's counts across it with a sparkline, net "
			"growth, the share\n"
			"of steps that did not go down, and whether it is a "
			"leak suspect (!).\n"
			"Snapshots are ordered by capture time when every "
			"input has one, else\n"
			"by natural order of the file names; each instance's "
			"own. An execution\n"
			"trace is sampled at --every points (default 10, "
			"evenly spaced from\n"
			"its start to its end).",
		.optsets = OPTSET_GROUP | OPTSET_OUTPUT | OPTSET_SERIES |
			   OPTSET_DOT | OPTSET_EVERY | OPTSET_FETCH,
		.stdin_ok = 1,
		.min_operands = 1,
		.max_operands = -1,
	},
	{
		.name = "report",
		.run = cmd_report,
		.synopsis = "FILE...",
		.summary =
			"incident report: ranked leak suspects with evidence",
		.help = "The incident report over a series of captures: the "
			"inputs with their\n"
			"goroutine totals, the leak suspects ranked by score "
			"with their evidence\n"
			"(counts per snapshot, growth, rate, state and wait, "
			"blocking frame,\n"
			"creation site, labels, full stack), the large groups "
			"that are not\n"
			"suspects and why, and the thresholds used. With one "
			"snapshot, the\n"
			"largest blocked groups, ranked by size and wait. An "
			"execution trace is\n"
			"sampled at --every points (default 10, from its start "
			"to its end) and\n"
			"adds its own evidence: exact blocked times, creation "
			"stacks, parent\n"
			"goroutines, and the goroutines created during the "
			"trace that were still\n"
			"blocked at its end.",
		.optsets = OPTSET_GROUP | OPTSET_OUTPUT | OPTSET_SERIES |
			   OPTSET_DOT | OPTSET_EVERY | OPTSET_FETCH,
		.stdin_ok = 1,
		.min_operands = 1,
		.max_operands = -1,
	},
	{
		.name = "convert",
		.run = cmd_convert,
		.synopsis = "FILE... -o OUT",
		.summary = "write captures as a .gsnap series, JSON or pprof",
		.help = "Read captures of any format goroscope reads (files, "
			"directories, .gsnap\n"
			"series) and write them as:\n"
			"  gsnap  one compact, checksummed series of every "
			"snapshot, in capture-time\n"
			"         order; with --append, added to the end of "
			"OUT; .gsnap inputs merge\n"
			"  json   every goroutine record of every snapshot\n"
			"  pprof  one snapshot as a gzipped goroutine "
			"profile for 'go tool pprof'\n"
			"         (goroutine states kept as the label "
			"goroscope.state; a pprof\n"
			"         input's mappings, its program and build "
			"id, kept)\n"
			"The format comes from --to, or else from OUT's name "
			"(.gsnap, .json,\n"
			".pb.gz or .pb). OUT is written whole or not at all. "
			"An execution\n"
			"trace is sampled at --every points (default 10, "
			"evenly spaced from its\n"
			"start to its end), or read at the one moment --at "
			"names; as a pprof\n"
			"profile, it gives its end (or --at).",
		.optsets = OPTSET_CONVERT | OPTSET_AT | OPTSET_EVERY |
			   OPTSET_FETCH,
		.stdin_ok = 1,
		.min_operands = 1,
		.max_operands = -1,
	},
	{
		.name = "capture",
		.run = cmd_capture,
		.synopsis = "URL... -o OUT.gsnap",
		.summary = "snapshots of live services into a .gsnap series",
		.help = "Fetch a goroutine profile from each URL (a Go "
			"service's net/http/pprof;\n"
			"a URL without a path means /debug/pprof/goroutine) "
			"at the same moments,\n"
			"--count times (default 10; 0: until interrupted), "
			"--interval apart\n"
			"(default 30s), and append each snapshot to the .gsnap "
			"series OUT as it\n"
			"arrives, so that a kill loses at most the one in "
			"flight. Each URL is an\n"
			"instance of its own, named by its host:port. A "
			"fetch that fails is a\n"
			"warning, and the next moment still comes; ^C stops "
			"after the snapshot\n"
			"in flight. Then `goroscope report OUT`.",
		.optsets = OPTSET_CAPTURE | OPTSET_FETCH,
		.min_operands = 1,
		.max_operands = -1,
	},
	{
		.name = "watch",
		.run = cmd_watch,
		.synopsis = "URL...",
		.summary = "a live view of the groups, like top",
		.help = "Capture from each URL every --interval (default 5s) "
			"and show, like top,\n"
			"the groups of the latest snapshots with their counts "
			"over the recent\n"
			"ones, leak suspects marked and first, judged at every "
			"capture as trend\n"
			"judges them; q quits. Without a terminal, one trend "
			"report per interval.\n"
			"--save appends every snapshot to a .gsnap series as "
			"capture does.",
		.optsets = OPTSET_GROUP | OPTSET_SERIES | OPTSET_WATCH |
			   OPTSET_FETCH,
		.min_operands = 1,
		.max_operands = -1,
	},
	{
		.name = "help",
		.run = cmd_help,
		.synopsis = "[COMMAND]",
		.summary = "show help for goroscope or a command",
		.min_operands = 0,
		.max_operands = 1,
	},
	{
		.name = "version",
		.run = cmd_version,
		.synopsis = "",
		.summary = "print the version",
		.min_operands = 0,
		.max_operands = 0,
	},
	{ .name = NULL },
};

const struct command *
command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0 ||
		    (c->alias && strcmp(c->alias, name) == 0))
			return c;
	return NULL;
}

static int
is_global(const char *arg, int *takes_value)
{
	*takes_value = 0;
	if (strcmp(arg, "--no-progress") == 0 ||
	    strncmp(arg, "--color=", 8) == 0)
		return 1;
	if (strcmp(arg, "--color") == 0) {
		*takes_value = 1;
		return 1;
	}
	return 0;
}

/* Run a command with no arguments (argv[0] is its name). */
static int
run_bare(int (*run)(int, char **), const char *name)
{
	char buf[16];
	char *args[2] = { buf, NULL };

	snprintf(buf, sizeof(buf), "%s", name);
	return run(1, args);
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	char **args = NULL;
	int i = 1, nglobal = 0, n = 0, status, value;

	xalloc_setup();
	/* A reader that closes the pipe (`| head`) ends the output quietly:
	 * writes fail with EPIPE, which output_commit() takes as that. */
	signal(SIGPIPE, SIG_IGN);

	/* Global options before the command are passed on to it. */
	while (i < argc && is_global(argv[i], &value)) {
		i += 1 + value;
		nglobal += 1 + value;
	}
	if (i > argc) {
		fprintf(stderr, "goroscope: option '%s' needs a value\n",
			argv[argc - 1]);
		return EXIT_USAGE;
	}
	if (i == argc) {
		cmd_general_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
		return run_bare(cmd_help, "help");
	if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0)
		return run_bare(cmd_version, "version");
	cmd = command_find(argv[i]);
	if (cmd == NULL) {
		const char *names[64];
		const char *near = NULL;
		size_t nnames = 0, k;

		for (k = 0; commands[k].name != NULL && nnames + 2 <= 64; k++) {
			names[nnames++] = commands[k].name;
			names[nnames++] = commands[k].alias;
		}
		near = suggest_nearest(argv[i], names, nnames);
		fprintf(stderr, "goroscope: '%s' is not a command\n", argv[i]);
		if (near != NULL)
			fprintf(stderr, "Did you mean 'goroscope %s'?\n", near);
		fprintf(stderr, "Try 'goroscope help'.\n");
		return EXIT_USAGE;
	}
	args = xreallocarray(NULL, (size_t)argc + 1, sizeof(*args));
	args[n++] = argv[i];
	memcpy(args + n, argv + 1, (size_t)nglobal * sizeof(*args));
	n += nglobal;
	memcpy(args + n, argv + i + 1, (size_t)(argc - i - 1) * sizeof(*args));
	n += argc - i - 1;
	args[n] = NULL;
	status = cmd->run(n, args);
	free(args);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (output_reader_gone())
			return status; /* `| head`: it stopped reading */
		if (status != EXIT_OK)
			return status; /* the command said why */
		fprintf(stderr, "goroscope: cannot write to standard output\n");
		return EXIT_INPUT;
	}
	return status;
}
