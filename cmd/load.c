/* Reading the sources of a command, as the user named them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/diag.h"
#include "cmd/load.h"
#include "cmd/options.h"
#include "cmd/progress.h"
#include "formats/source.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

struct loading {
	const struct load_sink *k;
	struct progress bar;
};

static int
got(void *ctx, struct snapshot *s)
{
	struct loading *l = ctx;

	if (s->skipped.count || s->warning[0])
		progress_done(&l->bar);
	diag_warnings(s);
	return l->k->snapshot(l->k->ctx, s);
}

/* Many inputs: the bar counts them; one: its reader reports bytes. */
static void
begin(void *ctx, const struct source_input *src, size_t k, size_t n)
{
	struct loading *l = ctx;

	progress_what(&l->bar, src->path);
	if (n > 1)
		progress_update(&l->bar, k, n);
}

static void
skipped(void *ctx, const struct source_input *src, const struct error *err,
	int not_capture)
{
	struct loading *l = ctx;
	struct error why = *err;
	char msg[1200];

	/* "line 12: ...", "offset 0x1f: ...": the file is said first. */
	why.file[0] = '\0';
	error_format(&why, msg, sizeof(msg));
	progress_done(&l->bar);
	fprintf(stderr, "goroscope: %s: warning: skipped: %s\n", src->path,
		msg);
	/* Damaged captures are listed in the report; other files that
	 * share a directory with captures only warned about. */
	if (l->k->skipped && !not_capture)
		l->k->skipped(l->k->ctx, src->path, msg);
}

void
load_opts_init(struct load_opts *lo, const struct options *o)
{
	memset(lo, 0, sizeof(*lo));
	lo->read.threads = options_threads();
	lo->read.timeout_ms = (long)(o->timeout_ns / 1000000);
	lo->read.headers = o->headers;
	lo->read.nheaders = o->nheaders;
	lo->progress = o->progress;
	lo->strict = o->strict;
}

int
load_sources(struct intern *in, char **operands, int noperands,
	     const struct load_opts *o, const struct load_sink *k)
{
	static char *stdin_only[] = { (char *)"-" };
	struct source_list list;
	struct source_events ev;
	struct loading l;
	struct read_opts ro = o->read;
	struct error err;
	int i, ret = 0;

	if (noperands == 0) {
		operands = stdin_only;
		noperands = 1;
	}
	memset(&l, 0, sizeof(l));
	l.k = k;
	progress_init(&l.bar, o->progress);
	source_list_init(&list);
	error_clear(&err);
	for (i = 0; i < noperands && ret == 0; i++)
		ret = source_list_add(&list, operands[i], &err);
	if (ret == 0 && o->single && list.n > 1) {
		error_set(&err,
			  "is a directory of %zu files: %s reads one "
			  "capture (trend and report read them all)",
			  list.n, o->single);
		error_set_file(&err, operands[0]);
		ret = -1;
	}
	if (ret == 0 && !o->as_given)
		source_list_sort(&list);
	if (ret == 0) {
		if (list.n == 1) {
			ro.progress = progress_cb;
			ro.progress_ctx = &l.bar;
		} else {
			ro.progress = NULL;
		}
		ev.ctx = &l;
		ev.snapshot = got;
		ev.begin = begin;
		ev.skipped = skipped;
		ret = source_read(in, &list, &ro,
				  o->missing_ok ? SOURCE_KEEP_GOING_ALWAYS
				  : o->strict	? 0
						: SOURCE_KEEP_GOING,
				  &ev, &err);
	}
	progress_done(&l.bar);
	if (ret < 0 && err.text[0])
		diag_error(&err);
	ret = ret < 0 ? -1 : (int)list.n;
	source_list_release(&list);
	return ret;
}
