/*
 * goroscope convert: captures into a .gsnap series (new, appended to, or
 * merged), into JSON records, or one snapshot into a pprof profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/diag.h"
#include "cmd/gsnapfile.h"
#include "cmd/load.h"
#include "cmd/options.h"
#include "cmd/output.h"
#include "cmd/progress.h"
#include "formats/format.h"
#include "formats/gsnap.h"
#include "formats/json_records.h"
#include "formats/pprof.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* A usage error (printed) as -1. */
static int
usage(const struct command *cmd, const char *msg)
{
	options_usage_error(cmd, "%s", msg);
	return -1;
}

static int
pick_target(const struct command *cmd, const struct options *o,
	    enum out_format *t)
{
	const char *out = o->output;
	const struct out_format_def *f = NULL;
	char names[64];

	if (o->to != NULL) {
		f = out_format_find(cmd, o->to);
		if (f == NULL) {
			out_format_list(cmd, names, sizeof(names));
			options_usage_error(cmd, "--to: expected %s, got '%s'",
					    names, o->to);
			return -1;
		}
	} else if (out != NULL) {
		f = out_format_for_file(cmd, out);
	}
	if (f == NULL)
		return usage(cmd, "give --to gsnap, json or pprof "
				  "(or an OUT ending in .gsnap, "
				  ".json or .pb.gz)");
	*t = f->id;
	if (o->append && *t != OUT_GSNAP)
		return usage(cmd, "--append adds to a .gsnap "
				  "series: it needs --to gsnap");
	if (o->append && (out == NULL || strcmp(out, "-") == 0))
		return usage(cmd, "--append needs -o FILE");
	if (*t != OUT_JSON && (out == NULL || strcmp(out, "-") == 0) &&
	    isatty(STDOUT_FILENO))
		return usage(cmd, "the output is binary: give "
				  "-o FILE (or -o - to write "
				  "to a pipe)");
	return 0;
}

/* One snapshot of the series to write, as an encoded record. */
struct entry {
	int64_t time_ns;
	size_t off, len; /* in the records buffer */
};

struct job {
	const struct command *cmd;
	const struct options *o;
	enum out_format target;
	struct intern in;
	seqid user_meta;
	strid meta_instance; /* the instance --meta names, or 0 */
	strid only;	     /* --instance, when has_only */
	int has_only;
	/* gsnap: every record, encoded or copied */
	struct gsnap_encoder enc;
	struct buf recs;
	struct entry *v;
	size_t n, cap;
	int copied_meta; /* a .gsnap input kept its own metadata */
	int usage;	 /* the error was a usage error, printed */
	int printed;	 /* the error was printed (reading) */
	/* json */
	FILE *fp;
	size_t nsnap;
	/* pprof: the latest snapshot */
	struct snapshot last;
	unsigned seen;
	struct error err;
};

/* Whether a is later than b: by capture time, then by place. */
static int
later(const struct snapshot *a, const struct snapshot *b)
{
	if (a->time_ns != 0 && b->time_ns != 0 && a->time_ns != b->time_ns)
		return a->time_ns > b->time_ns;
	if (a->input != b->input)
		return a->input > b->input;
	return a->pos > b->pos;
}

/* Each snapshot read: into the output. */
static int
take(void *ctx, struct snapshot *s)
{
	struct job *j = ctx;

	if (j->has_only && s->instance != j->only)
		return 0;
	if (s->record != NULL && j->target == OUT_GSNAP) {
		/* A .gsnap record: copied as it is, metadata and all. */
		if (j->user_meta)
			j->copied_meta = 1;
		j->v = xgrow(j->v, sizeof(*j->v), j->n + 1, &j->cap);
		j->v[j->n].time_ns = s->time_ns;
		j->v[j->n].off = j->recs.len;
		j->v[j->n].len = s->record_len;
		buf_put(&j->recs, s->record, s->record_len);
		j->n++;
		return 0;
	}
	if (s->record == NULL && j->user_meta && s->user_meta == 0) {
		s->user_meta = j->user_meta;
		if (s->instance == 0)
			s->instance = j->meta_instance;
	}
	if (j->target == OUT_PPROF) {
		if (j->seen++ == 0 || later(s, &j->last))
			snapshot_take(&j->last, s);
		return 0;
	}
	if (j->target == OUT_JSON)
		return json_records_snapshot(j->fp, s, j->nsnap++ == 0,
					     &j->err) < 0
			       ? (diag_error(&j->err), -1)
			       : 0;
	j->v = xgrow(j->v, sizeof(*j->v), j->n + 1, &j->cap);
	j->v[j->n].time_ns = s->time_ns;
	j->v[j->n].off = j->recs.len;
	gsnap_encode(&j->enc, s, &j->recs);
	j->v[j->n].len = j->recs.len - j->v[j->n].off;
	j->n++;
	return 0;
}

static int
load_all(struct job *j, int latest_only)
{
	struct load_opts lo;
	struct load_sink sink = { j, take, NULL };

	load_opts_init(&lo, j->o);
	/* A trace: sampled as trend samples it, into a series; --at picks
	 * one moment; a pprof profile holds one snapshot: the end. */
	lo.read.sampling = j->o->has_at		    ? SAMPLE_AT
			   : j->target == OUT_PPROF ? SAMPLE_END
			   : j->o->every_ns > 0	    ? SAMPLE_EVERY
						    : SAMPLE_EVENLY;
	lo.read.at = j->o->at_ns;
	lo.read.every = j->o->every_ns;
	lo.read.count = j->o->every_points;
	lo.read.latest_only = latest_only;
	lo.read.file_order = 1; /* written as they come */
	if (latest_only)
		lo.single = "convert --to pprof";
	if (load_sources(&j->in, j->o->operands, j->o->noperands, &lo, &sink) <
	    0) {
		j->printed = 1;
		return -1;
	}
	return 0;
}

static int
time_cmp(const void *a, const void *b, void *ctx)
{
	const struct entry *x = a, *y = b;

	(void)ctx;
	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

/* Capture-time order when every snapshot has a time, else as given. */
static void
order_entries(struct job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->v[i].time_ns == 0)
			return;
	sort_stable(j->v, j->n, sizeof(*j->v), time_cmp, NULL);
}

static const unsigned char *
entry_bytes(const struct job *j, const struct entry *e)
{
	return j->recs.p + e->off;
}

static int
write_series(struct job *j)
{
	struct output out;
	struct buf head;
	size_t i;
	int ret = 0;

	if (j->o->append) {
		struct gsnapfile_span *v = xcalloc(j->n ? j->n : 1, sizeof(*v));

		for (i = 0; i < j->n; i++) {
			v[i].p = entry_bytes(j, &j->v[i]);
			v[i].len = j->v[i].len;
		}
		ret = gsnapfile_append(j->o->output, v, j->n, &j->err);
		free(v);
		return ret;
	}
	if (output_open(&out, j->o->output, &j->err) < 0)
		return -1;
	buf_init(&head);
	gsnap_put_header(&head);
	if (fwrite(head.p, 1, head.len, out.fp) != head.len)
		ret = -1;
	buf_release(&head);
	for (i = 0; i < j->n && ret == 0; i++)
		if (fwrite(entry_bytes(j, &j->v[i]), 1, j->v[i].len, out.fp) !=
		    j->v[i].len)
			ret = -1;
	if (ret < 0) {
		error_set(&j->err, "cannot write: %s", strerror(errno));
		error_set_file(&j->err, j->o->output ? j->o->output : "-");
		output_abort(&out);
		return -1;
	}
	return output_commit(&out, &j->err);
}

static int
write_pprof(struct job *j)
{
	struct output out;
	struct snapshot *snap = &j->last;

	if (load_all(j, !j->has_only) < 0)
		return -1;
	if (j->seen == 0) {
		fprintf(stderr, "goroscope: %s: no snapshot of instance '%s'\n",
			j->o->operands[0], j->o->instance);
		return -1;
	}
	if (j->o->has_at && snap->offset_ns < 0) {
		options_usage_error(j->cmd,
				    "--at: '%s' is not an execution trace",
				    j->o->operands[0]);
		j->usage = 1;
		return -1;
	}
	if (j->seen > 1 || snap->held > 1)
		fprintf(stderr,
			"goroscope: %s: warning: holds %u snapshots: writing "
			"the latest (a pprof profile holds one)\n",
			j->o->operands[0],
			snap->held > j->seen ? snap->held : j->seen);
	if (output_open(&out, j->o->output, &j->err) < 0)
		return -1;
	if (pprof_write(out.fp, snap, &j->err) < 0) {
		error_set_file(&j->err, j->o->output ? j->o->output : "-");
		output_abort(&out);
		return -1;
	}
	return output_commit(&out, &j->err);
}

static int
write_json(struct job *j)
{
	struct output out;

	if (output_open(&out, j->o->output, &j->err) < 0)
		return -1;
	j->fp = out.fp;
	json_records_begin(out.fp);
	if (load_all(j, 0) < 0 || json_records_end(out.fp, &j->err) < 0) {
		output_abort(&out);
		return -1;
	}
	return output_commit(&out, &j->err);
}

int
cmd_convert(int argc, char **argv)
{
	const struct command *cmd = command_find("convert");
	struct options o;
	struct job j;
	int ret = -1;

	if (options_parse(&o, cmd, argc, argv) < 0)
		return EXIT_USAGE;
	if (o.help) {
		options_help(stdout, cmd);
		return EXIT_OK;
	}
	memset(&j, 0, sizeof(j));
	j.cmd = cmd;
	j.o = &o;
	if (pick_target(cmd, &o, &j.target) < 0)
		return EXIT_USAGE;
	if (j.target == OUT_PPROF && o.noperands > 1)
		return options_usage_error(cmd, "a pprof profile holds one "
						"snapshot: give one input (for "
						"a series, use --to gsnap)");
	if (j.target == OUT_PPROF && o.has_every)
		return options_usage_error(cmd, "a pprof profile holds one "
						"snapshot: --every needs --to "
						"gsnap or json (--at picks one "
						"moment)");
	if (o.has_at && o.has_every)
		return options_usage_error(cmd, "--at reads one moment of a "
						"trace, --every samples it: "
						"give one of them");
	error_clear(&j.err);
	intern_init(&j.in);
	snapshot_init(&j.last, &j.in);
	j.user_meta = options_meta(&j.in, &o);
	j.meta_instance = snapshot_instance_of(&j.in, j.user_meta);
	if (o.instance) {
		j.only = strtab_intern_cstr(&j.in.strings, o.instance);
		j.has_only = 1;
	}
	gsnap_encoder_init(&j.enc, &j.in);
	buf_init(&j.recs);
	if (j.target == OUT_PPROF) {
		ret = write_pprof(&j);
	} else if (j.target == OUT_JSON) {
		ret = write_json(&j);
	} else if (load_all(&j, 0) == 0) {
		if (j.copied_meta)
			fprintf(stderr,
				"goroscope: convert: note: --meta applies to "
				"the captures read now; snapshots copied from "
				".gsnap inputs keep their own\n");
		order_entries(&j);
		ret = write_series(&j);
	}
	if (ret < 0 && !j.usage && !j.printed)
		diag_error(&j.err);
	snapshot_release(&j.last);
	free(j.v);
	buf_release(&j.recs);
	gsnap_encoder_release(&j.enc);
	intern_release(&j.in);
	return ret == 0 ? EXIT_OK : j.usage ? EXIT_USAGE : EXIT_INPUT;
}
