/*
 * The command table: the front end's dispatch (git's commands[], tmux's
 * cmd_entry). Only cmd/ reads argv, prints to the terminal or exits.
 *
 * Adding a command:
 *  1. cmd/cmd_NAME.c with `int cmd_NAME(int argc, char **argv)` returning
 *     an exit status (enum exit_status);
 *  2. a row in commands[] (cmd/main.c): name, alias, synopsis, summary, the
 *     option sets it takes (enum optset) and its operand counts;
 *  3. a section in man/goroscope.1 and golden cases in testdata/cases/,
 *     including its --help and a usage error.
 */
#ifndef CMD_H
#define CMD_H

#include <stdio.h>

/* Exit statuses (DESIGN.md section 2). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_INPUT = 1, /* an input could not be read or an output written */
	EXIT_USAGE = 2,
	EXIT_LEAK = 3, /* leak suspects found with --fail-on-leak */
};

/* Which option sets a command accepts (see cmd/options.c). */
enum optset {
	OPTSET_GROUP = 1 << 0, /* --group-by, --focus, --ignore, --state, ... */
	OPTSET_OUTPUT = 1 << 1,	 /* --format, --output, --color */
	OPTSET_CONVERT = 1 << 2, /* --to, --output */
	OPTSET_SERIES = 1 << 3,	 /* --baseline, thresholds, --fail-on-leak */
	OPTSET_DOT = 1 << 4,	 /* --nodes: a graph (dot, html) */
	OPTSET_AT = 1 << 5,	 /* --at: one moment of a trace */
	OPTSET_EVERY = 1 << 6,	 /* --every: sampling a trace */
	OPTSET_FETCH = 1 << 7,	 /* --header, --timeout: URL sources */
	OPTSET_CAPTURE = 1 << 8, /* --count, --interval, --debug, --leak */
	OPTSET_WATCH = 1 << 9,	 /* --interval, --count, --save */
};

struct command {
	const char *name;
	const char *alias; /* or NULL */
	int (*run)(int argc, char **argv);
	const char *synopsis; /* operands, for usage lines */
	const char *summary;  /* one line for `goroscope help` */
	const char *help;     /* paragraphs for `goroscope help NAME` */
	unsigned optsets;     /* enum optset */
	int min_operands, max_operands; /* max -1: unbounded */
	int stdin_ok; /* no operand: standard input, when not a terminal */
};

/* The table; ends with a row whose name is NULL. */
extern const struct command commands[];

/* The command called name (or by its alias), or NULL. */
const struct command *command_find(const char *name);

int cmd_show(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* The overview `goroscope help` prints. */
void cmd_general_help(FILE *fp);

#endif
