/* Text rendering of groups for the terminal. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd/render_text.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

#define WIDTH	  100
#define STATE_MIN 5
#define STATE_MAX 40
#define FRAME_MIN 30
#define INDENT	  "         " /* up to the STATE column */

enum color {
	C_NONE,
	C_BOLD,
	C_DIM,
	C_RED,
	C_YELLOW,
	C_GREEN,
	C_CYAN,
};

static const char *const sgr[] = {
	[C_NONE] = "",		[C_BOLD] = "\033[1m",	 [C_DIM] = "\033[2m",
	[C_RED] = "\033[1;31m", [C_YELLOW] = "\033[33m", [C_GREEN] = "\033[32m",
	[C_CYAN] = "\033[36m",
};

struct pen {
	FILE *fp;
	int color;
};

static void
on(const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		fputs(sgr[c], p->fp);
}

static void
off(const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		fputs("\033[0m", p->fp);
}

/*
 * Appending to a fixed buffer, cut at its size and always NUL-terminated:
 * a report of 60,000 groups spent half its time in snprintf.
 */
struct cell {
	char *buf;
	size_t size, n;
};

static void
put(struct cell *c, const char *s, size_t len)
{
	if (c->n + len >= c->size)
		len = c->size - 1 - c->n;
	memcpy(c->buf + c->n, s, len);
	c->n += len;
	c->buf[c->n] = '\0';
}

static void
put_str(struct cell *c, const char *s)
{
	put(c, s, strlen(s));
}

static void
put_uint(struct cell *c, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(c, d + i, sizeof(d) - i);
}

/* Text of a group's state cell: "chan receive, 12~47 minutes". */
static size_t
state_cell(const struct grouping *gr, const struct group *g, char *buf,
	   size_t size)
{
	const struct intern *in = gr->in;
	strid st = g->states.n ? g->states.v[0].id : 0;
	struct cell c = { buf, size, 0 };

	buf[0] = '\0';
	put(&c, intern_str(in, st), strtab_len(&in->strings, st));
	if (g->leaked > 0)
		put_str(&c, " (leaked)");
	if (g->states.n > 1) {
		put_str(&c, " +");
		put_uint(&c, g->states.n - 1);
	}
	if (g->has_wait && g->wait_max > 0) {
		put_str(&c, ", ");
		if (g->wait_min != g->wait_max) {
			put_uint(&c, g->wait_min);
			put_str(&c, "~");
		}
		put_uint(&c, g->wait_max);
		put_str(&c, g->wait_min == g->wait_max && g->wait_max == 1
				    ? " minute"
				    : " minutes");
	}
	return c.n;
}

static void
pad(FILE *fp, int n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n
						    : (int)sizeof(spaces) - 1;

		fwrite(spaces, 1, (size_t)k, fp);
		n -= k;
	}
}

/* A count right-aligned in 8 columns. */
static void
print_count(FILE *fp, long long v)
{
	char buf[32];
	struct cell c = { buf, sizeof(buf), 0 };

	put_uint(&c, (unsigned long long)(v < 0 ? 0 : v));
	pad(fp, 8 - (int)c.n);
	fputs(buf, fp);
}

/* The first 8 hex digits of a group id, as the text report shows it. */
static void
short_id(uint64_t id, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++)
		out[i] = hex[(id >> (60 - 4 * i)) & 15];
	out[8] = '\0';
}

static enum color
state_color(const struct grouping *gr, const struct group *g)
{
	strid st = g->states.n ? g->states.v[0].id : 0;

	if (g->leaked > 0)
		return C_RED;
	switch (intern_state_class(gr->in, st)) {
	case WAIT_FOREVER:
		return C_RED;
	case WAIT_PEER:
	case WAIT_UNKNOWN:
	case WAIT_SYNCTEST:
		return C_YELLOW;
	case STATE_ACTIVE:
		return C_GREEN;
	default:
		return C_NONE;
	}
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Print "func (file:line)" in at most width columns: first the package's
 * directories go ("github.com/a/b/pkg.F" -> "pkg.F"), then the name is cut
 * on the left.
 */
static void
frame_cell(const struct pen *p, const struct intern *in, frameid f,
	   const char *lead, int width)
{
	const struct frame *fr = intern_frame_get(in, f);
	const char *func = intern_str(in, fr->func);
	char loc[256];
	struct cell c = { loc, sizeof(loc), 0 };
	int ll, fl, room;

	loc[0] = '\0';
	if (fr->file && strtab_len(&in->strings, fr->file) > 0) {
		put_str(&c, " (");
		put_str(&c, base_name(intern_str(in, fr->file)));
		put_str(&c, ":");
		put_uint(&c, fr->line);
		put_str(&c, ")");
	}
	ll = (int)c.n;
	room = width - (int)strlen(lead) - ll;
	fl = (int)strlen(func);
	if (fl > room) {
		/* Drop the import path's directories: the package path ends
		 * at the last '/' (names have none after it). */
		const char *slash = strrchr(func, '/');

		if (slash != NULL) {
			func = slash + 1;
			fl = (int)strlen(func);
		}
	}
	fputs(lead, p->fp);
	if (fl > room && room > 3) {
		fputs("...", p->fp);
		func += fl - (room - 3);
	}
	fputs(func, p->fp);
	on(p, C_DIM);
	fputs(loc, p->fp);
	off(p, C_DIM);
	fputc('\n', p->fp);
}

/* A label key or value: bare when plain, else quoted as Go would. */
static void
print_label_text(FILE *fp, const char *s, size_t n)
{
	size_t i;
	int plain = n > 0;

	for (i = 0; i < n && plain; i++)
		plain = (s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || strchr("./_-:@", s[i]);
	if (plain) {
		fwrite(s, 1, n, fp);
		return;
	}
	fputc('"', fp);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void
print_labels(FILE *fp, const struct intern *in, seqid set)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->labelsets, set, &n);

	for (i = 0; i + 1 < n; i += 2) {
		if (i)
			fputc(' ', fp);
		print_label_text(fp, intern_str(in, v[i]),
				 strtab_len(&in->strings, v[i]));
		fputc('=', fp);
		print_label_text(fp, intern_str(in, v[i + 1]),
				 strtab_len(&in->strings, v[i + 1]));
	}
}

static void
print_stack(const struct pen *p, const struct grouping *gr,
	    const struct group *g)
{
	const struct intern *in = gr->in;
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);

	for (i = 0; i < n; i++) {
		const struct frame *f = intern_frame_get(in, v[i]);

		if (f->flags & FRAME_ELIDED) {
			fprintf(p->fp, INDENT "...frames elided...\n");
			continue;
		}
		fprintf(p->fp, INDENT "%s\n", intern_str(in, f->func));
		on(p, C_DIM);
		fprintf(p->fp, INDENT "    %s:%u", intern_str(in, f->file),
			f->line);
		off(p, C_DIM);
		fputc('\n', p->fp);
	}
	if (g->creator) {
		const struct frame *f = intern_frame_get(in, g->creator);

		fprintf(p->fp, INDENT "created by %s", intern_str(in, f->func));
		if (g->creator_goid_state == 1)
			fprintf(p->fp, " in goroutine %llu",
				(unsigned long long)g->creator_goid);
		fputc('\n', p->fp);
		on(p, C_DIM);
		fprintf(p->fp, INDENT "    %s:%u", intern_str(in, f->file),
			f->line);
		off(p, C_DIM);
		fputc('\n', p->fp);
	}
}

static void
print_details(const struct pen *p, const struct grouping *gr,
	      const struct group *g)
{
	const struct intern *in = gr->in;
	uint32_t i;

	if (g->nids > 0) {
		fprintf(p->fp, INDENT "goroutines");
		for (i = 0; i < g->nids; i++)
			fprintf(p->fp, "%s %llu", i ? "," : "",
				(unsigned long long)g->ids[i]);
		if ((int64_t)g->nids < g->total)
			fprintf(p->fp, ", ... (%lld in all)",
				(long long)g->total);
		fputc('\n', p->fp);
	}
	if (g->states.n > 1) {
		fprintf(p->fp, INDENT "states");
		for (i = 0; i < g->states.n; i++)
			fprintf(p->fp, "%s %s (%lld)", i ? "," : "",
				intern_str(in, g->states.v[i].id),
				(long long)g->states.v[i].weight);
		fputc('\n', p->fp);
	}
	for (i = 0; i < g->labels.n; i++) {
		if (g->labels.v[i].id == 0)
			continue;
		fprintf(p->fp, INDENT "labels ");
		print_labels(p->fp, in, g->labels.v[i].id);
		fprintf(p->fp, " (%lld)\n", (long long)g->labels.v[i].weight);
	}
	if (g->locked)
		fprintf(p->fp, INDENT "locked to thread (%lld)\n",
			(long long)g->locked);
	if (g->truncated)
		fprintf(p->fp, INDENT "stack cut short by the capture (%lld)\n",
			(long long)g->truncated);
	print_stack(p, gr, g);
}

static const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

static const char *
format_words(const struct snapshot *s)
{
	const char *f = intern_str(s->in, s->format);

	if (strcmp(f, "debug=2") == 0)
		return "goroutine dump (debug=2)";
	if (strcmp(f, "debug=1") == 0)
		return s->kind == SNAPSHOT_LEAK
			       ? "goroutineleak profile (debug=1)"
			       : "goroutine profile (debug=1)";
	return f;
}

void
render_show(FILE *fp, const struct text_doc *doc)
{
	const struct grouping *gr = doc->gr;
	const struct snapshot *s = doc->snaps[0];
	struct pen p = { fp, doc->color };
	char cell[256], by[32];
	int sw = STATE_MIN, fw;
	size_t i;
	int64_t shown_total = 0;

	group_key_format(&gr->key, by, sizeof(by));
	for (i = 0; i < doc->nshown; i++) {
		int n = (int)state_cell(gr, &gr->v[doc->shown[i]], cell,
					sizeof(cell));

		if (n > sw)
			sw = n;
	}
	if (sw > STATE_MAX)
		sw = STATE_MAX;
	fw = WIDTH - (8 + 2 + sw + 2 + 8 + 2);
	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	on(&p, C_BOLD);
	fprintf(fp, "%s", intern_str(s->in, s->source));
	off(&p, C_BOLD);
	fprintf(fp, ": %s, %lld goroutine%s", format_words(s),
		(long long)gr->totals[0], plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching", (long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s (grouped by %s)\n\n", gr->n,
		plural((long long)gr->n), by);
	fprintf(fp, "%8s  %-*s  %-8s  %s\n", "COUNT", sw, "STATE", "GROUP",
		"BLOCKED IN");
	for (i = 0; i < doc->nshown; i++) {
		const struct group *g = &gr->v[doc->shown[i]];
		char id[17];
		int n = (int)state_cell(gr, g, cell, sizeof(cell));

		if (n > sw)
			cell[sw] = '\0';
		short_id(g->id, id);
		shown_total += g->counts[0];
		if (doc->verbose && i > 0)
			fputc('\n', fp);
		on(&p, C_BOLD);
		print_count(fp, (long long)g->counts[0]);
		off(&p, C_BOLD);
		fputs("  ", fp);
		on(&p, state_color(gr, g));
		fputs(cell, fp);
		pad(fp, sw - (n > sw ? sw : n));
		off(&p, state_color(gr, g));
		fputs("  ", fp);
		on(&p, C_CYAN);
		fputs(id, fp);
		off(&p, C_CYAN);
		fputs("  ", fp);
		frame_cell(&p, gr->in, g->blocking, "", fw);
		if (g->creator) {
			/* Under the state: the line has room for long names. */
			fputs(INDENT " ", fp);
			frame_cell(&p, gr->in, g->creator, "created by ",
				   WIDTH - 10);
		}
		if (doc->verbose)
			print_details(&p, gr, g);
	}
	fputc('\n', fp);
	on(&p, C_BOLD);
	print_count(fp, (long long)gr->totals[0]);
	off(&p, C_BOLD);
	fprintf(fp, "  goroutine%s", plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching the filters",
			(long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s", gr->n, plural((long long)gr->n));
	if (doc->nshown < gr->n)
		fprintf(fp, "; %zu shown, of %lld goroutine%s", doc->nshown,
			(long long)shown_total, plural(shown_total));
	fputc('\n', fp);
}
