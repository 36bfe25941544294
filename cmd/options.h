/*
 * Options shared by the commands that group goroutines: one table of every
 * option, each tagged with the option set it belongs to, parsed with
 * getopt_long and printed by --help from the same table.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdio.h>

#include "formats/fetch.h"
#include "lib/filter.h"
#include "lib/group.h"
#include "lib/growth.h"

struct command;

/*
 * Output formats: rows of out_formats[] (cmd/options.c), which say the
 * name --format and --to take, the commands that write it and the file
 * names convert takes it from. Each command holds its writers in an array
 * by this enum. Adding a format: a value here, a row there, a writer in
 * the commands it names, a section in the man page and golden cases.
 */
enum out_format {
	OUT_TEXT = 0,
	OUT_JSON,
	OUT_DOT,
	OUT_HTML,
	OUT_GSNAP,
	OUT_PPROF,
	OUT_NFORMATS,
};

struct out_format_def {
	const char *name;
	enum out_format id;
	const char *commands; /* the commands that write it, by name */
	const char *suffixes; /* convert: OUT names that choose it, or NULL */
	int binary;	      /* not for a terminal */
};

/* The table, in the order --help lists formats; ends with name NULL. */
extern const struct out_format_def out_formats[];

/* The row called name that cmd writes, or NULL. */
const struct out_format_def *out_format_find(const struct command *cmd,
					     const char *name);

/* The row convert picks from OUT's name, or NULL. */
const struct out_format_def *out_format_for_file(const struct command *cmd,
						 const char *path);

/* The names cmd writes, as "text, json or dot", into buf. */
void out_format_list(const struct command *cmd, char *buf, size_t size);

/* Most nodes of a DOT graph by default, as pprof does: Graphviz layout
 * time explodes on large graphs. */
#define DOT_NODES_DEFAULT 80

enum color_mode {
	COLOR_AUTO = 0,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

/* Most --meta options. */
#define OPTIONS_MAX_META 64

struct options {
	enum out_format format;
	const char *output; /* NULL or "-": stdout */
	struct group_key key;
	struct filter_spec filter;
	long long min_count; /* groups below are not shown */
	long long limit;     /* at most this many groups; 0: all */
	const char *group;   /* --group: hex prefix of the one group shown */
	enum color_mode color;
	int verbose;
	int progress;
	int help;			    /* --help was given */
	const char *to;			    /* convert --to */
	int append;			    /* convert --append */
	const char *meta[OPTIONS_MAX_META]; /* convert --meta K=V */
	int nmeta;
	const char *baseline;	    /* --baseline */
	const char *instance;	    /* --instance: only its snapshots (capture:
				 the name of its snapshots' instance) */
	int strict;		    /* --strict: an unreadable input fails */
	int ignore_known;	    /* --ignore-known (default on) */
	struct suspect_rules rules; /* --min-growth, --min-rise, --near-peak */
	int fail_on_leak;
	long long nodes;    /* --nodes: most nodes in DOT output */
	int has_at;	    /* --at given */
	long long at_ns;    /* --at: a moment of a trace, ns after its start */
	int has_every;	    /* --every given */
	long long every_ns; /* --every DURATION, or 0 */
	unsigned every_points; /* --every N, or 0 */
	/* URL sources, capture and watch */
	const char *headers[FETCH_MAX_HEADERS]; /* --header 'K: V' */
	unsigned nheaders;
	long long timeout_ns; /* --timeout, or 0 */
	long long count;      /* --count: snapshots to take (0: no end) */
	int has_count;
	long long interval_ns; /* --interval, or 0 */
	int debug;	       /* --debug 0|1|2, or -1 */
	int leak;	       /* --leak: the goroutineleak profile */
	const char *save;      /* watch --save OUT.gsnap */
	char **operands;
	int noperands;
};

/*
 * Parse argv (argv[0] is the command name) for cmd. Returns 0, or -1 after
 * printing a usage error on stderr (exit status 2).
 */
int options_parse(struct options *o, const struct command *cmd, int argc,
		  char **argv);

/* Print cmd's usage line, help text and options. */
void options_help(FILE *fp, const struct command *cmd);

/* Print "goroscope: CMD: message" and a hint to stderr; returns EXIT_USAGE. */
int options_usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The --meta pairs as a label set over in's tables, or 0. */
seqid options_meta(struct intern *in, const struct options *o);

/*
 * With --group, keep of shown[0..n) the groups of gr whose id starts with
 * it; returns how many are left. Without, n.
 */
size_t options_pick_group(const struct options *o, const struct grouping *gr,
			  size_t *shown, size_t n);

/* Threads a reader may use: $GOROSCOPE_THREADS, or 0 (one per core). */
unsigned options_threads(void);

/* Whether to colour what goes to fp (a terminal, NO_COLOR unset, ...). */
int options_use_color(const struct options *o, FILE *fp);

#endif
