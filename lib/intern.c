/* Shared interning tables and stack normalisation. */
#include <stdlib.h>
#include <string.h>

#include "lib/intern.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
intern_init(struct intern *in)
{
	memset(in, 0, sizeof(*in));
	strtab_init(&in->strings);
	frames_init(&in->frames);
	seqtab_init(&in->stacks);
	seqtab_init(&in->labelsets);
}

void
intern_release(struct intern *in)
{
	strtab_release(&in->strings);
	frames_release(&in->frames);
	seqtab_release(&in->stacks);
	seqtab_release(&in->labelsets);
	free(in->state_class);
	memset(in, 0, sizeof(*in));
}

size_t
intern_canon_func(const char *func, size_t len, char *out)
{
	size_t i, o = 0;
	int depth = 0;

	for (i = 0; i < len; i++) {
		char c = func[i];

		if (c == '[') {
			if (depth++ == 0) {
				memcpy(out + o, "[...]", 5);
				o += 5;
			}
			continue;
		}
		if (c == ']' && depth > 0) {
			depth--;
			continue;
		}
		if (depth == 0)
			out[o++] = c;
	}
	if (depth > 0) /* unbalanced: keep the name as it was */
		return memcpy(out, func, len), len;
	return o;
}

frameid
intern_frame(struct intern *in, const char *func, size_t funclen,
	     const char *file, size_t filelen, uint32_t line)
{
	strid f, fl;
	const char *br = memchr(func, '[', funclen);

	if (br == NULL && funclen <= STRTAB_MAX_LEN &&
	    filelen <= STRTAB_MAX_LEN)
		/* Kept as given: a frame met before is found by its names'
		 * bytes, without interning them (two hashes of the whole
		 * names and two probes). */
		return intern_frame_bytes(
			in, frames_hash(func, funclen, file, filelen, line),
			func, funclen, file, filelen, line, INTERN_NO_STR,
			INTERN_NO_STR);
	if (br != NULL && funclen <= STRTAB_MAX_LEN) {
		/* "[...]" replaces at least "[]", so +3 per group bounds it. */
		char *tmp = xmalloc(funclen * 2 + 8);
		size_t n = intern_canon_func(func, funclen, tmp);

		f = strtab_intern(&in->strings, tmp, n);
		free(tmp);
	} else {
		f = strtab_intern(&in->strings, func, funclen);
	}
	fl = strtab_intern(&in->strings, file, filelen);
	return frames_intern(&in->frames, &in->strings, f, fl, line);
}

uint32_t
intern_stack_trim(struct intern *in, uint32_t *v, uint32_t n)
{
	const struct frame *fv = in->frames.v;
	uint32_t i, o = 0, lead = 1;

	for (i = 0; i < n; i++) {
		uint32_t fl = fv[v[i]].flags;

		if (fl & FRAME_HIDDEN)
			continue;
		if (lead && (fl & FRAME_LEAF_HIDDEN))
			continue;
		if ((fl & FRAME_WRAPPER) && o > 0)
			continue; /* a wrapper, but for the innermost frame */
		lead = 0;
		v[o++] = v[i];
	}
	if (o == 0 && n > 0) {
		/* Everything would be hidden: keep it all, as the runtime
		 * prints such stacks in full, but still without goexit. */
		for (i = 0; i < n; i++) {
			if (!(fv[v[i]].flags & FRAME_GOEXIT))
				v[o++] = v[i];
		}
	}
	if (o == 0 && n > 0) {
		/* runtime.goexit alone: a goroutine created and not yet run
		 * (see infer_state). It is its one frame, without the file
		 * and line of the assembly stub, which profiles name and
		 * debug=1 never prints, so that every format agrees. */
		v[o++] = intern_frame(in, INTERN_GOEXIT, strlen(INTERN_GOEXIT),
				      "", 0, 0);
	}
	return o;
}

seqid
intern_stack(struct intern *in, uint32_t *v, uint32_t n)
{
	return seqtab_intern(&in->stacks, v, intern_stack_trim(in, v, n));
}

seqid
intern_labels(struct intern *in, uint32_t *p, uint32_t n)
{
	const struct strtab *s = &in->strings;
	uint32_t i, j, o = 0;

	if (n > INTERN_MAX_LABELS)
		n = INTERN_MAX_LABELS;
	/* Stable insertion sort by key (label sets are small), so that of
	 * pairs with one key the last given stays last and wins below. */
	for (i = 1; i < n; i++) {
		uint32_t k = p[2 * i], val = p[2 * i + 1];

		for (j = i; j > 0 && strtab_cmp(s, p[2 * (j - 1)], k) > 0;
		     j--) {
			p[2 * j] = p[2 * (j - 1)];
			p[2 * j + 1] = p[2 * (j - 1) + 1];
		}
		p[2 * j] = k;
		p[2 * j + 1] = val;
	}
	for (i = 0; i < n; i++) {
		if (o > 0 && p[2 * (o - 1)] == p[2 * i]) {
			p[2 * (o - 1) + 1] = p[2 * i + 1];
			continue;
		}
		p[2 * o] = p[2 * i];
		p[2 * o + 1] = p[2 * i + 1];
		o++;
	}
	return seqtab_intern(&in->labelsets, p, 2 * o);
}

enum wait_class
intern_state_class(struct intern *in, strid state)
{
	if (state >= in->state_cap)
		in->state_class = xgrow_zero(in->state_class, 1,
					     (size_t)state + 1, &in->state_cap);
	if (in->state_class[state] == 0)
		in->state_class[state] =
			(unsigned char)(wait_classify(intern_str(in, state),
						      strtab_len(&in->strings,
								 state)) +
					1);
	return (enum wait_class)(in->state_class[state] - 1);
}

frameid
intern_blocking_frame(const struct intern *in, seqid stack)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, stack, &n);

	for (i = 0; i < n; i++)
		if (!(in->frames.v[v[i]].flags & FRAME_MACHINERY))
			return v[i];
	return n ? v[0] : 0;
}

/* How many sequences ahead import_seqs() asks for an index slot. */
#define SEQS_AHEAD 8u

/*
 * The sequences of src into dst, their items through map[]; out[i] is
 * sequence i's id in dst. All are remapped and hashed first, then interned
 * in order, each one's index slot fetched SEQS_AHEAD ahead: a part of a
 * dump of many distinct stacks brings thousands of new ones, and dst's
 * index is far larger than the caches.
 */
static void
import_seqs(struct seqtab *dst, const struct seqtab *src, const uint32_t *map,
	    uint32_t *out)
{
	size_t n = src->n, i, k;
	uint32_t *items = xreallocarray(NULL, src->nitems ? src->nitems : 1,
					sizeof(*items));
	uint64_t *hash = xreallocarray(NULL, n ? n : 1, sizeof(*hash));

	for (k = 0; k < src->nitems; k++)
		items[k] = map[src->items[k]];
	for (i = 0; i < n; i++)
		hash[i] = seqtab_hash(items + src->off[i], src->len[i]);
	seqtab_reserve(dst, n, src->nitems);
	for (i = 0; i < n; i++) {
		if (i + SEQS_AHEAD < n)
			seqtab_prefetch(dst, hash[i + SEQS_AHEAD]);
		out[i] = seqtab_intern_hashed(dst, items + src->off[i],
					      src->len[i], hash[i]);
	}
	free(hash);
	free(items);
}

void
intern_import(struct intern *dst, const struct intern *src,
	      struct intern_remap *map)
{
	const struct strtab *ss = &src->strings;
	size_t i;

	map->str = xreallocarray(NULL, ss->n, sizeof(uint32_t));
	for (i = 0; i < ss->n; i++)
		map->str[i] = strtab_intern(&dst->strings, ss->ptr[i],
					    strtab_len(ss, i));
	map->frame = xreallocarray(NULL, src->frames.n, sizeof(uint32_t));
	frames_import(&dst->frames, &src->frames, map->str, map->frame);
	map->stack = xreallocarray(NULL, src->stacks.n, sizeof(uint32_t));
	import_seqs(&dst->stacks, &src->stacks, map->frame, map->stack);
	/* Label sets are sorted by content in src, so sorted in dst too. */
	map->labelset = xreallocarray(NULL, src->labelsets.n, sizeof(uint32_t));
	import_seqs(&dst->labelsets, &src->labelsets, map->str, map->labelset);
}

void
intern_remap_release(struct intern_remap *map)
{
	free(map->str);
	free(map->frame);
	free(map->stack);
	free(map->labelset);
	memset(map, 0, sizeof(*map));
}
