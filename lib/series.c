/* Series per instance, from the snapshots of a read. */
#include <stdlib.h>
#include <string.h>

#include "lib/series.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
series_init(struct series *s, struct intern *in, const struct group_key *key,
	    struct filter *f, unsigned threads, enum series_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	s->key = *key;
	s->f = f;
	s->threads = threads;
	s->mode = mode;
}

void
series_release(struct series *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		grouping_release(&s->v[i].gr);
		free(s->v[i].meta);
		free(s->v[i].times);
	}
	free(s->v);
	free(s->skipped);
	memset(s, 0, sizeof(*s));
}

void
series_select(struct series *s, const char *name)
{
	s->only = strtab_intern_cstr(&s->in->strings, name);
	s->has_only = 1;
}

/* The instance called name, made when it is new. */
static struct series_inst *
instance(struct series *s, strid name)
{
	struct series_inst *si = NULL;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].name == name)
			return &s->v[i];
	s->v = xgrow(s->v, sizeof(*s->v), s->n + 1, &s->cap);
	si = &s->v[s->n++];
	memset(si, 0, sizeof(*si));
	si->name = name;
	grouping_init(&si->gr, s->in, &s->key, 1);
	si->gr.threads = s->threads;
	si->gr.nsnap = 0;
	/* diff compares its two snapshots as given. */
	si->gr.by_place = s->mode == SERIES_AS_GIVEN;
	return si;
}

int
series_add(struct series *s, const struct snapshot *snap)
{
	strid name = s->mode == SERIES_AS_GIVEN ? 0 : snap->instance;
	struct series_inst *si = NULL;
	unsigned idx;

	if (s->has_only && snap->instance != s->only) {
		s->other++;
		return 0;
	}
	si = instance(s, name);
	idx = si->gr.nsnap;
	if (snap->input + 1 != si->last_input) {
		/* An input's first: room for as many as it holds. */
		si->last_input = snap->input + 1;
		if (snap->held > 1)
			grouping_reserve(&si->gr, idx + snap->held);
	}
	if (snap->time_ns != 0) {
		si->timed++;
		if (!si->gr.by_place && snap->time_ns < si->latest_time)
			si->time_disorder = 1;
		if (snap->time_ns > si->latest_time)
			si->latest_time = snap->time_ns;
	} else {
		/* Not every snapshot has a time: the series goes by place,
		 * and so does each group's description from now on. */
		si->gr.by_place = 1;
	}
	si->meta = xgrow(si->meta, sizeof(*si->meta), idx + 1, &si->metacap);
	snapshot_meta(snap, &si->meta[idx]);
	grouping_add(&si->gr, snap, idx, s->f);
	s->nsnap++;
	return 0;
}

void
series_skip(struct series *s, const char *path, const char *why)
{
	struct series_skip *k = NULL;
	size_t n = strlen(why);

	s->skipped = xgrow(s->skipped, sizeof(*s->skipped), s->nskipped + 1,
			   &s->skipcap);
	k = &s->skipped[s->nskipped++];
	k->path = strtab_intern_cstr(&s->in->strings, path);
	if (n >= sizeof(k->why))
		n = sizeof(k->why) - 1;
	memcpy(k->why, why, n);
	k->why[n] = '\0';
}

static int
place_cmp(const struct snapshot_meta *a, const struct snapshot_meta *b)
{
	if (a->input != b->input)
		return a->input < b->input ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int
by_place(const void *pa, const void *pb, void *ctx)
{
	const struct snapshot_meta *m = ctx;

	return place_cmp(&m[*(const unsigned *)pa], &m[*(const unsigned *)pb]);
}

static int
by_time(const void *pa, const void *pb, void *ctx)
{
	const struct snapshot_meta *m = ctx;
	const struct snapshot_meta *a = &m[*(const unsigned *)pa];
	const struct snapshot_meta *b = &m[*(const unsigned *)pb];

	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns ? -1 : 1;
	return place_cmp(a, b);
}

/* Order one instance's snapshots (stable) and its grouping with them. */
static void
order(struct series_inst *si, enum series_mode s_mode)
{
	unsigned n = si->gr.nsnap, *perm = NULL, k;
	struct snapshot_meta *meta = NULL;

	si->by_time = si->timed == n && !si->gr.by_place;
	si->mixed = si->timed > 0 && si->timed < n;
	perm = xreallocarray(NULL, n ? n : 1, sizeof(*perm));
	for (k = 0; k < n; k++)
		perm[k] = k;
	sort_stable(perm, n, sizeof(*perm), si->by_time ? by_time : by_place,
		    si->meta);
	for (k = 0; k < n && perm[k] == k; k++)
		;
	if (k < n) /* not already in order */
		grouping_permute(&si->gr, perm);
	meta = xreallocarray(NULL, n ? n : 1, sizeof(*meta));
	for (k = 0; k < n; k++)
		meta[k] = si->meta[perm[k]];
	free(si->meta);
	si->meta = meta;
	si->metacap = n;
	if (s_mode == SERIES_AS_GIVEN && si->timed == n) {
		/* As given; and by time too when the times agree, so that
		 * rates are per hour of capture time. */
		si->by_time = 1;
		for (k = 1; k < n; k++)
			if (meta[k].time_ns < meta[k - 1].time_ns)
				si->by_time = 0;
	}
	if (si->by_time) {
		si->times = xreallocarray(NULL, n ? n : 1, sizeof(*si->times));
		for (k = 0; k < n; k++)
			si->times[k] = meta[k].time_ns;
	}
	free(perm);
}

static int
name_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct series_inst *a = pa, *b = pb;
	const struct intern *in = ctx;

	if (a->name == b->name)
		return 0;
	if (a->name == 0 || b->name == 0)
		return a->name == 0 ? -1 : 1;
	return sort_natural_cmp(intern_str(in, a->name),
				intern_str(in, b->name));
}

void
series_finish(struct series *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		order(&s->v[i], s->mode);
		grouping_finish(&s->v[i].gr);
	}
	sort_stable(s->v, s->n, sizeof(*s->v), name_cmp, s->in);
}

const char *
series_order_name(const struct series *s, const struct series_inst *si)
{
	if (s->mode == SERIES_AS_GIVEN)
		return "as given";
	return si->by_time ? "capture time" : "file names";
}

struct series_inst *
series_find(struct series *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(intern_str(s->in, s->v[i].name), name) == 0)
			return &s->v[i];
	return NULL;
}
