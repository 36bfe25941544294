/* The suspects' call graph in DOT, built with libcgraph. */
#include <cgraph.h>
#include <gvc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dot.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/sat.h"
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
	const struct fleet *fleet; /* or NULL */
	size_t part;		   /* its index among the fleet's parts */
	char prefix[24];	   /* of node names: unique per instance */
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

/* On how many instances the group of g's part whose blocking frame is f
 * is a suspect, of how many it is on; 0 when not known. */
static unsigned
suspect_on(const struct graph *g, frameid f, size_t *of)
{
	const struct fleet *fl = g->fleet;
	size_t i, k;

	if (fl == NULL)
		return 0;
	for (i = 0; i < fl->n; i++)
		for (k = 0; k < fl->v[i].nm; k++) {
			const struct fleet_member *m = &fl->v[i].m[k];

			if (m->part == g->part && m->suspect &&
			    g->gr->v[m->group].blocking == f) {
				*of = fl->nparts;
				return fl->v[i].suspect_on;
			}
		}
	return 0;
}

/*
 * Text from input in a DOT label: as the text output shows it (no control
 * characters, UTF-8), with each backslash doubled, for DOT reads \n, \l,
 * \N and the like in labels (cgraph quotes the rest). Into out (size
 * bytes), cut short to fit; returns out.
 */
static const char *
dot_text(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 2 < size; s++) {
		if (*s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

static void
node_label(const struct graph *g, const struct node *nd, char *buf, size_t size)
{
	const struct grouping *gr = g->gr;
	const struct frame *f = intern_frame_get(gr->in, nd->frame);
	const char *file = intern_shown(gr->in, f->file);
	const char *slash = strrchr(file, '/');
	size_t of = 0;
	unsigned on = nd->blocking ? suspect_on(g, nd->frame, &of) : 0;
	char fn[512], fl[256];
	int n;

	n = snprintf(buf, size, "%s\n%s:%u",
		     dot_text(intern_shown(gr->in, f->func), fn, sizeof(fn)),
		     dot_text(slash ? slash + 1 : file, fl, sizeof(fl)),
		     f->line);
	if (nd->blocking && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "\n%lld goroutines",
			      (long long)nd->count);
	if (on > 0 && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n,
			 "\nsuspect on %u of %zu instances", on, of);
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
	frameid route[512];

	for (i = 0; i < g->n; i++)
		if (g->v[i].keep && g->v[i].weight > top)
			top = g->v[i].weight;
	for (i = 0; i < g->n; i++) {
		struct node *nd = &g->v[i];
		char name[32], label[1024], color[16], size[16];
		double share = top > 0 ? nd->weight / top : 0;

		if (!nd->keep)
			continue;
		snprintf(name, sizeof(name), "%sf%u", g->prefix,
			 gr->frame_rank[nd->frame]);
		nd->n = agnode(ag, name, 1);
		node_label(g, nd, label, sizeof(label));
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
		size_t n = group_path(gr, grp, route, 512), j;
		struct node *prev = NULL;
		int skipped = 0;

		for (j = 0; j < n; j++) {
			struct node *nd = node_of(g, route[j]);
			Agedge_t *ed = NULL;
			char label[64];

			if (!nd->keep) {
				skipped = prev != NULL;
				continue;
			}
			if (prev != NULL && prev != nd) {
				ed = agedge(ag, prev->n, nd->n, NULL, 1);
				if (e->growth.n >= 2)
					snprintf(label, sizeof(label),
						 "%lld (%+lld)",
						 (long long)group_last(gr, grp),
						 (long long)e->growth.net);
				else
					snprintf(
						label, sizeof(label), "%lld",
						(long long)group_last(gr, grp));
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

/* The groups of one part to draw, their frames weighed and kept. */
static size_t
prepare(struct graph *g, const struct analysis *an, size_t max_nodes,
	size_t *groups, int *fallback, size_t *kept)
{
	const struct grouping *gr = g->gr;
	size_t ngroups, i, k;
	frameid route[512];
	struct node *sorted = NULL;

	ngroups = pick_groups(gr, an, groups, fallback);
	for (k = 0; k < ngroups; k++) {
		const struct group *grp = &gr->v[groups[k]];
		double w = group_weight(&an->ev[groups[k]]);
		size_t n = group_path(gr, grp, route, 512), j;

		for (j = 0; j < n; j++) {
			struct node *nd = node_of(g, route[j]);

			nd->weight += w;
			nd->count = sat_add(nd->count, group_last(gr, grp));
		}
		if (grp->blocking)
			node_of(g, grp->blocking)->blocking = 1;
	}
	/* Keep the heaviest nodes; the index still points at g->v. */
	sorted = xreallocarray(NULL, g->n + 1, sizeof(*sorted));
	if (g->n > 0)
		memcpy(sorted, g->v, g->n * sizeof(*sorted));
	sort_stable(sorted, g->n, sizeof(*sorted), node_cmp, (void *)gr);
	*kept = 0;
	for (i = 0; i < g->n && *kept < max_nodes; i++, (*kept)++)
		node_of(g, sorted[i].frame)->keep = 1;
	free(sorted);
	return ngroups;
}

/* One instance on its way into the graph. */
struct drawn {
	struct graph g;
	size_t *groups, ngroups;
	int fallback; /* no suspect: its largest blocked groups */
	int cut;      /* --nodes left frames out */
};

/* The graph of doc, to agclose() when done. */
static Agraph_t *
build(const struct dot_doc *doc)
{
	Agraph_t *ag = NULL;
	struct drawn *d = xcalloc(doc->nparts, sizeof(*d));
	size_t p, ngroups_all = 0, nsnap_all = 0;
	int fallback_all = 1, cut = 0;
	char legend[1024], inst[64] = "";
	Agnode_t *ln = NULL;

	for (p = 0; p < doc->nparts; p++) {
		const struct dot_part *pt = &doc->parts[p];
		size_t kept = 0;

		d[p].g.gr = pt->gr;
		d[p].g.fleet = doc->fleet;
		d[p].g.part = p;
		if (doc->nparts > 1)
			snprintf(d[p].g.prefix, sizeof(d[p].g.prefix), "i%zu",
				 p);
		d[p].groups = xcalloc(pt->gr->n + 1, sizeof(*d[p].groups));
		d[p].ngroups = prepare(&d[p].g, pt->an, doc->max_nodes,
				       d[p].groups, &d[p].fallback, &kept);
		nsnap_all += pt->gr->nsnap;
		fallback_all &= d[p].fallback;
		d[p].cut = kept < d[p].g.n;
	}
	for (p = 0; p < doc->nparts; p++)
		if (fallback_all || !d[p].fallback) {
			ngroups_all += d[p].ngroups;
			cut |= d[p].cut;
		}
	ag = agopen((char *)"goroscope", Agdirected, NULL);
	agattr(ag, AGRAPH, (char *)"rankdir", (char *)"TB");
	agattr(ag, AGRAPH, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGNODE, (char *)"shape", (char *)"box");
	agattr(ag, AGNODE, (char *)"style", (char *)"rounded,filled");
	agattr(ag, AGNODE, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGEDGE, (char *)"fontname", (char *)"Helvetica");
	agattr(ag, AGEDGE, (char *)"fontsize", (char *)"10");
	ln = agnode(ag, (char *)"legend", 1);
	if (doc->nparts > 1)
		snprintf(inst, sizeof(inst), " of %zu instances", doc->nparts);
	snprintf(legend, sizeof(legend),
		 "%s\n%s: %zu group%s over %zu snapshot%s%s\n"
		 "from the go statement (top) to the blocking frame "
		 "(bold)\nsize and colour: growth; edges: goroutines "
		 "now (growth)%s",
		 doc->title ? doc->title : "goroscope",
		 fallback_all ? "no leak suspects; the largest blocked "
				"groups"
			      : "leak suspects",
		 ngroups_all, ngroups_all == 1 ? "" : "s", nsnap_all,
		 nsnap_all == 1 ? "" : "s", inst,
		 cut ? "\ndashed: frames left out (--nodes)" : "");
	set(ln, "label", legend);
	set(ln, "shape", "note");
	set(ln, "fillcolor", "#f4f4f4");
	for (p = 0; p < doc->nparts; p++) {
		Agraph_t *sub = ag;

		if (doc->nparts > 1) {
			char name[32], label[512];

			snprintf(name, sizeof(name), "cluster_%zu", p);
			sub = agsubg(ag, name, 1);
			set(sub, "label",
			    doc->parts[p].instance
				    ? dot_text(doc->parts[p].instance, label,
					       sizeof(label))
				    : "(no instance)");
		}
		if (!fallback_all && d[p].fallback) {
			/* Suspects elsewhere in the fleet: this instance's
			 * largest groups would only crowd them. */
			char name[32];
			Agnode_t *none = NULL;

			snprintf(name, sizeof(name), "i%zunone", p);
			none = agnode(sub, name, 1);
			set(none, "label", "no leak suspects");
			set(none, "shape", "plaintext");
			set(none, "style", "");
			continue;
		}
		draw(sub, &d[p].g, d[p].groups, d[p].ngroups, doc->parts[p].an);
	}
	for (p = 0; p < doc->nparts; p++) {
		free(d[p].groups);
		free(d[p].g.v);
		free(d[p].g.index);
	}
	free(d);
	return ag;
}

int
dot_write(FILE *fp, const struct dot_doc *doc, struct error *err)
{
	Agraph_t *ag = build(doc);
	int rc = agwrite(ag, fp);

	agclose(ag);
	if (rc != 0 || ferror(fp))
		return error_set(err, "cannot write the DOT graph");
	return 0;
}

/* Graphviz's own messages, kept for the error rather than printed. */
static char gv_message[256];

static int
gv_error(char *msg)
{
	size_t n = strlen(gv_message);

	if (n + 1 < sizeof(gv_message))
		snprintf(gv_message + n, sizeof(gv_message) - n, "%s", msg);
	return 0;
}

int
dot_render_svg(const struct dot_doc *doc, char **svg, size_t *len,
	       struct error *err)
{
	Agraph_t *ag = build(doc);
	GVC_t *gvc = NULL;
	char *data = NULL;
	unsigned int n = 0;
	int rc = -1;
	size_t k;

	*svg = NULL;
	*len = 0;
	gv_message[0] = '\0';
	agseterrf(gv_error);
	agseterr(AGERR);
	gvc = gvContext();
	if (gvc == NULL) {
		error_set(err, "Graphviz could not start");
		goto out;
	}
	if (gvLayout(gvc, ag, "dot") != 0) {
		error_set(err, "Graphviz could not lay out the graph%s%s",
			  gv_message[0] ? ": " : "", gv_message);
		goto out;
	}
	if (gvRenderData(gvc, ag, "svg", &data, &n) != 0 || data == NULL) {
		error_set(err, "Graphviz could not render SVG%s%s",
			  gv_message[0] ? ": " : "", gv_message);
		gvFreeLayout(gvc, ag);
		goto out;
	}
	*svg = xmalloc((size_t)n + 1);
	memcpy(*svg, data, n);
	(*svg)[n] = '\0';
	*len = n;
	gvFreeRenderData(data);
	gvFreeLayout(gvc, ag);
	rc = 0;
out:
	/* Graphviz's messages end with a newline: not in ours. */
	k = strlen(err->text);
	while (rc < 0 && k > 0 && err->text[k - 1] == '\n')
		err->text[--k] = '\0';
	agclose(ag);
	if (gvc != NULL)
		gvFreeContext(gvc);
	agseterrf(NULL);
	return rc;
}
