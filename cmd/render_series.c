/* Text reports over a series: diff, trend and report. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/render_series.h"
#include "cmd/textout.h"
#include "lib/analysis.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/known.h"
#include "lib/par.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define SPARK_MAX     16 /* columns of a sparkline in a table */
#define REPORT_OTHERS 10 /* non-suspect groups a report lists */

static int64_t
last_count(const struct series_doc *d, const struct group *g)
{
	return group_last(d->gr, g);
}

/* Widest state cell of the listed groups, within STATE_MIN..STATE_MAX. */
static int
state_width(const struct series_doc *d, const size_t *idx, size_t n)
{
	char cell[256];
	int sw = STATE_MIN;
	size_t i;

	for (i = 0; i < n; i++) {
		int w = (int)tx_state_cell(d->gr, &d->gr->v[idx[i]], cell,
					   sizeof(cell));

		if (w > sw)
			sw = w;
	}
	return sw > STATE_MAX ? STATE_MAX : sw;
}

static void
print_state(const struct pen *p, const struct series_doc *d,
	    const struct group *g, int sw)
{
	char cell[256];
	int n = (int)tx_state_cell(d->gr, g, cell, sizeof(cell));

	if (n > sw)
		cell[sw] = '\0';
	tx_on(p, tx_state_color(d->gr, g));
	fputs(cell, p->fp);
	tx_off(p, tx_state_color(d->gr, g));
	tx_pad(p->fp, sw - (n > sw ? sw : n));
}

static void
print_id(const struct pen *p, const struct group *g)
{
	char id[17];

	tx_short_id(g->id, id);
	tx_on(p, C_CYAN);
	fputs(id, p->fp);
	tx_off(p, C_CYAN);
}

/* Right-align a cell's text in w columns. */
static void
print_right(FILE *fp, const char *s, int w)
{
	tx_pad(fp, w - tx_width(s));
	fputs(s, fp);
}

static void
format_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns == 0) {
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&sec, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* Whether every snapshot is a moment of one execution trace (whose
 * points are in time order even without wall-clock times). */
static int
one_trace(const struct series_doc *d)
{
	unsigned k, n = d->gr->nsnap;

	for (k = 0; k < n; k++)
		if (d->meta[k].offset_ns < 0 ||
		    d->meta[k].source != d->meta[0].source)
			return 0;
	return n > 1;
}

/* The inputs left out, under the series' header. */
static void
print_skipped(const struct pen *p, const struct series_doc *d)
{
	size_t i;

	for (i = 0; i < d->nskipped && i < 5; i++) {
		char line[WIDTH + 1];
		int n = snprintf(line, sizeof(line), "  skipped %s: %s",
				 intern_shown(d->gr->in, d->skipped[i].path),
				 d->skipped[i].why);

		/* One line each; the whole reason is on stderr. */
		if (n >= (int)sizeof(line))
			memcpy(line + sizeof(line) - 4, "...", 4);
		fprintf(p->fp, "%s\n", line);
	}
	if (d->nskipped > 5)
		fprintf(p->fp, "  skipped %zu more inputs\n", d->nskipped - 5);
}

/* Whether every snapshot came from one input (a file of several). */
static int
one_input(const struct series_doc *d)
{
	unsigned k, n = d->gr->nsnap;

	for (k = 1; k < n; k++)
		if (d->meta[k].input != d->meta[0].input)
			return 0;
	return n > 1;
}

/* "6 snapshots in capture-time order" and the goroutine totals. */
static void
print_series_header(const struct pen *p, const struct series_doc *d,
		    const char *what)
{
	const struct grouping *gr = d->gr;
	const struct intern *in = gr->in;
	char spark[256], s0[600], s1[600];
	struct cell c = { spark, sizeof(spark), 0 };
	unsigned n = gr->nsnap;

	spark[0] = '\0';
	tx_sparkline(&c, gr->totals, n, 40);
	tx_on(p, C_BOLD);
	if (d->ninstances > 1)
		fprintf(p->fp, "instance %s",
			d->instance ? d->instance : "(none named)");
	else
		fprintf(p->fp, "goroscope %s", what);
	tx_off(p, C_BOLD);
	fprintf(p->fp, ": %u snapshot%s, %s\n", n, tx_plural(n),
		d->by_time     ? "ordered by capture time"
		: one_trace(d) ? "moments of one execution trace, in time "
				 "order"
		: one_input(d) ? "in file order (not every capture has a "
				 "capture time)"
		: n > 1	       ? "in natural order of file names (not every "
				 "input has a capture time)"
			       : "growth unknown");
	if (n == 1)
		fprintf(p->fp, "  %s\n",
			tx_source(in, &d->meta[0], s0, sizeof(s0)));
	else
		fprintf(p->fp, "  %s\n  ... %s\n",
			tx_source(in, &d->meta[0], s0, sizeof(s0)),
			tx_source(in, &d->meta[n - 1], s1, sizeof(s1)));
	if (d->list_skipped && strcmp(what, "report") != 0)
		print_skipped(p, d);
	if (n == 1)
		fprintf(p->fp, "goroutines %lld", (long long)gr->totals[0]);
	else
		fprintf(p->fp, "goroutines %lld -> %lld  %s",
			(long long)gr->totals[0], (long long)gr->totals[n - 1],
			spark);
	if (d->filtered)
		fprintf(p->fp, " (%lld -> %lld match the filters)",
			(long long)gr->kept[0], (long long)gr->kept[n - 1]);
	fputc('\n', p->fp);
}

/* --- diff ---------------------------------------------------------------- */

static char
mark(const struct group_eval *e)
{
	return e->verdict == V_PROVEN	 ? '*'
	       : e->verdict == V_SUSPECT ? '!'
					 : ' ';
}

void
render_diff(FILE *fp, const struct series_doc *d)
{
	const struct grouping *gr = d->gr;
	const struct intern *in = gr->in;
	struct pen p = { fp, d->color };
	int sw = state_width(d, d->shown, d->nshown), fw;
	size_t i, grew = 0, shrank = 0, added = 0, gone = 0, same = 0;
	char by[32], s0[600], s1[600];

	group_key_format(&gr->key, by, sizeof(by));
	fw = WIDTH - (8 + 2 + 8 + 2 + 6 + 2 + sw + 2 + 8 + 2);
	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	tx_on(&p, C_BOLD);
	fputs("goroscope diff", fp);
	tx_off(&p, C_BOLD);
	fprintf(fp, " (grouped by %s)\n", by);
	fprintf(fp, "  before: %s, %s, %lld goroutine%s\n",
		tx_source(in, &d->meta[0], s0, sizeof(s0)),
		tx_format_words(in, &d->meta[0]), (long long)gr->totals[0],
		tx_plural(gr->totals[0]));
	fprintf(fp, "  after:  %s, %s, %lld goroutine%s\n",
		tx_source(in, &d->meta[1], s1, sizeof(s1)),
		tx_format_words(in, &d->meta[1]), (long long)gr->totals[1],
		tx_plural(gr->totals[1]));
	if (d->list_skipped)
		print_skipped(&p, d);
	fputc('\n', fp);
	fprintf(fp, "  BEFORE     AFTER  CHANGE  %-*s  %-8s  %s\n", sw, "STATE",
		"GROUP", "BLOCKED IN");
	for (i = 0; i < gr->n; i++) {
		int64_t a = group_count(gr, &gr->v[i], 0);
		int64_t b = group_count(gr, &gr->v[i], 1);

		if (a == 0)
			added++;
		else if (b == 0)
			gone++;
		else if (b > a)
			grew++;
		else if (b < a)
			shrank++;
		else
			same++;
	}
	for (i = 0; i < d->nshown; i++) {
		const struct group *g = &gr->v[d->shown[i]];
		int64_t a = group_count(gr, g, 0), b = group_count(gr, g, 1);
		char ch[32], m = mark(&d->an->ev[d->shown[i]]);
		struct cell c = { ch, sizeof(ch), 0 };

		if (a == 0)
			tx_put_str(&c, "new");
		else if (b == 0)
			tx_put_str(&c, "gone");
		else
			tx_put_signed(&c, b - a);
		if (m != ' ') {
			/* The count's first column is a space below 10^7. */
			tx_on(&p, C_RED);
			fputc(m, fp);
			tx_off(&p, C_RED);
			fprintf(fp, "%7lld", (long long)(a < 0 ? 0 : a));
		} else {
			tx_print_count(fp, a);
		}
		fputs("  ", fp);
		tx_print_count(fp, b);
		fputs("  ", fp);
		tx_on(&p, b > a ? C_BOLD : C_NONE);
		print_right(fp, ch, 6);
		tx_off(&p, b > a ? C_BOLD : C_NONE);
		fputs("  ", fp);
		print_state(&p, d, g, sw);
		fputs("  ", fp);
		print_id(&p, g);
		fputs("  ", fp);
		tx_frame_cell(&p, in, g->blocking, "", fw);
		if (g->creator) {
			tx_pad(fp, 26);
			tx_frame_cell(&p, in, g->creator, "created by ",
				      WIDTH - 26);
		}
		if (d->verbose) {
			tx_print_details(&p, gr, g);
			fputc('\n', fp);
		}
	}
	fprintf(fp,
		"\n%+lld goroutines: %zu group%s grew, %zu shrank, %zu new, "
		"%zu gone, %zu unchanged",
		(long long)(gr->totals[1] - gr->totals[0]), grew,
		tx_plural((long long)grew), shrank, added, gone, same);
	if (d->nshown < gr->n)
		fprintf(fp, "; %zu of %zu groups shown", d->nshown, gr->n);
	fputc('\n', fp);
	if (d->an->nsuspects > 0)
		fprintf(fp,
			"%zu leak suspect%s, marked ! (or * where the capture "
			"proves the leak)\n",
			d->an->nsuspects,
			tx_plural((long long)d->an->nsuspects));
	else
		fputs("no leak suspects (two snapshots are one step: a leak "
		      "grows over two or more)\n",
		      fp);
}

/* --- trend --------------------------------------------------------------- */

/* One table row of trend and report: mark, count, change, sparkline,
 * rise, state, id, blocking frame; why-not text when why is set. */
/* A row's sparkline made ahead (NULL: made in the row). */
#define SPARK_BUF 256

static void
trend_row(const struct pen *p, const struct series_doc *d, size_t gi, int sw,
	  int spark, int why, const char *sparkline)
{
	const struct grouping *gr = d->gr;
	const struct group *g = &gr->v[gi];
	const struct group_eval *e = &d->an->ev[gi];
	char buf[256];
	struct cell c = { buf, sizeof(buf), 0 };
	int fw = WIDTH -
		 (1 + 8 + 2 + 7 + 2 + spark + 2 + 4 + 2 + sw + 2 + 8 + 2);

	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	fputc(mark(e), p->fp);
	tx_on(p, C_BOLD);
	tx_print_count(p->fp, last_count(d, g));
	tx_off(p, C_BOLD);
	fputs("  ", p->fp);
	buf[0] = '\0';
	tx_put_signed(&c, e->growth.net);
	print_right(p->fp, buf, 7);
	fputs("  ", p->fp);
	c.n = 0;
	buf[0] = '\0';
	if (sparkline == NULL) {
		tx_sparkline_counts(&c, gr, g, (unsigned)spark);
		sparkline = buf;
	}
	fputs(sparkline, p->fp);
	tx_pad(p->fp, spark - tx_width(sparkline));
	fputs("  ", p->fp);
	c.n = 0;
	buf[0] = '\0';
	tx_put_uint(&c, (unsigned long long)lround(e->growth.rise * 100));
	tx_put_str(&c, "%");
	print_right(p->fp, buf, 4);
	fputs("  ", p->fp);
	print_state(p, d, g, sw);
	fputs("  ", p->fp);
	print_id(p, g);
	fputs("  ", p->fp);
	tx_frame_cell(p, gr->in, g->blocking, "", fw);
	if (why && !verdict_is_suspect(e->verdict)) {
		tx_pad(p->fp, 1 + 8 + 2);
		tx_on(p, C_DIM);
		/* The verdict JSON and HTML give, and the known goroutine
		 * it is, as they name it too. */
		fprintf(p->fp, "not a suspect: %s", verdict_text(e->verdict));
		if (e->known)
			fprintf(p->fp, " (%s)", e->known->name);
		tx_off(p, C_DIM);
		fputc('\n', p->fp);
	}
}

static int
spark_width(const struct series_doc *d)
{
	int n = (int)d->gr->nsnap;

	return n < 4 ? 4 : n > SPARK_MAX ? SPARK_MAX : n;
}

/* What the verdicts of a series rest on, for the line under its header. */
static const char *
evidence(const struct grouping *gr)
{
	static char buf[96];

	if (gr->nsnap < 2)
		return "";
	snprintf(buf, sizeof(buf), "; %s", tx_evidence(gr));
	return buf;
}

static void
print_thresholds(FILE *fp, const struct series_doc *d)
{
	const struct suspect_rules *r = d->rules;

	fprintf(fp,
		"thresholds: --min-growth %lld  --min-rise %.2f  --near-peak "
		"%.2f  --ignore-known %s",
		(long long)r->min_growth, r->min_rise, r->near_peak,
		d->ignore_known ? "on" : "off");
	if (d->baseline)
		fprintf(fp, "  --baseline %s (%zu groups)", d->baseline,
			d->nbaseline);
	fputc('\n', fp);
}

/* The sparklines of the shown groups, in parts. */
struct spark_run {
	const struct series_doc *d;
	char (*text)[SPARK_BUF];
	unsigned width, parts;
};

static void
spark_part(void *ctx, unsigned k)
{
	const struct spark_run *run = ctx;
	const struct grouping *gr = run->d->gr;
	size_t i, lo, hi;

	par_range(run->d->nshown, k, run->parts, &lo, &hi);
	for (i = lo; i < hi; i++) {
		struct cell c = { run->text[i], SPARK_BUF, 0 };
		const struct group *g = &gr->v[run->d->shown[i]];

		run->text[i][0] = '\0';
		tx_sparkline_counts(&c, gr, g, run->width);
	}
}

/* Sparklines to a part (each is at most nsnap points). */
#define SPARK_PART_POINTS 262144

void
render_trend(FILE *fp, const struct series_doc *d)
{
	struct pen p = { fp, d->color };
	int sw = state_width(d, d->shown, d->nshown), spark = spark_width(d);
	char by[32];
	size_t i;
	struct spark_run run;
	char(*sparks)[SPARK_BUF] = NULL;

	/* Each sparkline reads its group's whole series: made first, on
	 * every core, then printed in order. */
	sparks =
		xreallocarray(NULL, d->nshown ? d->nshown : 1, sizeof(*sparks));
	run.d = d;
	run.text = sparks;
	run.width = (unsigned)spark;
	run.parts = par_parts(
		d->gr->threads, d->nshown,
		SPARK_PART_POINTS / (d->gr->nsnap ? d->gr->nsnap : 1) + 1);
	par_run(run.parts, spark_part, &run);

	group_key_format(&d->gr->key, by, sizeof(by));
	print_series_header(&p, d, "trend");
	fprintf(fp, "%zu leak suspect%s among %zu groups (grouped by %s)%s\n",
		d->an->nsuspects, tx_plural((long long)d->an->nsuspects),
		d->gr->n, by, evidence(d->gr));
	if (d->gr->nsnap == 2 && !d->an->nsuspects)
		fputs("(two snapshots are one step: a leak shows as growth "
		      "over "
		      "two steps or more;\ntake a third snapshot to judge)\n",
		      fp);
	fputc('\n', fp);
	fprintf(fp, "    COUNT   CHANGE  %-*s  RISE  %-*s  %-8s  %s\n", spark,
		"TREND", sw, "STATE", "GROUP", "BLOCKED IN");
	for (i = 0; i < d->nshown; i++) {
		trend_row(&p, d, d->shown[i], sw, spark, d->verbose, sparks[i]);
		if (d->verbose) {
			tx_print_details(&p, d->gr, &d->gr->v[d->shown[i]]);
			fputc('\n', fp);
		}
	}
	free(sparks);
}

void
render_trend_footer(FILE *fp, const struct series_doc *d)
{
	fprintf(fp,
		"\n! leak suspect, * proven leak; RISE: share of steps that "
		"did not go down\n");
	print_thresholds(fp, d);
}

/* --- report -------------------------------------------------------------- */

static void
section(const struct pen *p, const char *title)
{
	fputc('\n', p->fp);
	tx_on(p, C_BOLD);
	fputs(title, p->fp);
	tx_off(p, C_BOLD);
	fputc('\n', p->fp);
}

static void
print_inputs(const struct pen *p, const struct series_doc *d)
{
	const struct grouping *gr = d->gr;
	const struct intern *in = gr->in;
	unsigned k;

	section(p, "INPUTS");
	fprintf(p->fp, "     #  %-20s  %-10s  %10s  %s\n", "CAPTURED", "FORMAT",
		"GOROUTINES", "FILE");
	for (k = 0; k < gr->nsnap; k++) {
		char t[64], src[600];

		format_time(d->meta[k].time_ns, t, sizeof(t));
		fprintf(p->fp, "  %4u  %-20s  %-10s  %10lld  %s", k + 1, t,
			intern_shown(in, d->meta[k].format),
			(long long)gr->totals[k],
			tx_source(in, &d->meta[k], src, sizeof(src)));
		if (d->meta[k].user_meta) {
			fputs("  ", p->fp);
			tx_print_labels(p->fp, in, d->meta[k].user_meta);
		}
		fputc('\n', p->fp);
		/* A traceback's message, under its row. */
		tx_print_message(p, in, d->meta[k].message, "        ");
	}
	/* Inputs left out belong to no instance: listed once. */
	for (k = 0; d->list_skipped && k < d->nskipped; k++)
		fprintf(p->fp, "     -  %-20s  %-10s  %10s  %s: %s\n",
			"skipped", "-", "-",
			intern_shown(in, d->skipped[k].path),
			d->skipped[k].why);
}

/* A rate per hour of capture time, in the unit that suits the span. */
static void
print_rate(const struct pen *p, double per_hour, const struct series_doc *d)
{
	const struct grouping *gr = d->gr;
	double span =
		(double)(d->meta[gr->nsnap - 1].time_ns - d->meta[0].time_ns) /
		1e9;

	if (span < 120)
		fprintf(p->fp, " (%+.2f a second)", per_hour / 3600);
	else if (span < 7200)
		fprintf(p->fp, " (%+.1f a minute)", per_hour / 60);
	else
		fprintf(p->fp, " (%+.1f an hour)", per_hour);
}

/* The evidence of one suspect: counts, growth, rate, where, labels. */
static void
print_suspect(const struct pen *p, const struct series_doc *d, size_t rank,
	      size_t gi)
{
	const struct grouping *gr = d->gr;
	const struct group *g = &gr->v[gi];
	const struct group_eval *e = &d->an->ev[gi];
	char state[256], spark[256];
	struct cell c = { spark, sizeof(spark), 0 };
	unsigned k;

	tx_state_cell(gr, g, state, sizeof(state));
	spark[0] = '\0';
	tx_sparkline_counts(&c, gr, g, 40);
	fprintf(p->fp, "\n%3zu. ", rank);
	tx_on(p, C_BOLD);
	fprintf(p->fp, "%lld goroutine%s", (long long)last_count(d, g),
		tx_plural(last_count(d, g)));
	tx_off(p, C_BOLD);
	fputs(", ", p->fp);
	tx_on(p, tx_state_color(gr, g));
	fputs(state, p->fp);
	tx_off(p, tx_state_color(gr, g));
	fputc('\n', p->fp);
	if (e->verdict == V_PROVEN)
		fprintf(p->fp,
			"     proven leak: Go's leak detector found %lld of "
			"them "
			"unreachable\n",
			(long long)group_more(g)->leaked_peak);
	if (gr->nsnap >= 2) {
		fprintf(p->fp, "     %+lld over %u snapshots",
			(long long)e->growth.net, gr->nsnap);
		if (e->growth.per_hour)
			print_rate(p, e->growth.slope, d);
		else
			fprintf(p->fp, " (%+.1f a snapshot)", e->growth.slope);
		fprintf(p->fp, ", up or level in %.0f%% of steps:",
			e->growth.rise * 100);
		if (gr->nsnap <= 12)
			for (k = 0; k < gr->nsnap; k++)
				fprintf(p->fp, " %lld",
					(long long)group_count(gr, g, k));
		else
			fprintf(p->fp, " %lld ... %lld (peak %lld)",
				(long long)e->growth.first,
				(long long)e->growth.last,
				(long long)e->growth.peak);
		fprintf(p->fp, "  %s\n", spark);
		if (!gr->identity && e->growth.baseline != e->growth.first)
			fprintf(p->fp,
				"     %+lld from its baseline of %lld (the "
				"median of the first %u snapshots)\n",
				(long long)e->growth.grown,
				(long long)e->growth.baseline,
				growth_baseline_points(gr->nsnap));
		if (gr->identity)
			fprintf(p->fp,
				"     %u of its %u goroutines stayed across "
				"the "
				"%u snapshots, %u of them new since the "
				"first; %u left\n",
				group_identity(gr, g)->stayed,
				group_identity(gr, g)->ids_last, gr->nsnap,
				group_identity(gr, g)->new_stayed,
				group_identity(gr, g)->left);
		else
			fprintf(p->fp, "     counts only: %s\n",
				gr->identity_off == GROUP_IDS_TOO_MANY
					? "too many goroutines to follow"
					: "no goroutine ids to follow");
	}
	fputs("     blocked in ", p->fp);
	tx_frame_cell(p, gr->in, g->blocking, "", WIDTH - 20);
	if (g->creator) {
		fputs("     ", p->fp);
		tx_frame_cell(p, gr->in, g->creator, "created by ", WIDTH - 10);
	}
	if (group_more(g)->traced > 0 && g->creator_goid_state == 1)
		fprintf(p->fp, "     parent goroutine %llu\n",
			(unsigned long long)g->creator_goid);
	fprintf(p->fp, "     group ");
	print_id(p, g);
	fprintf(p->fp, ", score %.1f\n", e->score);
	tx_print_details(p, gr, g);
}

void
render_report(FILE *fp, const struct series_doc *d)
{
	const struct grouping *gr = d->gr;
	struct pen p = { fp, d->color };
	size_t i, others[REPORT_OTHERS], nothers = 0, rank = 0;
	int one = gr->nsnap < 2, sw, spark = spark_width(d);
	char by[32];

	group_key_format(&gr->key, by, sizeof(by));
	print_series_header(&p, d, "report");
	fprintf(fp, "%zu group%s (grouped by %s)%s\n", gr->n,
		tx_plural((long long)gr->n), by, evidence(gr));
	print_inputs(&p, d);
	if (one)
		section(&p, "LARGEST BLOCKED GROUPS (one snapshot: growth "
			    "unknown; ranked by size and wait)");
	else if (d->an->nsuspects)
		section(&p, "LEAK SUSPECTS");
	else
		section(&p, "LEAK SUSPECTS: none");
	if (gr->nsnap == 2 && !d->an->nsuspects)
		fputs("  (two snapshots are one step: a leak shows as growth "
		      "over two steps\n  or more; take a third snapshot to "
		      "judge)\n",
		      fp);
	for (i = 0; i < d->nshown; i++) {
		size_t gi = d->shown[i];
		const struct group_eval *e = &d->an->ev[gi];

		if (verdict_is_suspect(e->verdict) ||
		    (one && e->verdict == V_ONE_SNAPSHOT && rank < 10)) {
			print_suspect(&p, d, ++rank, gi);
		} else if (nothers < REPORT_OTHERS &&
			   !(one && e->verdict == V_ONE_SNAPSHOT)) {
			others[nothers++] = gi;
		}
	}
	if (nothers > 0) {
		section(&p, "OTHER LARGE GROUPS (not suspects)");
		sw = state_width(d, others, nothers);
		fprintf(fp, "    COUNT   CHANGE  %-*s  RISE  %-*s  %-8s  %s\n",
			spark, "TREND", sw, "STATE", "GROUP", "BLOCKED IN");
		for (i = 0; i < nothers; i++)
			trend_row(&p, d, others[i], sw, spark, 1, NULL);
	}
}

void
render_report_footer(FILE *fp, const struct series_doc *d)
{
	struct pen p = { fp, d->color };

	section(&p, "THRESHOLDS");
	fprintf(fp,
		"  a suspect is blocked, is not a known long-lived goroutine "
		"or in the\n  baseline, and over the snapshots:\n"
		"  --min-growth %-5lld grew by at least this many goroutines "
		"from its\n"
		"                     baseline (the median of the first half "
		"of the\n"
		"                     snapshots), in two steps or more, and "
		"where the\n"
		"                     snapshots name their goroutines, by at "
		"least this\n"
		"                     many new ones that stayed\n"
		"  --min-rise %-7.2f did not go down in at least this share "
		"of steps\n"
		"  --near-peak %-6.2f ends at this share of its peak or above\n"
		"  --ignore-known %s  known long-lived goroutines are not "
		"suspects:\n"
		"                     test runners, signal loop, trace reader, "
		"http\n"
		"                     keep-alive, profile writer, sql "
		"connection opener\n",
		(long long)d->rules->min_growth, d->rules->min_rise,
		d->rules->near_peak, d->ignore_known ? "on" : "off");
	if (d->baseline)
		fprintf(fp, "  --baseline %s: %zu groups are not suspects\n",
			d->baseline, d->nbaseline);
	fprintf(fp, "  score = growth from the baseline x rise x last / peak; "
		    "with one\n  snapshot, count x (1 + ln(1 + longest wait "
		    "in minutes))\n");
}

/* --- fleet --------------------------------------------------------------- */

/* "a (88), b (88)": the instances where the row is largest. */
static void
largest_on(const struct fleet_text *ft, const struct fleet_row *r, char *buf,
	   size_t size)
{
	int64_t top = r->m[r->largest].last;
	size_t k, n = 0, shown = 0;

	buf[0] = '\0';
	for (k = 0; k < r->nm; k++) {
		const char *name = ft->names[r->m[k].part];

		if (r->m[k].last != top)
			continue;
		if (shown == 2) {
			n += (size_t)snprintf(buf + n, size - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      shown ? ", " : "", name ? name : "-");
		shown++;
		if (n >= size)
			break;
	}
	if (n < size)
		snprintf(buf + n, size - n, " (%lld)", (long long)top);
}

void
render_fleet(FILE *fp, const struct series_doc *d, const struct fleet_text *ft)
{
	const struct fleet *f = ft->fleet;
	struct pen p = { fp, d->color };
	size_t i, others = 0;
	int sw = STATE_MIN;
	char cell[256], where[64];

	for (i = 0; i < f->n; i++) {
		const struct fleet_row *r = &f->v[i];
		const struct fleet_member *m = &r->m[r->largest];
		int w = (int)tx_state_cell(ft->grs[m->part],
					   &ft->grs[m->part]->v[m->group], cell,
					   sizeof(cell));

		if (r->suspect_on == 0 && others++ >= ft->others)
			break;
		if (w > sw)
			sw = w;
	}
	if (sw > STATE_MAX)
		sw = STATE_MAX;
	fputc('\n', fp);
	tx_on(&p, C_BOLD);
	fprintf(fp, "FLEET");
	tx_off(&p, C_BOLD);
	fprintf(fp,
		": %zu instances; %zu group%s a leak suspect on at least "
		"one\n\n",
		f->nparts, f->nsuspect, f->nsuspect == 1 ? " is" : "s are");
	fprintf(fp, "  SUSPECT ON     TOTAL  %-20s  %-*s  %-8s  %s\n",
		"LARGEST ON", sw, "STATE", "GROUP", "BLOCKED IN");
	others = 0;
	for (i = 0; i < f->n; i++) {
		const struct fleet_row *r = &f->v[i];
		const struct fleet_member *m = &r->m[r->largest];
		const struct grouping *gr = ft->grs[m->part];
		const struct group *g = &gr->v[m->group];
		char on[32];
		int n, fw = WIDTH -
			    (2 + 10 + 2 + 8 + 2 + 20 + 2 + sw + 2 + 8 + 2);

		if (r->suspect_on == 0 && others++ >= ft->others)
			break;
		if (fw < FRAME_MIN)
			fw = FRAME_MIN;
		snprintf(on, sizeof(on), "%u of %zu", r->suspect_on, f->nparts);
		fprintf(fp, "  ");
		tx_on(&p, r->suspect_on ? C_BOLD : C_NONE);
		print_right(fp, on, 10);
		tx_off(&p, r->suspect_on ? C_BOLD : C_NONE);
		fputs("  ", fp);
		tx_print_count(fp, r->total);
		fputs("  ", fp);
		largest_on(ft, r, where, sizeof(where));
		if (tx_width(where) > 20)
			where[20] = '\0';
		fputs(where, fp);
		tx_pad(fp, 20 - tx_width(where));
		fputs("  ", fp);
		n = (int)tx_state_cell(gr, g, cell, sizeof(cell));
		if (n > sw)
			cell[sw] = '\0';
		tx_on(&p, tx_state_color(gr, g));
		fputs(cell, fp);
		tx_off(&p, tx_state_color(gr, g));
		tx_pad(fp, sw - (n > sw ? sw : n));
		fputs("  ", fp);
		print_id(&p, g);
		fputs("  ", fp);
		tx_frame_cell(&p, gr->in, g->blocking, "", fw);
	}
	if (i < f->n)
		fprintf(fp, "  ... %zu more groups\n", f->n - i);
}
