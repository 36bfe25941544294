/* Growth and verdicts of every group, and the report order. */
#include <stdlib.h>
#include <string.h>

#include "lib/analysis.h"
#include "lib/group.h"
#include "lib/par.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int
in_baseline(const struct analysis_opts *o, uint64_t id)
{
	size_t lo = 0, hi = o->nbaseline;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->baseline[mid] == id)
			return 1;
		if (o->baseline[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Rank in the report: proven leaks, then suspects, then the rest. */
static int
tier(enum verdict v)
{
	return v == V_PROVEN ? 0 : v == V_SUSPECT ? 1 : 2;
}

struct order_ctx {
	const struct grouping *gr;
	const struct group_eval *ev;
};

static int
order_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct order_ctx *c = ctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct group_eval *ea = &c->ev[a], *eb = &c->ev[b];
	int ta = tier(ea->verdict), tb = tier(eb->verdict);

	if (ta != tb)
		return ta - tb;
	if (ta == 0 && ea->growth.last != eb->growth.last)
		return ea->growth.last > eb->growth.last ? -1 : 1;
	if (ta == 1 && ea->score != eb->score)
		return ea->score > eb->score ? -1 : 1;
	/* Otherwise the grouping's order: by size, then by content. */
	return a < b ? -1 : a > b;
}

/* The growth of every group, in parts. */
struct growth_run {
	const struct grouping *gr;
	struct analysis *a;
	const struct growth_xs *xs;
	unsigned parts;
};

static void
growth_part(void *ctx, unsigned k)
{
	const struct growth_run *run = ctx;
	const struct grouping *gr = run->gr;
	size_t i, lo, hi;

	par_range(gr->n, k, run->parts, &lo, &hi);
	for (i = lo; i < hi; i++)
		growth_compute_sparse(&run->a->ev[i].growth, gr,
				      gr->v[i].counts, gr->v[i].ncounts,
				      run->xs);
}

/* Groups to a part of the growth computation. */
#define GROWTH_PART_GROUPS 4096

void
analysis_run(struct analysis *a, const struct grouping *gr,
	     const struct analysis_opts *o)
{
	struct known known = { NULL, 0, NULL, 0 };
	struct order_ctx ctx;
	struct growth_run run;
	struct growth_xs xs;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->n = gr->n;
	a->ev = xcalloc(gr->n ? gr->n : 1, sizeof(*a->ev));
	a->order = xcalloc(gr->n ? gr->n : 1, sizeof(*a->order));
	growth_xs_init(&xs, o->times_ns, gr->nsnap);
	run.gr = gr;
	run.a = a;
	run.xs = &xs;
	run.parts = par_parts(gr->threads, gr->n, GROWTH_PART_GROUPS);
	par_run(run.parts, growth_part, &run);
	growth_xs_release(&xs);
	for (i = 0; i < gr->n; i++) {
		const struct group *g = &gr->v[i];
		struct group_eval *e = &a->ev[i];
		struct group_facts f;

		memset(&f, 0, sizeof(f));
		if (o->ignore_known)
			e->known = known_match(&known, gr->in, g->stack,
					       g->creator);
		f.blocked = g->blocked;
		f.proven = group_more(g)->leaked_peak > 0;
		f.known = e->known != NULL;
		f.in_baseline = o->nbaseline && in_baseline(o, g->id);
		f.wait_max = g->has_wait ? g->wait_max : 0;
		f.has_ids = gr->identity;
		f.stayed = group_identity(gr, g)->stayed;
		f.new_stayed = group_identity(gr, g)->new_stayed;
		f.left = group_identity(gr, g)->left;
		/* Exact waits of a trace count in whole minutes too. */
		if (group_more(g)->has_wait_ns &&
		    group_more(g)->wait_ns_max / 60000000000LL > f.wait_max)
			f.wait_max = group_more(g)->wait_ns_max / 60000000000LL;
		e->verdict =
			suspect_judge(&o->rules, &e->growth, &f, &e->score);
		if (verdict_is_suspect(e->verdict))
			a->nsuspects++;
		a->order[i] = i;
	}
	ctx.gr = gr;
	ctx.ev = a->ev;
	sort_stable(a->order, a->n, sizeof(*a->order), order_cmp, &ctx);
	known_release(&known);
}

void
analysis_release(struct analysis *a)
{
	free(a->ev);
	free(a->order);
	memset(a, 0, sizeof(*a));
}
