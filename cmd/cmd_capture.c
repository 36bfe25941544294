/*
 * goroscope capture: snapshots of live services at the same moments,
 * each appended to a .gsnap series as it arrives (DESIGN.md section 2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/gsnapfile.h"
#include "cmd/load.h"
#include "cmd/options.h"
#include "formats/fetch.h"
#include "formats/gsnap.h"
#include "formats/trace.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define CAPTURE_DEFAULT_COUNT	    10
#define CAPTURE_DEFAULT_INTERVAL_NS (30LL * 1000000000)

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A snapshot a moment did not get. */
struct missing {
	long long moment; /* 0-based */
	char url[300];
	char why[300];
};

struct capture {
	const struct options *o;
	struct intern in;
	struct gsnap_encoder enc;
	struct buf rec;
	seqid meta;
	const char *out;
	long long moment;
	unsigned long long written, failed_writes;
	struct missing *miss;
	size_t nmiss, misscap;
	/* The latest total of each instance, for the status line. */
	strid inst[16];
	int64_t total[16];
	unsigned ninst;
	int tty;
	struct error err;
};

/* Each snapshot fetched: appended now, so that a kill loses at most the
 * one in flight. */
static int
take(void *ctx, struct snapshot *s)
{
	struct capture *c = ctx;
	struct gsnapfile_span span;
	unsigned k;

	if (c->meta && s->user_meta == 0)
		s->user_meta = c->meta;
	c->rec.len = 0;
	gsnap_encode(&c->enc, s, &c->rec);
	span.p = c->rec.p;
	span.len = c->rec.len;
	error_clear(&c->err);
	if (gsnapfile_append(c->out, &span, 1, &c->err) < 0) {
		diag_error(&c->err);
		c->failed_writes++;
		return -1;
	}
	c->written++;
	for (k = 0; k < c->ninst && c->inst[k] != s->instance; k++)
		;
	if (k == c->ninst && k < sizeof(c->inst) / sizeof(c->inst[0]))
		c->inst[c->ninst++] = s->instance;
	if (k < c->ninst)
		c->total[k] = snapshot_total(s);
	return 0;
}

static void
missed(void *ctx, const char *path, const char *why)
{
	struct capture *c = ctx;
	struct missing *m = NULL;

	c->miss = xgrow(c->miss, sizeof(*c->miss), c->nmiss + 1, &c->misscap);
	m = &c->miss[c->nmiss++];
	m->moment = c->moment;
	snprintf(m->url, sizeof(m->url), "%s", path);
	snprintf(m->why, sizeof(m->why), "%s", why);
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "snapshot 3 of 10, next in 28s; 127.0.0.1:6060 142" on a terminal. */
static void
status(const struct capture *c, long long next_in_ns)
{
	char when[32];
	unsigned k;

	if (!c->tty)
		return;
	trace_format_duration(next_in_ns > 0 ? next_in_ns : 0, when,
			      sizeof(when));
	fprintf(stderr, "\r\033[Kgoroscope capture: snapshot %lld", c->moment);
	if (c->o->count > 0)
		fprintf(stderr, " of %lld", c->o->count);
	if (next_in_ns >= 0)
		fprintf(stderr, ", next in %s", when);
	for (k = 0; k < c->ninst; k++)
		fprintf(stderr, "%s %s %lld", k ? "," : ";",
			intern_shown(&c->in, c->inst[k]),
			(long long)c->total[k]);
	fflush(stderr);
}

/* Sleep until the monotonic moment at, or until stopped. */
static void
wait_until(const struct capture *c, int64_t at)
{
	for (;;) {
		int64_t now = mono_ns(), left = at - now;
		struct timespec ts;

		if (left <= 0 || stopping)
			return;
		status(c, left);
		if (left > 250000000)
			left = 250000000;
		ts.tv_sec = (time_t)(left / 1000000000);
		ts.tv_nsec = (long)(left % 1000000000);
		(void)nanosleep(&ts, NULL);
	}
}

static int
check_operands(const struct command *cmd, const struct options *o)
{
	int i;

	if (o->output == NULL || strcmp(o->output, "-") == 0)
		return options_usage_error(cmd,
					   "capture appends each snapshot to "
					   "a .gsnap series: give -o FILE");
	for (i = 0; i < o->noperands; i++)
		if (!fetch_is_url(o->operands[i]))
			return options_usage_error(
				cmd,
				"'%s' is not an http:// or https:// URL (to "
				"read files, use convert)",
				o->operands[i]);
	if (o->instance && o->noperands > 1)
		return options_usage_error(cmd,
					   "--instance names the one instance "
					   "of one URL: several URLs are "
					   "several instances");
	return 0;
}

static void
summary(const struct capture *c)
{
	size_t i;

	if (c->tty)
		fprintf(stderr, "\r\033[K");
	printf("goroscope capture: %llu snapshot%s of %u instance%s in %s "
	       "(%lld moment%s)\n",
	       c->written, c->written == 1 ? "" : "s", c->ninst,
	       c->ninst == 1 ? "" : "s", c->out, c->moment,
	       c->moment == 1 ? "" : "s");
	for (i = 0; i < c->nmiss; i++)
		printf("  missing: moment %lld, %s: %s\n",
		       c->miss[i].moment + 1, c->miss[i].url, c->miss[i].why);
	if (stopping)
		printf("  stopped by a signal after moment %lld\n", c->moment);
	fflush(stdout);
}

int
cmd_capture(int argc, char **argv)
{
	const struct command *cmd = command_find("capture");
	struct options o;
	struct capture c;
	struct load_opts lo;
	struct load_sink sink;
	struct sigaction sa;
	char query[32];
	long long count, interval;
	int64_t start;
	int status_code = EXIT_INPUT;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	if (check_operands(cmd, &o) != 0)
		return EXIT_USAGE;
	count = o.has_count ? o.count : CAPTURE_DEFAULT_COUNT;
	interval = o.interval_ns ? o.interval_ns : CAPTURE_DEFAULT_INTERVAL_NS;
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.out = o.output;
	c.tty = o.progress && isatty(STDERR_FILENO);
	intern_init(&c.in);
	gsnap_encoder_init(&c.enc, &c.in);
	buf_init(&c.rec);
	c.meta = options_meta(&c.in, &o);
	load_opts_init(&lo, &o);
	lo.progress = 0; /* the status line says it */
	lo.strict = 0;
	lo.missing_ok = 1; /* a failed fetch is a missing snapshot */
	lo.as_given = 1;
	lo.read.url_path = o.leak ? "/debug/pprof/goroutineleak" : NULL;
	if (o.debug > 0) {
		snprintf(query, sizeof(query), "debug=%d", o.debug);
		lo.read.url_query = query;
	}
	lo.read.instance = o.instance;
	sink.ctx = &c;
	sink.snapshot = take;
	sink.skipped = missed;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: sleeps end at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = mono_ns();
	for (c.moment = 0; !stopping && (count == 0 || c.moment < count);) {
		int ret;

		wait_until(&c, start + c.moment * interval);
		if (stopping)
			break;
		ret = load_sources(&c.in, o.operands, o.noperands, &lo, &sink);
		c.moment++;
		if (ret < 0 && c.failed_writes > 0)
			break; /* the series cannot be written: stop */
		status(&c, count != 0 && c.moment >= count ? -1 : interval);
	}
	summary(&c);
	if (c.written > 0 && c.failed_writes == 0)
		status_code = EXIT_OK;
	buf_release(&c.rec);
	gsnap_encoder_release(&c.enc);
	free(c.miss);
	intern_release(&c.in);
	return status_code;
}
