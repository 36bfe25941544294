/* Snapshots: arrays of goroutine records over shared tables. */
#include <stdlib.h>
#include <string.h>

#include "lib/sat.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
snapshot_init(struct snapshot *s, struct intern *in)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	s->declared_total = -1;
	s->offset_ns = -1;
}

void
snapshot_release(struct snapshot *s)
{
	if (!s->view) {
		free(s->g);
		free(s->mappings);
	}
	memset(s, 0, sizeof(*s));
}

struct snapshot_mapping *
snapshot_add_mapping(struct snapshot *s)
{
	struct snapshot_mapping *m = NULL;

	if (s->nmappings >= SNAPSHOT_MAX_MAPPINGS)
		return NULL;
	s->mappings = xreallocarray(s->mappings, s->nmappings + 1,
				    sizeof(*s->mappings));
	m = &s->mappings[s->nmappings++];
	memset(m, 0, sizeof(*m));
	return m;
}

struct goroutine *
snapshot_add(struct snapshot *s)
{
	struct goroutine *g = NULL;

	s->g = xgrow(s->g, sizeof(*s->g), s->n + 1, &s->cap);
	g = &s->g[s->n++];
	memset(g, 0, sizeof(*g));
	g->weight = 1;
	return g;
}

int64_t
snapshot_total(const struct snapshot *s)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		t = sat_add(t, s->g[i].weight);
	return t;
}

void
snapshot_meta(const struct snapshot *s, struct snapshot_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->source = s->source;
	m->format = s->format;
	m->go_version = s->go_version;
	m->message = s->message;
	m->container = s->container;
	m->user_meta = s->user_meta;
	m->kind = s->kind;
	m->provides = s->provides;
	m->time_ns = s->time_ns;
	m->offset_ns = s->offset_ns;
	m->total = snapshot_total(s);
	m->instance = s->instance;
	m->input = s->input;
	m->pos = s->pos;
	m->thread_stacks = s->thread_stacks;
	m->system_goroutines = s->system_goroutines;
}

void
snapshot_take(struct snapshot *dst, struct snapshot *src)
{
	struct intern *in = dst->in;

	snapshot_release(dst);
	*dst = *src;
	dst->in = in;
	dst->record = NULL; /* the input's, gone after the call */
	dst->record_len = 0;
	if (src->view) {
		dst->g = xreallocarray(NULL, src->n ? src->n : 1,
				       sizeof(*dst->g));
		if (src->n)
			memcpy(dst->g, src->g, src->n * sizeof(*dst->g));
		dst->cap = src->n ? src->n : 1;
		dst->mappings = NULL;
		if (src->nmappings) {
			dst->mappings = xreallocarray(NULL, src->nmappings,
						      sizeof(*dst->mappings));
			memcpy(dst->mappings, src->mappings,
			       src->nmappings * sizeof(*dst->mappings));
		}
		dst->view = 0;
	}
	src->g = NULL;
	src->n = src->cap = 0;
	src->mappings = NULL;
	src->nmappings = 0;
	src->view = 0;
}

void
snapshot_view(struct snapshot *view, const struct snapshot *s, size_t from,
	      size_t to)
{
	*view = *s;
	view->g = s->g + from;
	view->n = to - from;
	view->cap = to - from;
	view->view = 1;
}

strid
snapshot_instance_of(struct intern *in, seqid user_meta)
{
	static const char *const keys[] = { "instance", "pod", "host" };
	uint32_t n = 0, i, k;
	const uint32_t *pairs = NULL;

	if (user_meta == 0)
		return 0;
	pairs = seqtab_items(&in->labelsets, user_meta, &n);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (i = 0; i + 1 < n; i += 2)
			if (strtab_len(&in->strings, pairs[i]) ==
				    strlen(keys[k]) &&
			    memcmp(intern_str(in, pairs[i]), keys[k],
				   strlen(keys[k])) == 0 &&
			    strtab_len(&in->strings, pairs[i + 1]) > 0)
				return pairs[i + 1];
	return 0;
}

void
snapshot_skip_line(struct snapshot *s, uint64_t line, const char *text,
		   size_t len)
{
	size_t i, max = sizeof(s->skipped.first_text) - 1;

	if (s->skipped.count++ > 0)
		return;
	s->skipped.first_line = line;
	if (len > max)
		len = max;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		s->skipped.first_text[i] =
			(c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	s->skipped.first_text[len] = '\0';
}

void
snapshot_import(struct snapshot *dst, const struct snapshot *src,
		const struct intern_remap *map)
{
	size_t i;

	dst->g = xgrow(dst->g, sizeof(*dst->g), dst->n + src->n, &dst->cap);
	for (i = 0; i < src->n; i++) {
		struct goroutine *g = &dst->g[dst->n++];

		*g = src->g[i];
		g->stack = map->stack[g->stack];
		g->state = map->str[g->state];
		g->creator = map->frame[g->creator];
		g->labels = map->labelset[g->labels];
		g->creation_stack = map->stack[g->creation_stack];
	}
}
