/* The fleet summary: groups joined by id across instances. */
#include <stdlib.h>
#include <string.h>

#include "lib/analysis.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/sat.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int
member_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct fleet_member *a = pa, *b = pb;
	const struct fleet_part *parts = ctx;
	uint64_t x = parts[a->part].gr->v[a->group].id;
	uint64_t y = parts[b->part].gr->v[b->group].id;

	if (x != y)
		return x < y ? -1 : 1;
	return a->part < b->part ? -1 : a->part > b->part;
}

struct rows_ctx {
	const struct fleet_part *parts;
};

/*
 * Suspect on more instances first, then proven on more, then the larger
 * score and total; then, for a total order on content, as the largest
 * instance's grouping orders its groups (by size, then by frames).
 */
static int
row_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct fleet_row *a = pa, *b = pb;
	const struct rows_ctx *c = ctx;
	const struct fleet_member *ma = &a->m[a->largest];
	const struct fleet_member *mb = &b->m[b->largest];

	if (a->suspect_on != b->suspect_on)
		return a->suspect_on > b->suspect_on ? -1 : 1;
	if (a->proven_on != b->proven_on)
		return a->proven_on > b->proven_on ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	(void)c;
	if (ma->part != mb->part)
		return ma->part < mb->part ? -1 : 1;
	return ma->group < mb->group ? -1 : ma->group > mb->group;
}

void
fleet_build(struct fleet *f, const struct fleet_part *parts, size_t n)
{
	size_t total = 0, i, k, at = 0;
	struct rows_ctx rc = { parts };

	memset(f, 0, sizeof(*f));
	f->nparts = n;
	for (k = 0; k < n; k++)
		total += parts[k].gr->n;
	f->members =
		xreallocarray(NULL, total ? total : 1, sizeof(*f->members));
	for (k = 0; k < n; k++) {
		const struct grouping *gr = parts[k].gr;

		for (i = 0; i < gr->n; i++) {
			struct fleet_member *m = &f->members[at++];
			const struct group_eval *e = &parts[k].an->ev[i];

			m->part = k;
			m->group = i;
			m->last = group_last(gr, &gr->v[i]);
			m->suspect = verdict_is_suspect(e->verdict);
		}
	}
	sort_stable(f->members, total, sizeof(*f->members), member_cmp,
		    (void *)parts);
	f->v = xreallocarray(NULL, total ? total : 1, sizeof(*f->v));
	for (i = 0; i < total;) {
		struct fleet_row *r = &f->v[f->n++];
		uint64_t id =
			parts[f->members[i].part].gr->v[f->members[i].group].id;

		memset(r, 0, sizeof(*r));
		r->id = id;
		r->m = &f->members[i];
		while (i < total && parts[f->members[i].part]
						    .gr->v[f->members[i].group]
						    .id == id) {
			const struct fleet_member *m = &f->members[i];
			const struct group_eval *e =
				&parts[m->part].an->ev[m->group];

			if (m->last > r->m[r->largest].last)
				r->largest = r->nm;
			r->total = sat_add(r->total, m->last);
			if (m->suspect) {
				r->suspect_on++;
				r->score += e->score;
			}
			if (e->verdict == V_PROVEN)
				r->proven_on++;
			r->nm++;
			i++;
		}
		if (r->suspect_on > 0)
			f->nsuspect++;
	}
	sort_stable(f->v, f->n, sizeof(*f->v), row_cmp, &rc);
}

void
fleet_release(struct fleet *f)
{
	free(f->v);
	free(f->members);
	memset(f, 0, sizeof(*f));
}
