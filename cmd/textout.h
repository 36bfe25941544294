/*
 * Text output primitives shared by the text reports: colours, cells built
 * without printf (a report of 60,000 groups spent half its time there),
 * aligned counts, frames shortened to fit, labels and full stacks.
 */
#ifndef TEXTOUT_H
#define TEXTOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/intern.h"

struct grouping;
struct group;
struct snapshot_meta;

#define WIDTH	  100 /* columns every report fits */
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

/* Where text goes, and whether it may be coloured. */
struct pen {
	FILE *fp;
	int color;
};

/* Appending to a fixed buffer, cut at its size and NUL-terminated. */
struct cell {
	char *buf;
	size_t size, n;
};

/*
 * Text built in memory and written with few stdio calls (a report of
 * 60,000 groups spent a third of its time in calls of a few bytes each).
 * Not NUL-terminated; p is the owner's (free it).
 */
struct txbuf {
	char *p;
	size_t n, cap;
};

/* Room for n more bytes at b->p + b->n. */
void txbuf_reserve(struct txbuf *b, size_t n);
void txbuf_put(struct txbuf *b, const char *s, size_t len);
void txbuf_puts(struct txbuf *b, const char *s);
void txbuf_pad(struct txbuf *b, int n);

/* A colour on or off, when p colours (tx_on and tx_off into b). */
void txbuf_on(struct txbuf *b, const struct pen *p, enum color c);
void txbuf_off(struct txbuf *b, const struct pen *p, enum color c);

/* Write the text to fp and empty b. */
void txbuf_flush(struct txbuf *b, FILE *fp);

void tx_on(const struct pen *p, enum color c);
void tx_off(const struct pen *p, enum color c);

void tx_put(struct cell *c, const char *s, size_t len);
void tx_put_str(struct cell *c, const char *s);
void tx_put_uint(struct cell *c, unsigned long long v);

/* A group's state cell, "chan receive, 12~47 minutes"; returns length. */
size_t tx_state_cell(const struct grouping *gr, const struct group *g,
		     char *buf, size_t size);
enum color tx_state_color(const struct grouping *gr, const struct group *g);

/* A traceback's message (a snapshot's, 0: nothing), each line after
 * indent, escaped. */
void tx_print_message(const struct pen *p, const struct intern *in,
		      strid message, const char *indent);

/* n spaces; a count right-aligned in 8 columns; the 8-digit short id. */
void tx_pad(FILE *fp, int n);
void tx_print_count(FILE *fp, long long v);
void tx_short_id(uint64_t id, char out[17]);

/* The last path element. */
const char *tx_base_name(const char *path);

/* "lead func (file:line)" and a newline, in at most width columns. */
void tx_frame_cell(const struct pen *p, const struct intern *in, frameid f,
		   const char *lead, int width);

/* The same into b (p says whether to colour). */
void tx_frame_text(struct txbuf *b, const struct pen *p,
		   const struct intern *in, frameid f, const char *lead,
		   int width);

/*
 * tx_frame_text's output kept per frame, for one lead and width: a report
 * of 60,000 groups names a few hundred frames. Zero it to start; release
 * with tx_frame_memo_release.
 */
struct tx_frame_memo {
	struct txbuf text;
	uint64_t *at; /* frame id -> offset << 16 | length, + 1; 0: not yet */
	size_t cap;
};

void tx_frame_text_memo(struct tx_frame_memo *m, struct txbuf *b,
			const struct pen *p, const struct intern *in, frameid f,
			const char *lead, int width);
void tx_frame_memo_release(struct tx_frame_memo *m);

/* A count right-aligned in 8 columns, into b. */
void txbuf_count(struct txbuf *b, long long v);

/* Labels as k=v, quoted as Go quotes when not plain. */
void tx_print_label_text(FILE *fp, const char *s, size_t n);
void tx_print_labels(FILE *fp, const struct intern *in, seqid set);

/* The full stack and creator of a group, as a Go traceback shows them. */
void tx_print_stack(const struct pen *p, const struct grouping *gr,
		    const struct group *g);

/* What a trace adds: exact waits, goroutines created and still blocked. */
void tx_print_trace_evidence(const struct pen *p, const struct grouping *gr,
			     const struct group *g);

/* A snapshot's source: its path, "run.trace@1.2s" for a trace's moment;
 * buf is used (and returned) for the latter. */
const char *tx_source(const struct intern *in, const struct snapshot_meta *s,
		      char *buf, size_t size);

/* Ids, states, labels, flags and the full stack (show -v, report). */
void tx_print_details(const struct pen *p, const struct grouping *gr,
		      const struct group *g);

/* A sparkline of v[0..n) in at most width columns (the largest count of
 * each bucket; a dot for zero). */
void tx_sparkline(struct cell *c, const int64_t *v, unsigned n, unsigned width);
/* The same of a group's counts over its series. */
void tx_sparkline_counts(struct cell *c, const struct grouping *gr,
			 const struct group *g, unsigned width);

/* A signed number with its sign: "+20", "-3", "0". */
void tx_put_signed(struct cell *c, long long v);

/* Columns taken by UTF-8 text (one per character). */
int tx_width(const char *s);

/* "s" unless n is 1. */
const char *tx_plural(long long n);

/* What the verdicts over gr's snapshots rest on: "judged by the goroutines
 * that stayed", "judged by counts only (no goroutine ids)", ... */
const char *tx_evidence(const struct grouping *gr);

/* "goroutine dump (debug=2)", "pprof", ... */
const char *tx_format_words(const struct intern *in,
			    const struct snapshot_meta *s);

#endif
