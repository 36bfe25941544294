/*
 * goroscope watch: capture and trend joined (DESIGN.md section 2). Every
 * interval, a snapshot of each URL is added to a window of the recent ones,
 * kept as a .gsnap image in memory; the window is read back and judged by
 * the same path `trend` takes, and its report shown full-screen like top
 * (or, without a terminal, printed once per interval).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/gsnapfile.h"
#include "cmd/load.h"
#include "cmd/options.h"
#include "formats/fetch.h"
#include "formats/gsnap.h"
#include "formats/trace.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/filter.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define WATCH_DEFAULT_INTERVAL_NS (5LL * 1000000000)
/* Snapshots of each URL kept for the sparklines and the verdict. */
#define WATCH_WINDOW 30

static volatile sig_atomic_t stopping, resized;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* The terminal as it was, restored on every way out. */
static struct termios saved;
static int raw_on;

static void
restore(void)
{
	static const char out[] = "\033[0m\033[?25h\033[?1049l";

	if (!raw_on)
		return;
	raw_on = 0;
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	(void)!write(STDOUT_FILENO, out, sizeof(out) - 1);
}

static int
enter_screen(void)
{
	static const char in[] = "\033[?1049h\033[?25l\033[H\033[2J";
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -1;
	t = saved;
	t.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0)
		return -1;
	raw_on = 1;
	atexit(restore);
	(void)!write(STDOUT_FILENO, in, sizeof(in) - 1);
	return 0;
}

struct watch {
	const struct options *o;
	struct options shown; /* as o, with colour on a terminal */
	struct intern in;     /* of the snapshots as fetched */
	struct gsnap_encoder enc;
	struct buf image; /* a .gsnap file: header, then the window */
	size_t *off;	  /* where each record of the window starts */
	size_t nrec, offcap;
	size_t window;
	unsigned long long taken, moments;
	char last_error[600];
	struct buf rec;
	struct error err;
};

/* Each snapshot fetched: into the window (and --save). */
static int
take(void *ctx, struct snapshot *s)
{
	struct watch *w = ctx;

	w->rec.len = 0;
	gsnap_encode(&w->enc, s, &w->rec);
	if (w->o->save) {
		struct gsnapfile_span span = { w->rec.p, w->rec.len };

		error_clear(&w->err);
		if (gsnapfile_append(w->o->save, &span, 1, &w->err) < 0) {
			diag_error(&w->err);
			return -1;
		}
	}
	w->off = xgrow(w->off, sizeof(*w->off), w->nrec + 1, &w->offcap);
	w->off[w->nrec++] = w->image.len;
	buf_put(&w->image, w->rec.p, w->rec.len);
	w->taken++;
	return 0;
}

static void
missed(void *ctx, const char *path, const char *why)
{
	struct watch *w = ctx;

	snprintf(w->last_error, sizeof(w->last_error), "%s: %s", path, why);
}

/* Keep the last window records: drop the oldest. */
static void
trim(struct watch *w)
{
	size_t drop, cut, k;

	if (w->nrec <= w->window)
		return;
	drop = w->nrec - w->window;
	cut = w->off[drop] - GSNAP_HEADER_SIZE;
	memmove(w->image.p + GSNAP_HEADER_SIZE, w->image.p + w->off[drop],
		w->image.len - w->off[drop]);
	w->image.len -= cut;
	for (k = drop; k < w->nrec; k++)
		w->off[k - drop] = w->off[k] - cut;
	w->nrec -= drop;
}

static int
add(struct snapshot *s, void *ctx)
{
	return series_add(ctx, s);
}

/* The window judged as trend judges it, its report into *text. */
static int
judge(struct watch *w, char **text, size_t *len)
{
	struct intern in;
	struct filter filter;
	struct series s;
	struct read_opts ro;
	struct error err;
	FILE *fp = NULL;
	size_t suspects = 0;
	int ret = -1;

	*text = NULL;
	*len = 0;
	intern_init(&in);
	error_clear(&err);
	if (filter_init(&filter, &in, &w->o->filter, &err) < 0) {
		intern_release(&in);
		return -1;
	}
	series_init(&s, &in, &w->o->key,
		    filter_is_empty(&filter) ? NULL : &filter,
		    options_threads(), SERIES_BY_INSTANCE);
	memset(&ro, 0, sizeof(ro));
	ro.threads = options_threads();
	if (gsnap_read(&in, w->image.p, w->image.len, &ro, add, &s, &err) < 0)
		goto out;
	series_finish(&s);
	fp = open_memstream(text, len);
	if (fp == NULL)
		goto out;
	ret = analyze_write(VIEW_TREND, &w->shown, &s,
			    !filter_is_empty(&filter), NULL, 0, fp, &suspects,
			    &err);
	if (fclose(fp) != 0)
		ret = -1;
out:
	series_release(&s);
	filter_release(&filter);
	intern_release(&in);
	return ret;
}

/* Columns and rows of the terminal. */
static void
screen_size(int *cols, int *rows)
{
	struct winsize ws;

	*cols = 100;
	*rows = 30;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

/* Write line[0..n) cut at cols visible columns: escape sequences count
 * for none, a UTF-8 sequence for one. */
static void
put_line(struct buf *b, const char *line, size_t n, int cols)
{
	size_t i = 0;
	int w = 0;

	while (i < n) {
		unsigned char c = (unsigned char)line[i];
		size_t k = 1;

		if (c == 0x1b) {
			while (i + k < n &&
			       !((line[i + k] >= 'A' && line[i + k] <= 'Z') ||
				 (line[i + k] >= 'a' && line[i + k] <= 'z')))
				k++;
			k++;
			if (i + k > n)
				k = n - i;
			buf_put(b, line + i, k);
			i += k;
			continue;
		}
		if (w == cols)
			break;
		while (i + k < n && ((unsigned char)line[i + k] & 0xc0) == 0x80)
			k++;
		buf_put(b, line + i, k);
		i += k;
		w++;
	}
	buf_put(b, "\033[0m\033[K\n", 8);
}

/* The screen: a status line, then as much of the report as fits. */
static void
draw(const struct watch *w, const char *text, size_t len, long long next_ns)
{
	struct buf b;
	char head[400], when[32], iv[32];
	int cols, rows, row = 1;
	const char *p = text, *e = text + len;

	screen_size(&cols, &rows);
	buf_init(&b);
	buf_put(&b, "\033[H", 3);
	trace_format_duration(next_ns > 0 ? next_ns : 0, when, sizeof(when));
	trace_format_duration(w->o->interval_ns ? w->o->interval_ns
						: WATCH_DEFAULT_INTERVAL_NS,
			      iv, sizeof(iv));
	snprintf(head, sizeof(head),
		 "\033[7mgoroscope watch: %d URL%s every %s, %zu snapshot%s; "
		 "next in %s; q quits\033[0m",
		 w->o->noperands, w->o->noperands == 1 ? "" : "s", iv, w->nrec,
		 w->nrec == 1 ? "" : "s", when);
	put_line(&b, head, strlen(head), cols);
	if (w->last_error[0] && row < rows - 1) {
		char line[700];

		snprintf(line, sizeof(line), "last failed: %s", w->last_error);
		put_line(&b, line, strlen(line), cols);
		row++;
	}
	while (p < e && row < rows - 1) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = (size_t)((nl ? nl : e) - p);

		put_line(&b, p, n, cols);
		row++;
		p = nl ? nl + 1 : e;
	}
	buf_put(&b, "\033[J", 3);
	(void)!write(STDOUT_FILENO, b.p, b.len);
	buf_release(&b);
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait until at, redrawing on a resize; 1 when q was pressed. */
static int
wait_keys(struct watch *w, int64_t at, const char *text, size_t len, int tty)
{
	for (;;) {
		int64_t left = at - mono_ns();
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		int ms, r;
		char c;

		if (left <= 0 || stopping)
			return 0;
		if (!tty) {
			struct timespec ts = { (time_t)(left / 1000000000),
					       (long)(left % 1000000000) };

			(void)nanosleep(&ts, NULL);
			continue;
		}
		ms = left > 1000000000 ? 1000 : (int)(left / 1000000) + 1;
		if (resized) {
			resized = 0;
			draw(w, text, len, left);
		}
		r = poll(&pfd, 1, ms);
		if (r > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q'))
			return 1;
		draw(w, text, len, at - mono_ns());
	}
}

static int
check_operands(const struct command *cmd, const struct options *o)
{
	int i;

	for (i = 0; i < o->noperands; i++)
		if (!fetch_is_url(o->operands[i]))
			return options_usage_error(
				cmd,
				"'%s' is not an http:// or https:// URL (to "
				"follow files, use trend)",
				o->operands[i]);
	return 0;
}

int
cmd_watch(int argc, char **argv)
{
	const struct command *cmd = command_find("watch");
	struct options o;
	struct watch w;
	struct load_opts lo;
	struct load_sink sink;
	struct sigaction sa;
	char *text = NULL;
	size_t len = 0;
	long long interval;
	int64_t start;
	int tty, quit = 0, status = EXIT_OK;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	if (check_operands(cmd, &o) != 0)
		return EXIT_USAGE;
	interval = o.interval_ns ? o.interval_ns : WATCH_DEFAULT_INTERVAL_NS;
	memset(&w, 0, sizeof(w));
	w.o = &o;
	w.window = WATCH_WINDOW * (size_t)o.noperands;
	intern_init(&w.in);
	gsnap_encoder_init(&w.enc, &w.in);
	buf_init(&w.image);
	buf_init(&w.rec);
	gsnap_put_header(&w.image);
	load_opts_init(&lo, &o);
	lo.progress = 0;
	lo.strict = 0;
	lo.missing_ok = 1;
	lo.as_given = 1;
	sink.ctx = &w;
	sink.snapshot = take;
	sink.skipped = missed;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) &&
	      enter_screen() == 0;
	/* The report is made in memory: say whether the screen takes
	 * colour (NO_COLOR, TERM=dumb). */
	w.shown = o;
	w.shown.color = tty && options_use_color(&o, stdout) ? COLOR_ALWAYS
							     : COLOR_NEVER;
	start = mono_ns();
	while (!stopping && !quit &&
	       (!o.has_count || w.moments < (unsigned long long)o.count)) {
		int64_t next = start + (int64_t)(w.moments + 1) * interval;

		w.last_error[0] = '\0';
		if (load_sources(&w.in, o.operands, o.noperands, &lo, &sink) <
		    0) {
			status = EXIT_INPUT; /* --save cannot be written */
			break;
		}
		w.moments++;
		trim(&w);
		free(text);
		text = NULL;
		len = 0;
		if (w.nrec > 0 && judge(&w, &text, &len) < 0) {
			status = EXIT_INPUT;
			break;
		}
		if (tty) {
			draw(&w, text ? text : "", len, next - mono_ns());
		} else {
			if (w.moments > 1)
				fputc('\n', stdout);
			if (text)
				fwrite(text, 1, len, stdout);
			else
				printf("goroscope watch: no snapshot yet: %s\n",
				       w.last_error);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				status = EXIT_INPUT;
				break;
			}
		}
		if (o.has_count && w.moments >= (unsigned long long)o.count)
			break;
		quit = wait_keys(&w, next, text ? text : "", len, tty);
	}
	restore();
	free(text);
	free(w.off);
	buf_release(&w.image);
	buf_release(&w.rec);
	gsnap_encoder_release(&w.enc);
	intern_release(&w.in);
	return status;
}
