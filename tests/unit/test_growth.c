/* Growth statistics and the suspect rule on small series. */
#include <math.h>

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
	ok(fabs(score - 5.0) < 1e-9, "score = net x rise x last/peak");
	is_int(judge(up, 6, 0, &score), V_NOT_BLOCKED, "running: not");
	is_int(judge(steady, 4, 1, &score), V_STEADY, "steady pool: not");
	is_int(judge(burst, 6, 1, &score), V_FELL, "burst: rose and fell");
	is_int(judge(shrink, 4, 1, &score), V_SHRINKING, "shrinking: not");
	is_int(judge(jitter, 6, 1, &score), V_UNSTEADY, "up and down: not");
	is_int(judge(fell, 9, 1, &score), V_FELL, "ends below its peak: not");
	is_int(judge(small, 3, 1, &score), V_SMALL, "+2: below the floor");
	is_int(judge(up, 1, 1, &score), V_ONE_SNAPSHOT, "one snapshot");
	ok(fabs(score - 1.0) < 1e-9, "one snapshot: scored by size");
	return tap_done();
}
