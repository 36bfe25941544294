/*
 * pprof protobuf reader and writer. The reader decodes the bytes itself,
 * with the acceptance rules of libprotobuf-c (formats/pbwire.h), straight
 * into small arrays and the interning tables: unpacking into libprotobuf-c's
 * structures cost a third of reading a large profile, and all its memory.
 * When the bytes are not protobuf, our own framing check says where. The
 * writer packs with libprotobuf-c.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

#include "formats/pbwire.h"
#include "formats/pprof.h"
#include "lib/arena.h"
#include "lib/error.h"
#include "lib/hash.h"
#include "lib/sat.h"
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

#define MSG(var, label, ...)                                             \
	static const struct pbwire_def var##_fields[] = { __VA_ARGS__ }; \
	static const struct pbwire_msg var = {                           \
		label, var##_fields,                                     \
		sizeof(var##_fields) / sizeof(var##_fields[0])           \
	}

MSG(pb_valuetype, "ValueType", { 1, PBWIRE_VARINT, NULL, "type" },
    { 2, PBWIRE_VARINT, NULL, "unit" });
MSG(pb_label, "Label", { 1, PBWIRE_VARINT, NULL, "key" },
    { 2, PBWIRE_VARINT, NULL, "str" }, { 3, PBWIRE_VARINT, NULL, "num" },
    { 4, PBWIRE_VARINT, NULL, "num_unit" });
MSG(pb_sample, "Sample", { 1, PBWIRE_REPEATED, NULL, "location_id" },
    { 2, PBWIRE_REPEATED, NULL, "value" },
    { 3, PBWIRE_MSG, &pb_label, "label" });
MSG(pb_mapping, "Mapping", { 1, PBWIRE_VARINT, NULL, "id" },
    { 2, PBWIRE_VARINT, NULL, "memory_start" },
    { 3, PBWIRE_VARINT, NULL, "memory_limit" },
    { 4, PBWIRE_VARINT, NULL, "file_offset" },
    { 5, PBWIRE_VARINT, NULL, "filename" },
    { 6, PBWIRE_VARINT, NULL, "build_id" },
    { 7, PBWIRE_BOOL, NULL, "has_functions" },
    { 8, PBWIRE_BOOL, NULL, "has_filenames" },
    { 9, PBWIRE_BOOL, NULL, "has_line_numbers" },
    { 10, PBWIRE_BOOL, NULL, "has_inline_frames" });
MSG(pb_line, "Line", { 1, PBWIRE_VARINT, NULL, "function_id" },
    { 2, PBWIRE_VARINT, NULL, "line" }, { 3, PBWIRE_VARINT, NULL, "column" });
MSG(pb_location, "Location", { 1, PBWIRE_VARINT, NULL, "id" },
    { 2, PBWIRE_VARINT, NULL, "mapping_id" },
    { 3, PBWIRE_VARINT, NULL, "address" }, { 4, PBWIRE_MSG, &pb_line, "line" },
    { 5, PBWIRE_BOOL, NULL, "is_folded" });
MSG(pb_function, "Function", { 1, PBWIRE_VARINT, NULL, "id" },
    { 2, PBWIRE_VARINT, NULL, "name" },
    { 3, PBWIRE_VARINT, NULL, "system_name" },
    { 4, PBWIRE_VARINT, NULL, "filename" },
    { 5, PBWIRE_VARINT, NULL, "start_line" });
MSG(pb_profile, "Profile", { 1, PBWIRE_MSG, &pb_valuetype, "sample_type" },
    { 2, PBWIRE_MSG, &pb_sample, "sample" },
    { 3, PBWIRE_MSG, &pb_mapping, "mapping" },
    { 4, PBWIRE_MSG, &pb_location, "location" },
    { 5, PBWIRE_MSG, &pb_function, "function" },
    { 6, PBWIRE_BYTES, NULL, "string_table" },
    { 7, PBWIRE_VARINT, NULL, "drop_frames" },
    { 8, PBWIRE_VARINT, NULL, "keep_frames" },
    { 9, PBWIRE_VARINT, NULL, "time_nanos" },
    { 10, PBWIRE_VARINT, NULL, "duration_nanos" },
    { 11, PBWIRE_MSG, &pb_valuetype, "period_type" },
    { 12, PBWIRE_VARINT, NULL, "period" },
    { 13, PBWIRE_REPEATED, NULL, "comment" },
    { 14, PBWIRE_VARINT, NULL, "default_sample_type" },
    { 15, PBWIRE_VARINT, NULL, "doc_url" });

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

/* Fields of one value: int64, uint64, bool. */
static int
is_scalar(const struct pbwire_def *f)
{
	return f->kind == PBWIRE_VARINT || f->kind == PBWIRE_BOOL;
}

/*
 * Check the framing of message m in buf[pos..end). With deep 0 only the
 * top level is walked (keys, lengths, the one time_nanos), which is cheap
 * since samples are skipped by their length.
 */
static int
check_msg(const unsigned char *buf, size_t pos, size_t end,
	  const struct pbwire_msg *m, int depth, int deep, int *ntime,
	  struct error *err)
{
	if (depth > PPROF_MAX_DEPTH)
		return error_set_offset(err, pos, "protobuf nested too deeply");
	while (pos < end) {
		size_t at = pos;
		uint64_t key = 0, v = 0;
		const struct pbwire_def *f = NULL;
		unsigned wt;

		if (!varint(buf, &pos, end, &key))
			return error_set_offset(
				err, at, "%s: field key cut short", m->name);
		wt = (unsigned)(key & 7);
		if (key >> 3 == 0 || key >> 3 > 0x1fffffff)
			return error_set_offset(
				err, at, "%s: invalid field number %" PRIu64,
				m->name, key >> 3);
		f = pbwire_find(m, key >> 3);
		if (f != NULL && m == &pb_profile && f->num == 9 &&
		    ++*ntime > 1)
			return error_set_offset(err, at,
						"a second time_nanos: two "
						"profiles were concatenated");
		switch (wt) {
		case 0:
			if (f && !is_scalar(f) && f->kind != PBWIRE_REPEATED)
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

			if (f && is_scalar(f))
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
			if (f && f->kind == PBWIRE_MSG &&
			    check_msg(buf, start, pos, f->msg, depth + 1, deep,
				      ntime, err) < 0)
				return -1;
			if (f && f->kind == PBWIRE_REPEATED) {
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

/*
 * Whether the first bytes hold a control byte but tab, CR and LF: every
 * profile's do (a message's keys are 0x08, 0x10..., its lengths small),
 * and lines of text can frame as protobuf by chance (a log line of 51
 * bytes that starts with '2' is field 6 of 48 bytes, then field 1, ...).
 */
static int
has_control_byte(const unsigned char *buf, size_t len)
{
	size_t i, n = len < 512 ? len : 512;

	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			return 1;
	return 0;
}

int
pprof_sniff(const unsigned char *buf, size_t len)
{
	size_t pos = 0;
	int fields = 0;

	if (!has_control_byte(buf, len))
		return 0;

	/* The first few top-level fields must be Profile fields of the right
	 * wire type (Go starts with period_type 0x5a, pprof with 0x0a). */
	while (pos < len && fields < 8) {
		uint64_t key = 0, v = 0;
		const struct pbwire_def *f = NULL;
		unsigned wt;

		if (!varint(buf, &pos, len, &key))
			return 0;
		wt = (unsigned)(key & 7);
		f = pbwire_find(&pb_profile, key >> 3);
		if (f == NULL)
			return 0;
		if (wt == 0 && (is_scalar(f) || f->kind == PBWIRE_REPEATED)) {
			if (!varint(buf, &pos, len, &v))
				return 0;
		} else if (wt == 2 && !is_scalar(f)) {
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

/* --- decoding ---------------------------------------------------------- */

/*
 * What the reader keeps of a Profile, decoded from the bytes: all but the
 * samples, which are decoded one at a time as they are read. Strings point
 * into the input.
 */
struct pstr {
	const char *p;
	size_t len; /* NUL included: Go's strings hold any bytes */
};

struct pvaluetype {
	int64_t type, unit;
};

struct pmapping {
	uint64_t id, memory_start, memory_limit, file_offset;
	int64_t filename, build_id;
	uint32_t flags; /* enum mapping_flag */
};

struct pfunction {
	uint64_t id;
	int64_t name, system_name, filename;
};

struct pline {
	uint64_t function_id;
	int64_t line;
};

struct plocation {
	uint64_t id, mapping_id, address;
	size_t line0, nline; /* its lines in lines[] */
};

struct plabel {
	int64_t key, str, num, num_unit;
};

struct profile {
	struct pstr *strings;
	size_t nstrings, capstrings;
	struct pvaluetype *types;
	size_t ntypes, captypes;
	struct pmapping *mappings;
	size_t nmappings, capmappings;
	struct pfunction *functions;
	size_t nfunctions, capfunctions;
	struct plocation *locations;
	size_t nlocations, caplocations;
	size_t nsamples;     /* counted: decoded as they are read */
	size_t sample_bytes; /* theirs, together */
	struct pline *lines;
	size_t nlines, caplines;
	int64_t time_nanos;
};

static void
profile_release(struct profile *p)
{
	free(p->strings);
	free(p->types);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

/* Room for the field numbers of the messages of scalars below. */
#define MAX_SCALAR_FIELD 10

/*
 * Decode a message of m, whose known fields are all scalars, at
 * buf[off..off+len) into v[field number] (the last value of a field wins,
 * as in libprotobuf-c). Returns -1 when libprotobuf-c would not unpack it.
 */
static int
decode_scalars(const unsigned char *buf, size_t off, size_t len,
	       const struct pbwire_msg *m, uint64_t v[MAX_SCALAR_FIELD + 1])
{
	struct pbwire w = { buf, off, off + len };
	struct pbwire_field f;
	int rc;

	memset(v, 0, (MAX_SCALAR_FIELD + 1) * sizeof(*v));
	while ((rc = pbwire_next(&w, &f)) > 0) {
		const struct pbwire_def *d = pbwire_find(m, f.num);

		if (d == NULL)
			continue;
		if (!pbwire_fits(d->kind, f.wt))
			return -1;
		if (f.wt == 0)
			v[d->num] = f.v;
	}
	return rc;
}

static int
decode_value_type(struct profile *p, const unsigned char *buf,
		  const struct pbwire_field *f)
{
	uint64_t v[MAX_SCALAR_FIELD + 1];
	struct pvaluetype *t = NULL;

	if (decode_scalars(buf, f->off, f->len, &pb_valuetype, v) < 0)
		return -1;
	p->types =
		xgrow(p->types, sizeof(*p->types), p->ntypes + 1, &p->captypes);
	t = &p->types[p->ntypes++];
	t->type = (int64_t)v[1];
	t->unit = (int64_t)v[2];
	return 0;
}

static int
decode_mapping(struct profile *p, const unsigned char *buf,
	       const struct pbwire_field *f)
{
	uint64_t v[MAX_SCALAR_FIELD + 1];
	struct pmapping *m = NULL;

	if (decode_scalars(buf, f->off, f->len, &pb_mapping, v) < 0)
		return -1;
	p->mappings = xgrow(p->mappings, sizeof(*p->mappings), p->nmappings + 1,
			    &p->capmappings);
	m = &p->mappings[p->nmappings++];
	m->id = v[1];
	m->memory_start = v[2];
	m->memory_limit = v[3];
	m->file_offset = v[4];
	m->filename = (int64_t)v[5];
	m->build_id = (int64_t)v[6];
	m->flags = (v[7] ? MAPPING_FUNCTIONS : 0) |
		   (v[8] ? MAPPING_FILENAMES : 0) |
		   (v[9] ? MAPPING_LINE_NUMBERS : 0) |
		   (v[10] ? MAPPING_INLINE_FRAMES : 0);
	return 0;
}

static int
decode_function(struct profile *p, const unsigned char *buf,
		const struct pbwire_field *f)
{
	uint64_t v[MAX_SCALAR_FIELD + 1];
	struct pfunction *fn = NULL;

	if (decode_scalars(buf, f->off, f->len, &pb_function, v) < 0)
		return -1;
	p->functions = xgrow(p->functions, sizeof(*p->functions),
			     p->nfunctions + 1, &p->capfunctions);
	fn = &p->functions[p->nfunctions++];
	fn->id = v[1];
	fn->name = (int64_t)v[2];
	fn->system_name = (int64_t)v[3];
	fn->filename = (int64_t)v[4];
	return 0;
}

static int
decode_line(struct profile *p, const unsigned char *buf,
	    const struct pbwire_field *f)
{
	uint64_t v[MAX_SCALAR_FIELD + 1];

	if (decode_scalars(buf, f->off, f->len, &pb_line, v) < 0)
		return -1;
	p->lines =
		xgrow(p->lines, sizeof(*p->lines), p->nlines + 1, &p->caplines);
	p->lines[p->nlines].function_id = v[1];
	p->lines[p->nlines].line = (int64_t)v[2];
	p->nlines++;
	return 0;
}

static int
decode_location(struct profile *p, const unsigned char *buf,
		const struct pbwire_field *in)
{
	struct pbwire w = { buf, in->off, in->off + in->len };
	struct pbwire_field f;
	struct plocation loc;
	int rc;

	memset(&loc, 0, sizeof(loc));
	loc.line0 = p->nlines;
	while ((rc = pbwire_next(&w, &f)) > 0) {
		const struct pbwire_def *d = pbwire_find(&pb_location, f.num);

		if (d == NULL)
			continue;
		if (!pbwire_fits(d->kind, f.wt))
			return -1;
		if (f.num == 1)
			loc.id = f.v;
		else if (f.num == 2)
			loc.mapping_id = f.v;
		else if (f.num == 3)
			loc.address = f.v;
		else if (f.num == 4 && decode_line(p, buf, &f) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	loc.nline = p->nlines - loc.line0;
	p->locations = xgrow(p->locations, sizeof(*p->locations),
			     p->nlocations + 1, &p->caplocations);
	p->locations[p->nlocations++] = loc;
	return 0;
}

static void
add_string(struct profile *p, const unsigned char *buf,
	   const struct pbwire_field *f)
{
	const char *s = (const char *)buf + f->off;

	p->strings = xgrow(p->strings, sizeof(*p->strings), p->nstrings + 1,
			   &p->capstrings);
	p->strings[p->nstrings].p = s;
	p->strings[p->nstrings].len = f->len;
	p->nstrings++;
}

/*
 * Decode every field of the Profile but the samples, and check those of
 * its fields the reader does not use as libprotobuf-c would have. Returns
 * -1 when libprotobuf-c would not unpack the message.
 */
static int
decode_profile(struct profile *p, const unsigned char *buf, size_t len)
{
	struct pbwire w = { buf, 0, len };
	struct pbwire_field f;
	int rc = 0, bad = 0;

	while (!bad && (rc = pbwire_next(&w, &f)) > 0) {
		const struct pbwire_def *d = pbwire_find(&pb_profile, f.num);

		if (d == NULL)
			continue;
		if (!pbwire_fits(d->kind, f.wt))
			return -1;
		switch (f.num) {
		case 1:
			bad = decode_value_type(p, buf, &f) < 0;
			break;
		case 2:
			p->nsamples++; /* decoded as they are read */
			p->sample_bytes += f.len;
			break;
		case 3:
			bad = decode_mapping(p, buf, &f) < 0;
			break;
		case 4:
			bad = decode_location(p, buf, &f) < 0;
			break;
		case 5:
			bad = decode_function(p, buf, &f) < 0;
			break;
		case 6:
			add_string(p, buf, &f);
			break;
		case 9:
			p->time_nanos = (int64_t)f.v;
			break;
		default:
			/* period_type, comment and plain numbers. */
			if (d->kind == PBWIRE_MSG)
				bad = !pbwire_valid(buf, f.off, f.off + f.len,
						    d->msg);
			else if (d->kind == PBWIRE_REPEATED && f.wt == 2)
				bad = !pbwire_packed_valid(buf, f.off,
							   f.off + f.len);
			break;
		}
	}
	return bad ? -1 : rc;
}

/* --- reading ------------------------------------------------------------ */

/* A label set seen, by its pairs as given. */
#define LABEL_MEMO	 1024 /* slots, direct-mapped */
#define LABEL_MEMO_PAIRS 4    /* larger sets are interned each time */
struct label_memo {
	uint32_t np; /* 0: empty slot */
	uint32_t pairs[2 * LABEL_MEMO_PAIRS];
	seqid id;
};

/* A sample's stack not interned yet: its goroutine, its frames in the
 * reader's pend_items, their hash. */
struct pending_stack {
	size_t g;
	size_t off;
	uint32_t n;
	uint64_t hash;
};

struct reader {
	struct snapshot *s;
	struct intern *in;
	const unsigned char *buf;
	size_t len;
	struct profile p;
	uint32_t *strids; /* string index -> strid + 1 */
	struct idmap fn_index, loc_index, map_index;
	uint32_t *loc_dense; /* location id -> index + 1, when ids are small */
	size_t ndense;
	uint32_t *loc_off, *loc_len; /* per location: frames in frames[] */
	uint32_t *frames;
	size_t nframes, capframes;
	uint32_t *stack; /* one sample's frames */
	size_t capstack;
	/* Every sample's stack, trimmed and waiting to be interned when all
	 * are read (see intern_pending). */
	uint32_t *pend_items;
	size_t npend_items, cap_pend_items;
	struct pending_stack *pend;
	size_t npend, cap_pend;
	/* One sample as decoded: location ids, values, the first labels. */
	uint64_t *ids;
	size_t nids, capids;
	uint64_t *vals;
	size_t nvals, capvals;
	struct plabel labels[PPROF_MAX_LABELS];
	size_t nlabels;	 /* all of them, kept or not */
	int undecodable; /* libprotobuf-c would not have unpacked the bytes */
	struct label_memo *label_memo; /* LABEL_MEMO of them, or NULL */
	strid state_key, creator_key;
	const char *inferred; /* the last state infer_state() gave, */
	strid inferred_id;    /* interned */
	struct error *err;
};

static int
string_at(struct reader *r, int64_t idx, const char *what, struct pstr *s)
{
	if (idx < 0 || (uint64_t)idx >= r->p.nstrings)
		return error_set(r->err,
				 "%s refers to string %" PRId64
				 ", but the string table has %zu entries",
				 what, idx, r->p.nstrings);
	*s = r->p.strings[idx];
	return 0;
}

static int
pstr_is(struct pstr s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static int
strid_of(struct reader *r, int64_t idx, const char *what, strid *out)
{
	struct pstr s = { "", 0 };

	if (string_at(r, idx, what, &s) < 0)
		return -1;
	if (r->strids[idx] == 0)
		r->strids[idx] = strtab_intern(&r->in->strings, s.p, s.len) + 1;
	*out = r->strids[idx] - 1;
	return 0;
}

/* Index items by their id field; ids must be non-zero and unique. */
static int
index_ids(struct reader *r, struct idmap *m, size_t n,
	  uint64_t (*id_of)(const struct reader *, size_t), const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t id = id_of(r, i);
		uint32_t h = hash_fold(hash_mix(0x5bd1e995, id)), pos = 0, j;

		if (id == 0)
			return error_set(r->err, "%s %zu has id 0", what, i);
		for (j = idmap_first(m, h, &pos); j != IDMAP_NONE;
		     j = idmap_next(m, h, &pos))
			if (id_of(r, j) == id)
				return error_set(r->err,
						 "two %ss have id %" PRIu64,
						 what, id);
		idmap_insert(m, h, (uint32_t)i);
	}
	return 0;
}

static uint32_t
lookup_id(const struct reader *r, const struct idmap *m, uint64_t id,
	  uint64_t (*id_of)(const struct reader *, size_t))
{
	uint32_t h = hash_fold(hash_mix(0x5bd1e995, id)), pos = 0, j;

	for (j = idmap_first(m, h, &pos); j != IDMAP_NONE;
	     j = idmap_next(m, h, &pos))
		if (id_of(r, j) == id)
			return j;
	return IDMAP_NONE;
}

static uint64_t
fn_id(const struct reader *r, size_t i)
{
	return r->p.functions[i].id;
}

static uint64_t
loc_id(const struct reader *r, size_t i)
{
	return r->p.locations[i].id;
}

static uint64_t
map_id(const struct reader *r, size_t i)
{
	return r->p.mappings[i].id;
}

/*
 * Go numbers locations 1, 2, 3, ...: then an array finds them (every
 * sample names ten or so), else the hash index does. Ids are unique here.
 */
static void
index_locations_densely(struct reader *r)
{
	size_t i, n = r->p.nlocations;
	uint64_t max = 0;

	for (i = 0; i < n; i++)
		if (r->p.locations[i].id > max)
			max = r->p.locations[i].id;
	if (max > 2 * (uint64_t)n + 64)
		return;
	r->ndense = (size_t)max + 1;
	r->loc_dense = xcalloc(r->ndense, sizeof(*r->loc_dense));
	for (i = 0; i < n; i++)
		r->loc_dense[r->p.locations[i].id] = (uint32_t)i + 1;
}

static uint32_t
find_location(const struct reader *r, uint64_t id)
{
	if (r->loc_dense == NULL)
		return lookup_id(r, &r->loc_index, id, loc_id);
	if (id >= r->ndense || r->loc_dense[id] == 0)
		return IDMAP_NONE;
	return r->loc_dense[id] - 1;
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
address_frame(struct reader *r, const struct plocation *loc)
{
	char name[32];
	struct pstr file = { "", 0 };
	uint64_t addr = loc->address;
	uint32_t m = IDMAP_NONE;

	if (loc->mapping_id != 0)
		m = lookup_id(r, &r->map_index, loc->mapping_id, map_id);
	if (m != IDMAP_NONE) {
		const struct pmapping *mp = &r->p.mappings[m];

		if (addr >= mp->memory_start)
			addr -= mp->memory_start;
		if (string_at(r, mp->filename, "a mapping's filename", &file) <
		    0)
			return -1;
		if (file.len == 0 &&
		    string_at(r, mp->build_id, "a mapping's build id", &file) <
			    0)
			return -1;
	}
	snprintf(name, sizeof(name), "0x%" PRIx64, addr);
	push_frame(r, intern_frame(r->in, name, strlen(name), file.p, file.len,
				   0));
	return 0;
}

/* The frame of one line of a location. */
static int
line_frame(struct reader *r, const struct plocation *loc,
	   const struct pline *ln)
{
	uint32_t fi = IDMAP_NONE;
	const struct pfunction *fn = NULL;
	struct pstr name = { "", 0 }, file = { "", 0 };

	if (ln->function_id == 0)
		return address_frame(r, loc);
	fi = lookup_id(r, &r->fn_index, ln->function_id, fn_id);
	if (fi == IDMAP_NONE)
		return error_set(r->err,
				 "location %" PRIu64 " refers to function "
				 "%" PRIu64 ", which is not defined",
				 loc->id, ln->function_id);
	fn = &r->p.functions[fi];
	if (string_at(r, fn->name, "a function's name", &name) < 0 ||
	    string_at(r, fn->filename, "a function's filename", &file) < 0)
		return -1;
	if (name.len == 0 && string_at(r, fn->system_name,
				       "a function's system name", &name) < 0)
		return -1;
	if (ln->line < 0 || ln->line > UINT32_MAX)
		return error_set(r->err,
				 "location %" PRIu64 " has line number "
				 "%" PRId64,
				 loc->id, ln->line);
	push_frame(r, intern_frame(r->in, name.p, name.len, file.p, file.len,
				   (uint32_t)ln->line));
	return 0;
}

static int
build_locations(struct reader *r)
{
	const struct profile *p = &r->p;
	size_t i, k;

	r->loc_off = xcalloc(p->nlocations + 1, sizeof(*r->loc_off));
	r->loc_len = xcalloc(p->nlocations + 1, sizeof(*r->loc_len));
	for (i = 0; i < p->nlocations; i++) {
		const struct plocation *loc = &p->locations[i];

		r->loc_off[i] = (uint32_t)r->nframes;
		if (loc->nline > PPROF_MAX_LINES)
			return error_set(r->err,
					 "location %" PRIu64 " has %zu lines "
					 "(at most %u)",
					 loc->id, loc->nline, PPROF_MAX_LINES);
		if (loc->nline == 0 && address_frame(r, loc) < 0)
			return -1;
		for (k = 0; k < loc->nline; k++)
			if (line_frame(r, loc, &p->lines[loc->line0 + k]) < 0)
				return -1;
		r->loc_len[i] = (uint32_t)(r->nframes - r->loc_off[i]);
	}
	return 0;
}

/* The value column that counts goroutines, or -1 with err saying why. */
static int
goroutine_column(struct reader *r, enum snapshot_kind *kind)
{
	const struct profile *p = &r->p;
	char types[256] = "";
	size_t i, o = 0;

	for (i = 0; i < p->ntypes; i++) {
		struct pstr type = { "", 0 }, unit = { "", 0 };

		if (string_at(r, p->types[i].type, "a sample type", &type) <
			    0 ||
		    string_at(r, p->types[i].unit, "a sample type's unit",
			      &unit) < 0)
			return -1;
		if (pstr_is(unit, "count") &&
		    (pstr_is(type, "goroutine") ||
		     pstr_is(type, "goroutineleak"))) {
			*kind = pstr_is(type, "goroutineleak")
					? SNAPSHOT_LEAK
					: SNAPSHOT_GOROUTINE;
			return (int)i;
		}
		if (o < sizeof(types))
			o += (size_t)snprintf(types + o, sizeof(types) - o,
					      "%s%.*s/%.*s", i ? ", " : "",
					      (int)type.len, type.p,
					      (int)unit.len, unit.p);
	}
	if (p->ntypes == 0)
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

/* Append the values of a repeated varint field: one (wire type 0) or a
 * packed run (2). Returns -1 when a packed varint is cut short. */
static int
push_varints(uint64_t **v, size_t *n, size_t *cap, const unsigned char *buf,
	     const struct pbwire_field *f)
{
	size_t pos = f->off, end = f->off + f->len;

	if (f->wt == 0) {
		if (*n == *cap)
			*v = xgrow(*v, sizeof(**v), *n + 1, cap);
		(*v)[(*n)++] = f->v;
		return 0;
	}
	/* At most one value per byte. */
	if (f->len > *cap - *n)
		*v = xgrow(*v, sizeof(**v), *n + f->len, cap);
	while (pos < end)
		if (!pbwire_varint(buf, &pos, end, &(*v)[(*n)++]))
			return -1;
	return 0;
}

/* A Label from its fields' values, v[1..4] by field number. */
static void
label_from(struct plabel *lb, const uint64_t *v)
{
	lb->key = (int64_t)v[1];
	lb->str = (int64_t)v[2];
	lb->num = (int64_t)v[3];
	lb->num_unit = (int64_t)v[4];
}

static int
decode_label(struct reader *r, const struct pbwire_field *f)
{
	uint64_t v[MAX_SCALAR_FIELD + 1];
	struct plabel *lb = NULL;

	if (r->nlabels >= PPROF_MAX_LABELS) {
		/* Too many: counted, checked, and refused once decoded. */
		r->nlabels++;
		return pbwire_valid(r->buf, f->off, f->off + f->len, &pb_label)
			       ? 0
			       : -1;
	}
	if (decode_scalars(r->buf, f->off, f->len, &pb_label, v) < 0)
		return -1;
	lb = &r->labels[r->nlabels++];
	label_from(lb, v);
	return 0;
}

/*
 * The Label at buf[pos..end) when it holds nothing but its four varint
 * fields with one-byte keys, as every encoder writes it: 1, or 0 for the
 * general path (which decodes such bytes the same way).
 */
static int
label_fast(const unsigned char *buf, size_t pos, size_t end, struct plabel *lb)
{
	uint64_t v[5] = { 0, 0, 0, 0, 0 };

	while (pos < end) {
		unsigned key = buf[pos++];

		if (key != 0x08 && key != 0x10 && key != 0x18 && key != 0x20)
			return 0;
		if (!pbwire_varint(buf, &pos, end, &v[key >> 3]))
			return 0;
	}
	label_from(lb, v);
	return 1;
}

/*
 * decode_sample() for a Sample as Go writes it: packed location ids and
 * values, labels of varints, every key and length one byte. Returns 1, or
 * 0 at anything else, for the general path to decode from the start.
 */
static int
sample_fast(struct reader *r, size_t pos, size_t end)
{
	const unsigned char *b = r->buf;

	r->nids = r->nvals = r->nlabels = 0;
	while (pos < end) {
		unsigned key = b[pos++];
		struct pbwire_field f;

		if (key == 0x08 || key == 0x10) {
			f.wt = 0;
			if (!pbwire_varint(b, &pos, end, &f.v))
				return 0;
		} else if (key == 0x0a || key == 0x12 || key == 0x1a) {
			if (pos >= end || b[pos] >= 0x80)
				return 0; /* no length, or a longer one */
			f.wt = 2;
			f.len = b[pos++];
			f.off = pos;
			if (f.len > end - pos)
				return 0;
			pos += f.len;
		} else {
			return 0;
		}
		if (key == 0x1a) {
			if (r->nlabels >= PPROF_MAX_LABELS ||
			    !label_fast(b, f.off, pos, &r->labels[r->nlabels]))
				return 0;
			r->nlabels++;
		} else if (push_varints(key >> 3 == 1 ? &r->ids : &r->vals,
					key >> 3 == 1 ? &r->nids : &r->nvals,
					key >> 3 == 1 ? &r->capids
						      : &r->capvals,
					b, &f) < 0) {
			return 0;
		}
	}
	return 1;
}

/* Decode the Sample at buf[off..off+len) into r->ids, vals and labels;
 * -1 (and r->undecodable) when libprotobuf-c would not unpack it. */
static int
decode_sample(struct reader *r, size_t off, size_t len)
{
	struct pbwire w = { r->buf, off, off + len };
	struct pbwire_field f;
	int rc = 0, bad = 0;

	if (sample_fast(r, off, off + len))
		return 0;
	r->nids = r->nvals = r->nlabels = 0;
	while (!bad && (rc = pbwire_next(&w, &f)) > 0) {
		const struct pbwire_def *d = pbwire_find(&pb_sample, f.num);

		if (d == NULL)
			continue;
		if (!pbwire_fits(d->kind, f.wt))
			bad = 1;
		else if (f.num == 1)
			bad = push_varints(&r->ids, &r->nids, &r->capids,
					   r->buf, &f) < 0;
		else if (f.num == 2)
			bad = push_varints(&r->vals, &r->nvals, &r->capvals,
					   r->buf, &f) < 0;
		else
			bad = decode_label(r, &f) < 0;
	}
	if (bad || rc < 0) {
		r->undecodable = 1;
		return -1;
	}
	return 0;
}

/* The frames of the sample's locations into r->stack; returns how many. */
static int
sample_stack(struct reader *r, size_t idx, size_t *n)
{
	size_t i, k;

	*n = 0;
	for (i = 0; i < r->nids; i++) {
		uint32_t li = find_location(r, r->ids[i]), len;
		const uint32_t *f = NULL;

		if (li == IDMAP_NONE)
			return error_set(
				r->err,
				"sample %zu refers to location %" PRIu64
				", which is not defined",
				idx, r->ids[i]);
		len = r->loc_len[li];
		if (*n + len > PPROF_MAX_STACK)
			return error_set(r->err,
					 "sample %zu is deeper than %u frames",
					 idx, PPROF_MAX_STACK);
		if (*n + len > r->capstack)
			r->stack = xgrow(r->stack, sizeof(*r->stack), *n + len,
					 &r->capstack);
		f = r->frames + r->loc_off[li];
		for (k = 0; k < len; k++)
			r->stack[(*n)++] = f[k];
	}
	return 0;
}

/*
 * The label set of np (key, value) pairs, through a small memo of the
 * sets seen: samples repeat a few label sets many times over, and
 * interning one sorts it and looks it up in a table of all of them.
 */
static seqid
labels_of(struct reader *r, uint32_t *pairs, uint32_t np)
{
	struct label_memo *m = NULL;
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	uint32_t i;

	if (np > LABEL_MEMO_PAIRS)
		return intern_labels(r->in, pairs, np);
	for (i = 0; i < 2 * np; i++)
		h = hash_mix(h, pairs[i]);
	if (r->label_memo == NULL)
		r->label_memo = xcalloc(LABEL_MEMO, sizeof(*r->label_memo));
	m = &r->label_memo[h & (LABEL_MEMO - 1)];
	if (m->np != np ||
	    memcmp(m->pairs, pairs, 2 * np * sizeof(*pairs)) != 0) {
		m->np = np;
		memcpy(m->pairs, pairs, 2 * np * sizeof(*pairs));
		m->id = intern_labels(r->in, pairs, np); /* sorts pairs */
	}
	return m->id;
}

/*
 * Keep the sample's stack in r->stack[0..n) for intern_pending(): the stacks
 * of a profile are mostly distinct, so nearly every one is a miss in the
 * stack table's index, a read far from the last one that the interning
 * of one at a time waits for; all at once, each slot is fetched while
 * the sequences before it are interned.
 */
static void
defer_stack(struct reader *r, size_t g, uint32_t n)
{
	struct pending_stack *p = NULL;

	n = intern_stack_trim(r->in, r->stack, n);
	if (n > SEQTAB_MAX_LEN)
		n = SEQTAB_MAX_LEN;
	r->pend_items = xgrow(r->pend_items, sizeof(*r->pend_items),
			      r->npend_items + n, &r->cap_pend_items);
	r->pend = xgrow(r->pend, sizeof(*r->pend), r->npend + 1, &r->cap_pend);
	p = &r->pend[r->npend++];
	p->g = g;
	p->off = r->npend_items;
	p->n = n;
	if (n)
		memcpy(r->pend_items + r->npend_items, r->stack,
		       n * sizeof(*r->stack));
	p->hash = seqtab_hash(r->stack, n);
	r->npend_items += n;
}

/* The most frames reserve_pending() reserves room for (64 MiB). */
#define PPROF_PEND_RESERVE_MAX ((size_t)16 << 20)

/*
 * Room for the pending stacks at once: a sample's bytes hold at most as
 * many location ids, each of the frames a location has on average. The
 * room is reserved, not touched: regrowing it copied the stacks and
 * faulted in twice their pages (a twentieth of show's time on a profile
 * of 60,000 distinct stacks). Past the estimate it grows as before.
 */
static void
reserve_pending(struct reader *r)
{
	/* Frames a location has on average, rounded up (1 at least: a
	 * profile's locations may have no lines). */
	size_t per =
		r->p.nlocations && r->nframes > r->p.nlocations
			? (r->nframes + r->p.nlocations - 1) / r->p.nlocations
			: 1;
	size_t want = r->p.sample_bytes > PPROF_PEND_RESERVE_MAX / per
			      ? PPROF_PEND_RESERVE_MAX
			      : r->p.sample_bytes * per;

	r->pend_items = xgrow(r->pend_items, sizeof(*r->pend_items), want,
			      &r->cap_pend_items);
	r->pend = xgrow(r->pend, sizeof(*r->pend), r->p.nsamples, &r->cap_pend);
}

/* How many stacks ahead of the one being interned have their slot fetched. */
#define PEND_AHEAD 8

static void
intern_pending(struct reader *r)
{
	struct seqtab *t = &r->in->stacks;
	size_t i;

	/* The table's items grow once, not by doubling. */
	seqtab_reserve(t, r->npend, r->npend_items);
	for (i = 0; i < r->npend; i++) {
		const struct pending_stack *p = &r->pend[i];

		if (i + PEND_AHEAD < r->npend)
			seqtab_prefetch(t, r->pend[i + PEND_AHEAD].hash);
		r->s->g[p->g].stack = seqtab_intern_hashed(
			t, r->pend_items + p->off, p->n, p->hash);
	}
	r->npend = 0;
	r->npend_items = 0;
}

static int
read_sample(struct reader *r, size_t idx, size_t off, size_t len, int col,
	    enum snapshot_kind kind)
{
	struct goroutine *g = NULL;
	uint32_t pairs[2 * PPROF_MAX_LABELS], np = 0;
	size_t n = 0, i;
	strid state = 0;
	frameid creator = 0;
	int64_t w;

	if (decode_sample(r, off, len) < 0)
		return -1;
	if (r->nvals != r->p.ntypes)
		return error_set(r->err,
				 "sample %zu has %zu values for %zu sample "
				 "types",
				 idx, r->nvals, r->p.ntypes);
	w = (int64_t)r->vals[col];
	if (w < 0)
		return error_set(r->err,
				 "sample %zu has the negative count %" PRId64
				 ": a delta profile (?seconds=N) holds "
				 "differences, not goroutines",
				 idx, w);
	if (w == 0)
		return 0;
	if (sample_stack(r, idx, &n) < 0)
		return -1;
	if (r->nlabels > PPROF_MAX_LABELS)
		return error_set(r->err,
				 "sample %zu has %zu labels (at most %u)", idx,
				 r->nlabels, PPROF_MAX_LABELS);
	for (i = 0; i < r->nlabels; i++) {
		const struct plabel *lb = &r->labels[i];
		strid key = 0, val = 0;

		if (strid_of(r, lb->key, "a label key", &key) < 0)
			return -1;
		if (lb->str != 0) {
			if (strid_of(r, lb->str, "a label value", &val) < 0)
				return -1;
		} else {
			/* A numeric label, with its unit when it has one. */
			struct pstr unit = { "", 0 };
			char text[96];

			if (string_at(r, lb->num_unit, "a label unit", &unit) <
			    0)
				return -1;
			snprintf(text, sizeof(text), "%" PRId64 "%s%.*s",
				 lb->num, unit.len ? " " : "", (int)unit.len,
				 unit.p);
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
	if (n == 0 && state == 0) {
		/* No location: Go's profile writer drops runtime.goexit
		 * (allFrames in runtime/pprof), so a goroutine not yet run,
		 * whose stack is goexit's alone, has none, where debug=1
		 * prints its one address. (goroscope's own profiles say the
		 * state, and keep an empty stack empty.) */
		r->stack = xgrow(r->stack, sizeof(*r->stack), 1, &r->capstack);
		r->stack[n++] = intern_frame(r->in, INTERN_GOEXIT,
					     strlen(INTERN_GOEXIT), "", 0, 0);
	}
	g = snapshot_add(r->s);
	g->weight = w;
	if (kind == SNAPSHOT_LEAK)
		g->flags |= G_LEAKED;
	if (state == 0) {
		const char *text = infer_state(r->in, r->stack, (uint32_t)n, 0);

		/* A static string, mostly the same one sample after sample. */
		if (text != r->inferred) {
			r->inferred = text;
			r->inferred_id =
				strtab_intern_cstr(&r->in->strings, text);
		}
		g->flags |= G_STATE_INFERRED;
		state = r->inferred_id;
	}
	g->state = state;
	g->creator = creator;
	g->labels = np ? labels_of(r, pairs, np) : 0;
	defer_stack(r, (size_t)(g - r->s->g), (uint32_t)n);
	return 0;
}

/* Every sample, in order: a second walk over the top level, whose
 * framing decode_profile() has read already. */
static int
read_samples(struct reader *r, int col, enum snapshot_kind kind)
{
	struct pbwire w = { r->buf, 0, r->len };
	struct pbwire_field f = { 0 }; /* off and len: of wire type 2 only */
	size_t idx = 0;

	while (pbwire_next(&w, &f) > 0)
		if (f.num == 2 && f.wt == 2 &&
		    read_sample(r, idx++, f.off, f.len, col, kind) < 0)
			return -1;
	intern_pending(r);
	return 0;
}

/* Say why the bytes are not a Profile message, at which offset. */
static int
wire_error(const unsigned char *buf, size_t len, struct error *err)
{
	if (pprof_check_wire(buf, len, err) == 0)
		error_set(err, "the protobuf framing is sound but a field "
			       "could not be decoded");
	return -1;
}

static void
reader_release(struct reader *r)
{
	profile_release(&r->p);
	free(r->strids);
	free(r->loc_dense);
	free(r->loc_off);
	free(r->loc_len);
	free(r->frames);
	free(r->label_memo);
	free(r->stack);
	free(r->pend_items);
	free(r->pend);
	free(r->ids);
	free(r->vals);
	idmap_release(&r->fn_index);
	idmap_release(&r->loc_index);
	idmap_release(&r->map_index);
}

/*
 * Keep the profile's mappings (the first SNAPSHOT_MAX_MAPPINGS) in the
 * snapshot, for a profile written from it: the program's file name and
 * build id are what `go tool pprof` shows first. Nothing refers to them
 * once the frames are read, so a name that is not in the string table
 * is left empty rather than refused.
 */
static void
keep_mappings(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->p.nmappings; i++) {
		const struct pmapping *pm = &r->p.mappings[i];
		struct snapshot_mapping *m = snapshot_add_mapping(r->s);
		strid name = 0, id = 0;

		if (m == NULL)
			break;
		if (pm->filename > 0 && (uint64_t)pm->filename < r->p.nstrings)
			(void)strid_of(r, pm->filename, "", &name);
		if (pm->build_id > 0 && (uint64_t)pm->build_id < r->p.nstrings)
			(void)strid_of(r, pm->build_id, "", &id);
		m->memory_start = pm->memory_start;
		m->memory_limit = pm->memory_limit;
		m->file_offset = pm->file_offset;
		m->filename = name;
		m->build_id = id;
		m->flags = pm->flags;
	}
}

static int
read_profile(struct reader *r)
{
	enum snapshot_kind kind = SNAPSHOT_GOROUTINE;
	int col;

	if (decode_profile(&r->p, r->buf, r->len) < 0) {
		r->undecodable = 1;
		return -1;
	}
	if (r->p.nstrings == 0 || r->p.strings[0].len != 0)
		return error_set(r->err,
				 "string_table[0] must be the empty string");
	r->strids = xcalloc(r->p.nstrings, sizeof(*r->strids));
	col = goroutine_column(r, &kind);
	if (col < 0)
		return -1;
	r->s->kind = kind;
	r->s->time_ns = r->p.time_nanos;
	r->s->format = strtab_intern_cstr(&r->in->strings, "pprof");
	r->s->provides = 0;
	r->state_key = strtab_intern_cstr(&r->in->strings, PPROF_STATE_LABEL);
	r->creator_key =
		strtab_intern_cstr(&r->in->strings, PPROF_CREATOR_LABEL);
	if (index_ids(r, &r->fn_index, r->p.nfunctions, fn_id, "function") <
		    0 ||
	    index_ids(r, &r->loc_index, r->p.nlocations, loc_id, "location") <
		    0 ||
	    index_ids(r, &r->map_index, r->p.nmappings, map_id, "mapping") <
		    0 ||
	    build_locations(r) < 0)
		return -1;
	index_locations_densely(r);
	keep_mappings(r);
	/* Room for every sample at once: a profile of 60,000 distinct
	 * stacks spent a tenth of its time regrowing the tables. */
	seqtab_reserve(&r->in->stacks, r->p.nsamples, 0);
	reserve_pending(r);
	r->s->g = xgrow(r->s->g, sizeof(*r->s->g), r->s->n + r->p.nsamples,
			&r->s->cap);
	return read_samples(r, col, kind);
}

int
pprof_parse(struct snapshot *out, const unsigned char *buf, size_t len,
	    struct error *err)
{
	struct reader r;
	int ret, ntime = 0;

	/* The top level first (cheap: it finds cut files and concatenated
	 * profiles), with its own messages. */
	if (check_msg(buf, 0, len, &pb_profile, 0, 0, &ntime, err) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.s = out;
	r.in = out->in;
	r.buf = buf;
	r.len = len;
	r.err = err;
	idmap_init(&r.fn_index);
	idmap_init(&r.loc_index);
	idmap_init(&r.map_index);
	ret = read_profile(&r);
	/*
	 * Bytes libprotobuf-c would not unpack were refused before any
	 * meaning was looked at: a fault of meaning found first stands only
	 * when the rest of the bytes decode.
	 */
	if (ret < 0 &&
	    (r.undecodable || !pbwire_valid(buf, 0, len, &pb_profile)))
		wire_error(buf, len, err);
	reader_release(&r);
	return ret;
}

int
pprof_read(struct intern *in, const unsigned char *buf, size_t len,
	   const struct read_opts *o, snapshot_sink sink, void *ctx,
	   struct error *err)
{
	struct snapshot s;
	int ret;

	(void)o;
	snapshot_init(&s, in);
	ret = pprof_parse(&s, buf, len, err);
	if (ret == 0)
		ret = sink(&s, ctx);
	snapshot_release(&s);
	return ret;
}

/* --- writing ------------------------------------------------------------ */

struct writer {
	const struct snapshot *s;
	const struct intern *in;
	struct arena mem;
	uint32_t *str_index; /* strid -> string table index + 1 */
	size_t str_cap;
	/* The string table, written after libprotobuf-c's packing (which
	 * takes C strings and would cut them at a NUL). */
	struct pstr *strings;
	size_t nstrings, capstrings;
	size_t strings_size; /* bytes of their fields on the wire */
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
wstr_n(struct writer *w, const char *s, size_t n)
{
	size_t k = n;

	w->strings = xgrow(w->strings, sizeof(*w->strings), w->nstrings + 1,
			   &w->capstrings);
	w->strings[w->nstrings].p = s;
	w->strings[w->nstrings].len = n;
	w->strings_size += 1 + n; /* the tag (6, bytes), the bytes */
	do
		w->strings_size++; /* the length's varint */
	while (k >>= 7);
	return (int64_t)w->nstrings++;
}

static int64_t
wstr_bytes(struct writer *w, const char *s)
{
	return wstr_n(w, s, strlen(s));
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
			(uint32_t)wstr_n(w, intern_str(w->in, id),
					 strtab_len(&w->in->strings, id)) +
			1;
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
		size_t n = fl + 1 + il;

		text = arena_alloc(&w->mem, n + 16);
		memcpy(text, intern_str(w->in, fr->func), fl);
		text[fl] = ' ';
		memcpy(text + fl + 1, intern_str(w->in, fr->file), il);
		n += (size_t)snprintf(text + n, 16, ":%u", fr->line);
		w->creator_str[f] = (uint32_t)wstr_n(w, text, n) + 1;
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
			w->samples[i]->value[0] =
				sat_add(w->samples[i]->value[0], g->weight);
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

/*
 * The mappings of the profile written from s: the ones its source profile
 * had, in order, or else one named "goroscope" (a profile without any
 * makes `go tool pprof` say that the main binary is not available). Every
 * location refers to the first, which therefore has functions whatever the
 * source said: its frames are all named, none is to be symbolized.
 */
static Mapping **
wmappings(struct writer *w, size_t *n)
{
	size_t k = w->s->nmappings ? w->s->nmappings : 1, i;
	Mapping **v = arena_alloc(&w->mem, k * sizeof(*v));

	for (i = 0; i < k; i++) {
		Mapping *mp = arena_alloc(&w->mem, sizeof(*mp));

		perftools__profiles__mapping__init(mp);
		mp->id = i + 1;
		if (w->s->nmappings) {
			const struct snapshot_mapping *m = &w->s->mappings[i];

			mp->memory_start = m->memory_start;
			mp->memory_limit = m->memory_limit;
			mp->file_offset = m->file_offset;
			mp->filename = wstr(w, m->filename);
			mp->build_id = wstr(w, m->build_id);
			mp->has_functions = !!(m->flags & MAPPING_FUNCTIONS);
			mp->has_filenames = !!(m->flags & MAPPING_FILENAMES);
			mp->has_line_numbers =
				!!(m->flags & MAPPING_LINE_NUMBERS);
			mp->has_inline_frames =
				!!(m->flags & MAPPING_INLINE_FRAMES);
		} else {
			mp->filename = wstr_bytes(w, "goroscope");
		}
		v[i] = mp;
	}
	v[0]->has_functions = 1;
	*n = k;
	return v;
}

int
pprof_write(FILE *fp, const struct snapshot *s, struct error *err)
{
	struct writer w;
	Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	ValueType st = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	ValueType pt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	ValueType *stp[1] = { &st };
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
	p.mapping = wmappings(&w, &p.n_mapping);
	w.state_key = wstr_bytes(&w, PPROF_STATE_LABEL);
	w.creator_key = wstr_bytes(&w, PPROF_CREATOR_LABEL);
	for (i = 0; i < s->n; i++)
		wsample(&w, &s->g[i]);
	p.n_sample_type = 1;
	p.sample_type = stp;
	p.period_type = &pt;
	p.period = 1;
	p.time_nanos = s->time_ns;
	p.n_sample = w.nsamples;
	p.sample = w.samples;
	p.n_location = w.nlocs;
	p.location = w.locs;
	p.n_function = w.nfns;
	p.function = w.fns;
	len = perftools__profiles__profile__get_packed_size(&p);
	buf = xmalloc(len + w.strings_size);
	perftools__profiles__profile__pack(&p, buf);
	/* The string table after the rest: a repeated field's entries may
	 * come anywhere, in their order. */
	for (i = 0; i < w.nstrings; i++) {
		size_t n = w.strings[i].len;

		buf[len++] = 6 << 3 | 2;
		for (; n >= 0x80; n >>= 7)
			buf[len++] = (unsigned char)(n | 0x80);
		buf[len++] = (unsigned char)n;
		memcpy(buf + len, w.strings[i].p, w.strings[i].len);
		len += w.strings[i].len;
	}
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
