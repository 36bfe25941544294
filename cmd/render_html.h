/*
 * The HTML page (-f html): one self-contained document for an incident
 * write-up or a browser. Nothing is fetched: the style and the small
 * script that sorts columns are inline, sparklines are inline SVG and the
 * creation-to-block graph is rendered to inline SVG by Graphviz (libgvc).
 * It reads without JavaScript: stacks fold under their rows in <details>.
 */
#ifndef RENDER_HTML_H
#define RENDER_HTML_H

#include <stdio.h>

struct json_doc;
struct dot_doc;
struct error;

struct html_doc {
	const struct json_doc *doc;  /* what JSON would say */
	const struct dot_doc *graph; /* drawn when not NULL */
	const char *title;	     /* "goroscope report", ... */
	int series;		     /* diff, trend, report: counts over time */
	int thresholds;		     /* print the rules (trend, report) */
};

/* Write the page to fp; -1 with err when the writing fails. A graph
 * Graphviz cannot render is left out with a note, not an error. */
int render_html(FILE *fp, const struct html_doc *h, struct error *err);

#endif
