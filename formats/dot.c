/* The suspects' call graph in DOT, built with libcgraph. */
#include <cgraph.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dot.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Groups drawn when there is no suspect: the largest blocked ones. */
#define DOT_FALLBACK_GROUPS 5

struct node {
	frameid frame;
	double weight; /* growth of the drawn groups through this frame */
	int64_t count; /* goroutines now through this frame */
	int blocking;  /* the blocking frame of a drawn group */
	int keep;
	Agnode_t *n;
};

struct graph {
	const struct grouping *gr;
	struct node *v;
	size_t n, cap;
	uint32_t *index; /* frame id -> node + 1 */
	size_t index_cap;
};

static struct node *
node_of(struct graph *g, frameid f)
{
	g->index = xgrow_zero(g->index, sizeof(*g->index), (size_t)f + 1,
			      &g->index_cap);
	if (g->index[f] == 0) {
		g->v = xgrow(g->v, sizeof(*g->v), g->n + 1, &g->cap);
		memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
		g->v[g->n].frame = f;
		g->index[f] = (uint32_t)++g->n;
	}
	return &g->v[g->index[f] - 1];
}

/* What a drawn group weighs: its growth, or its size when it did not grow
 * (a proven leak, or a single snapshot). */
static double
group_weight(const struct group_eval *e)
{
	if (e->growth.n >= 2 && e->growth.net > 0)
		return (double)e->growth.net;
	return (double)e->growth.last;
}

/* The path of a group, outermost first: the creator, then the stack from
 * its root down to the blocking frame (the runtime's frames below it say
 * nothing more). */
static size_t
group_path(const struct grouping *gr, const struct group *grp, frameid *out,
	   size_t max)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&gr->in->stacks, grp->stack, &n);
	size_t k = 0;

	if (grp->creator && k < max)
		out[k++] = grp->creator;
	for (i = n; i > 0 && k < max; i--) {
		out[k++] = v[i - 1];
		if (v[i - 1] == grp->blocking)
			break;
	}
	return k;
}

static int
node_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct grouping *gr = ctx;
	const struct node *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->blocking != b->blocking)
		return a->blocking ? -1 : 1;
	return grouping_frame_cmp(gr->in, a->frame, b->frame);
}

static void
set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)(uintptr_t)name, (char *)(uintptr_t)value,
		  (char *)"");
}

/* A fill colour from pale yellow (little growth) to red (the most). */
static void
heat(double share, char *buf, size_t size)
{
	unsigned g = (unsigned)(230 - 180 * share) & 0xff;
	unsigned b = (unsigned)(150 - 130 * share) & 0xff;

	snprintf(buf, size, "#ff%02x%02x", g, b);
}

static void
node_label(const struct grouping *gr, const struct node *nd, char *buf,
	   size_t size)
{
	const struct frame *f = intern_frame_get(gr->in, nd->frame);
	const char *file = intern_str(gr->in, f->file);
	const char *slash = strrchr(file, '/');
	int n;

	n = snprintf(buf, size, "%s\n%s:%u", intern_str(gr->in, f->func),
		     slash ? slash + 1 : file, f->line);
	if (nd->blocking && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "\n%lld goroutines",
			 (long long)nd->count);
}

/* Draw the kept nodes and, per group, edges between consecutive kept
 * frames of its path (dashed where frames were left out). */
static void
draw(Agraph_t *ag, struct graph *g, const size_t *groups, size_t ngroups,
     const struct analysis *an)
{
	const struct grouping *gr = g->gr;
	double top = 0;
	size_t i, k;
	frameid path[512];

	for (i = 0; i < g->n; i++)
		if (g->v[i].keep && g->v[i].weight > top)
			top = g->v[i].weight;
	for (i = 0; i < g->n; i++) {
		struct node *nd = &g->v[i];
		char name[32], label[1024], color[16], size[16];
		double share = top > 0 ? nd->weight / top : 0;

		if (!nd->keep)
			continue;
		snprintf(name, sizeof(name), "f%u", gr->frame_rank[nd->frame]);
		nd->n = agnode(ag, name, 1);
		node_label(gr, nd, label, sizeof(label));
		heat(share, color, sizeof(color));
		snprintf(size, sizeof(size), "%d", 10 + (int)(14 * share));
		set(nd->n, "label", label);
		set(nd->n, "fillcolor", color);
		set(nd->n, "fontsize", size);
		if (nd->blocking)
			set(nd->n, "penwidth", "2");
	}
	for (k = 0; k < ngroups; k++) {
		const struct group *grp = &gr->v[groups[k]];
		const struct group_eval *e = &an->ev[groups[k]];
		size_t n = group_path(gr, grp, path, 512), j;
		struct node *prev = NULL;
		int skipped = 0;

		for (j = 0; j < n; j++) {
			struct node *nd = node_of(g, path[j]);
			Agedge_t *ed = NULL;
			char label[64];

			if (!nd->keep) {
				skipped = prev != NULL;
				continue;
			}
			if (prev != NULL && prev != nd) {
				ed = agedge(ag, prev->n, nd->n, NULL, 1);
				if (e->growth.n >= 2)
					snprintf(
						label, sizeof(label),
						"%lld (%+lld)",
						(long long)grp
							->counts[gr->nsnap - 1],
						(long long)e->growth.net);
				else
					snprintf(label, sizeof(label), "%lld",
						 (long long)
							 grp->counts[gr->nsnap -
								     1]);
				set(ed, "label", label);
				if (skipped)
					set(ed, "style", "dashed");
			}
			prev = nd;
			skipped = 0;
		}
	}
}

/* The groups to draw: suspects, else the largest blocked groups. */
static size_t
pick_groups(const struct grouping *gr, const struct analysis *an, size_t *out,
	    int *fallback)
{
	size_t i, n = 0;

	*fallback = an->nsuspects == 0;
	for (i = 0; i < an->n; i++) {
		size_t gi = an->order[i];
		const struct group_eval *e = &an->ev[gi];

		if (*fallback ? (gr->v[gi].blocked && n < DOT_FALLBACK_GROUPS)
			      : verdict_is_suspect(e->verdict))
			out[n++] = gi;
	}
	return n;
}

int
dot_write(FILE *fp, const struct dot_doc *doc, struct error *err)
{
	const struct grouping *gr = doc->gr;
	struct graph g;
	Agraph_t *ag = NULL;
	size_t *groups = xcalloc(gr->n + 1, sizeof(*groups));
	size_t ngroups, i, k, kept = 0;
	int fallback = 0, rc;
	frameid path[512];
	char legend[1024];
	struct node *sorted = NULL;

	memset(&g, 0, sizeof(g));
	g.gr = gr;
	ngroups = pick_groups(gr, doc->an, groups, &fallback);
	for (k = 0; k < ngroups; k++) {
		const struct group *grp = &gr->v[groups[k]];
		double w = group_weight(&doc->an->ev[groups[k]]);
		size_t n = group_path(gr, grp, path, 512), j;

		for (j = 0; j < n; j++) {
			struct node *nd = node_of(&g, path[j]);

			nd->weight += w;
			nd->count += grp->counts[gr->nsnap - 1];
		}
		if (grp->blocking)
			node_of(&g, grp->blocking)->blocking = 1;
	}
	/* Keep the heaviest nodes; the index still points at g.v. */
	sorted = xreallocarray(NULL, g.n + 1, sizeof(*sorted));
	memcpy(sorted, g.v, g.n * sizeof(*sorted));
	sort_stable(sorted, g.n, sizeof(*sorted), node_cmp, (void *)gr);
	for (i = 0; i < g.n && kept < doc->max_nodes; i++, kept++)
		node_of(&g, sorted[i].frame)->keep = 1;
	free(sorted);

	ag = agopen((char *)"goroscope", Agdirected, NULL);
	agattr(ag, AGRAPH, (char *)"rankdir", (char *)"TB");
	agattr(ag, AGRAPH, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGNODE, (char *)"shape", (char *)"box");
	agattr(ag, AGNODE, (char *)"style", (char *)"rounded,filled");
	agattr(ag, AGNODE, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGEDGE, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGEDGE, (char *)"fontsize", (char *)"10");
	{
		Agnode_t *ln = agnode(ag, (char *)"legend", 1);

		snprintf(legend, sizeof(legend),
			 "%s\n%s: %zu group%s over %u snapshot%s\n"
			 "from the go statement (top) to the blocking frame "
			 "(bold)\nsize and colour: growth; edges: goroutines "
			 "now (growth)%s",
			 doc->title ? doc->title : "goroscope",
			 fallback ? "no leak suspects; the largest blocked "
				    "groups"
				  : "leak suspects",
			 ngroups, ngroups == 1 ? "" : "s", gr->nsnap,
			 gr->nsnap == 1 ? "" : "s",
			 kept < g.n ? "\ndashed: frames left out (--nodes)"
				    : "");
		set(ln, "label", legend);
		set(ln, "shape", "note");
		set(ln, "fillcolor", "#f4f4f4");
	}
	draw(ag, &g, groups, ngroups, doc->an);
	rc = agwrite(ag, fp);
	agclose(ag);
	free(groups);
	free(g.v);
	free(g.index);
	if (rc != 0 || ferror(fp))
		return error_set(err, "cannot write the DOT graph");
	return 0;
}
