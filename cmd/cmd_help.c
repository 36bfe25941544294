/* goroscope help and goroscope version. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "lib/banned.h"

#ifndef GOROSCOPE_VERSION
#define GOROSCOPE_VERSION "unknown"
#endif

void
cmd_general_help(FILE *fp)
{
	const struct command *c;

	fprintf(fp,
		"usage: goroscope [--help] [--version] COMMAND [OPTIONS] "
		"FILE...\n\n"
		"Which goroutines are piling up, what are they waiting on, "
		"where were they\n"
		"created and since when? goroscope groups the goroutines of "
		"Go goroutine\n"
		"profiles, dumps and execution traces by stack, follows "
		"each group across\n"
		"snapshots, and reports the blocked groups that keep growing. "
		"Inputs are\n"
		"recognised from their bytes: pprof goroutine profiles, "
		"debug=1 and debug=2\n"
		"text, panic and SIGQUIT tracebacks, execution traces, "
		"goroscope's own\n"
		".gsnap series, gzipped or not. A FILE may be a directory, "
		"'-' (standard\n"
		"input, also when none is named and it is not a terminal), or "
		"the URL of a\n"
		"Go service's net/http/pprof (http://host:6060 means its "
		"goroutine profile).\n\n"
		"Commands:\n");
	for (c = commands; c->name; c++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", c->name, c->synopsis);
		fprintf(fp, "  %-27s %s", left, c->summary);
		if (c->alias)
			fprintf(fp, " (alias: %s)", c->alias);
		fputc('\n', fp);
	}
	fprintf(fp,
		"\nRun 'goroscope help COMMAND' for a command's options, and "
		"see goroscope(1).\n"
		"Exit status: 0 success, 1 an input could not be read or an "
		"output not\n"
		"written, 2 usage error, 3 leak suspects found with "
		"--fail-on-leak.\n");
}

int
cmd_help(int argc, char **argv)
{
	const struct command *c = NULL;

	if (argc > 2) {
		fprintf(stderr, "goroscope: help: too many operands\n");
		return EXIT_USAGE;
	}
	if (argc == 2 && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0) {
		c = command_find(argv[1]);
		if (c == NULL) {
			fprintf(stderr,
				"goroscope: help: '%s' is not a command\n"
				"Try 'goroscope help'.\n",
				argv[1]);
			return EXIT_USAGE;
		}
		options_help(stdout, c);
		return EXIT_OK;
	}
	cmd_general_help(stdout);
	return EXIT_OK;
}

int
cmd_version(int argc, char **argv)
{
	if (argc > 1 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		options_help(stdout, command_find("version"));
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "goroscope: version: too many operands\n");
		return EXIT_USAGE;
	}
	printf("goroscope %s\n", GOROSCOPE_VERSION);
	return EXIT_OK;
}
