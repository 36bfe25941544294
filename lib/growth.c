/* Growth statistics and the leak-suspect rule. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/growth.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
growth_xs(const int64_t *t, unsigned n, double *xs)
{
	double x0 = t != NULL && n > 0 ? (double)t[0] : 0;
	unsigned i;

	for (i = 0; i < n; i++)
		xs[i] = t ? ((double)t[i] - x0) / 3.6e12 : (double)i;
}

void
growth_compute(struct growth *g, const int64_t *c, const int64_t *t, unsigned n)
{
	double *xs = xreallocarray(NULL, n ? n : 1, sizeof(*xs));

	growth_xs(t, n, xs);
	growth_compute_xs(g, c, xs, t != NULL, n);
	free(xs);
}

void
growth_compute_xs(struct growth *g, const int64_t *c, const double *xs,
		  int per_hour, unsigned n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	unsigned i, up = 0;

	memset(g, 0, sizeof(*g));
	g->n = n;
	if (n == 0)
		return;
	g->first = c[0];
	g->last = c[n - 1];
	g->net = g->last - g->first;
	for (i = 0; i < n; i++)
		if (c[i] > g->peak)
			g->peak = c[i];
	for (i = 1; i < n; i++)
		if (c[i] >= c[i - 1])
			up++;
	g->rise = n > 1 ? (double)up / (double)(n - 1) : 0;
	g->per_hour = per_hour;
	for (i = 0; i < n; i++) {
		/* x in hours since the first capture, or the index */
		double x = xs[i];
		double y = (double)c[i];

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	if (n > 1 && n * sxx - sx * sx != 0)
		g->slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
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
