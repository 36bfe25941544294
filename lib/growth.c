/* Growth statistics and the leak-suspect rule. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/group.h"
#include "lib/growth.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
growth_xs_init(struct growth_xs *xs, const int64_t *t, unsigned n)
{
	double x0 = t != NULL && n > 0 ? (double)t[0] : 0;
	unsigned i;

	memset(xs, 0, sizeof(*xs));
	xs->x = xreallocarray(NULL, n ? n : 1, sizeof(*xs->x));
	xs->n = n;
	xs->per_hour = t != NULL;
	for (i = 0; i < n; i++) {
		double x = t ? ((double)t[i] - x0) / 3.6e12 : (double)i;

		xs->x[i] = x;
		xs->sx += x;
		xs->sxx += x * x;
	}
}

void
growth_xs_release(struct growth_xs *xs)
{
	free(xs->x);
	memset(xs, 0, sizeof(*xs));
}

void
growth_compute(struct growth *g, const int64_t *c, const int64_t *t, unsigned n)
{
	struct group_count *v = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	struct grouping gr;
	struct growth_xs xs;
	uint32_t nc = 0;
	unsigned i;

	/* Every count a big one: any int64_t. */
	memset(&gr, 0, sizeof(gr));
	gr.big = xreallocarray(NULL, n ? n : 1, sizeof(*gr.big));
	for (i = 0; i < n; i++) {
		if (c[i] != 0) {
			v[nc].idx = i;
			v[nc].n = GROUP_COUNT_BIG + nc;
			gr.big[nc] = c[i];
			nc++;
		}
	}
	growth_xs_init(&xs, t, n);
	growth_compute_sparse(g, &gr, v, nc, &xs);
	growth_xs_release(&xs);
	free(gr.big);
	free(v);
}

unsigned
growth_baseline_points(unsigned n)
{
	return n < 4 ? 1 : n / 2;
}

/* Steps that went up: from 0 into a count, or from a count to more. */
static unsigned
rises_of(const struct grouping *gr, const struct group_count *c, uint32_t nc,
	 unsigned n)
{
	unsigned up = 0;
	uint32_t j;

	for (j = 0; j < nc; j++) {
		int64_t v = group_count_n(gr, &c[j]), prev = 0;

		if (c[j].idx == 0)
			continue;
		if (j > 0 && c[j - 1].idx + 1 == c[j].idx)
			prev = group_count_n(gr, &c[j - 1]);
		up += v > prev;
	}
	(void)n;
	return up;
}

/* The smallest count of the last n / 2 snapshots (the last one below 2;
 * the counts not in c are 0). */
static int64_t
late_low_of(const struct grouping *gr, const struct group_count *c, uint32_t nc,
	    unsigned n)
{
	unsigned from = n - (n < 2 ? n : n / 2), present = 0;
	int64_t low = INT64_MAX;
	uint32_t j;

	for (j = 0; j < nc; j++) {
		if (c[j].idx < from)
			continue;
		present++;
		if (group_count_n(gr, &c[j]) < low)
			low = group_count_n(gr, &c[j]);
	}
	return present < n - from ? 0 : low == INT64_MAX ? 0 : low;
}

/* The upper median of the counts of the first growth_baseline_points(n)
 * snapshots (the counts not in c are 0). */
static int64_t
baseline_of(const struct grouping *gr, const struct group_count *c, uint32_t nc,
	    unsigned n)
{
	unsigned m = growth_baseline_points(n), k = 0, i, j2;
	int64_t small[16], *v = small, med;
	uint32_t j;

	if (n == 0)
		return 0;
	if (m > sizeof(small) / sizeof(small[0]))
		v = xreallocarray(NULL, m, sizeof(*v));
	for (j = 0; j < nc && c[j].idx < m; j++)
		v[k++] = group_count_n(gr, &c[j]);
	while (k < m)
		v[k++] = 0;
	/* Insertion sort: m is small in every series but the longest. */
	for (i = 1; i < m; i++) {
		int64_t x = v[i];

		for (j2 = i; j2 > 0 && v[j2 - 1] > x; j2--)
			v[j2] = v[j2 - 1];
		v[j2] = x;
	}
	med = v[m / 2];
	if (v != small)
		free(v);
	return med;
}

/*
 * Zero counts add nothing to the sums of the slope, and a step can only go
 * down from a count above zero (counts are never negative): so the
 * snapshots the group is not in cost nothing. The sums run in snapshot
 * order, as over every point, and give the same doubles.
 */
void
growth_compute_sparse(struct growth *g, const struct grouping *gr,
		      const struct group_count *c, uint32_t nc,
		      const struct growth_xs *xs)
{
	unsigned n = xs->n, down = 0;
	double sy = 0, sxy = 0;
	uint32_t j;

	memset(g, 0, sizeof(*g));
	g->n = n;
	if (n == 0)
		return;
	g->first = nc && c[0].idx == 0 ? group_count_n(gr, &c[0]) : 0;
	g->last = nc && c[nc - 1].idx == n - 1 ? group_count_n(gr, &c[nc - 1])
					       : 0;
	g->net = g->last - g->first;
	for (j = 0; j < nc; j++) {
		int64_t v = group_count_n(gr, &c[j]), next = 0;

		if (v > g->peak)
			g->peak = v;
		if (c[j].idx + 1 < n) {
			if (j + 1 < nc && c[j + 1].idx == c[j].idx + 1)
				next = group_count_n(gr, &c[j + 1]);
			if (next < v)
				down++;
		}
		sy += (double)v;
		sxy += xs->x[c[j].idx] * (double)v;
	}
	g->rise = n > 1 ? (double)(n - 1 - down) / (double)(n - 1) : 0;
	g->rises = rises_of(gr, c, nc, n);
	g->baseline = baseline_of(gr, c, nc, n);
	g->late_low = late_low_of(gr, c, nc, n);
	g->grown = g->last - g->baseline;
	g->per_hour = xs->per_hour;
	if (n > 1 && n * xs->sxx - xs->sx * xs->sx != 0)
		g->slope = (n * sxy - xs->sx * sy) /
			   (n * xs->sxx - xs->sx * xs->sx);
}

void
suspect_rules_default(struct suspect_rules *r)
{
	r->min_growth = SUSPECT_MIN_GROWTH;
	r->min_rise = SUSPECT_MIN_RISE;
	r->near_peak = SUSPECT_NEAR_PEAK;
}

const char *
verdict_text(enum verdict v)
{
	static const char *const text[] = {
		[V_PROVEN] = "proven leak",
		[V_SUSPECT] = "grows",
		[V_ONE_SNAPSHOT] = "one snapshot: growth unknown",
		[V_NOT_BLOCKED] = "not blocked",
		[V_KNOWN] = "long-lived by design",
		[V_BASELINE] = "in the baseline",
		[V_SHRINKING] = "shrinking",
		[V_STEADY] = "steady",
		[V_SMALL] = "grew less than --min-growth",
		[V_UNSTEADY] = "up and down",
		[V_FELL] = "rose and fell",
		[V_JUMP] = "rose in one step",
		[V_NOT_STAYED] = "grew, but too few new goroutines stayed",
		[V_TURNOVER] = "its goroutines turn over",
	};

	return text[v];
}

int
verdict_is_suspect(enum verdict v)
{
	return v == V_PROVEN || v == V_SUSPECT;
}

enum verdict
suspect_judge(const struct suspect_rules *r, const struct growth *g,
	      const struct group_facts *f, double *score)
{
	/* Where the goroutines have ids, who stayed rules out single
	 * moments, and growth counts from the first snapshot; without ids,
	 * from the robust baseline. */
	int64_t grown = f->has_ids ? g->net : g->grown;
	int64_t base = f->has_ids ? g->first : g->baseline;

	*score = 0;
	if (g->n < 2) {
		if (f->blocked)
			*score = (double)g->last *
				 (1 + log1p((double)f->wait_max));
	} else if (grown > 0 && g->peak > 0) {
		*score = (double)grown * g->rise * (double)g->last /
			 (double)g->peak;
	}
	if (f->proven)
		return V_PROVEN;
	if (!f->blocked)
		return V_NOT_BLOCKED;
	if (f->known)
		return V_KNOWN;
	if (f->in_baseline)
		return V_BASELINE;
	if (g->n < 2)
		return V_ONE_SNAPSHOT;
	if (grown <= 0 && g->peak > g->first && g->peak > g->last &&
	    g->peak > base)
		return V_FELL; /* it rose above where it started, then fell */
	if (grown < 0)
		return V_SHRINKING;
	if (grown == 0)
		return V_STEADY;
	if (grown < r->min_growth)
		return V_SMALL;
	if (g->rise < r->min_rise)
		return V_UNSTEADY;
	if ((double)g->last < r->near_peak * (double)g->peak)
		return V_FELL;
	if (g->rises < 2)
		return V_JUMP;
	/* Without ids: a leak's growth holds; a count that falls back to
	 * its baseline in the last half was made of goroutines passing. */
	if (!f->has_ids && g->late_low <= g->baseline)
		return V_UNSTEADY;
	if (f->has_ids) {
		/* A leak's new goroutines stay: at least half the floor of
		 * them (those new at the last snapshot cannot have stayed
		 * yet), and fewer left the group than stayed in it. */
		if (f->new_stayed == 0 || 2 * f->new_stayed < r->min_growth)
			return V_NOT_STAYED;
		if (f->left >= f->stayed)
			return V_TURNOVER;
	}
	return V_SUSPECT;
}
