/* Snapshots: arrays of goroutine records over shared tables. */
#include <stdlib.h>
#include <string.h>

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
	free(s->g);
	memset(s, 0, sizeof(*s));
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
		t += s->g[i].weight;
	return t;
}

void
snapshot_meta(const struct snapshot *s, struct snapshot_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->source = s->source;
	m->format = s->format;
	m->go_version = s->go_version;
	m->container = s->container;
	m->user_meta = s->user_meta;
	m->kind = s->kind;
	m->provides = s->provides;
	m->time_ns = s->time_ns;
	m->offset_ns = s->offset_ns;
	m->total = snapshot_total(s);
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
