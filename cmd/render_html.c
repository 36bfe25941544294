/* The HTML page: summary and verdict first, then each instance's groups. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render_html.h"
#include "cmd/textout.h"
#include "formats/dot.h"
#include "formats/json.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "lib/textsafe.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Most points a sparkline draws; longer series are bucketed by maximum. */
#define SPARK_POINTS 120
/* Most frames of a stack shown under its row. */
#define HTML_STACK_FRAMES 200

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d1d1f;"
	"background:#fff}\n"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
	"border-bottom:1px solid #ddd;padding-bottom:4px}"
	"h3{font-size:15px;margin:20px 0 6px}\n"
	".verdict{font-size:17px;font-weight:600;margin:10px 0;padding:10px "
	"14px;border-radius:6px;background:#eef6ee;border-left:5px solid "
	"#2e7d32}\n"
	".verdict.bad{background:#fdecea;border-left-color:#c62828}\n"
	".muted{color:#666}.num{text-align:right;font-variant-numeric:"
	"tabular-nums;white-space:nowrap}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 14px}"
	"th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f6f6f6;font-weight:600;white-space:nowrap}"
	"table.sortable th{cursor:pointer}"
	"th[aria-sort=ascending]::after{content:' \\25b4'}"
	"th[aria-sort=descending]::after{content:' \\25be'}\n"
	"tr.suspect{background:#fff4f2}"
	"tr.suspect td:first-child{border-left:4px solid #c62828}\n"
	"code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,"
	"Consolas,monospace;font-size:12.5px}\n"
	"pre{margin:4px 0;white-space:pre-wrap;word-break:break-all}"
	"details>summary{cursor:pointer;color:#444}\n"
	"td details pre{background:#fafafa;padding:6px;border:1px solid "
	"#eee}\n"
	".suspects li{margin:0 0 12px}.suspects .what{font-weight:600}\n"
	".badge{display:inline-block;padding:0 6px;border-radius:8px;"
	"font-size:12px;background:#c62828;color:#fff;margin-left:4px}"
	".badge.proven{background:#6a1b9a}\n"
	"svg.spark{vertical-align:middle}svg.spark polyline{fill:none;"
	"stroke:#1565c0;stroke-width:1.5}svg.spark circle{fill:#1565c0}\n"
	".graph{overflow-x:auto}.graph svg{max-width:100%;height:auto}\n"
	"footer{margin-top:30px;color:#888;font-size:12px}\n";

/* Sorting by a click on a column header; the page reads without it. */
static const char script[] =
	"(function(){\n"
	"function key(r,i){var c=r.cells[i];if(!c)return '';"
	"var v=c.getAttribute('data-v');if(v!==null)return parseFloat(v);"
	"var s=c.querySelector('summary');return (s||c).textContent;}\n"
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	"var hs=t.tHead.rows[0].cells,b=t.tBodies[0];\n"
	"[].forEach.call(hs,function(th,i){th.tabIndex=0;\n"
	"function go(){var desc=th.getAttribute('aria-sort')!=="
	"'descending';\n"
	"[].forEach.call(hs,function(h){h.removeAttribute('aria-sort');});\n"
	"th.setAttribute('aria-sort',desc?'descending':'ascending');\n"
	"var r=[].slice.call(b.rows);\n"
	"r.sort(function(x,y){var u=key(x,i),v=key(y,i);"
	"var c=typeof u==='number'&&typeof v==='number'?u-v:"
	"String(u).localeCompare(String(v));return desc?-c:c;});\n"
	"r.forEach(function(x){b.appendChild(x);});}\n"
	"th.addEventListener('click',go);\n"
	"th.addEventListener('keydown',function(e){if(e.key==='Enter')go();"
	"});});});})();\n";

/* Bytes as HTML text: the markup characters as entities. s is shown text
 * already (control bytes and bad UTF-8 escaped by strtab_shown). */
static void
esc_n(FILE *fp, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		const char *e = NULL;

		switch (s[i]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		default:
			continue;
		}
		fwrite(s + from, 1, i - from, fp);
		fputs(e, fp);
		from = i + 1;
	}
	fwrite(s + from, 1, n - from, fp);
}

static void
esc(FILE *fp, const char *s)
{
	esc_n(fp, s, strlen(s));
}

static void
esc_id(FILE *fp, const struct intern *in, strid id)
{
	esc(fp, intern_shown(in, id));
}

/* A traceback's message in a <pre>: each line escaped as the text output
 * escapes it (Go's leading tabs kept), then as HTML. */
static void
message_pre(FILE *fp, const struct intern *in, strid id)
{
	const char *s = intern_str(in, id);
	size_t n = strtab_len(&in->strings, id), i = 0;
	char *t = xmalloc(4 * n + 1);

	fputs("<pre class=\"message\">", fp);
	while (i <= n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n;

		for (; i < e && s[i] == '\t'; i++)
			fputc('\t', fp);
		text_escape(s + i, e - i, t);
		esc(fp, t);
		if (e < n)
			fputc('\n', fp);
		i = e + 1;
	}
	fputs("</pre>\n", fp);
	free(t);
}

static void
group_id(FILE *fp, uint64_t id)
{
	char s[17];

	tx_short_id(id, s);
	fprintf(fp, "<code>%s</code>", s);
}

/* "func (file.go:12)", the file by its base name; full in the title. */
static void
frame_short(FILE *fp, const struct intern *in, frameid id)
{
	const struct frame *f = intern_frame_get(in, id);

	fputs("<span class=\"mono\" title=\"", fp);
	esc_id(fp, in, f->file);
	fprintf(fp, ":%u\">", (unsigned)f->line);
	esc_id(fp, in, f->func);
	if (f->file) {
		fputs(" (", fp);
		esc(fp, tx_base_name(intern_shown(in, f->file)));
		fprintf(fp, ":%u)", (unsigned)f->line);
	}
	fputs("</span>", fp);
}

/* An inline SVG sparkline of v[0..n), with the numbers as its title. */
static void
sparkline(FILE *fp, const int64_t *v, unsigned n)
{
	const int w = 120, h = 22;
	int64_t peak = 0, pts[SPARK_POINTS];
	unsigned i, np = n < SPARK_POINTS ? n : SPARK_POINTS;

	if (n == 0)
		return;
	for (i = 0; i < np; i++) {
		unsigned a = (unsigned)((uint64_t)i * n / np);
		unsigned b = (unsigned)((uint64_t)(i + 1) * n / np), k;

		pts[i] = v[a];
		for (k = a + 1; k < b; k++)
			if (v[k] > pts[i])
				pts[i] = v[k];
		if (pts[i] > peak)
			peak = pts[i];
	}
	fprintf(fp,
		"<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
		"%d %d\" role=\"img\"><title>",
		w, h, w, h);
	for (i = 0; i < n && i < 24; i++)
		fprintf(fp, "%s%lld", i ? " " : "", (long long)v[i]);
	if (n > 24)
		fprintf(fp, " ... %lld", (long long)v[n - 1]);
	fputs("</title>", fp);
	if (np == 1) {
		fprintf(fp, "<circle cx=\"%d\" cy=\"%d\" r=\"2\"/>", w / 2,
			h / 2);
	} else {
		fputs("<polyline points=\"", fp);
		for (i = 0; i < np; i++) {
			double x = 2 + (double)i * (w - 4) / (np - 1);
			double y = peak > 0 ? (h - 2) - (double)pts[i] *
								(h - 4) / peak
					    : h - 2;

			fprintf(fp, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fputs("\"/>", fp);
	}
	fputs("</svg>", fp);
}

static const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* The order a part's snapshots were put in, as words. */
static const char *
order_words(const char *order)
{
	if (order == NULL || strcmp(order, "as given") == 0)
		return "in the order given";
	if (strcmp(order, "capture time") == 0)
		return "ordered by capture time";
	return "in natural order of file names";
}

static void
inputs_table(FILE *fp, const struct json_part *pt)
{
	const struct grouping *gr = pt->gr;
	const struct intern *in = gr->in;
	unsigned k;

	fputs("<details><summary>Inputs</summary>\n<table><thead><tr>"
	      "<th class=\"num\">#</th><th>Captured</th><th>Format</th>"
	      "<th class=\"num\">Goroutines</th><th>Source</th></tr></thead>"
	      "<tbody>\n",
	      fp);
	for (k = 0; k < gr->nsnap; k++) {
		const struct snapshot_meta *m = &pt->meta[k];
		char t[64], src[1100];

		fprintf(fp, "<tr><td class=\"num\">%u</td><td>", k + 1);
		if (m->time_ns) {
			json_time(m->time_ns, t, sizeof(t));
			esc(fp, t);
		} else {
			fputs("-", fp);
		}
		fputs("</td><td>", fp);
		esc_id(fp, in, m->format);
		fprintf(fp,
			"</td><td class=\"num\">%lld</td><td class=\"mono\">",
			(long long)m->total);
		esc(fp, tx_source(in, m, src, sizeof(src)));
		fputs("</td></tr>\n", fp);
		if (m->message) {
			fputs("<tr><td></td><td colspan=\"4\">", fp);
			message_pre(fp, in, m->message);
			fputs("</td></tr>\n", fp);
		}
	}
	fputs("</tbody></table></details>\n", fp);
}

/* The frames of g's stack, as Go prints them, and what else is known. */
static void
group_details(FILE *fp, const struct grouping *gr, const struct group *g)
{
	const struct intern *in = gr->in;
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);

	fputs("<details><summary>", fp);
	if (g->blocking)
		frame_short(fp, in, g->blocking);
	else
		fputs("(no frame outside the runtime)", fp);
	fprintf(fp, "</summary><pre>%u frame%s", n, plural(n));
	if (g->nids > 0)
		fputs(", ", fp);
	else
		fputc('\n', fp);
	if (g->nids > 0) {
		fputs("goroutines ", fp);
		for (i = 0; i < g->nids; i++)
			fprintf(fp, "%s%llu", i ? ", " : "",
				(unsigned long long)g->ids[i]);
		if (g->described > (int64_t)g->nids)
			fprintf(fp, ", ... (%lld in all)",
				(long long)g->described);
		fputc('\n', fp);
	}
	for (i = 0; i < n && i < HTML_STACK_FRAMES; i++) {
		const struct frame *f = intern_frame_get(in, v[i]);

		esc_id(fp, in, f->func);
		fputs("\n    ", fp);
		esc_id(fp, in, f->file);
		fprintf(fp, ":%u\n", (unsigned)f->line);
	}
	if (n > HTML_STACK_FRAMES)
		fprintf(fp, "... %u more frames\n", n - HTML_STACK_FRAMES);
	if (g->creator) {
		const struct frame *f = intern_frame_get(in, g->creator);

		fputs("created by ", fp);
		esc_id(fp, in, f->func);
		if (g->creator_goid_state == 1)
			fprintf(fp, " in goroutine %llu",
				(unsigned long long)g->creator_goid);
		fputs("\n    ", fp);
		esc_id(fp, in, f->file);
		fprintf(fp, ":%u\n", (unsigned)f->line);
	}
	for (i = 0; i < g->labels.n; i++) {
		uint32_t nl = 0, j;
		const uint32_t *p = NULL;

		if (g->labels.v[i].id == 0)
			continue;
		p = seqtab_items(&in->labelsets, g->labels.v[i].id, &nl);
		fprintf(fp, "labels (%lld):", (long long)g->labels.v[i].weight);
		for (j = 0; j + 1 < nl; j += 2) {
			fputc(' ', fp);
			esc_id(fp, in, p[j]);
			fputc('=', fp);
			esc_id(fp, in, p[j + 1]);
		}
		fputc('\n', fp);
	}
	fputs("</pre></details>", fp);
}

static void
state_cell(FILE *fp, const struct grouping *gr, const struct group *g)
{
	char st[256];

	tx_state_cell(gr, g, st, sizeof(st));
	esc(fp, st);
}

/* The suspects of a part, each with its evidence, as a numbered list. */
static void
suspect_list(FILE *fp, const struct json_part *pt)
{
	const struct grouping *gr = pt->gr;
	const struct intern *in = gr->in;
	int64_t *c = xreallocarray(NULL, gr->nsnap ? gr->nsnap : 1, sizeof(*c));
	size_t i;
	int open = 0;

	for (i = 0; i < pt->nshown; i++) {
		size_t gi = pt->shown[i];
		const struct group *g = &gr->v[gi];
		const struct group_eval *e = &pt->an->ev[gi];
		unsigned k;

		if (!verdict_is_suspect(e->verdict))
			continue;
		if (!open)
			fputs("<ol class=\"suspects\">\n", fp);
		open = 1;
		group_counts(gr, g, c);
		fprintf(fp, "<li><span class=\"what\">%lld goroutine%s, ",
			(long long)e->growth.last, plural(e->growth.last));
		esc_id(fp, in, g->state);
		fputs("</span>", fp);
		if (e->verdict == V_PROVEN)
			fputs("<span class=\"badge proven\">proven leak</span>",
			      fp);
		fputs("<br>", fp);
		if (gr->nsnap >= 2) {
			fprintf(fp,
				"%+lld over %u snapshots, up or level in "
				"%.0f%% of steps: ",
				(long long)e->growth.net, gr->nsnap,
				e->growth.rise * 100);
			for (k = 0; k < gr->nsnap && k < 12; k++)
				fprintf(fp, "%s%lld", k ? " " : "",
					(long long)c[k]);
			if (gr->nsnap > 12)
				fprintf(fp, " ... %lld",
					(long long)c[gr->nsnap - 1]);
			fputc(' ', fp);
			sparkline(fp, c, gr->nsnap);
			fputs("<br>", fp);
			if (gr->identity)
				fprintf(fp,
					"%u of its %u goroutines stayed across "
					"the %u snapshots, %u of them new "
					"since "
					"the first; %u left<br>",
					group_identity(gr, g)->stayed,
					group_identity(gr, g)->ids_last,
					gr->nsnap,
					group_identity(gr, g)->new_stayed,
					group_identity(gr, g)->left);
			else if (e->growth.baseline != e->growth.first)
				fprintf(fp,
					"%+lld from its baseline of %lld (the "
					"median of the first %u snapshots)<br>",
					(long long)e->growth.grown,
					(long long)e->growth.baseline,
					growth_baseline_points(gr->nsnap));
		}
		fputs("blocked in ", fp);
		if (g->blocking)
			frame_short(fp, in, g->blocking);
		else
			fputs("-", fp);
		if (g->creator) {
			fputs("<br>created by ", fp);
			frame_short(fp, in, g->creator);
		}
		fputs("<br>group ", fp);
		group_id(fp, g->id);
		fprintf(fp, ", score %.1f</li>\n", e->score);
	}
	if (open)
		fputs("</ol>\n", fp);
	free(c);
}

/* Every shown group of a part: a sortable table, a tbody per group. */
static void
group_table(FILE *fp, const struct html_doc *h, const struct json_part *pt)
{
	const struct grouping *gr = pt->gr;
	const struct intern *in = gr->in;
	int series = h->series && gr->nsnap >= 2;
	int64_t *c = xreallocarray(NULL, gr->nsnap ? gr->nsnap : 1, sizeof(*c));
	size_t i;

	fputs("<table class=\"sortable groups\"><thead><tr>", fp);
	if (series)
		fputs("<th class=\"num\">Count</th><th "
		      "class=\"num\">Change</th>"
		      "<th>Trend</th><th class=\"num\">Rise</th>",
		      fp);
	else
		fputs("<th class=\"num\">Goroutines</th>", fp);
	fputs("<th>State</th><th>Group</th><th>Blocked in (open for the "
	      "stack)</th>",
	      fp);
	fputs(series ? "<th>Verdict</th>" : "<th>Created by</th>", fp);
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (i = 0; i < pt->nshown; i++) {
		size_t gi = pt->shown[i];
		const struct group *g = &gr->v[gi];
		const struct group_eval *e = pt->an ? &pt->an->ev[gi] : NULL;
		int sus = e && verdict_is_suspect(e->verdict);
		int64_t last = group_last(gr, g);

		fprintf(fp, "<tr%s>", sus ? " class=\"suspect\"" : "");
		fprintf(fp, "<td class=\"num\" data-v=\"%lld\">%lld</td>",
			(long long)last, (long long)last);
		if (series) {
			group_counts(gr, g, c);
			fprintf(fp,
				e->growth.net
					? "<td class=\"num\" data-v=\"%lld\">"
					  "%+lld</td><td>"
					: "<td class=\"num\" data-v=\"%lld\">"
					  "%lld</td><td>",
				(long long)e->growth.net,
				(long long)e->growth.net);
			sparkline(fp, c, gr->nsnap);
			fprintf(fp,
				"</td><td class=\"num\" data-v=\"%.4f\">%.0f%%"
				"</td>",
				e->growth.rise, e->growth.rise * 100);
		}
		fputs("<td>", fp);
		state_cell(fp, gr, g);
		fputs("</td><td>", fp);
		group_id(fp, g->id);
		fputs("</td><td>", fp);
		group_details(fp, gr, g);
		fputs("</td><td>", fp);
		if (series) {
			if (sus)
				fprintf(fp, "<span class=\"badge%s\">%s</span>",
					e->verdict == V_PROVEN ? " proven" : "",
					e->verdict == V_PROVEN ? "proven leak"
							       : "suspect");
			else
				esc(fp, verdict_text(e->verdict));
			if (e->known) {
				fputs(" (", fp);
				esc(fp, e->known->name);
				fputs(")", fp);
			}
		} else if (g->creator) {
			frame_short(fp, in, g->creator);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody>\n", fp);
	fputs("</table>\n", fp);
	free(c);
}

static void
fleet_table(FILE *fp, const struct json_doc *doc)
{
	const struct fleet *fl = doc->fleet;
	size_t i, k;

	fprintf(fp,
		"<h2>Fleet</h2>\n<p>%zu instance%s; %zu group%s a suspect "
		"on at least one.</p>\n<table class=\"sortable\"><thead><tr>"
		"<th class=\"num\">Suspect on</th><th class=\"num\">Total"
		"</th><th>State</th><th>Group</th><th>Blocked in</th>"
		"<th>Per instance</th></tr></thead>\n",
		doc->nparts, plural((long long)doc->nparts), fl->nsuspect,
		fl->nsuspect == 1 ? " is" : "s are");
	for (i = 0; i < fl->n; i++) {
		const struct fleet_row *r = &fl->v[i];
		const struct fleet_member *big = &r->m[r->largest];
		const struct json_part *bp = &doc->parts[big->part];
		const struct group *g = &bp->gr->v[big->group];
		const struct intern *in = bp->gr->in;

		if (r->suspect_on == 0 && i >= 10)
			break;
		fprintf(fp,
			"<tbody%s><tr><td class=\"num\" data-v=\"%u\">%u of "
			"%zu</td><td class=\"num\" data-v=\"%lld\">%lld</td>"
			"<td>",
			r->suspect_on ? " class=\"suspect\"" : "",
			r->suspect_on, r->suspect_on, doc->nparts,
			(long long)r->total, (long long)r->total);
		esc_id(fp, in, g->state);
		fputs("</td><td>", fp);
		group_id(fp, r->id);
		fputs("</td><td>", fp);
		if (g->blocking)
			frame_short(fp, in, g->blocking);
		fputs("</td><td>", fp);
		for (k = 0; k < r->nm; k++) {
			const struct json_part *p = &doc->parts[r->m[k].part];

			if (k)
				fputs(", ", fp);
			esc(fp, p->instance ? p->instance : "(none named)");
			fprintf(fp, " %lld%s", (long long)r->m[k].last,
				r->m[k].suspect ? "!" : "");
		}
		fputs("</td></tr></tbody>\n", fp);
	}
	fputs("</table>\n<p class=\"muted\">! a suspect on that "
	      "instance.</p>\n",
	      fp);
}

/* The graph as inline SVG: Graphviz's document from its <svg> on. */
static void
graph(FILE *fp, const struct dot_doc *dd)
{
	char *svg = NULL;
	size_t len = 0;
	struct error err;
	const char *at = NULL;

	error_clear(&err);
	fputs("<h2>Where they were created and where they block</h2>\n", fp);
	if (dot_render_svg(dd, &svg, &len, &err) < 0) {
		fputs("<p class=\"muted\">The graph could not be drawn: ", fp);
		esc(fp, err.text);
		fputs(".</p>\n", fp);
		return;
	}
	at = strstr(svg, "<svg");
	fputs("<div class=\"graph\">\n", fp);
	if (at != NULL)
		fwrite(at, 1, len - (size_t)(at - svg), fp);
	fputs("</div>\n", fp);
	free(svg);
}

static void
thresholds(FILE *fp, const struct json_doc *doc)
{
	const struct suspect_rules *r = doc->rules;

	fprintf(fp,
		"<h2>Thresholds</h2>\n<p>A suspect is blocked, is not a known "
		"long-lived goroutine or in the baseline, and over the "
		"snapshots grew by at least <code>--min-growth %lld</code> "
		"goroutines from its baseline, in two steps or more (where the "
		"snapshots name their goroutines, by that many new ones that "
		"stayed), did not go down in at least <code>--min-rise "
		"%.2f</code> of the steps, and ends at <code>--near-peak "
		"%.2f</code> of its peak or above.</p>\n",
		(long long)r->min_growth, r->min_rise, r->near_peak);
}

int
render_html(FILE *fp, const struct html_doc *h, struct error *err)
{
	const struct json_doc *doc = h->doc;
	const struct grouping *gr0 = doc->parts[0].gr;
	size_t p, suspects = 0, groups = 0, i;
	long long first = 0, last = 0;
	unsigned nsnap = 0;
	char by[32];

	group_key_format(&gr0->key, by, sizeof(by));
	for (p = 0; p < doc->nparts; p++) {
		const struct json_part *pt = &doc->parts[p];

		if (pt->an != NULL)
			suspects += pt->an->nsuspects;
		groups += pt->gr->n;
		nsnap += pt->gr->nsnap;
		if (pt->gr->nsnap) {
			first += pt->meta[0].total;
			last += pt->meta[pt->gr->nsnap - 1].total;
		}
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n<title>",
	      fp);
	esc(fp, h->title);
	if (h->series)
		fprintf(fp, ": %zu leak suspect%s", suspects,
			plural((long long)suspects));
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>",
		style);
	esc(fp, h->title);
	fputs("</h1>\n", fp);
	if (h->series) {
		fprintf(fp,
			"<p class=\"verdict%s\">%zu leak suspect%s among %zu "
			"group%s (grouped by %s)</p>\n",
			suspects ? " bad" : "", suspects,
			plural((long long)suspects), groups,
			plural((long long)groups), by);
	} else {
		fprintf(fp,
			"<p class=\"verdict\">%lld goroutine%s in %zu group%s "
			"(grouped by %s)</p>\n",
			last, plural(last), groups, plural((long long)groups),
			by);
	}
	if (doc->nparts > 1)
		fprintf(fp,
			"<p>%u snapshots of %zu instances, each judged on its "
			"own series; goroutines %lld &rarr; %lld in all</p>\n",
			nsnap, doc->nparts, first, last);
	if (doc->nskipped > 0) {
		fprintf(fp,
			"<p><strong>%zu input%s left out:</strong></p><ul>\n",
			doc->nskipped, plural((long long)doc->nskipped));
		for (i = 0; i < doc->nskipped; i++) {
			fputs("<li><code>", fp);
			esc_id(fp, gr0->in, doc->skipped[i].path);
			fputs("</code>: ", fp);
			esc(fp, doc->skipped[i].why);
			fputs("</li>\n", fp);
		}
		fputs("</ul>\n", fp);
	}
	if (doc->fleet != NULL)
		fleet_table(fp, doc);
	for (p = 0; p < doc->nparts; p++) {
		const struct json_part *pt = &doc->parts[p];
		const struct grouping *gr = pt->gr;
		int64_t *tot = xreallocarray(NULL, gr->nsnap ? gr->nsnap : 1,
					     sizeof(*tot));
		unsigned k;

		if (doc->nparts > 1) {
			fputs("<h2>Instance ", fp);
			esc(fp, pt->instance ? pt->instance : "(none named)");
			fputs("</h2>\n", fp);
		}
		if (gr->nsnap == 1) {
			const struct snapshot_meta *m = &pt->meta[0];
			char src[1100], t[64];

			fputs("<p>From <code>", fp);
			esc(fp, tx_source(gr->in, m, src, sizeof(src)));
			fputs("</code>, ", fp);
			esc_id(fp, gr->in, m->format);
			if (m->time_ns) {
				json_time(m->time_ns, t, sizeof(t));
				fputs(", captured ", fp);
				esc(fp, t);
			}
		} else {
			fprintf(fp, "<p>%u snapshots, %s", gr->nsnap,
				order_words(pt->order));
		}
		if (gr->nsnap > 1) {
			for (k = 0; k < gr->nsnap; k++)
				tot[k] = pt->meta[k].total;
			fprintf(fp, "; goroutines %lld &rarr; %lld ",
				(long long)tot[0],
				(long long)tot[gr->nsnap - 1]);
			sparkline(fp, tot, gr->nsnap);
		}
		free(tot);
		if (h->series && pt->an != NULL)
			fprintf(fp,
				"<br>%zu leak suspect%s among %zu groups; %s",
				pt->an->nsuspects,
				plural((long long)pt->an->nsuspects), gr->n,
				tx_evidence(gr));
		fputs("</p>\n", fp);
		if (gr->nsnap == 1 && pt->meta[0].message)
			message_pre(fp, gr->in, pt->meta[0].message);
		if (h->series && pt->an != NULL) {
			if (pt->an->nsuspects > 0) {
				fputs("<h3>Leak suspects</h3>\n", fp);
				suspect_list(fp, pt);
			} else if (gr->nsnap == 2) {
				fputs("<p>Two snapshots are one step: a leak "
				      "shows as growth over two steps or "
				      "more; take a third snapshot to "
				      "judge.</p>\n",
				      fp);
			}
		}
		fprintf(fp,
			"<h3>Groups</h3>\n<p class=\"muted\">%zu of %zu "
			"group%s shown; click a column to sort, a stack "
			"to open it.</p>\n",
			pt->nshown, gr->n, plural((long long)gr->n));
		group_table(fp, h, pt);
		inputs_table(fp, pt);
	}
	if (h->graph != NULL)
		graph(fp, h->graph);
	if (h->thresholds && doc->rules != NULL)
		thresholds(fp, doc);
	fprintf(fp,
		"<footer>Made by goroscope %s.</footer>\n<script>\n%s"
		"</script>\n</body>\n</html>\n",
		GOROSCOPE_VERSION, script);
	if (ferror(fp))
		return error_set(err, "cannot write the HTML page");
	return 0;
}
