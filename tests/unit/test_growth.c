/* Growth statistics and the suspect rule on small series. */
#include <math.h>
#include <string.h>

#include "lib/growth.h"
#include "tests/tap.h"

static enum verdict
judge(const int64_t *c, unsigned n, int blocked, double *score)
{
	struct growth g;
	struct suspect_rules r;
	struct group_facts f = { 0 };

	suspect_rules_default(&r);
	f.blocked = blocked;
	growth_compute(&g, c, NULL, n);
	return suspect_judge(&r, &g, &f, score);
}

/* The growth of every point, as it was computed before counts were
 * sparse: growth_compute() must give the same numbers, bit for bit. */
static void
dense_growth(struct growth *g, const int64_t *c, const int64_t *t, unsigned n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, x0 = t && n ? (double)t[0] : 0;
	unsigned i, up = 0;

	memset(g, 0, sizeof(*g));
	g->n = n;
	if (n == 0)
		return;
	g->first = c[0];
	g->last = c[n - 1];
	g->net = g->last - g->first;
	for (i = 0; i < n; i++) {
		double x = t ? ((double)t[i] - x0) / 3.6e12 : (double)i;

		if (c[i] > g->peak)
			g->peak = c[i];
		if (i > 0 && c[i] >= c[i - 1])
			up++;
		sx += x;
		sy += (double)c[i];
		sxx += x * x;
		sxy += x * (double)c[i];
	}
	g->rise = n > 1 ? (double)up / (double)(n - 1) : 0;
	g->per_hour = t != NULL;
	if (n > 1 && n * sxx - sx * sx != 0)
		g->slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	for (i = 1; i < n; i++)
		g->rises += c[i] > c[i - 1];
	{
		/* The upper median of the first n / 2 (1 below 4). */
		unsigned m = n < 4 ? 1 : n / 2, j, k;
		int64_t v[300];

		for (j = 0; j < m; j++)
			v[j] = c[j];
		for (j = 0; j < m; j++)
			for (k = j + 1; k < m; k++)
				if (v[k] < v[j]) {
					int64_t x = v[j];

					v[j] = v[k];
					v[k] = x;
				}
		g->baseline = v[m / 2];
		g->grown = g->last - g->baseline;
	}
	{
		/* The smallest of the last n / 2 (the last one below 2). */
		unsigned from = n - (n < 2 ? n : n / 2), j;

		g->late_low = c[from];
		for (j = from; j < n; j++)
			if (c[j] < g->late_low)
				g->late_low = c[j];
	}
}

static void
test_sparse_same(void)
{
	int64_t c[300], t[300];
	unsigned trial, i, same = 0, trials = 2000;
	uint64_t r = 88172645463325252ULL;

	for (trial = 0; trial < trials; trial++) {
		unsigned n = 1 + trial % 300, zeros;
		struct growth a, b;

		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		zeros = (unsigned)(r % 10); /* of 10: how often a count is 0 */
		for (i = 0; i < n; i++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			c[i] = r % 10 < zeros ? 0 : (int64_t)(r >> 40) % 5000;
			t[i] = (int64_t)i * 60000000000LL + (int64_t)(r % 1000);
		}
		growth_compute(&a, c, trial % 2 ? t : NULL, n);
		dense_growth(&b, c, trial % 2 ? t : NULL, n);
		same += memcmp(&a, &b, sizeof(a)) == 0;
	}
	is_int(same, trials,
	       "sparse growth: the same numbers as over every point, bit for "
	       "bit (2000 random series, timed and not)");
}

int
main(void)
{
	const int64_t up[] = { 1, 2, 3, 4, 5, 6 };
	const int64_t steady[] = { 50, 50, 50, 50 };
	const int64_t burst[] = { 0, 0, 30, 60, 20, 0 };
	const int64_t shrink[] = { 60, 50, 40, 30 };
	const int64_t jitter[] = { 10, 20, 12, 22, 14, 24 };
	const int64_t fell[] = { 10, 20, 30, 40, 50, 60, 70, 80, 60 };
	const int64_t small[] = { 10, 11, 12 };
	const int64_t hours[] = { 0, 3600000000000LL, 7200000000000LL };
	const int64_t per[] = { 5, 15, 25 };
	struct growth g;
	double score = 0;

	growth_compute(&g, up, NULL, 6);
	is_int(g.net, 5, "net growth");
	ok(fabs(g.slope - 1.0) < 1e-9, "slope per snapshot");
	ok(g.rise == 1.0, "every step up");
	is_int(g.peak, 6, "peak");
	growth_compute(&g, per, hours, 3);
	ok(g.per_hour && fabs(g.slope - 10.0) < 1e-9,
	   "slope per hour of capture time");
	growth_compute(&g, jitter, NULL, 6);
	ok(fabs(g.rise - 0.6) < 1e-9, "three of five steps up");

	is_int(judge(up, 6, 1, &score), V_SUSPECT, "steady growth: suspect");
	ok(fabs(score - 4.0) < 1e-9,
	   "score = growth from the baseline (2: the median of 1 2 3) x rise "
	   "x last/peak");
	is_int(judge(up, 6, 0, &score), V_NOT_BLOCKED, "running: not");
	is_int(judge(steady, 4, 1, &score), V_STEADY, "steady pool: not");
	is_int(judge(burst, 6, 1, &score), V_FELL, "burst: rose and fell");
	is_int(judge(shrink, 4, 1, &score), V_SHRINKING, "shrinking: not");
	is_int(judge(jitter, 6, 1, &score), V_UNSTEADY, "up and down: not");
	is_int(judge(fell, 9, 1, &score), V_FELL, "ends below its peak: not");
	is_int(judge(small, 3, 1, &score), V_SMALL, "+2: below the floor");
	is_int(judge(up, 1, 1, &score), V_ONE_SNAPSHOT, "one snapshot");
	test_sparse_same();
	ok(fabs(score - 1.0) < 1e-9, "one snapshot: scored by size");
	{
		const int64_t late[] = { 0, 0, 0, 0, 0, 0, 0, 3 };
		const int64_t stalled[] = { 2, 12, 12, 12, 12, 12, 12, 12 };
		const int64_t inflight[] = { 0, 0, 1, 1, 0, 1, 2, 3 };
		const int64_t slow[] = { 0, 1, 1, 2, 3, 3, 4, 5 };
		const int64_t idle[] = { 5, 6, 7, 8, 5, 8, 9, 9 };
		const int64_t passing[] = { 1, 1, 1, 2, 4, 1, 3, 4 };
		struct suspect_rules r;
		struct group_facts f = { 0 };

		is_int(judge(late, 8, 1, &score), V_JUMP,
		       "one jump at the last snapshot: a moment, not a leak");
		is_int(judge(stalled, 8, 1, &score), V_STEADY,
		       "one stalled first capture: steady from its baseline");
		is_int(judge(inflight, 8, 1, &score), V_SMALL,
		       "requests in flight caught late: +2 from the baseline "
		       "1");
		is_int(judge(slow, 8, 1, &score), V_SUSPECT,
		       "a slow leak (+5 over 8): +4 from its baseline");
		is_int(judge(passing, 8, 1, &score), V_UNSTEADY,
		       "back to its baseline in the last half: goroutines "
		       "passing, not staying");
		suspect_rules_default(&r);
		f.blocked = 1;
		f.has_ids = 1;
		growth_compute(&g, idle, NULL, 8);
		f.new_stayed = 0;
		is_int(suspect_judge(&r, &g, &f, &score), V_NOT_STAYED,
		       "with ids: +4 (keep-alive connections back from "
		       "requests), but no new goroutine stayed");
		growth_compute(&g, up, NULL, 6);
		f.new_stayed = 1;
		is_int(suspect_judge(&r, &g, &f, &score), V_NOT_STAYED,
		       "with ids: 1 new goroutine stayed, below half the "
		       "floor");
		f.stayed = 300;
		f.new_stayed = 300;
		f.left = 600;
		is_int(suspect_judge(&r, &g, &f, &score), V_TURNOVER,
		       "with ids: a burst that stayed, after 600 that left");
		f.stayed = 5;
		f.new_stayed = 4;
		f.left = 0;
		is_int(suspect_judge(&r, &g, &f, &score), V_SUSPECT,
		       "with ids: 4 new goroutines stayed, none left");
		ok(fabs(score - 5.0) < 1e-9,
		   "with ids, growth counts from the first snapshot (+5)");
	}
	return tap_done();
}
