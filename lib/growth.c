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
	*score = 0;
	if (g->n < 2) {
		if (f->blocked)
			*score = (double)g->last *
				 (1 + log1p((double)f->wait_max));
	} else if (g->net > 0 && g->peak > 0) {
		*score = (double)g->net * g->rise * (double)g->last /
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
	if (g->net <= 0 && g->peak > g->first && g->peak > g->last)
		return V_FELL;
	if (g->net < 0)
		return V_SHRINKING;
	if (g->net == 0)
		return V_STEADY;
	if (g->net < r->min_growth)
		return V_SMALL;
	if (g->rise < r->min_rise)
		return V_UNSTEADY;
	if ((double)g->last < r->near_peak * (double)g->peak)
		return V_FELL;
	return V_SUSPECT;
}
