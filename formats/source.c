/* The read path: inputs named, expanded, opened, sniffed and read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/fetch.h"
#include "formats/input.h"
#include "formats/source.h"
#include "formats/trace.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Deepest directory tree walked under one operand. */
#define SOURCE_MAX_DEPTH 64

void
source_list_init(struct source_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
source_list_release(struct source_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct source_input *
push(struct source_list *l, char *path, int from_dir)
{
	struct source_input *s = NULL;

	l->v = xgrow(l->v, sizeof(*l->v), l->n + 1, &l->cap);
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->from_dir = from_dir;
	return s;
}

static int
natural_path_cmp(const void *x, const void *y)
{
	const struct source_input *a = x, *b = y;

	return sort_natural_cmp(a->path, b->path);
}

void
source_list_sort(struct source_list *l)
{
	size_t i, j;

	/* Insertion sort keeps equal paths in order, and lists are short
	 * next to the reading of what they name. */
	if (l->n > 64) {
		qsort(l->v, l->n, sizeof(*l->v), natural_path_cmp);
		return;
	}
	for (i = 1; i < l->n; i++) {
		struct source_input t = l->v[i];

		for (j = i; j > 0 && natural_path_cmp(&l->v[j - 1], &t) > 0;
		     j--)
			l->v[j] = l->v[j - 1];
		l->v[j] = t;
	}
}

static int
is_dir(const char *path)
{
	struct stat st;

	return strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Every regular file under dir, recursively, into l (unsorted). */
static int
walk(struct source_list *l, const char *dir, int depth, struct error *err)
{
	DIR *d = NULL;
	struct dirent *e;
	int ret = 0;

	if (depth > SOURCE_MAX_DEPTH)
		return 0;
	d = opendir(dir);
	if (d == NULL) {
		error_set(err, "cannot read the directory: %s",
			  strerror(errno));
		error_set_file(err, dir);
		return -1;
	}
	while (ret == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *p = NULL;

		if (e->d_name[0] == '.')
			continue;
		p = xmalloc(len);
		snprintf(p, len, "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		if (stat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = walk(l, p, depth + 1, err);
			free(p);
		} else if (S_ISREG(st.st_mode)) {
			push(l, p, 1);
		} else {
			free(p);
		}
	}
	closedir(d);
	return ret;
}

/* "FILE@TIME" naming a moment of the trace FILE, when FILE exists and
 * the operand itself does not. */
static int
moment(const char *operand, char **file, int64_t *at)
{
	const char *sep = strrchr(operand, '@');
	struct stat st;
	struct error e;
	char *f = NULL;

	if (sep == NULL || sep == operand || stat(operand, &st) == 0)
		return 0;
	error_clear(&e);
	if (trace_parse_duration(sep + 1, at, &e) < 0)
		return 0;
	f = xmalloc((size_t)(sep - operand) + 1);
	memcpy(f, operand, (size_t)(sep - operand));
	f[sep - operand] = '\0';
	if (stat(f, &st) != 0 || S_ISDIR(st.st_mode)) {
		free(f);
		return 0;
	}
	*file = f;
	return 1;
}

/* "FILE#N", the Nth capture of FILE, when FILE exists and the operand
 * itself does not. */
static int
part_of(const char *operand, char **file, uint32_t *part)
{
	const char *sep = strrchr(operand, '#');
	struct stat st;
	unsigned long n = 0;
	char *f = NULL, *end = NULL;

	if (sep == NULL || sep == operand || sep[1] < '1' || sep[1] > '9' ||
	    stat(operand, &st) == 0)
		return 0;
	n = strtoul(sep + 1, &end, 10);
	if (*end != '\0' || n > UINT32_MAX)
		return 0;
	f = xmalloc((size_t)(sep - operand) + 1);
	memcpy(f, operand, (size_t)(sep - operand));
	f[sep - operand] = '\0';
	if (stat(f, &st) != 0 || S_ISDIR(st.st_mode)) {
		free(f);
		return 0;
	}
	*file = f;
	*part = (uint32_t)n;
	return 1;
}

int
source_list_add(struct source_list *l, const char *operand, struct error *err)
{
	size_t first = l->n;
	char *file = NULL;
	int64_t at = 0;
	uint32_t part = 0;

	if (fetch_is_url(operand)) {
		push(l, xstrdup(operand), 0)->url = 1;
		return 0;
	}
	if (!is_dir(operand)) {
		if (moment(operand, &file, &at)) {
			struct source_input *s = push(l, file, 0);

			s->has_at = 1;
			s->at = at;
			return 0;
		}
		if (part_of(operand, &file, &part)) {
			push(l, file, 0)->part = part;
			return 0;
		}
		push(l, xstrdup(operand), 0);
		return 0;
	}
	if (walk(l, operand, 0, err) < 0)
		return -1;
	if (l->n == first) {
		error_set(err, "no captures in the directory");
		error_set_file(err, operand);
		return -1;
	}
	qsort(l->v + first, l->n - first, sizeof(*l->v), natural_path_cmp);
	return 0;
}

/* Where a reader's snapshots go: named, placed, then to the caller. */
struct naming {
	const struct source_events *ev;
	const struct source_input *src;
	uint32_t index;
	strid path;
	int delivered;
	int stopped;	     /* the caller's sink said stop */
	const char *warning; /* the input's own (a torn gzip member), or "" */
	/* A URL's: its snapshots' instance (0: none) and the moment the
	 * response completed (0: not a URL). */
	strid instance;
	int64_t fetched_ns;
};

static int
name_and_pass(struct snapshot *s, void *ctx)
{
	struct naming *n = ctx;
	struct intern *in = s->in;

	if (n->src->part != 0 && s->pos + 1 != n->src->part)
		return 0; /* FILE#N: another capture of the file */
	if (n->src->part != 0)
		s->held = 0; /* the one asked for: no other to speak of */
	s->input = n->index;
	if (s->source != 0) {
		/* A .gsnap record names the capture it was made from. */
		s->container = n->path;
	} else if (s->parts > 1) {
		char name[600];

		snprintf(name, sizeof(name), "%s#%u", n->src->path, s->pos + 1);
		s->source = strtab_intern_cstr(&in->strings, name);
	} else {
		s->source = n->path;
	}
	if (n->fetched_ns != 0) {
		/* A live service: named by where it runs, captured when the
		 * response came, unless the capture says more. */
		if (s->instance == 0)
			s->instance = n->instance;
		if (s->time_ns == 0)
			s->time_ns = n->fetched_ns;
	}
	if (n->delivered == 0 && n->warning[0] && !s->warning[0])
		snprintf(s->warning, sizeof(s->warning), "%s", n->warning);
	n->delivered++;
	if (n->ev->snapshot(n->ev->ctx, s) != 0) {
		n->stopped = 1;
		return -1;
	}
	return 0;
}

/* A URL's response, fetched before the inputs are read. */
struct fetched {
	char *url; /* as fetched: with the path a bare URL means */
	struct fetch_result r;
	struct error err; /* why not, or empty */
};

/* Fetch every URL of l at once; NULL when there is none. */
static struct fetched *
fetch_urls(const struct source_list *l, const struct read_opts *o)
{
	struct fetched *got = NULL;
	const char **urls = NULL;
	struct fetch_result *r = NULL;
	struct error *errs = NULL;
	struct fetch_opts fo;
	size_t k, n = 0, i = 0;

	for (k = 0; k < l->n; k++)
		n += l->v[k].url;
	if (n == 0)
		return NULL;
	got = xcalloc(l->n, sizeof(*got));
	urls = xcalloc(n, sizeof(*urls));
	r = xcalloc(n, sizeof(*r));
	errs = xcalloc(n, sizeof(*errs));
	for (k = 0; k < l->n; k++)
		if (l->v[k].url) {
			got[k].url = fetch_resolve(l->v[k].path, o->url_path,
						   o->url_query);
			urls[i++] = got[k].url;
		}
	fo.timeout_ms = o->timeout_ms;
	fo.headers = o->headers;
	fo.nheaders = o->nheaders;
	(void)fetch_all(urls, n, &fo, r, errs);
	for (k = 0, i = 0; k < l->n; k++)
		if (l->v[k].url) {
			got[k].r = r[i];
			got[k].err = errs[i];
			i++;
		}
	free(urls);
	free(r);
	free(errs);
	return got;
}

static void
fetched_release(struct fetched *got, size_t n)
{
	size_t k;

	for (k = 0; got != NULL && k < n; k++) {
		free(got[k].url);
		fetch_result_release(&got[k].r);
	}
	free(got);
}

/* A member of a gzip file of several, on its way to name_and_pass(). */
struct member {
	struct naming *nm;
	uint32_t k, n;
};

static int
member_pass(struct snapshot *s, void *ctx)
{
	struct member *m = ctx;

	s->pos = m->k;
	s->parts = m->n;
	s->held = m->n;
	return name_and_pass(s, m->nm);
}

/*
 * A gzip file of several members, each a whole capture of a format that
 * holds one: each member read as its own snapshot, in file order.
 */
static int
read_members(struct intern *in, const struct format *f, const struct input *inp,
	     const struct read_opts *o, struct naming *nm, struct error *err)
{
	struct member m = { nm, 0, (uint32_t)inp->nmembers };
	struct read_opts mo = *o;
	size_t from = 0;
	int ret = 0;

	/* A member's offsets are not the input's: nothing is dropped. */
	mo.drop = NULL;
	mo.drop_behind = NULL;
	mo.drop_ctx = NULL;
	for (m.k = 0; m.k < m.n && ret == 0; m.k++) {
		size_t to = inp->members[m.k];

		ret = f->read(in, inp->data + from, to - from, &mo, member_pass,
			      &m, err);
		if (ret != 0 && !nm->stopped) {
			char pre[64];
			size_t pl = (size_t)snprintf(
				pre, sizeof(pre),
				"gzip member %u of %u: ", m.k + 1, m.n);
			size_t tl = strlen(err->text);

			if (pl + tl >= sizeof(err->text))
				tl = sizeof(err->text) - 1 - pl;
			memmove(err->text + pl, err->text, tl);
			memcpy(err->text, pre, pl);
			err->text[pl + tl] = '\0';
		}
		from = to;
	}
	return ret;
}

/*
 * Read one input. Returns 0, -1 with err set (naming the file), -2 when
 * the caller's sink stopped the read, or -3 when a file found in a
 * directory is no capture at all.
 */
static int
read_input(struct intern *in, const struct source_input *src, uint32_t index,
	   const struct read_opts *o, struct fetched *got,
	   const struct source_events *ev, struct naming *nm, struct error *err)
{
	struct input inp;
	struct read_opts ro = *o;
	const struct format *f = NULL;
	int ret = -1;

	nm->ev = ev;
	nm->src = src;
	nm->index = index;
	nm->path = strtab_intern_cstr(&in->strings, got ? got->url : src->path);
	nm->delivered = 0;
	nm->stopped = 0;
	nm->warning = "";
	nm->instance = 0;
	nm->fetched_ns = 0;
	if (got != NULL) {
		char name[300];

		/* Fetched with the others, before any was read. */
		if (got->err.text[0]) {
			*err = got->err;
			return -1;
		}
		if (o->instance)
			snprintf(name, sizeof(name), "%s", o->instance);
		else
			fetch_authority(got->url, name, sizeof(name));
		nm->instance = strtab_intern_cstr(&in->strings, name);
		nm->fetched_ns = got->r.done_ns;
		if (input_take(&inp, got->r.body, got->r.len, got->url, err) <
		    0) {
			got->r.body = NULL;
			return -1;
		}
		got->r.body = NULL;
	} else if (input_open(&inp, src->path, err) < 0) {
		return -1;
	}
	nm->warning = inp.warning;
	f = input_sniff(inp.data, inp.len, err);
	if (f == NULL) {
		if (src->from_dir)
			ret = -3;
		if (got != NULL && got->r.content_type[0]) {
			/* An error page, a login form: say what it was. */
			size_t l = strlen(err->text);

			snprintf(err->text + l, sizeof(err->text) - l,
				 " (HTTP %ld, %s)", got->r.status,
				 got->r.content_type);
		}
		goto out;
	}
	if (src->has_at) {
		if (f->read != trace_read) {
			error_set(err,
				  "FILE@TIME names a moment of an execution "
				  "trace, and this is a %s",
				  f->description);
			goto out;
		}
		ro.sampling = SAMPLE_AT;
		ro.at = src->at;
	}
	if (src->part != 0)
		ro.latest_only = 0; /* the one asked for, not the latest */
	ro.drop = input_drop;
	ro.drop_behind = input_drop_behind;
	ro.drop_ctx = &inp;
	if (f->one_per_member && (inp.nmembers > 1 || inp.warning[0]))
		ret = read_members(in, f, &inp, &ro, nm, err);
	else
		ret = f->read(in, inp.data, inp.len, &ro, name_and_pass, nm,
			      err);
	if (ret != 0)
		ret = nm->stopped ? -2 : -1;
	if (ret != -2 && input_changed(&inp)) {
		error_clear(err);
		ret = error_set(err, "the file changed (it shrank) while it "
				     "was read: read it again once its "
				     "writer is done");
	} else if (ret == 0 && src->part != 0 && nm->delivered == 0)
		ret = error_set(err, "#%u: the file holds no such snapshot",
				src->part);
out:
	if (ret == -1 || ret == -3)
		error_set_file(err, got ? got->url : src->path);
	input_release(&inp);
	return ret;
}

int
source_read(struct intern *in, const struct source_list *l,
	    const struct read_opts *o, int keep_going,
	    const struct source_events *ev, struct error *err)
{
	struct naming nm;
	struct fetched *got = NULL;
	size_t k;
	int ret = 0;

	got = fetch_urls(l, o);
	for (k = 0; k < l->n; k++) {
		const struct source_input *src = &l->v[k];

		if (ev->begin)
			ev->begin(ev->ctx, src, k, l->n);
		error_clear(err);
		ret = read_input(in, src, (uint32_t)k, o,
				 src->url ? &got[k] : NULL, ev, &nm, err);
		if (ret == -2)
			break;
		if (ret < 0 && ev->skipped &&
		    (keep_going == SOURCE_KEEP_GOING_ALWAYS ||
		     ((keep_going || ret == -3) && l->n > 1))) {
			ev->skipped(ev->ctx, src, err, ret == -3);
			error_clear(err);
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
	}
	fetched_release(got, l->n);
	return ret < 0 ? -1 : 0;
}

static int
keep_last(void *ctx, struct snapshot *s)
{
	snapshot_take(ctx, s);
	return 0;
}

int
source_load(struct snapshot *out, const char *path, const struct read_opts *o,
	    struct error *err)
{
	static const struct read_opts none;
	struct source_list l;
	struct source_events ev = { out, keep_last, NULL, NULL };
	int ret;

	source_list_init(&l);
	ret = source_list_add(&l, path, err);
	if (ret == 0)
		ret = source_read(out->in, &l, o ? o : &none, 0, &ev, err);
	source_list_release(&l);
	return ret;
}
