/*
 * `convert --to json`: every goroutine record of every snapshot, streamed
 * one record per line, so that memory stays flat and a .gsnap series can be
 * inspected (and compared) with ordinary tools.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json_records.h"
#include "formats/jsonutil.h"
#include "lib/error.h"
#include "lib/intern.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ G_LEAKED, "leaked" },
	{ G_DURABLE, "durable" },
	{ G_LOCKED, "locked_to_thread" },
	{ G_SCAN, "scan" },
	{ G_ELIDED, "elided_frames" },
	{ G_UNAVAILABLE, "stack_unavailable" },
	{ G_TRUNCATED, "truncated" },
	{ G_STATE_INFERRED, "state_inferred" },
};

static json_t *
jid(const struct intern *in, strid id)
{
	return json_bytes(intern_str(in, id), strtab_len(&in->strings, id));
}

static json_t *
jframe(const struct intern *in, frameid id)
{
	const struct frame *f = intern_frame_get(in, id);
	json_t *o = json_object();

	json_object_set_new(o, "func", jid(in, f->func));
	json_object_set_new(o, "file", jid(in, f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	return o;
}

static json_t *
jrecord(const struct intern *in, const struct goroutine *g)
{
	json_t *o = json_object(), *a = json_array();
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);

	json_object_set_new(o, "id",
			    (g->flags & G_HAS_ID)
				    ? json_integer((json_int_t)g->id)
				    : json_null());
	json_object_set_new(o, "state", jid(in, g->state));
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (g->flags & flag_names[i].flag)
			json_array_append_new(a,
					      json_string(flag_names[i].name));
	json_object_set_new(o, "flags", a);
	json_object_set_new(o, "wait_minutes",
			    (g->flags & G_HAS_WAIT)
				    ? json_integer(g->wait_minutes)
				    : json_null());
	json_object_set_new(o, "weight", json_integer(g->weight));
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, jframe(in, v[i]));
	json_object_set_new(o, "stack", a);
	json_object_set_new(o, "created_by",
			    g->creator ? jframe(in, g->creator) : json_null());
	json_object_set_new(o, "creator_goroutine",
			    (g->flags & G_HAS_CREATOR_ID)
				    ? json_integer((json_int_t)g->creator_id)
				    : json_null());
	json_object_set_new(o, "labels", json_labelset(in, g->labels));
	json_object_set_new(o, "bubble", json_integer(g->bubble));
	return o;
}

/* Print j compactly after prefix, then free it. */
static int
put(FILE *fp, const char *prefix, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	int ret = 0;

	json_decref(j);
	if (s == NULL)
		return -1;
	if (fputs(prefix, fp) == EOF || fputs(s, fp) == EOF)
		ret = -1;
	free(s);
	return ret;
}

void
json_records_begin(FILE *fp)
{
	fprintf(fp, "{\"schema\": 1, \"snapshots\": [");
}

int
json_records_snapshot(FILE *fp, const struct snapshot *s, int first,
		      struct error *err)
{
	const struct intern *in = s->in;
	struct snapshot_meta m;
	json_t *o = NULL, *prov = json_array();
	size_t i;

	snapshot_meta(s, &m);
	o = json_input(in, &m);
	json_object_set_new(o, "declared_total",
			    s->declared_total >= 0
				    ? json_integer(s->declared_total)
				    : json_null());
	if (s->provides & HAS_STATE)
		json_array_append_new(prov, json_string("state"));
	if (s->provides & HAS_WAIT)
		json_array_append_new(prov, json_string("wait"));
	if (s->provides & HAS_CREATOR)
		json_array_append_new(prov, json_string("creator"));
	if (s->provides & HAS_IDS)
		json_array_append_new(prov, json_string("ids"));
	json_object_set_new(o, "provides", prov);
	json_object_set_new(o, "records", json_integer((json_int_t)s->n));
	/* The snapshot object without its closing brace, then the records
	 * one per line. */
	{
		char *head = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		size_t len = head ? strlen(head) : 0;
		int ret = 0;

		json_decref(o);
		if (head == NULL)
			return error_set(err, "out of memory");
		head[len - 1] = '\0';
		ret = fprintf(fp, "%s\n%s, \"goroutine_records\": [",
			      first ? "" : ",", head) < 0;
		free(head);
		if (ret)
			return error_set(err, "write error");
	}
	for (i = 0; i < s->n; i++)
		if (put(fp, i ? ",\n" : "\n", jrecord(in, &s->g[i])) < 0)
			return error_set(err, "write error");
	if (fputs("]}", fp) == EOF)
		return error_set(err, "write error");
	return 0;
}

int
json_records_end(FILE *fp, struct error *err)
{
	if (fputs("\n]}\n", fp) == EOF)
		return error_set(err, "write error");
	return 0;
}
