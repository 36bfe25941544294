/*
 * pprof protobuf reader and writer. The framing is checked first by our own
 * walk over the bytes (libprotobuf-c's unpack only says NULL), then the
 * message is unpacked into an arena released in one step, and strings,
 * frames and stacks are interned straight from it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

#include "formats/pprof.h"
#include "lib/arena.h"
#include "lib/error.h"
#include "lib/hash.h"
#include "lib/idmap.h"
#include "lib/infer.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

/* --- the framing check ------------------------------------------------ */

enum pbkind {
	PB_VARINT,   /* wire type 0 */
	PB_REPEATED, /* varints, unpacked (0) or packed (2) */
	PB_BYTES,    /* wire type 2 */
	PB_MSG,	     /* wire type 2, checked recursively */
};

struct pbmsg;

struct pbfield {
	uint32_t num;
	enum pbkind kind;
	const struct pbmsg *msg;
	const char *name;
};

struct pbmsg {
	const char *name;
	const struct pbfield *fields;
	size_t n;
};

#define MSG(var, label, ...)                                          \
	static const struct pbfield var##_fields[] = { __VA_ARGS__ }; \
	static const struct pbmsg var = { label, var##_fields,        \
					  sizeof(var##_fields) /      \
						  sizeof(var##_fields[0]) }

MSG(pb_valuetype, "ValueType", { 1, PB_VARINT, NULL, "type" },
    { 2, PB_VARINT, NULL, "unit" });
MSG(pb_label, "Label", { 1, PB_VARINT, NULL, "key" },
    { 2, PB_VARINT, NULL, "str" }, { 3, PB_VARINT, NULL, "num" },
    { 4, PB_VARINT, NULL, "num_unit" });
MSG(pb_sample, "Sample", { 1, PB_REPEATED, NULL, "location_id" },
    { 2, PB_REPEATED, NULL, "value" }, { 3, PB_MSG, &pb_label, "label" });
MSG(pb_mapping, "Mapping", { 1, PB_VARINT, NULL, "id" },
    { 2, PB_VARINT, NULL, "memory_start" },
    { 3, PB_VARINT, NULL, "memory_limit" },
    { 4, PB_VARINT, NULL, "file_offset" }, { 5, PB_VARINT, NULL, "filename" },
    { 6, PB_VARINT, NULL, "build_id" }, { 7, PB_VARINT, NULL, "has_functions" },
    { 8, PB_VARINT, NULL, "has_filenames" },
    { 9, PB_VARINT, NULL, "has_line_numbers" },
    { 10, PB_VARINT, NULL, "has_inline_frames" });
MSG(pb_line, "Line", { 1, PB_VARINT, NULL, "function_id" },
    { 2, PB_VARINT, NULL, "line" }, { 3, PB_VARINT, NULL, "column" });
MSG(pb_location, "Location", { 1, PB_VARINT, NULL, "id" },
    { 2, PB_VARINT, NULL, "mapping_id" }, { 3, PB_VARINT, NULL, "address" },
    { 4, PB_MSG, &pb_line, "line" }, { 5, PB_VARINT, NULL, "is_folded" });
MSG(pb_function, "Function", { 1, PB_VARINT, NULL, "id" },
    { 2, PB_VARINT, NULL, "name" }, { 3, PB_VARINT, NULL, "system_name" },
    { 4, PB_VARINT, NULL, "filename" }, { 5, PB_VARINT, NULL, "start_line" });
MSG(pb_profile, "Profile", { 1, PB_MSG, &pb_valuetype, "sample_type" },
    { 2, PB_MSG, &pb_sample, "sample" }, { 3, PB_MSG, &pb_mapping, "mapping" },
    { 4, PB_MSG, &pb_location, "location" },
    { 5, PB_MSG, &pb_function, "function" },
    { 6, PB_BYTES, NULL, "string_table" },
    { 7, PB_VARINT, NULL, "drop_frames" },
    { 8, PB_VARINT, NULL, "keep_frames" }, { 9, PB_VARINT, NULL, "time_nanos" },
    { 10, PB_VARINT, NULL, "duration_nanos" },
    { 11, PB_MSG, &pb_valuetype, "period_type" },
    { 12, PB_VARINT, NULL, "period" }, { 13, PB_REPEATED, NULL, "comment" },
    { 14, PB_VARINT, NULL, "default_sample_type" },
    { 15, PB_VARINT, NULL, "doc_url" });

/* Read a varint at *pos (< end); 0 when it is cut short or too long. */
static int
varint(const unsigned char *buf, size_t *pos, size_t end, uint64_t *v)
{
	size_t i = *pos;
	unsigned shift = 0;

	*v = 0;
	while (i < end && shift < 70) {
		unsigned char b = buf[i++];

		if (shift == 63 && b > 1)
			return 0; /* more than 64 bits */
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pos = i;
			return 1;
		}
		shift += 7;
	}
	return 0;
}

static const struct pbfield *
find_field(const struct pbmsg *m, uint64_t num)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

/*
 * Check the framing of message m in buf[pos..end). With deep 0 only the
 * top level is walked (keys, lengths, the one time_nanos), which is cheap
 * since samples are skipped by their length.
 */
static int
check_msg(const unsigned char *buf, size_t pos, size_t end,
	  const struct pbmsg *m, int depth, int deep, int *ntime,
	  struct error *err)
{
	if (depth > PPROF_MAX_DEPTH)
		return error_set_offset(err, pos, "protobuf nested too deeply");
	while (pos < end) {
		size_t at = pos;
		uint64_t key = 0, v = 0;
		const struct pbfield *f = NULL;
		unsigned wt;

		if (!varint(buf, &pos, end, &key))
			return error_set_offset(
				err, at, "%s: field key cut short", m->name);
		wt = (unsigned)(key & 7);
		if (key >> 3 == 0 || key >> 3 > 0x1fffffff)
			return error_set_offset(
				err, at, "%s: invalid field number %" PRIu64,
				m->name, key >> 3);
		f = find_field(m, key >> 3);
		if (f != NULL && m == &pb_profile && f->num == 9 &&
		    ++*ntime > 1)
			return error_set_offset(err, at,
						"a second time_nanos: two "
						"profiles were concatenated");
		switch (wt) {
		case 0:
			if (f && f->kind != PB_VARINT && f->kind != PB_REPEATED)
				goto bad_type;
			if (!varint(buf, &pos, end, &v))
				return error_set_offset(err, at,
							"%s.%s: varint cut "
							"short",
							m->name,
							f ? f->name : "?");
			break;
		case 1:
		case 5:
			if (f)
				goto bad_type;
			if (end - pos < (wt == 1 ? 8u : 4u))
				return error_set_offset(err, at,
							"%s: fixed-size field "
							"cut short",
							m->name);
			pos += wt == 1 ? 8 : 4;
			break;
		case 2: {
			size_t start;

			if (f && f->kind == PB_VARINT)
				goto bad_type;
			if (!varint(buf, &pos, end, &v) || v > end - pos)
				return error_set_offset(err, at,
							"%s.%s: length %" PRIu64
							" runs past the end of "
							"the data",
							m->name,
							f ? f->name : "?", v);
			start = pos;
			pos += (size_t)v;
			if (!deep)
				break;
			if (f && f->kind == PB_MSG &&
			    check_msg(buf, start, pos, f->msg, depth + 1, deep,
				      ntime, err) < 0)
				return -1;
			if (f && f->kind == PB_REPEATED) {
				size_t p = start;
				uint64_t x;

				while (p < pos)
					if (!varint(buf, &p, pos, &x))
						return error_set_offset(
							err, p,
							"%s.%s: packed varints "
							"cut short",
							m->name, f->name);
			}
			break;
		}
		default:
			return error_set_offset(
				err, at,
				"%s: wire type %u is not "
				"protobuf as profile.proto uses "
				"it",
				m->name, wt);
		}
		continue;
	bad_type:
		return error_set_offset(err, at,
					"%s.%s has wire type %u, which does "
					"not fit its type",
					m->name, f->name, wt);
	}
	return 0;
}

int
pprof_check_wire(const unsigned char *buf, size_t len, struct error *err)
{
	int ntime = 0;

	return check_msg(buf, 0, len, &pb_profile, 0, 1, &ntime, err);
}

int
pprof_sniff(const unsigned char *buf, size_t len)
{
	size_t pos = 0;
	int fields = 0;

	/* The first few top-level fields must be Profile fields of the right
	 * wire type (Go starts with period_type 0x5a, pprof with 0x0a). */
	while (pos < len && fields < 8) {
		uint64_t key = 0, v = 0;
		const struct pbfield *f = NULL;
		unsigned wt;

		if (!varint(buf, &pos, len, &key))
			return 0;
		wt = (unsigned)(key & 7);
		f = find_field(&pb_profile, key >> 3);
		if (f == NULL)
			return 0;
		if (wt == 0 &&
		    (f->kind == PB_VARINT || f->kind == PB_REPEATED)) {
			if (!varint(buf, &pos, len, &v))
				return 0;
		} else if (wt == 2 && f->kind != PB_VARINT) {
			if (!varint(buf, &pos, len, &v) || v > len - pos)
				return 0;
			pos += (size_t)v;
		} else {
			return 0;
		}
		fields++;
	}
	return fields > 0;
}

/* --- reading ------------------------------------------------------------ */

static void *
arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void
arena_pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

struct reader {
	struct snapshot *s;
	struct intern *in;
	const Profile *p;
	uint32_t *strids; /* string index -> strid + 1 */
	struct idmap fn_index, loc_index, map_index;
	uint32_t *loc_off, *loc_len; /* per location: frames in frames[] */
	uint32_t *frames;
	size_t nframes, capframes;
	uint32_t *stack; /* one sample's frames */
	size_t capstack;
	strid state_key, creator_key;
	struct error *err;
};

static int
string_index(struct reader *r, int64_t idx, const char *what, const char **s)
{
	if (idx < 0 || (uint64_t)idx >= r->p->n_string_table)
		return error_set(r->err,
				 "%s refers to string %" PRId64
				 ", but the string table has %zu entries",
				 what, idx, r->p->n_string_table);
	*s = r->p->string_table[idx];
	return 0;
}

static int
strid_of(struct reader *r, int64_t idx, const char *what, strid *out)
{
	const char *s = NULL;

	if (string_index(r, idx, what, &s) < 0)
		return -1;
	if (r->strids[idx] == 0)
		r->strids[idx] = strtab_intern_cstr(&r->in->strings, s) + 1;
	*out = r->strids[idx] - 1;
	return 0;
}

/* Index items by their id field; ids must be non-zero and unique. */
static int
index_ids(struct reader *r, struct idmap *m, size_t n,
	  uint64_t (*id_of)(const Profile *, size_t), const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t id = id_of(r->p, i);
		uint32_t h = hash_fold(hash_mix(0x5bd1e995, id)), pos = 0, j;

		if (id == 0)
			return error_set(r->err, "%s %zu has id 0", what, i);
		for (j = idmap_first(m, h, &pos); j != IDMAP_NONE;
		     j = idmap_next(m, h, &pos))
			if (id_of(r->p, j) == id)
				return error_set(r->err,
						 "two %ss have id %" PRIu64,
						 what, id);
		idmap_insert(m, h, (uint32_t)i);
	}
	return 0;
}

static uint32_t
lookup_id(const struct reader *r, const struct idmap *m, uint64_t id,
	  uint64_t (*id_of)(const Profile *, size_t))
{
	uint32_t h = hash_fold(hash_mix(0x5bd1e995, id)), pos = 0, j;

	for (j = idmap_first(m, h, &pos); j != IDMAP_NONE;
	     j = idmap_next(m, h, &pos))
		if (id_of(r->p, j) == id)
			return j;
	return IDMAP_NONE;
}

static uint64_t
fn_id(const Profile *p, size_t i)
{
	return p->function[i]->id;
}

static uint64_t
loc_id(const Profile *p, size_t i)
{
	return p->location[i]->id;
}

static uint64_t
map_id(const Profile *p, size_t i)
{
	return p->mapping[i]->id;
}

static void
push_frame(struct reader *r, frameid f)
{
	r->frames = xgrow(r->frames, sizeof(*r->frames), r->nframes + 1,
			  &r->capframes);
	r->frames[r->nframes++] = f;
}

/* A location without line information: "0x<offset>" in its mapping. */
static int
address_frame(struct reader *r, const Location *loc)
{
	char name[32];
	const char *file = "";
	uint64_t addr = loc->address;
	uint32_t m = IDMAP_NONE;

	if (loc->mapping_id != 0)
		m = lookup_id(r, &r->map_index, loc->mapping_id, map_id);
	if (m != IDMAP_NONE) {
		const Mapping *mp = r->p->mapping[m];

		if (addr >= mp->memory_start)
			addr -= mp->memory_start;
		if (string_index(r, mp->filename, "a mapping's filename",
				 &file) < 0)
			return -1;
		if (file[0] == '\0' &&
		    string_index(r, mp->build_id, "a mapping's build id",
				 &file) < 0)
			return -1;
	}
	snprintf(name, sizeof(name), "0x%" PRIx64, addr);
	push_frame(r, intern_frame(r->in, name, strlen(name), file,
				   strlen(file), 0));
	return 0;
}

static int
build_locations(struct reader *r)
{
	const Profile *p = r->p;
	size_t i, k;

	r->loc_off = xcalloc(p->n_location + 1, sizeof(*r->loc_off));
	r->loc_len = xcalloc(p->n_location + 1, sizeof(*r->loc_len));
	for (i = 0; i < p->n_location; i++) {
		const Location *loc = p->location[i];

		r->loc_off[i] = (uint32_t)r->nframes;
		if (loc->n_line > PPROF_MAX_LINES)
			return error_set(r->err,
					 "location %" PRIu64 " has %zu lines "
					 "(at most %u)",
					 loc->id, loc->n_line, PPROF_MAX_LINES);
		if (loc->n_line == 0 && address_frame(r, loc) < 0)
			return -1;
		for (k = 0; k < loc->n_line; k++) {
			const Line *ln = loc->line[k];
			uint32_t fi = IDMAP_NONE;
			const Function *fn = NULL;
			const char *name = NULL, *file = NULL;

			if (ln->function_id == 0) {
				if (address_frame(r, loc) < 0)
					return -1;
				continue;
			}
			fi = lookup_id(r, &r->fn_index, ln->function_id, fn_id);
			if (fi == IDMAP_NONE)
				return error_set(r->err,
						 "location %" PRIu64
						 " refers to "
						 "function %" PRIu64 ", which "
						 "is not defined",
						 loc->id, ln->function_id);
			fn = p->function[fi];
			if (string_index(r, fn->name, "a function's name",
					 &name) < 0 ||
			    string_index(r, fn->filename,
					 "a function's filename", &file) < 0)
				return -1;
			if (name[0] == '\0' &&
			    string_index(r, fn->system_name,
					 "a function's system name", &name) < 0)
				return -1;
			if (ln->line < 0 || ln->line > UINT32_MAX)
				return error_set(r->err,
						 "location %" PRIu64
						 " has line "
						 "number %" PRId64,
						 loc->id, ln->line);
			push_frame(r, intern_frame(r->in, name, strlen(name),
						   file, strlen(file),
						   (uint32_t)ln->line));
		}
		r->loc_len[i] = (uint32_t)(r->nframes - r->loc_off[i]);
	}
	return 0;
}

/* The value column that counts goroutines, or -1 with err saying why. */
static int
goroutine_column(struct reader *r, enum snapshot_kind *kind)
{
	const Profile *p = r->p;
	char types[256] = "";
	size_t i, o = 0;

	for (i = 0; i < p->n_sample_type; i++) {
		const char *type = NULL, *unit = NULL;

		if (string_index(r, p->sample_type[i]->type, "a sample type",
				 &type) < 0 ||
		    string_index(r, p->sample_type[i]->unit,
				 "a sample type's unit", &unit) < 0)
			return -1;
		if (strcmp(unit, "count") == 0 &&
		    (strcmp(type, "goroutine") == 0 ||
		     strcmp(type, "goroutineleak") == 0)) {
			*kind = strcmp(type, "goroutineleak") == 0
					? SNAPSHOT_LEAK
					: SNAPSHOT_GOROUTINE;
			return (int)i;
		}
		if (o < sizeof(types))
			o += (size_t)snprintf(types + o, sizeof(types) - o,
					      "%s%s/%s", i ? ", " : "", type,
					      unit);
	}
	if (p->n_sample_type == 0)
		return error_set(r->err, "not a goroutine profile: it has no "
					 "sample types"),
		       -1;
	return error_set(r->err,
			 "not a goroutine profile: its sample types are %s "
			 "(expected goroutine/count or goroutineleak/count)",
			 types),
	       -1;
}

/* "func file:line" of PPROF_CREATOR_LABEL back into a frame. */
static int
creator_frame(struct reader *r, strid text, frameid *out)
{
	const char *s = intern_str(r->in, text);
	size_t n = strtab_len(&r->in->strings, text);
	const char *sp = memchr(s, ' ', n), *colon = NULL, *q;
	uint64_t line = 0;

	if (sp == NULL)
		return 0;
	for (q = s + n; q > sp; q--)
		if (q[-1] == ':') {
			colon = q - 1;
			break;
		}
	if (colon == NULL || colon + 1 == s + n)
		return 0;
	for (q = colon + 1; q < s + n; q++) {
		if (*q < '0' || *q > '9' || line > UINT32_MAX / 10)
			return 0;
		line = line * 10 + (uint64_t)(*q - '0');
	}
	*out = intern_frame(r->in, s, (size_t)(sp - s), sp + 1,
			    (size_t)(colon - sp - 1), (uint32_t)line);
	return 1;
}

static int
read_sample(struct reader *r, size_t idx, int col, enum snapshot_kind kind)
{
	const Sample *sm = r->p->sample[idx];
	struct goroutine *g = NULL;
	uint32_t pairs[2 * PPROF_MAX_LABELS], np = 0;
	size_t n = 0, i, k;
	strid state = 0;
	frameid creator = 0;
	int64_t w;

	if (sm->n_value != r->p->n_sample_type)
		return error_set(r->err,
				 "sample %zu has %zu values for %zu sample "
				 "types",
				 idx, sm->n_value, r->p->n_sample_type);
	w = sm->value[col];
	if (w < 0)
		return error_set(r->err,
				 "sample %zu has the negative count %" PRId64
				 ": a delta profile (?seconds=N) holds "
				 "differences, not goroutines",
				 idx, w);
	if (w == 0)
		return 0;
	for (i = 0; i < sm->n_location_id; i++) {
		uint32_t li =
			lookup_id(r, &r->loc_index, sm->location_id[i], loc_id);

		if (li == IDMAP_NONE)
			return error_set(
				r->err,
				"sample %zu refers to location %" PRIu64
				", which is not defined",
				idx, sm->location_id[i]);
		if (n + r->loc_len[li] > PPROF_MAX_STACK)
			return error_set(r->err,
					 "sample %zu is deeper than %u frames",
					 idx, PPROF_MAX_STACK);
		r->stack = xgrow(r->stack, sizeof(*r->stack),
				 n + r->loc_len[li], &r->capstack);
		for (k = 0; k < r->loc_len[li]; k++)
			r->stack[n++] = r->frames[r->loc_off[li] + k];
	}
	if (sm->n_label > PPROF_MAX_LABELS)
		return error_set(r->err,
				 "sample %zu has %zu labels (at most %u)", idx,
				 sm->n_label, PPROF_MAX_LABELS);
	for (i = 0; i < sm->n_label; i++) {
		const Label *lb = sm->label[i];
		strid key = 0, val = 0;

		if (strid_of(r, lb->key, "a label key", &key) < 0)
			return -1;
		if (lb->str != 0) {
			if (strid_of(r, lb->str, "a label value", &val) < 0)
				return -1;
		} else {
			/* A numeric label, with its unit when it has one. */
			const char *unit = NULL;
			char text[96];

			if (string_index(r, lb->num_unit, "a label unit",
					 &unit) < 0)
				return -1;
			snprintf(text, sizeof(text), "%" PRId64 "%s%s", lb->num,
				 unit[0] ? " " : "", unit);
			val = strtab_intern_cstr(&r->in->strings, text);
		}
		if (key == r->state_key) {
			state = val;
			continue;
		}
		if (key == r->creator_key && creator_frame(r, val, &creator))
			continue;
		pairs[2 * np] = key;
		pairs[2 * np + 1] = val;
		np++;
	}
	g = snapshot_add(r->s);
	g->weight = w;
	if (kind == SNAPSHOT_LEAK)
		g->flags |= G_LEAKED;
	if (state == 0) {
		g->flags |= G_STATE_INFERRED;
		state = strtab_intern_cstr(
			&r->in->strings,
			infer_state(r->in, r->stack, (uint32_t)n, 0));
	}
	g->state = state;
	g->creator = creator;
	g->labels = np ? intern_labels(r->in, pairs, np) : 0;
	g->stack = intern_stack(r->in, r->stack, (uint32_t)n);
	return 0;
}

int
pprof_read(struct snapshot *out, const unsigned char *buf, size_t len,
	   struct error *err)
{
	struct arena mem;
	ProtobufCAllocator alloc = { arena_pb_alloc, arena_pb_free, NULL };
	struct reader r;
	enum snapshot_kind kind = SNAPSHOT_GOROUTINE;
	int ret = -1, col, ntime = 0;
	size_t i;

	arena_init(&mem);
	alloc.allocator_data = &mem;
	memset(&r, 0, sizeof(r));
	r.s = out;
	r.in = out->in;
	r.err = err;
	idmap_init(&r.fn_index);
	idmap_init(&r.loc_index);
	idmap_init(&r.map_index);
	/* The top level first (cheap: it finds cut files and concatenated
	 * profiles); the whole framing only when unpack fails, to say where. */
	if (check_msg(buf, 0, len, &pb_profile, 0, 0, &ntime, err) < 0)
		goto out;
	r.p = perftools__profiles__profile__unpack(&alloc, len, buf);
	if (r.p == NULL) {
		if (pprof_check_wire(buf, len, err) == 0)
			error_set(err, "the protobuf framing is sound but a "
				       "field could not be decoded");
		goto out;
	}
	if (r.p->n_string_table == 0 || r.p->string_table[0][0] != '\0') {
		error_set(err, "string_table[0] must be the empty string");
		goto out;
	}
	r.strids = xcalloc(r.p->n_string_table, sizeof(*r.strids));
	col = goroutine_column(&r, &kind);
	if (col < 0)
		goto out;
	out->kind = kind;
	out->time_ns = r.p->time_nanos;
	out->format = strtab_intern_cstr(&r.in->strings, "pprof");
	out->provides = 0;
	r.state_key = strtab_intern_cstr(&r.in->strings, PPROF_STATE_LABEL);
	r.creator_key = strtab_intern_cstr(&r.in->strings, PPROF_CREATOR_LABEL);
	if (index_ids(&r, &r.fn_index, r.p->n_function, fn_id, "function") <
		    0 ||
	    index_ids(&r, &r.loc_index, r.p->n_location, loc_id, "location") <
		    0 ||
	    index_ids(&r, &r.map_index, r.p->n_mapping, map_id, "mapping") <
		    0 ||
	    build_locations(&r) < 0)
		goto out;
	for (i = 0; i < r.p->n_sample; i++)
		if (read_sample(&r, i, col, kind) < 0)
			goto out;
	ret = 0;
out:
	free(r.strids);
	free(r.loc_off);
	free(r.loc_len);
	free(r.frames);
	free(r.stack);
	idmap_release(&r.fn_index);
	idmap_release(&r.loc_index);
	idmap_release(&r.map_index);
	arena_release(&mem);
	return ret;
}

/* --- writing ------------------------------------------------------------ */

struct writer {
	const struct snapshot *s;
	const struct intern *in;
	struct arena mem;
	uint32_t *str_index; /* strid -> string table index + 1 */
	size_t str_cap;
	char **strings;
	size_t nstrings, capstrings;
	struct idmap fn_map; /* (func, file) -> function index */
	Function **fns;
	size_t nfns, capfns;
	uint32_t *loc_of; /* frame id -> location id */
	size_t loc_cap;
	Location **locs;
	size_t nlocs, caplocs;
	uint32_t *creator_str; /* frame id -> string index + 1 */
	size_t creator_cap;
	int64_t state_key, creator_key;
	struct idmap sample_map; /* (stack, labels, state, creator) -> index */
	Sample **samples;
	const struct goroutine **sample_g; /* a member of each sample */
	size_t nsamples, capsamples;
};

static int64_t
wstr_bytes(struct writer *w, const char *s)
{
	w->strings = xgrow(w->strings, sizeof(*w->strings), w->nstrings + 1,
			   &w->capstrings);
	w->strings[w->nstrings] = (char *)(uintptr_t)s;
	return (int64_t)w->nstrings++;
}

static int64_t
wstr(struct writer *w, strid id)
{
	w->str_index = xgrow_zero(w->str_index, sizeof(*w->str_index),
				  (size_t)id + 1, &w->str_cap);
	if (id == 0)
		return 0;
	if (w->str_index[id] == 0)
		w->str_index[id] =
			(uint32_t)wstr_bytes(w, intern_str(w->in, id)) + 1;
	return w->str_index[id] - 1;
}

static uint64_t
wfunction(struct writer *w, strid func, strid file)
{
	uint32_t h = hash_fold(hash_mix(func, file)), pos = 0, i;
	Function *fn = NULL;

	for (i = idmap_first(&w->fn_map, h, &pos); i != IDMAP_NONE;
	     i = idmap_next(&w->fn_map, h, &pos))
		if (w->fns[i]->name == wstr(w, func) &&
		    w->fns[i]->filename == wstr(w, file))
			return w->fns[i]->id;
	fn = arena_alloc(&w->mem, sizeof(*fn));
	perftools__profiles__function__init(fn);
	fn->id = w->nfns + 1;
	fn->name = wstr(w, func);
	fn->system_name = fn->name;
	fn->filename = wstr(w, file);
	w->fns = xgrow(w->fns, sizeof(*w->fns), w->nfns + 1, &w->capfns);
	w->fns[w->nfns] = fn;
	idmap_insert(&w->fn_map, h, (uint32_t)w->nfns++);
	return fn->id;
}

static uint64_t
wlocation(struct writer *w, frameid f)
{
	const struct frame *fr = intern_frame_get(w->in, f);
	Location *loc = NULL;
	Line *ln = NULL;

	w->loc_of = xgrow_zero(w->loc_of, sizeof(*w->loc_of), (size_t)f + 1,
			       &w->loc_cap);
	if (w->loc_of[f])
		return w->loc_of[f];
	loc = arena_alloc(&w->mem, sizeof(*loc));
	perftools__profiles__location__init(loc);
	ln = arena_alloc(&w->mem, sizeof(*ln));
	perftools__profiles__line__init(ln);
	ln->function_id = wfunction(w, fr->func, fr->file);
	ln->line = fr->line;
	loc->id = w->nlocs + 1;
	loc->mapping_id = 1;
	loc->n_line = 1;
	loc->line = arena_alloc(&w->mem, sizeof(*loc->line));
	loc->line[0] = ln;
	w->locs = xgrow(w->locs, sizeof(*w->locs), w->nlocs + 1, &w->caplocs);
	w->locs[w->nlocs++] = loc;
	w->loc_of[f] = (uint32_t)loc->id;
	return loc->id;
}

static Label *
wlabel(struct writer *w, int64_t key, int64_t str)
{
	Label *lb = arena_alloc(&w->mem, sizeof(*lb));

	perftools__profiles__label__init(lb);
	lb->key = key;
	lb->str = str;
	return lb;
}

/* The string "func file:line" of a creator frame. */
static int64_t
wcreator(struct writer *w, frameid f)
{
	const struct frame *fr = intern_frame_get(w->in, f);
	size_t fl = strtab_len(&w->in->strings, fr->func);
	size_t il = strtab_len(&w->in->strings, fr->file);
	char *text = NULL;

	w->creator_str = xgrow_zero(w->creator_str, sizeof(*w->creator_str),
				    (size_t)f + 1, &w->creator_cap);
	if (w->creator_str[f] == 0) {
		text = arena_alloc(&w->mem, fl + il + 16);
		snprintf(text, fl + il + 16, "%s %s:%u",
			 intern_str(w->in, fr->func),
			 intern_str(w->in, fr->file), fr->line);
		w->creator_str[f] = (uint32_t)wstr_bytes(w, text) + 1;
	}
	return w->creator_str[f] - 1;
}

static void
wsample(struct writer *w, const struct goroutine *g)
{
	uint32_t h = hash_fold(hash_mix(
			 hash_mix(hash_mix(g->stack, g->labels), g->state),
			 g->creator)),
		 pos = 0, i, n = 0, np = 0;
	const uint32_t *v = NULL, *lp = NULL;
	Sample *sm = NULL;

	for (i = idmap_first(&w->sample_map, h, &pos); i != IDMAP_NONE;
	     i = idmap_next(&w->sample_map, h, &pos)) {
		const struct goroutine *o = w->sample_g[i];

		if (o->stack == g->stack && o->labels == g->labels &&
		    o->state == g->state && o->creator == g->creator) {
			w->samples[i]->value[0] += g->weight;
			return;
		}
	}
	sm = arena_alloc(&w->mem, sizeof(*sm));
	perftools__profiles__sample__init(sm);
	v = seqtab_items(&w->in->stacks, g->stack, &n);
	sm->n_location_id = n;
	sm->location_id = arena_alloc(&w->mem, (n + 1) * sizeof(uint64_t));
	for (i = 0; i < n; i++)
		sm->location_id[i] = wlocation(w, v[i]);
	sm->n_value = 1;
	sm->value = arena_alloc(&w->mem, sizeof(int64_t));
	sm->value[0] = g->weight;
	lp = seqtab_items(&w->in->labelsets, g->labels, &np);
	sm->n_label = np / 2 + 1 + (g->creator != 0);
	sm->label = arena_alloc(&w->mem, sm->n_label * sizeof(*sm->label));
	for (i = 0; i + 1 < np; i += 2)
		sm->label[i / 2] =
			wlabel(w, wstr(w, lp[i]), wstr(w, lp[i + 1]));
	sm->label[np / 2] = wlabel(w, w->state_key, wstr(w, g->state));
	if (g->creator)
		sm->label[np / 2 + 1] =
			wlabel(w, w->creator_key, wcreator(w, g->creator));
	w->samples = xgrow(w->samples, sizeof(*w->samples), w->nsamples + 1,
			   &w->capsamples);
	w->sample_g =
		xreallocarray(w->sample_g, w->capsamples, sizeof(*w->sample_g));
	w->samples[w->nsamples] = sm;
	w->sample_g[w->nsamples] = g;
	idmap_insert(&w->sample_map, h, (uint32_t)w->nsamples++);
}

/* gzip len bytes of buf to fp (one member, as Go writes it). */
static int
gzip_to(FILE *fp, const unsigned char *buf, size_t len, struct error *err)
{
	z_stream z;
	unsigned char out[1 << 16];
	int zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return error_set(err, "cannot initialise zlib");
	z.next_in = (unsigned char *)(uintptr_t)buf;
	z.avail_in = (uInt)len;
	do {
		size_t n;

		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		n = sizeof(out) - z.avail_out;
		if (n && fwrite(out, 1, n, fp) != n) {
			deflateEnd(&z);
			return error_set(err, "cannot write the profile");
		}
	} while (zr == Z_OK);
	deflateEnd(&z);
	return zr == Z_STREAM_END ? 0 : error_set(err, "gzip failed");
}

int
pprof_write(FILE *fp, const struct snapshot *s, struct error *err)
{
	struct writer w;
	Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	ValueType st = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	ValueType pt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	Mapping mp = PERFTOOLS__PROFILES__MAPPING__INIT;
	ValueType *stp[1] = { &st };
	Mapping *mpp[1] = { &mp };
	unsigned char *buf = NULL;
	size_t len, i;
	int ret;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.in = s->in;
	arena_init(&w.mem);
	idmap_init(&w.fn_map);
	idmap_init(&w.sample_map);
	(void)wstr_bytes(&w, "");
	st.type = wstr_bytes(&w, s->kind == SNAPSHOT_LEAK ? "goroutineleak"
							  : "goroutine");
	st.unit = wstr_bytes(&w, "count");
	pt = st;
	mp.id = 1;
	mp.has_functions = 1;
	mp.filename = wstr_bytes(&w, "goroscope");
	w.state_key = wstr_bytes(&w, PPROF_STATE_LABEL);
	w.creator_key = wstr_bytes(&w, PPROF_CREATOR_LABEL);
	for (i = 0; i < s->n; i++)
		wsample(&w, &s->g[i]);
	p.n_sample_type = 1;
	p.sample_type = stp;
	p.period_type = &pt;
	p.period = 1;
	p.time_nanos = s->time_ns;
	p.n_mapping = 1;
	p.mapping = mpp;
	p.n_sample = w.nsamples;
	p.sample = w.samples;
	p.n_location = w.nlocs;
	p.location = w.locs;
	p.n_function = w.nfns;
	p.function = w.fns;
	p.n_string_table = w.nstrings;
	p.string_table = w.strings;
	len = perftools__profiles__profile__get_packed_size(&p);
	buf = xmalloc(len ? len : 1);
	perftools__profiles__profile__pack(&p, buf);
	ret = gzip_to(fp, buf, len, err);
	free(buf);
	free(w.str_index);
	free(w.strings);
	free(w.fns);
	free(w.loc_of);
	free(w.creator_str);
	free(w.locs);
	free(w.samples);
	free(w.sample_g);
	idmap_release(&w.fn_map);
	idmap_release(&w.sample_map);
	arena_release(&w.mem);
	return ret;
}
