/*
 * Graphviz DOT output (libcgraph): the leak suspects as a call graph from
 * the `go` statements that created them down to the frames they block in,
 * sized and coloured by growth, edges labelled with goroutine counts, with
 * a legend. At most a given number of nodes: Graphviz layout time explodes
 * on large graphs, so only the frames that carry the most growth are kept.
 */
#ifndef DOT_H
#define DOT_H

#include <stddef.h>
#include <stdio.h>

struct grouping;
struct analysis;
struct error;
struct fleet;

/* One instance's groups. */
struct dot_part {
	const char *instance;	   /* its name, or NULL */
	const struct grouping *gr; /* finished */
	const struct analysis *an;
};

struct dot_doc {
	const struct dot_part *parts; /* at least one */
	size_t nparts;
	const struct fleet *fleet; /* with several instances, or NULL */
	const char *title;	   /* first line of the legend */
	size_t max_nodes;	   /* --nodes, per instance */
};

/*
 * Write the graph of the suspects (or, when there are none, of the largest
 * blocked groups, said so in the legend) to fp. Several instances are one
 * cluster each, their blocking frames saying on how many instances the
 * group is a suspect.
 */
int dot_write(FILE *fp, const struct dot_doc *doc, struct error *err);

/*
 * The same graph laid out and rendered by Graphviz (libgvc) as an SVG
 * document, NUL-terminated, in *svg (*len bytes; free() it). -1 with err
 * when Graphviz cannot (its plugins missing, say).
 */
int dot_render_svg(const struct dot_doc *doc, char **svg, size_t *len,
		   struct error *err);

#endif
