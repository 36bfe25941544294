/* Table-driven option parsing for every command. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "formats/trace.h"
#include "lib/error.h"
#include "lib/suggest.h"
#include "lib/banned.h"

enum opt_id {
	OPT_FORMAT = 'f',
	OPT_OUTPUT = 'o',
	OPT_VERBOSE = 'v',
	OPT_HELP = 'h',
	OPT_GROUP_BY = 1000,
	OPT_FOCUS,
	OPT_IGNORE,
	OPT_STATE,
	OPT_LABEL,
	OPT_MIN_COUNT,
	OPT_LIMIT,
	OPT_COLOR,
	OPT_NO_PROGRESS,
	OPT_TO,
	OPT_BASELINE,
	OPT_IGNORE_KNOWN,
	OPT_NO_IGNORE_KNOWN,
	OPT_MIN_GROWTH,
	OPT_MIN_RISE,
	OPT_NEAR_PEAK,
	OPT_FAIL_ON_LEAK,
	OPT_NODES,
	OPT_APPEND,
	OPT_META,
	OPT_AT,
	OPT_EVERY,
	OPT_INSTANCE,
	OPT_NAME_INSTANCE,
	OPT_STRICT,
	OPT_HEADER,
	OPT_TIMEOUT,
	OPT_COUNT,
	OPT_INTERVAL,
	OPT_DEBUG,
	OPT_LEAK,
	OPT_SAVE,
	OPT_LABEL_IGNORE,
	OPT_IGNORE_TOP,
	OPT_GROUP,
};

struct opt_def {
	const char *name;
	int id;		 /* short option character when < 256 */
	const char *arg; /* NULL: takes no argument */
	unsigned set;	 /* enum optset, 0: every command */
	const char *help;
};

const struct out_format_def out_formats[] = {
	{ "text", OUT_TEXT, "show diff trend report", NULL, 0 },
	{ "json", OUT_JSON, "show diff trend report convert", ".json", 0 },
	{ "dot", OUT_DOT, "trend report", NULL, 0 },
	{ "html", OUT_HTML, "show diff trend report", NULL, 0 },
	{ "gsnap", OUT_GSNAP, "convert", ".gsnap", 1 },
	{ "pprof", OUT_PPROF, "convert", ".pb.gz .pb", 1 },
	{ NULL, OUT_TEXT, NULL, NULL, 0 },
};

/* The next word of a space-separated list at *p, moving *p past it (n
 * bytes); NULL at the end. */
static const char *
next_word(const char **p, size_t *n)
{
	const char *w = *p, *end = NULL;

	if (w == NULL || *w == '\0')
		return NULL;
	end = strchr(w, ' ');
	*n = end ? (size_t)(end - w) : strlen(w);
	*p = end ? end + 1 : NULL;
	return w;
}

/* Whether the space-separated list has word. */
static int
has_word(const char *list, const char *word, size_t len)
{
	const char *w = NULL;
	size_t n = 0;

	while ((w = next_word(&list, &n)) != NULL)
		if (n == len && memcmp(w, word, len) == 0)
			return 1;
	return 0;
}

/* Append item k (from 0) of total to buf as a list reads: "a", "a and
 * b", "a, b and c", with last between the last two. */
static void
list_append(char *buf, size_t size, size_t k, size_t total, const char *last,
	    const char *w, size_t n)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%.*s",
		 k == 0		  ? ""
		 : k + 1 == total ? last
				  : ", ",
		 (int)n, w);
}

/* A space-separated list as "a, b and c". */
static void
words_list(const char *list, char *buf, size_t size)
{
	const char *p = list, *w = NULL;
	size_t total = 0, k = 0, n = 0;

	while (next_word(&p, &n) != NULL)
		total++;
	buf[0] = '\0';
	for (p = list; (w = next_word(&p, &n)) != NULL; k++)
		list_append(buf, size, k, total, " and ", w, n);
}

static int
writes(const struct out_format_def *f, const struct command *cmd)
{
	return has_word(f->commands, cmd->name, strlen(cmd->name));
}

const struct out_format_def *
out_format_find(const struct command *cmd, const char *name)
{
	const struct out_format_def *f = NULL;

	for (f = out_formats; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0 && writes(f, cmd))
			return f;
	return NULL;
}

const struct out_format_def *
out_format_for_file(const struct command *cmd, const char *path)
{
	const struct out_format_def *f = NULL;
	size_t n = strlen(path);

	for (f = out_formats; f->name != NULL; f++) {
		const char *p = f->suffixes, *w = NULL;
		size_t k = 0;

		if (!writes(f, cmd))
			continue;
		while ((w = next_word(&p, &k)) != NULL)
			if (n >= k && memcmp(path + n - k, w, k) == 0)
				return f;
	}
	return NULL;
}

void
out_format_list(const struct command *cmd, char *buf, size_t size)
{
	const struct out_format_def *f = NULL;
	size_t total = 0, k = 0;

	for (f = out_formats; f->name != NULL; f++)
		total += writes(f, cmd);
	buf[0] = '\0';
	for (f = out_formats; f->name != NULL; f++)
		if (writes(f, cmd))
			list_append(buf, size, k++, total, " or ", f->name,
				    strlen(f->name));
}

static const struct opt_def opt_defs[] = {
	{ "format", OPT_FORMAT, "FMT", OPTSET_OUTPUT,
	  NULL /* from out_formats[] */ },
	{ "output", OPT_OUTPUT, "FILE", OPTSET_OUTPUT | OPTSET_CONVERT,
	  "write to FILE, only if the command succeeds" },
	{ "output", OPT_OUTPUT, "FILE", OPTSET_CAPTURE,
	  "the .gsnap series each snapshot is appended to" },
	{ "to", OPT_TO, "FMT", OPTSET_CONVERT, NULL /* from out_formats[] */ },
	{ "append", OPT_APPEND, NULL, OPTSET_CONVERT,
	  "add the snapshots to the .gsnap series OUT" },
	{ "meta", OPT_META, "K=V", OPTSET_CONVERT | OPTSET_CAPTURE,
	  "store K=V with each snapshot (e.g. service=api)" },
	{ "group-by", OPT_GROUP_BY, "KEY", OPTSET_GROUP,
	  "stack (default), func, top:N or creator" },
	{ "focus", OPT_FOCUS, "RE", OPTSET_GROUP,
	  "only goroutines with a function matching RE" },
	{ "ignore", OPT_IGNORE, "RE", OPTSET_GROUP,
	  "drop goroutines with a function matching RE" },
	{ "state", OPT_STATE, "LIST", OPTSET_GROUP,
	  "only these states, e.g. 'chan receive,blocked'" },
	{ "ignore-top", OPT_IGNORE_TOP, "RE", OPTSET_GROUP,
	  "drop goroutines blocked in a function matching RE" },
	{ "label", OPT_LABEL, "K=V", OPTSET_GROUP,
	  "only goroutines with label K=V (V: value or RE; or K)" },
	{ "label-ignore", OPT_LABEL_IGNORE, "K=V", OPTSET_GROUP,
	  "drop goroutines with label K=V (V: value or RE; or K)" },
	{ "group", OPT_GROUP, "ID", OPTSET_GROUP,
	  "only the group whose id (as printed) starts with ID" },
	{ "min-count", OPT_MIN_COUNT, "N", OPTSET_GROUP,
	  "hide groups of fewer than N goroutines" },
	{ "limit", OPT_LIMIT, "N", OPTSET_GROUP, "show at most N groups" },
	{ "baseline", OPT_BASELINE, "FILE", OPTSET_SERIES,
	  "groups found in FILE are not suspects" },
	{ "ignore-known", OPT_IGNORE_KNOWN, NULL, OPTSET_SERIES,
	  "known long-lived goroutines are not suspects (on)" },
	{ "no-ignore-known", OPT_NO_IGNORE_KNOWN, NULL, OPTSET_SERIES,
	  "judge those goroutines too" },
	{ "min-growth", OPT_MIN_GROWTH, "N", OPTSET_SERIES,
	  "a suspect grew by at least N goroutines (3)" },
	{ "min-rise", OPT_MIN_RISE, "F", OPTSET_SERIES,
	  "share of steps that did not go down (0.75)" },
	{ "near-peak", OPT_NEAR_PEAK, "F", OPTSET_SERIES,
	  "a suspect ends at F of its peak or above (0.9)" },
	{ "fail-on-leak", OPT_FAIL_ON_LEAK, NULL, OPTSET_SERIES,
	  "exit with status 3 when a suspect is found" },
	{ "nodes", OPT_NODES, "N", OPTSET_DOT,
	  "most nodes in the graph of dot and html (80)" },
	{ "instance", OPT_INSTANCE, "NAME", OPTSET_GROUP,
	  "only the snapshots of instance NAME" },
	{ "instance", OPT_NAME_INSTANCE, "NAME", OPTSET_CAPTURE,
	  "the instance of the snapshots (default: host:port)" },
	{ "strict", OPT_STRICT, NULL, OPTSET_GROUP | OPTSET_CONVERT,
	  "an input that cannot be read is an error" },
	{ "count", OPT_COUNT, "N", OPTSET_CAPTURE | OPTSET_WATCH,
	  "snapshots of each URL (capture: 10; 0, watch: no end)" },
	{ "interval", OPT_INTERVAL, "TIME", OPTSET_CAPTURE | OPTSET_WATCH,
	  "between snapshots (capture: 30s, watch: 5s)" },
	{ "debug", OPT_DEBUG, "0|1|2", OPTSET_CAPTURE,
	  "the profile's form: 0 pprof (default), 1 or 2 text" },
	{ "leak", OPT_LEAK, NULL, OPTSET_CAPTURE,
	  "the goroutineleak profile (Go 1.26+) instead" },
	{ "save", OPT_SAVE, "FILE", OPTSET_WATCH,
	  "also append every snapshot to the .gsnap series FILE" },
	{ "header", OPT_HEADER, "'K: V'", OPTSET_FETCH,
	  "send this HTTP header with URL requests (repeatable)" },
	{ "timeout", OPT_TIMEOUT, "TIME", OPTSET_FETCH,
	  "for each URL request (default 30s)" },
	{ "at", OPT_AT, "TIME", OPTSET_AT,
	  "one moment of a trace, TIME after its start (2.5s)" },
	{ "every", OPT_EVERY, "TIME|N", OPTSET_EVERY,
	  "sample traces every TIME, or at N points (10)" },
	{ "color", OPT_COLOR, "WHEN", OPTSET_OUTPUT,
	  "auto (default; honours NO_COLOR), always or never" },
	{ "verbose", OPT_VERBOSE, NULL, OPTSET_GROUP,
	  "full stacks, goroutine ids and labels" },
	{ "no-progress", OPT_NO_PROGRESS, NULL, OPTSET_GROUP | OPTSET_CAPTURE,
	  "no progress bar on stderr" },
	{ "help", OPT_HELP, NULL, 0, "show this help" },
	{ NULL, 0, NULL, 0, NULL },
};

int
options_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "goroscope: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'goroscope help %s'.\n", cmd->name);
	return EXIT_USAGE;
}

static int
parse_count(const struct command *cmd, const char *opt, const char *s,
	    long long *out)
{
	char *end = NULL;
	long long v;

	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0)
		goto bad;
	*out = v;
	return 0;
bad:
	options_usage_error(cmd, "--%s: expected a number, got '%s'", opt, s);
	return -1;
}

static int
parse_fraction(const struct command *cmd, const char *opt, const char *s,
	       double *out)
{
	char *end = NULL;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v <= 1))
		return options_usage_error(cmd,
					   "--%s: expected a number from 0 to "
					   "1, got '%s'",
					   opt, s),
		       -1;
	*out = v;
	return 0;
}

static int
parse_time(const struct command *cmd, const char *opt, const char *s,
	   long long *out, int *given)
{
	struct error err;
	int64_t ns = 0;

	error_clear(&err);
	if (trace_parse_duration(s, &ns, &err) < 0)
		return options_usage_error(cmd, "--%s: %s", opt, err.text), -1;
	*out = ns;
	*given = 1;
	return 0;
}

/* --every TIME (a duration) or N (that many evenly spaced points). */
static int
parse_every(const struct command *cmd, const char *s, struct options *o)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (n > 0 && i == n) {
		long long v = 0;

		if (parse_count(cmd, "every", s, &v) < 0)
			return -1;
		if (v < 1 || v > (long long)TL_MAX_POINTS)
			return options_usage_error(cmd,
						   "--every: expected 1 to "
						   "%u points, got '%s'",
						   TL_MAX_POINTS, s),
			       -1;
		o->every_points = (unsigned)v;
		o->every_ns = 0;
		o->has_every = 1;
		return 0;
	}
	if (parse_time(cmd, "every", s, &o->every_ns, &o->has_every) < 0)
		return -1;
	if (o->every_ns <= 0)
		return options_usage_error(cmd,
					   "--every: expected a duration above "
					   "zero, got '%s'",
					   s),
		       -1;
	o->every_points = 0;
	return 0;
}

/* Every word of a --state list is one it knows, or a usage error that
 * suggests the nearest and lists them all. */
static int
check_states(const struct command *cmd, const char *list)
{
	const char *p = list;
	size_t n = 0, i, col = 0;
	const char *const *known = filter_state_words(&n);

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char word[128];
		const char *near = NULL;

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0 && !filter_state_known(p, len)) {
			snprintf(word, sizeof(word), "%.*s", (int)len, p);
			near = suggest_nearest(word, known, n);
			fprintf(stderr,
				"goroscope: %s: --state: unknown state '%s'",
				cmd->name, word);
			if (near != NULL)
				fprintf(stderr, "; did you mean '%s'?", near);
			fputs("\nKnown states (a comma-separated list of "
			      "any):\n ",
			      stderr);
			col = 1;
			for (i = 0; i < n; i++) {
				size_t w = strlen(known[i]) + 2;

				if (col + w > 78) {
					fputs("\n ", stderr);
					col = 1;
				}
				fprintf(stderr, " %s%s", known[i],
					i + 1 < n ? "," : "");
				col += w;
			}
			fprintf(stderr, "\nTry 'goroscope help %s'.\n",
				cmd->name);
			return -1;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static int
applies(const struct opt_def *d, const struct command *cmd)
{
	return d->set == 0 || (cmd->optsets & d->set);
}

static int
set_option(struct options *o, const struct command *cmd, int id,
	   const char *arg)
{
	long long min_growth = 0;
	int given = 0;
	struct error err;

	switch (id) {
	case OPT_FORMAT: {
		const struct out_format_def *f = out_format_find(cmd, arg);
		char names[128];

		if (f == NULL) {
			const struct out_format_def *other = NULL;

			out_format_list(cmd, names, sizeof(names));
			for (other = out_formats; other->name != NULL; other++)
				if (strcmp(other->name, arg) == 0)
					break;
			if (other->name != NULL) {
				char who[128];

				words_list(other->commands, who, sizeof(who));
				return options_usage_error(
					       cmd,
					       "--format: %s does not write %s "
					       "(%s %s); expected %s",
					       cmd->name, arg, who,
					       strchr(other->commands, ' ')
						       ? "do"
						       : "does",
					       names),
				       -1;
			}
			return options_usage_error(cmd,
						   "--format: expected %s, "
						   "got '%s'",
						   names, arg),
			       -1;
		}
		o->format = f->id;
		return 0;
	}
	case OPT_OUTPUT:
		o->output = arg;
		return 0;
	case OPT_GROUP_BY:
		error_clear(&err);
		if (group_key_parse(&o->key, arg, &err) < 0)
			return options_usage_error(cmd, "%s", err.text), -1;
		return 0;
	case OPT_FOCUS:
		o->filter.focus = arg;
		return 0;
	case OPT_IGNORE:
		o->filter.ignore = arg;
		return 0;
	case OPT_STATE:
		if (o->filter.nstates == FILTER_MAX_TERMS)
			return options_usage_error(cmd, "too many --state "
							"options"),
			       -1;
		if (check_states(cmd, arg) < 0)
			return -1;
		o->filter.states[o->filter.nstates++] = arg;
		return 0;
	case OPT_LABEL:
		if (o->filter.nlabels == FILTER_MAX_TERMS)
			return options_usage_error(cmd, "too many --label "
							"options"),
			       -1;
		o->filter.labels[o->filter.nlabels++] = arg;
		return 0;
	case OPT_LABEL_IGNORE:
		if (o->filter.nlabel_ignores == FILTER_MAX_TERMS)
			return options_usage_error(cmd, "too many "
							"--label-ignore "
							"options"),
			       -1;
		o->filter.label_ignores[o->filter.nlabel_ignores++] = arg;
		return 0;
	case OPT_IGNORE_TOP:
		o->filter.ignore_top = arg;
		return 0;
	case OPT_GROUP: {
		size_t n = strlen(arg);

		if (n < 4 || n > 16 ||
		    strspn(arg, "0123456789abcdefABCDEF") != n)
			return options_usage_error(cmd,
						   "--group: expected a group "
						   "id of 4 to 16 hex digits, "
						   "got '%s'",
						   arg),
			       -1;
		o->group = arg;
		return 0;
	}
	case OPT_MIN_COUNT:
		return parse_count(cmd, "min-count", arg, &o->min_count);
	case OPT_LIMIT:
		return parse_count(cmd, "limit", arg, &o->limit);
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			o->color = COLOR_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			o->color = COLOR_NEVER;
		else
			return options_usage_error(cmd,
						   "--color: expected "
						   "auto, always or never, "
						   "got '%s'",
						   arg),
			       -1;
		return 0;
	case OPT_VERBOSE:
		o->verbose = 1;
		return 0;
	case OPT_NO_PROGRESS:
		o->progress = 0;
		return 0;
	case OPT_HELP:
		o->help = 1;
		return 0;
	case OPT_TO:
		o->to = arg;
		return 0;
	case OPT_BASELINE:
		o->baseline = arg;
		return 0;
	case OPT_IGNORE_KNOWN:
		o->ignore_known = 1;
		return 0;
	case OPT_NO_IGNORE_KNOWN:
		o->ignore_known = 0;
		return 0;
	case OPT_MIN_GROWTH:
		return parse_count(cmd, "min-growth", arg, &min_growth) < 0
			       ? -1
			       : (o->rules.min_growth = min_growth, 0);
	case OPT_MIN_RISE:
		return parse_fraction(cmd, "min-rise", arg, &o->rules.min_rise);
	case OPT_NEAR_PEAK:
		return parse_fraction(cmd, "near-peak", arg,
				      &o->rules.near_peak);
	case OPT_FAIL_ON_LEAK:
		o->fail_on_leak = 1;
		return 0;
	case OPT_NODES:
		return parse_count(cmd, "nodes", arg, &o->nodes);
	case OPT_APPEND:
		o->append = 1;
		return 0;
	case OPT_META:
		if (o->nmeta == OPTIONS_MAX_META)
			return options_usage_error(cmd, "too many --meta "
							"options"),
			       -1;
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			return options_usage_error(
				       cmd,
				       "--meta: expected KEY=VALUE, "
				       "got '%s'",
				       arg),
			       -1;
		o->meta[o->nmeta++] = arg;
		return 0;
	case OPT_AT:
		return parse_time(cmd, "at", arg, &o->at_ns, &o->has_at);
	case OPT_EVERY:
		return parse_every(cmd, arg, o);
	case OPT_INSTANCE:
		o->instance = arg;
		return 0;
	case OPT_NAME_INSTANCE:
		if (arg[0] == '\0')
			return options_usage_error(cmd, "--instance: expected "
							"a name"),
			       -1;
		o->instance = arg;
		return 0;
	case OPT_STRICT:
		o->strict = 1;
		return 0;
	case OPT_HEADER:
		if (o->nheaders == FETCH_MAX_HEADERS)
			return options_usage_error(cmd, "too many --header "
							"options"),
			       -1;
		if (strchr(arg, ':') == NULL || arg[0] == ':' ||
		    strpbrk(arg, "\r\n") != NULL)
			return options_usage_error(
				       cmd,
				       "--header: expected 'Key: value', got "
				       "'%s'",
				       arg),
			       -1;
		o->headers[o->nheaders++] = arg;
		return 0;
	case OPT_TIMEOUT:
		if (parse_time(cmd, "timeout", arg, &o->timeout_ns, &given) < 0)
			return -1;
		if (o->timeout_ns < 1000000)
			return options_usage_error(cmd,
						   "--timeout: expected 1ms or "
						   "more, got '%s'",
						   arg),
			       -1;
		return 0;
	case OPT_COUNT:
		o->has_count = 1;
		return parse_count(cmd, "count", arg, &o->count);
	case OPT_INTERVAL:
		if (parse_time(cmd, "interval", arg, &o->interval_ns, &given) <
		    0)
			return -1;
		if (o->interval_ns < 10000000)
			return options_usage_error(cmd,
						   "--interval: expected 10ms "
						   "or more, got '%s'",
						   arg),
			       -1;
		return 0;
	case OPT_DEBUG:
		if (strcmp(arg, "0") && strcmp(arg, "1") && strcmp(arg, "2"))
			return options_usage_error(cmd,
						   "--debug: expected 0, 1 or "
						   "2, got '%s'",
						   arg),
			       -1;
		o->debug = arg[0] - '0';
		return 0;
	case OPT_LEAK:
		o->leak = 1;
		return 0;
	case OPT_SAVE:
		o->save = arg;
		return 0;
	}
	return -1;
}

/* An unknown or ambiguous long option, with the nearest ones suggested. */
static void
unknown_long(const struct command *cmd, const struct option *longopts, size_t n,
	     const char *arg)
{
	const char *names[sizeof(opt_defs) / sizeof(opt_defs[0])];
	const char *word = arg + strspn(arg, "-"), *near = NULL;
	char name[64];
	size_t i, k = 0, len = strcspn(word, "=");

	snprintf(name, sizeof(name), "%.*s", (int)len, word);
	for (i = 0; i < n; i++)
		if (strncmp(longopts[i].name, name, len) == 0 && len > 0)
			k++;
	if (k > 1) {
		fprintf(stderr,
			"goroscope: %s: option '%s' is ambiguous; it "
			"could be",
			cmd->name, arg);
		for (i = 0; i < n; i++)
			if (strncmp(longopts[i].name, name, len) == 0)
				fprintf(stderr, " --%s", longopts[i].name);
		fprintf(stderr, "\nTry 'goroscope help %s'.\n", cmd->name);
		return;
	}
	for (i = 0; i < n; i++)
		names[i] = longopts[i].name;
	near = suggest_nearest(name, names, n);
	if (near != NULL)
		options_usage_error(cmd,
				    "unknown option '%s'; did you mean "
				    "'--%s'?",
				    arg, near);
	else
		options_usage_error(cmd, "unknown option '%s'", arg);
}

int
options_parse(struct options *o, const struct command *cmd, int argc,
	      char **argv)
{
	struct option longopts[sizeof(opt_defs) / sizeof(opt_defs[0])];
	char shortopts[64];
	size_t nl = 0, ns = 0;
	const struct opt_def *d;
	int c;

	memset(o, 0, sizeof(*o));
	o->progress = 1;
	o->debug = -1;
	o->ignore_known = 1;
	o->nodes = DOT_NODES_DEFAULT;
	suspect_rules_default(&o->rules);
	shortopts[ns++] = ':'; /* report a missing value as ':' */
	for (d = opt_defs; d->name; d++) {
		if (!applies(d, cmd))
			continue;
		longopts[nl].name = d->name;
		longopts[nl].has_arg = d->arg ? required_argument : no_argument;
		longopts[nl].flag = NULL;
		longopts[nl].val = d->id;
		nl++;
		if (d->id < 256) {
			shortopts[ns++] = (char)d->id;
			if (d->arg)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[nl], 0, sizeof(longopts[nl]));
	shortopts[ns] = '\0';
	optind = 1;
	opterr = 0;
	/* Long options with one dash too, as pprof takes them (-focus RE):
	 * a word after one dash that is no long option is short ones. */
	while ((c = getopt_long_only(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		if (c == '?') {
			const char *bad = argv[optind - 1];

			if (optopt && optopt < 256 && bad[1] != '-')
				options_usage_error(cmd, "unknown option '-%c'",
						    optopt);
			else
				unknown_long(cmd, longopts, nl, bad);
			return -1;
		}
		if (c == ':') {
			options_usage_error(cmd, "option '%s' needs a value",
					    argv[optind - 1]);
			return -1;
		}
		if (set_option(o, cmd, c, optarg) < 0)
			return -1;
	}
	o->operands = argv + optind;
	o->noperands = argc - optind;
	if (o->help)
		return 0;
	if (o->noperands == 0 && cmd->stdin_ok && !isatty(STDIN_FILENO))
		return 0; /* `go test 2>&1 | goroscope show` */
	if (o->noperands < cmd->min_operands) {
		options_usage_error(cmd, "expected %s", cmd->synopsis);
		return -1;
	}
	if (cmd->max_operands >= 0 && o->noperands > cmd->max_operands) {
		options_usage_error(cmd, "too many operands (expected %s)",
				    cmd->synopsis);
		return -1;
	}
	return 0;
}

size_t
options_pick_group(const struct options *o, const struct grouping *gr,
		   size_t *shown, size_t n)
{
	size_t i, k = 0, len;
	char id[17];

	if (o->group == NULL)
		return n;
	len = strlen(o->group);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%016llx",
			 (unsigned long long)gr->v[shown[i]].id);
		if (strncasecmp(id, o->group, len) == 0)
			shown[k++] = shown[i];
	}
	return k;
}

void
options_help(FILE *fp, const struct command *cmd)
{
	const struct opt_def *d;

	fprintf(fp, "usage: goroscope %s [OPTIONS] %s\n", cmd->name,
		cmd->synopsis);
	if (cmd->alias)
		fprintf(fp, "       (alias: goroscope %s)\n", cmd->alias);
	fprintf(fp, "\n%s\n", cmd->help ? cmd->help : cmd->summary);
	fprintf(fp, "\nOptions:\n");
	for (d = opt_defs; d->name; d++) {
		char left[40];

		if (!applies(d, cmd))
			continue;
		if (d->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->id,
				 d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		if (d->id == OPT_FORMAT || d->id == OPT_TO) {
			/* The formats cmd writes, from out_formats[]. */
			char names[128];

			out_format_list(cmd, names, sizeof(names));
			fprintf(fp, "  %-24s %s%s\n", left, names,
				d->id == OPT_FORMAT ? " (default: text)"
						    : " (default: from OUT)");
			continue;
		}
		fprintf(fp, "  %-24s %s\n", left, d->help);
	}
}

int
options_use_color(const struct options *o, FILE *fp)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (o->color == COLOR_ALWAYS)
		return 1;
	if (o->color == COLOR_NEVER)
		return 0;
	if (nc != NULL && nc[0] != '\0')
		return 0;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(fp));
}

seqid
options_meta(struct intern *in, const struct options *o)
{
	uint32_t pairs[2 * OPTIONS_MAX_META];
	int i;

	for (i = 0; i < o->nmeta; i++) {
		const char *eq = strchr(o->meta[i], '=');

		pairs[2 * i] = strtab_intern(&in->strings, o->meta[i],
					     (size_t)(eq - o->meta[i]));
		pairs[2 * i + 1] = strtab_intern_cstr(&in->strings, eq + 1);
	}
	return o->nmeta ? intern_labels(in, pairs, (uint32_t)o->nmeta) : 0;
}

unsigned
options_threads(void)
{
	const char *t = getenv("GOROSCOPE_THREADS");
	char *end = NULL;
	unsigned long n;

	if (t == NULL || *t == '\0')
		return 0;
	n = strtoul(t, &end, 10);
	return *end == '\0' && n < 1024 ? (unsigned)n : 0;
}
