/*
 * The .gsnap codec. Byte layout in man/goroscope-gsnap.5; keep the two in
 * step. All integers in headers are little-endian; inside sections they
 * are LEB128 varints.
 */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "formats/gsnap.h"
#include "lib/error.h"
#include "lib/intern.h"
#include "lib/snapshot.h"
#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const unsigned char file_magic[8] = { 0x89, 'G', 'S',  'N',
					     'A',  'P', '\r', '\n' };
static const unsigned char record_magic[4] = { 'G', 'R', 'E', 'C' };

enum section_tag {
	SEC_META = 1,
	SEC_STRINGS = 2,
	SEC_FRAMES = 3,
	SEC_STACKS = 4,
	SEC_LABELSETS = 5,
	SEC_GOROUTINES = 6,
};

enum section_encoding {
	ENC_RAW = 0,
	ENC_DEFLATE = 1, /* raw deflate, RFC 1951: the record has a CRC */
};

/* Flags of a goroutine record: enum goroutine_flag, whose values are part
 * of the file format (the man page lists them). */
#define KNOWN_FLAGS 0x7ffu

static const char *
section_name(unsigned tag)
{
	switch (tag) {
	case SEC_META:
		return "meta";
	case SEC_STRINGS:
		return "strings";
	case SEC_FRAMES:
		return "frames";
	case SEC_STACKS:
		return "stacks";
	case SEC_LABELSETS:
		return "label sets";
	case SEC_GOROUTINES:
		return "goroutines";
	default:
		return "unknown";
	}
}

int
gsnap_sniff(const unsigned char *buf, size_t len)
{
	return len >= sizeof(file_magic) &&
	       memcmp(buf, file_magic, sizeof(file_magic)) == 0;
}

/* --- framing -------------------------------------------------------------- */

void
gsnap_put_header(struct buf *out)
{
	size_t at = out->len;

	buf_put(out, file_magic, sizeof(file_magic));
	buf_put_u16le(out, GSNAP_MAJOR);
	buf_put_u16le(out, GSNAP_MINOR);
	buf_put_u32le(out, (uint32_t)crc32(0, out->p + at, 12));
}

int
gsnap_scan_init(struct gsnap_scan *s, const unsigned char *buf, size_t len,
		struct error *err)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->len = len;
	if (!gsnap_sniff(buf, len))
		return error_set_offset(err, 0, "not a goroscope dump");
	if (len < GSNAP_HEADER_SIZE)
		return error_set_offset(err, len,
					"file header cut short (%zu of %d "
					"bytes)",
					len, GSNAP_HEADER_SIZE);
	if (get_u32le(buf + 12) != (uint32_t)crc32(0, buf, 12))
		return error_set_offset(err, 12,
					"file header CRC mismatch: the file "
					"is damaged");
	s->major = get_u16le(buf + 8);
	s->minor = get_u16le(buf + 10);
	if (s->major != GSNAP_MAJOR)
		return error_set_offset(
			err, 8,
			"format version %u.%u is not supported: this "
			"goroscope reads version %d.x%s",
			s->major, s->minor, GSNAP_MAJOR,
			s->major > GSNAP_MAJOR ? "; a newer goroscope wrote it"
					       : "");
	s->off = GSNAP_HEADER_SIZE;
	return 0;
}

/* zlib's CRC-32, by libdeflate's faster code (the same numbers). */
uint32_t
gsnap_record_crc(const unsigned char *header, size_t len)
{
	uint32_t crc = libdeflate_crc32(0, header + 4, 16);

	return libdeflate_crc32(crc, header + GSNAP_RECORD_HEADER_SIZE, len);
}

void
gsnap_torn_warning(const struct gsnap_scan *s, char *buf, size_t size)
{
	snprintf(buf, size,
		 "the last record (offset 0x%llx, %zu bytes) is cut short, as "
		 "by an append that did not finish: left out",
		 (unsigned long long)s->torn_offset, s->torn_bytes);
}

int
gsnap_check_crc(const struct gsnap_record *r, struct error *err)
{
	uint32_t crc =
		gsnap_record_crc(r->payload - GSNAP_RECORD_HEADER_SIZE, r->len);

	if (crc != r->crc)
		return error_set_offset(
			err, r->offset,
			"record %u: CRC mismatch (stored %08x, computed %08x): "
			"the file is damaged",
			r->index + 1, (unsigned)r->crc, (unsigned)crc);
	return 0;
}

/* Whether a whole record whose CRC holds starts at off. */
static int
intact_at(const struct gsnap_scan *s, size_t off)
{
	const unsigned char *h = s->buf + off;
	size_t left = s->len - off;
	uint64_t plen;

	if (left < GSNAP_RECORD_HEADER_SIZE ||
	    memcmp(h, record_magic, sizeof(record_magic)) != 0)
		return 0;
	plen = get_u32le(h + 16);
	return plen <= left - GSNAP_RECORD_HEADER_SIZE &&
	       get_u32le(h + 20) == gsnap_record_crc(h, (size_t)plen);
}

/* The offset of the first intact record after from (s->len: none), as
 * LevelDB's log reader resyncs: a record's magic and a CRC that holds. */
static size_t
resync(const struct gsnap_scan *s, size_t from)
{
	const unsigned char *p = s->buf + from, *e = s->buf + s->len;

	while (p < e) {
		p = memmem(p, (size_t)(e - p), record_magic,
			   sizeof(record_magic));
		if (p == NULL)
			break;
		if (intact_at(s, (size_t)(p - s->buf)))
			return (size_t)(p - s->buf);
		p++;
	}
	return s->len;
}

/* Note the bytes [off, next) lost to damage, and why. */
static void
damaged(struct gsnap_scan *s, size_t off, size_t next, const char *why)
{
	struct gsnap_damage *d = NULL;

	if (s->ndamage < GSNAP_MAX_DAMAGE) {
		d = &s->damage[s->ndamage];
		d->offset = off;
		d->bytes = next - off;
		d->why = why;
	}
	s->ndamage++;
	s->damaged_bytes += next - off;
	s->off = next;
}

int
gsnap_scan_next(struct gsnap_scan *s, struct gsnap_record *r, int check_crc,
		struct error *err)
{
	(void)err;
	for (;;) {
		const unsigned char *h = s->buf + s->off;
		size_t left = s->len - s->off, next;
		uint64_t plen;

		if (left == 0)
			return 0;
		if (left < GSNAP_RECORD_HEADER_SIZE) {
			if (memcmp(h, record_magic,
				   left < sizeof(record_magic)
					   ? left
					   : sizeof(record_magic)) == 0) {
				/* The start of a record header, cut: the end
				 * of an append that did not finish. */
				s->torn = 1;
				s->torn_offset = s->off;
				s->torn_bytes = left;
				s->off = s->len;
				return 0;
			}
			damaged(s, s->off, s->len, "bytes that are no record");
			return 0;
		}
		if (memcmp(h, record_magic, sizeof(record_magic)) != 0) {
			damaged(s, s->off, resync(s, s->off + 1),
				"bad record magic");
			continue;
		}
		plen = get_u32le(h + 16);
		if (plen > left - GSNAP_RECORD_HEADER_SIZE) {
			/* Longer than the rest of the file: torn, when no
			 * record follows (else its length is damaged). */
			next = resync(s, s->off + 1);
			if (next == s->len) {
				s->torn = 1;
				s->torn_offset = s->off;
				s->torn_bytes = left;
				s->off = s->len;
				return 0;
			}
			damaged(s, s->off, next,
				"a length past the end of the file");
			continue;
		}
		memset(r, 0, sizeof(*r));
		r->offset = s->off;
		r->index = s->index;
		r->type = h[4];
		r->time_ns = (int64_t)get_u64le(h + 8);
		r->payload = h + GSNAP_RECORD_HEADER_SIZE;
		r->len = (size_t)plen;
		r->crc = get_u32le(h + 20);
		next = s->off + GSNAP_RECORD_HEADER_SIZE + (size_t)plen;
		if (check_crc && gsnap_record_crc(h, (size_t)plen) != r->crc) {
			/* The payload is damaged, or the length: then the
			 * next record is not where it says. */
			if (next != s->len && !intact_at(s, next))
				next = resync(s, s->off + 1);
			damaged(s, s->off, next, "CRC mismatch");
			continue;
		}
		s->off = next;
		s->index++;
		return 1;
	}
}

void
gsnap_damage_warning(const struct gsnap_scan *s, char *buf, size_t size)
{
	size_t n = 0, k;

	if (s->ndamage == 0) {
		buf[0] = '\0';
		return;
	}
	n = (size_t)snprintf(buf, size,
			     "%u damaged span%s (%zu bytes) skipped, every "
			     "intact record read:",
			     s->ndamage, s->ndamage == 1 ? "" : "s",
			     s->damaged_bytes);
	for (k = 0; k < s->ndamage && k < GSNAP_MAX_DAMAGE && n < size; k++)
		n += (size_t)snprintf(
			buf + n, size - n, "%s offset 0x%llx (%zu bytes, %s)",
			k ? "," : "", (unsigned long long)s->damage[k].offset,
			s->damage[k].bytes, s->damage[k].why);
	if (s->ndamage > GSNAP_MAX_DAMAGE && n < size)
		snprintf(buf + n, size - n, ", ...");
}

/* --- decoding ------------------------------------------------------------- */

void
gsnap_decoder_init(struct gsnap_decoder *d, struct intern *in)
{
	memset(d, 0, sizeof(*d));
	d->in = in;
}

static void
memo_release(struct gsnap_section_memo *m)
{
	free(m->map);
	memset(m, 0, sizeof(*m));
}

void
gsnap_decoder_release(struct gsnap_decoder *d)
{
	memo_release(&d->strings);
	memo_release(&d->frames);
	memo_release(&d->stacks);
	memo_release(&d->labelsets);
	free(d->tmp);
	free(d->gbuf);
	gsnap_prepared_release(&d->prep);
	memset(d, 0, sizeof(*d));
}

/* Where an error in a record is: the record, and the section if any. */
struct where {
	const struct gsnap_record *r;
	const char *section;
};

static int
bad(struct error *err, const struct where *w, const struct cursor *c,
    const char *what)
{
	if (w->section)
		return error_set_offset(err, w->r->offset,
					"record %u, %s section, byte %zu: %s",
					w->r->index + 1, w->section,
					c ? c->off : 0, what);
	return error_set_offset(err, w->r->offset, "record %u: %s",
				w->r->index + 1, what);
}

/* Whether sec is byte for byte the one memo m was built from. */
static int
same_as(const struct gsnap_section_memo *m, const struct gsnap_section *sec)
{
	return m->bytes != NULL && m->len == sec->stored_len &&
	       memcmp(m->bytes, sec->stored, sec->stored_len) == 0;
}

/*
 * Whether the table in sec can be taken from the previous record: the
 * same bytes, over the same tables it refers to (not fresh ones).
 */
static int
reuse(struct gsnap_decoder *d, const struct gsnap_section_memo *m,
      const struct gsnap_section *sec, int deps_fresh)
{
	if (deps_fresh)
		return 0;
	/* The reader compared a deferred section with the bytes the memo
	 * holds already; anything else is compared here. */
	if (!(sec->deferred && sec->prev_stored == m->bytes) &&
	    !same_as(m, sec))
		return 0;
	d->reused++;
	return 1;
}

static uint32_t *
memo_map(struct gsnap_section_memo *m, const struct gsnap_section *sec,
	 size_t n)
{
	m->bytes = sec->stored;
	m->len = sec->stored_len;
	m->map = xgrow(m->map, sizeof(*m->map), n ? n : 1, &m->cap);
	m->n = n;
	return m->map;
}

/* The count that starts a table: at most one entry per remaining byte,
 * so a forged count cannot make us allocate more than the input. */
static int
table_count(struct cursor *c, size_t *n)
{
	uint64_t v = cursor_uvarint(c);

	if (c->bad || v > c->len - c->off)
		return -1;
	*n = (size_t)v;
	return 0;
}

/* Start reading the table in sec (inflated by gsnap_prepare): its count
 * into n, and the map of m to fill; NULL when the count is bad. */
static uint32_t *
open_table(struct gsnap_section_memo *m, const struct gsnap_section *sec,
	   struct cursor *c, size_t *n)
{
	cursor_init(c, sec->data, sec->len);
	if (table_count(c, n) < 0)
		return NULL;
	return memo_map(m, sec, *n);
}

static int
decode_strings(struct gsnap_decoder *d, struct gsnap_section *sec,
	       const struct where *w, struct error *err)
{
	struct cursor c;
	size_t n = 0, i;
	uint32_t *map = NULL;

	map = open_table(&d->strings, sec, &c, &n);
	if (map == NULL)
		return bad(err, w, &c, "bad string count");
	for (i = 0; i < n; i++) {
		size_t len = 0;
		const unsigned char *p = cursor_str(&c, &len);

		if (p == NULL)
			return bad(err, w, &c, "string cut short");
		map[i] = strtab_intern(&d->in->strings, p, len);
	}
	return 0;
}

static int
local(struct cursor *c, size_t n, uint32_t *out)
{
	uint64_t v = cursor_uvarint(c);

	if (c->bad || v >= n)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
decode_frames(struct gsnap_decoder *d, struct gsnap_section *sec,
	      const struct where *w, struct error *err)
{
	const uint32_t *str = d->strings.map;
	size_t nstr = d->strings.n, n = 0, i;
	struct cursor c;
	uint32_t *map = NULL;

	map = open_table(&d->frames, sec, &c, &n);
	if (map == NULL)
		return bad(err, w, &c, "bad frame count");
	for (i = 0; i < n; i++) {
		uint32_t fn = 0, file = 0;
		uint64_t line = 0;

		if (local(&c, nstr, &fn) < 0 || local(&c, nstr, &file) < 0)
			return bad(err, w, &c,
				   "frame names a string out of range");
		line = cursor_uvarint(&c);
		if (c.bad || line > UINT32_MAX)
			return bad(err, w, &c, "bad frame line");
		map[i] = frames_intern(&d->in->frames, &d->in->strings, str[fn],
				       str[file], (uint32_t)line);
	}
	return 0;
}

/* Stacks and label sets: sequences of local indices into another table. */
static int
decode_seqs(struct gsnap_decoder *d, struct gsnap_section *sec,
	    struct gsnap_section_memo *memo, struct seqtab *tab,
	    const uint32_t *items, size_t nitems, unsigned per,
	    const struct where *w, struct error *err)
{
	size_t n = 0, i;
	struct cursor c;
	uint32_t *map = NULL;

	map = open_table(memo, sec, &c, &n);
	if (map == NULL)
		return bad(err, w, &c, "bad table count");
	for (i = 0; i < n; i++) {
		uint64_t k = cursor_uvarint(&c), j;

		if (c.bad || k > (c.len - c.off) / per || k * per > UINT32_MAX)
			return bad(err, w, &c, "bad sequence length");
		d->tmp = xgrow(d->tmp, sizeof(*d->tmp), (size_t)(k * per) + 1,
			       &d->tmpcap);
		for (j = 0; j < k * per; j++) {
			uint32_t x = 0;

			if (local(&c, nitems, &x) < 0)
				return bad(err, w, &c,
					   "index out of range in a sequence");
			d->tmp[j] = items[x];
		}
		map[i] = seqtab_intern(tab, d->tmp, (uint32_t)(k * per));
	}
	return 0;
}

static int
decode_meta(struct gsnap_decoder *d, struct gsnap_section *sec,
	    struct snapshot *out, const struct where *w, struct error *err)
{
	struct intern *in = d->in;
	struct cursor c;
	const unsigned char *p = NULL;
	size_t len = 0, n = 0, i;
	uint64_t kind = 0, provides = 0;

	cursor_init(&c, sec->data, sec->len);
	out->time_ns = cursor_svarint(&c);
	p = cursor_str(&c, &len);
	if (p)
		out->source = strtab_intern(&in->strings, p, len);
	p = cursor_str(&c, &len);
	if (p)
		out->format = strtab_intern(&in->strings, p, len);
	p = cursor_str(&c, &len);
	if (p && len > 0)
		out->go_version = strtab_intern(&in->strings, p, len);
	kind = cursor_uvarint(&c);
	provides = cursor_uvarint(&c);
	out->declared_total = cursor_svarint(&c);
	if (c.bad)
		return bad(err, w, &c, "meta section cut short");
	if (kind > SNAPSHOT_LEAK)
		return bad(err, w, &c, "unknown snapshot kind");
	out->kind = (enum snapshot_kind)kind;
	out->provides = (uint32_t)provides &
			(HAS_STATE | HAS_WAIT | HAS_CREATOR | HAS_IDS);
	if (table_count(&c, &n) < 0 || n > INTERN_MAX_LABELS)
		return bad(err, w, &c, "bad metadata count");
	d->tmp = xgrow(d->tmp, sizeof(*d->tmp), 2 * n + 1, &d->tmpcap);
	for (i = 0; i < 2 * n; i++) {
		p = cursor_str(&c, &len);
		if (p == NULL)
			return bad(err, w, &c, "metadata cut short");
		d->tmp[i] = strtab_intern(&in->strings, p, len);
	}
	if (n > 0)
		out->user_meta = intern_labels(in, d->tmp, (uint32_t)n);
	if (c.off < c.len) {
		/* 1.1: the moment of an execution trace, -1 if none. */
		out->offset_ns = cursor_svarint(&c);
		if (c.bad || out->offset_ns < -1)
			return bad(err, w, &c, "bad trace offset");
	}
	if (c.off < c.len) {
		/* 1.2: the instance, "" for the one of its command. */
		p = cursor_str(&c, &len);
		if (p == NULL)
			return bad(err, w, &c, "instance cut short");
		if (len > 0)
			out->instance = strtab_intern(&in->strings, p, len);
	} else {
		/* Older records: what their --meta named. */
		out->instance = snapshot_instance_of(in, out->user_meta);
	}
	if (c.off < c.len) {
		/* 1.3: a traceback's message, "" for none. */
		p = cursor_str(&c, &len);
		if (p == NULL)
			return bad(err, w, &c, "message cut short");
		if (len > 0)
			out->message = strtab_intern(&in->strings, p, len);
	}
	/* Later minor versions may add fields here: ignore the rest. */
	return 0;
}

/*
 * The goroutines section is in columns, each either one value for every
 * record (kind 0, then the value) or one value per record (kind 1, then
 * the values): most columns of a snapshot are constant or small, and
 * columns compress and decode better than rows.
 */
enum column_kind {
	COL_CONST = 0,
	COL_VALUES = 1,
};

/* Read a column of n values into v (n entries). */
/* A column into v[0..n); *constant says whether it is one value, *cval. */
static int
get_column(struct cursor *c, uint64_t *v, size_t n, unsigned char *constant,
	   uint64_t *cval)
{
	uint64_t kind = cursor_uvarint(c), x;
	size_t i;

	*constant = 0;
	if (c->bad)
		return -1;
	if (kind == COL_CONST) {
		/* One value for every record: not spread into v, so that a
		 * count the bytes do not bound costs no memory. */
		x = cursor_uvarint(c);
		*constant = 1;
		*cval = x;
	} else if (kind == COL_VALUES) {
		const unsigned char *q = c->p + c->off, *end = c->p + c->len;

		if (n > c->len - c->off)
			return -1; /* each value takes a byte at least */
		/* Values of one and two bytes (indices into tables of up to
		 * 16,384 entries) without a call; longer ones by the cursor. */
		for (i = 0; i < n; i++) {
			if (q < end && q[0] < 0x80) {
				v[i] = *q++;
			} else if (end - q >= 2 && q[1] < 0x80) {
				v[i] = (uint64_t)(q[0] & 0x7f) | (uint64_t)q[1]
									 << 7;
				q += 2;
			} else {
				c->off = (size_t)(q - c->p);
				v[i] = cursor_uvarint_slow(c);
				if (c->bad)
					return -1;
				q = c->p + c->off;
			}
		}
		c->off = (size_t)(q - c->p);
	} else {
		return -1;
	}
	return c->bad ? -1 : 0;
}

/* Parse the columns of the goroutines section into p (no tables needed:
 * this can run on another thread). */
static int
parse_columns(struct gsnap_prepared *p, const struct gsnap_section *sec,
	      const struct where *w, struct error *err)
{
	struct cursor c;
	size_t n = 0, i, k;
	const size_t *count[GSNAP_COLUMNS];

	cursor_init(&c, sec->data, sec->len);
	/* Not bounded by the bytes left: a column of one value for every
	 * record takes two bytes whatever the count (27 identical
	 * goroutines, or a million, are a handful of bytes). */
	n = (size_t)cursor_uvarint(&c);
	if (c.bad || n > GSNAP_MAX_GOROUTINES)
		return bad(err, w, &c, "bad goroutine count");
	p->n = n;
	p->nid = p->ncr = p->nwait = 0;
	for (k = 0; k < GSNAP_COLUMNS; k++)
		count[k] = &p->n;
	count[COLUMN_ID] = &p->nid;
	count[COLUMN_CREATOR_ID] = &p->ncr;
	count[COLUMN_WAIT] = &p->nwait;
	for (k = 0; k < GSNAP_COLUMNS; k++) {
		uint64_t *v = NULL;

		if (k >= GSNAP_COLUMNS_1_0 && c.off == c.len) {
			/* A 1.0 record: none of the later columns. */
			p->constant[k] = 1;
			p->cval[k] = 0;
			continue;
		}
		/* Room for a listed column: at least a byte per value. */
		if (c.off < c.len && c.p[c.off] == COL_VALUES &&
		    *count[k] <= c.len - c.off)
			p->col[k] = xgrow(p->col[k], sizeof(*p->col[k]),
					  *count[k] + 1, &p->colcap[k]);
		v = p->col[k];
		if (get_column(&c, v, *count[k], &p->constant[k], &p->cval[k]) <
		    0)
			return bad(err, w, &c, "bad column");
		if (k != COLUMN_FLAGS)
			continue;
		if (p->constant[k]) {
			uint64_t f = p->cval[k];

			if (f & ~(uint64_t)KNOWN_FLAGS)
				return bad(err, w, &c,
					   "unknown goroutine flags");
			p->nid = (f & G_HAS_ID) ? n : 0;
			p->ncr = (f & G_HAS_CREATOR_ID) ? n : 0;
			p->nwait = (f & G_HAS_WAIT) ? n : 0;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (v[i] & ~(uint64_t)KNOWN_FLAGS)
				return bad(err, w, &c,
					   "unknown goroutine flags");
			p->nid += (v[i] & G_HAS_ID) != 0;
			p->ncr += (v[i] & G_HAS_CREATOR_ID) != 0;
			p->nwait += (v[i] & G_HAS_WAIT) != 0;
		}
	}
	return 0;
}

/* Whether column k of p is 0 for every record. */
static int
all_zero(const struct gsnap_prepared *p, unsigned k)
{
	return p->constant[k] && p->cval[k] == 0;
}

#define OUT_OF_RANGE                                                \
	"a goroutine's state, stack, creator or labels are out of " \
	"range"
#define BAD_WEIGHT "a goroutine's weight or bubble is out of range"

/*
 * Goroutine i of the columns into *g: flags, state, stack, creator,
 * labels and weight mapped and checked, every other field 0. Returns
 * NULL, or what is out of range. Every field is set (no memset of the
 * array first: a tenth of reading a series went there).
 */
/* Value i of column k: listed, or one for every record. */
static inline uint64_t
at(const struct gsnap_prepared *p, unsigned k, size_t i)
{
	return p->constant[k] ? p->cval[k] : p->col[k][i];
}

static inline const char *
map_core(const struct gsnap_decoder *d, const struct gsnap_prepared *p,
	 size_t i, struct goroutine *g)
{
	uint64_t st = at(p, COLUMN_STATE, i), sk = at(p, COLUMN_STACK, i);
	uint64_t cr = at(p, COLUMN_CREATOR, i), ls = at(p, COLUMN_LABELS, i);
	uint64_t wt = at(p, COLUMN_WEIGHT, i);

	if (st >= d->strings.n || sk >= d->stacks.n || cr > d->frames.n ||
	    ls > d->labelsets.n)
		return OUT_OF_RANGE;
	if (wt == 0 || wt > INT64_MAX)
		return BAD_WEIGHT;
	g->id = g->creator_id = 0;
	g->weight = (int64_t)wt;
	g->stack = d->stacks.map[sk];
	g->state = d->strings.map[st];
	g->creator = cr ? d->frames.map[cr - 1] : 0;
	g->labels = ls ? d->labelsets.map[ls - 1] : 0;
	g->wait_minutes = 0;
	g->bubble = 0;
	g->flags = (uint32_t)at(p, COLUMN_FLAGS, i);
	g->creation_stack = 0;
	g->wait_ns = 0;
	return NULL;
}

/* The goroutines of p, their local indices mapped through d's tables. */
static int
map_goroutines(struct gsnap_decoder *d, const struct gsnap_prepared *p,
	       struct snapshot *out, const struct where *w, struct error *err)
{
	size_t n = p->n, i, kid = 0, kcr = 0, kwait = 0;
	const char *bad_one = NULL;
	uint64_t prev = 0;
	struct goroutine *g = NULL;

	if (n > out->cap || out->g == NULL) {
		/* The count is the input's: running out of memory is an
		 * error naming the record, not an abort. */
		g = xtry_reallocarray(out->g, n ? n : 1, sizeof(*out->g));
		if (g == NULL)
			return bad(err, w, NULL,
				   "out of memory for the goroutines");
		out->g = g;
		out->cap = n ? n : 1;
	}
	out->n = n;
	g = out->g;
	if (p->nid == 0 && p->ncr == 0 && p->nwait == 0 &&
	    all_zero(p, COLUMN_BUBBLE) && all_zero(p, COLUMN_WAIT_NS) &&
	    all_zero(p, COLUMN_CREATION) && all_zero(p, COLUMN_IN_TRACE)) {
		/* No ids, creator ids, waits, bubbles or trace facts (a
		 * profile's goroutines): those columns are not looked at. */
		for (i = 0; i < n; i++)
			if ((bad_one = map_core(d, p, i, &g[i])) != NULL)
				return bad(err, w, NULL, bad_one);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t bu = at(p, COLUMN_BUBBLE, i);
		uint64_t wn = at(p, COLUMN_WAIT_NS, i);
		uint64_t cs = at(p, COLUMN_CREATION, i);
		uint64_t it = at(p, COLUMN_IN_TRACE, i);

		if ((bad_one = map_core(d, p, i, &g[i])) != NULL)
			return bad(err, w, NULL, bad_one);
		if (bu > UINT32_MAX)
			return bad(err, w, NULL, BAD_WEIGHT);
		g[i].bubble = (uint32_t)bu;
		if (g[i].flags & G_HAS_ID) {
			uint64_t z = at(p, COLUMN_ID, kid++);

			/* a zigzag delta from the previous id */
			prev += (uint64_t)unzigzag(z);
			g[i].id = prev;
		}
		if (g[i].flags & G_HAS_CREATOR_ID)
			g[i].creator_id = at(p, COLUMN_CREATOR_ID, kcr++);
		if (g[i].flags & G_HAS_WAIT) {
			uint64_t m = at(p, COLUMN_WAIT, kwait++);

			if (m > UINT32_MAX)
				return bad(err, w, NULL, "bad wait time");
			g[i].wait_minutes = (uint32_t)m;
		}
		if (wn > 0) {
			if (wn - 1 > INT64_MAX)
				return bad(err, w, NULL, "bad exact wait");
			g[i].wait_ns = (int64_t)(wn - 1);
			g[i].flags |= G_HAS_WAIT_NS;
		}
		if (cs > d->stacks.n)
			return bad(err, w, NULL, "creation stack out of range");
		if (cs > 0)
			g[i].creation_stack = d->stacks.map[cs - 1];
		if (it > 1)
			return bad(err, w, NULL, "bad created-in-trace mark");
		if (it)
			g[i].flags |= G_CREATED_IN_TRACE;
	}
	return 0;
}

static int
next_section(struct cursor *c, struct gsnap_section *sec)
{
	size_t start = c->off;
	uint64_t raw, len;

	memset(sec, 0, sizeof(*sec));
	sec->tag = (unsigned)cursor_uvarint(c);
	sec->enc = (unsigned)cursor_uvarint(c);
	raw = cursor_uvarint(c);
	len = cursor_uvarint(c);
	if (c->bad || len > c->len - c->off)
		return -1;
	sec->raw_len = (size_t)raw;
	sec->len = (size_t)len;
	sec->data = cursor_bytes(c, sec->len);
	sec->stored = c->p + start;
	sec->stored_len = c->off - start;
	return 0;
}

#define BIT(tag) (1u << (tag))

/* The sections a section refers to, which must come before it. */
static unsigned
needs(unsigned tag)
{
	switch (tag) {
	case SEC_FRAMES:
	case SEC_LABELSETS:
		return BIT(SEC_STRINGS);
	case SEC_STACKS:
		return BIT(SEC_STRINGS) | BIT(SEC_FRAMES);
	case SEC_GOROUTINES:
		return BIT(SEC_META) | BIT(SEC_STRINGS) | BIT(SEC_FRAMES) |
		       BIT(SEC_STACKS);
	default:
		return 0;
	}
}

/* A table that depends on others may be reused only when they were. */
static void
forget(struct gsnap_section_memo *m)
{
	m->bytes = NULL;
	m->len = 0;
}

void
gsnap_prepared_release(struct gsnap_prepared *p)
{
	unsigned k;

	for (k = 0; k < GSNAP_MAX_SECTIONS; k++)
		buf_release(&p->inflated[k]);
	for (k = 0; k < GSNAP_COLUMNS; k++)
		free(p->col[k]);
	if (p->inflater != NULL)
		libdeflate_free_decompressor(p->inflater);
	memset(p, 0, sizeof(*p));
}

/* Inflate sec into b; sec then describes the inflated bytes. */
static int
inflate_section(struct gsnap_prepared *p, struct gsnap_section *sec,
		struct buf *b, const struct where *w, struct error *err)
{
	enum libdeflate_result r;
	size_t in_used = 0, out_len = 0;

	if (sec->enc == ENC_RAW) {
		if (sec->raw_len != sec->len)
			return bad(err, w, NULL, "raw section length mismatch");
		return 0;
	}
	if (sec->enc != ENC_DEFLATE)
		return bad(err, w, NULL, "unknown section encoding");
	/* Deflate expands at most 1032 to 1: a larger declared size is a
	 * lie, and must not become an allocation. */
	if (sec->raw_len > GSNAP_MAX_RECORD * 8 ||
	    sec->raw_len / 1032 > sec->len + 1)
		return bad(err, w, NULL,
			   "section's declared size larger than its data can "
			   "hold");
	b->len = 0;
	b->p = xgrow(b->p, 1, sec->raw_len ? sec->raw_len : 1, &b->cap);
	if (p->inflater == NULL) {
		p->inflater = libdeflate_alloc_decompressor();
		if (p->inflater == NULL)
			return bad(err, w, NULL, "out of memory");
	}
	/* The section's whole stream in one call (libdeflate: about twice
	 * zlib's speed), into exactly its declared size. */
	r = libdeflate_deflate_decompress_ex(p->inflater, sec->data, sec->len,
					     b->p, sec->raw_len, &in_used,
					     &out_len);
	if (r != LIBDEFLATE_SUCCESS)
		return bad(err, w, NULL, "corrupt compressed section");
	if (in_used != sec->len || out_len != sec->raw_len)
		return bad(err, w, NULL, "section length mismatch");
	sec->enc = ENC_RAW;
	sec->data = b->p;
	sec->len = sec->raw_len;
	return 0;
}

/* Whether sec is stored as the section of its tag in prev. */
static int
same_stored(const struct gsnap_prev *prev, const struct gsnap_section *sec)
{
	return prev != NULL && prev->stored[sec->tag] != NULL &&
	       prev->len[sec->tag] == sec->stored_len &&
	       memcmp(prev->stored[sec->tag], sec->stored, sec->stored_len) ==
		       0;
}

/* The table whose entries a table's entries name (0: none): a new one
 * makes this one new too, whatever its bytes. */
static unsigned
refers_to(unsigned tag)
{
	switch (tag) {
	case SEC_FRAMES:
	case SEC_LABELSETS:
		return SEC_STRINGS;
	case SEC_STACKS:
		return SEC_FRAMES;
	default:
		return 0;
	}
}

static int
is_table(unsigned tag)
{
	return tag >= SEC_STRINGS && tag <= SEC_LABELSETS;
}

/*
 * Whether gsnap_apply() will reuse sec's table: the same bytes as before,
 * and the table it refers to reused too. same: the tags whose sections so
 * far were the same as before.
 */
static int
will_reuse(const struct gsnap_prev *prev, const struct gsnap_section *sec,
	   unsigned same)
{
	unsigned dep = refers_to(sec->tag);

	return is_table(sec->tag) && (dep == 0 || (same & BIT(dep))) &&
	       same_stored(prev, sec);
}

int
gsnap_prepare(struct gsnap_prepared *p, const struct gsnap_record *r,
	      int check_crc, struct gsnap_prev *prev, struct error *err)
{
	struct where w = { r, NULL };
	struct cursor c;
	unsigned last = 0, seen = 0, same = 0, k;

	p->r = *r;
	p->nsec = 0;
	p->n = 0;
	if (check_crc && gsnap_check_crc(r, err) < 0)
		return -1;
	if (r->type != GSNAP_REC_SNAPSHOT)
		return bad(err, &w, NULL, "not a snapshot record");
	cursor_init(&c, r->payload, r->len);
	while (c.off < c.len) {
		struct gsnap_section *sec = &p->sec[p->nsec];

		if (next_section(&c, sec) < 0)
			return bad(err, &w, NULL, "section framing cut short");
		if (sec->tag <= last)
			return bad(err, &w, NULL, "sections out of order");
		last = sec->tag;
		if (sec->tag > SEC_GOROUTINES)
			continue; /* of a later minor version: skipped */
		w.section = section_name(sec->tag);
		if ((seen & needs(sec->tag)) != needs(sec->tag))
			return bad(err, &w, NULL,
				   "a table it refers to is missing");
		if (will_reuse(prev, sec, same)) {
			sec->deferred = 1;
			sec->prev_stored = prev->stored[sec->tag];
			same |= BIT(sec->tag);
		} else if (inflate_section(p, sec, &p->inflated[p->nsec], &w,
					   err) < 0) {
			return -1;
		}
		if (sec->tag == SEC_GOROUTINES &&
		    parse_columns(p, sec, &w, err) < 0)
			return -1;
		seen |= BIT(sec->tag);
		p->nsec++;
		w.section = NULL;
	}
	if ((seen & BIT(SEC_GOROUTINES)) == 0)
		return bad(err, &w, NULL, "goroutines section missing");
	if (prev != NULL) {
		memset(prev, 0, sizeof(*prev));
		for (k = 0; k < p->nsec; k++) {
			prev->stored[p->sec[k].tag] = p->sec[k].stored;
			prev->len[p->sec[k].tag] = p->sec[k].stored_len;
		}
	}
	return 0;
}

/* Forget every table: a half-built one must not be reused. */
static void
forget_all(struct gsnap_decoder *d)
{
	forget(&d->strings);
	forget(&d->frames);
	forget(&d->stacks);
	forget(&d->labelsets);
}

/* Decode the table in sec (its bytes inflated) into d. */
static int
decode_table(struct gsnap_decoder *d, struct gsnap_section *sec,
	     const struct where *w, struct error *err)
{
	switch (sec->tag) {
	case SEC_STRINGS:
		return decode_strings(d, sec, w, err);
	case SEC_FRAMES:
		return decode_frames(d, sec, w, err);
	case SEC_STACKS:
		return decode_seqs(d, sec, &d->stacks, &d->in->stacks,
				   d->frames.map, d->frames.n, 1, w, err);
	default:
		return decode_seqs(d, sec, &d->labelsets, &d->in->labelsets,
				   d->strings.map, d->strings.n, 2, w, err);
	}
}

/* The decoder's memo of a table. */
static struct gsnap_section_memo *
table_memo(struct gsnap_decoder *d, unsigned tag)
{
	switch (tag) {
	case SEC_STRINGS:
		return &d->strings;
	case SEC_FRAMES:
		return &d->frames;
	case SEC_STACKS:
		return &d->stacks;
	default:
		return &d->labelsets;
	}
}

int
gsnap_apply(struct gsnap_decoder *d, const struct gsnap_prepared *p,
	    struct snapshot *out, struct error *err)
{
	struct where w = { &p->r, NULL };
	unsigned fresh = 0, seen = 0, k;

	for (k = 0; k < p->nsec; k++) {
		struct gsnap_section sec = p->sec[k];
		unsigned dep = refers_to(sec.tag);
		int ret = 0;

		w.section = section_name(sec.tag);
		seen |= BIT(sec.tag);
		if (is_table(sec.tag)) {
			if (reuse(d, table_memo(d, sec.tag), &sec,
				  dep != 0 && (fresh & BIT(dep))))
				continue;
			fresh |= BIT(sec.tag);
			/* Left compressed by the reader, but needed. */
			if (sec.deferred &&
			    inflate_section(&d->prep, &sec,
					    &d->prep.inflated[k], &w, err) < 0)
				ret = -1;
			else
				ret = decode_table(d, &sec, &w, err);
		} else if (sec.tag == SEC_META) {
			ret = decode_meta(d, &sec, out, &w, err);
		} else if (sec.tag == SEC_GOROUTINES) {
			if (!(seen & BIT(SEC_LABELSETS))) {
				/* No label sets in this record. */
				memo_map(&d->labelsets, &sec, 0);
				forget(&d->labelsets);
			}
			ret = map_goroutines(d, p, out, &w, err);
		}
		if (ret < 0) {
			forget_all(d);
			return -1;
		}
	}
	return 0;
}

int
gsnap_decode(struct gsnap_decoder *d, const struct gsnap_record *r,
	     struct snapshot *out, struct error *err)
{
	if (gsnap_prepare(&d->prep, r, 0, NULL, err) < 0) {
		forget_all(d);
		return -1;
	}
	return gsnap_apply(d, &d->prep, out, err);
}

/* What the scan of a file skipped (damage, a torn tail), in the warning
 * of one of its snapshots. */
static void
scan_warnings(const struct gsnap_scan *s, struct snapshot *snap)
{
	char torn[200] = "", dmg[sizeof(snap->warning)] = "";

	if (s->torn)
		gsnap_torn_warning(s, torn, sizeof(torn));
	gsnap_damage_warning(s, dmg, sizeof(dmg));
	if (torn[0] || dmg[0]) {
		/* Cut short to fit, as every warning is. */
		size_t n = strlen(dmg);

		memcpy(snap->warning, dmg, n + 1);
		if (torn[0] && n > 0 && n + 2 < sizeof(snap->warning)) {
			memcpy(snap->warning + n, "; ", 3);
			n += 2;
		}
		if (torn[0] && n < sizeof(snap->warning) - 1) {
			size_t k = strlen(torn);

			if (k > sizeof(snap->warning) - 1 - n)
				k = sizeof(snap->warning) - 1 - n;
			memcpy(snap->warning + n, torn, k);
			snap->warning[n + k] = '\0';
		}
	}
}

/* The latest record of the file (by capture time, then position) to
 * sink, saying in its `held` how many the file holds. */
static int
read_latest(struct intern *in, const struct gsnap_record *recs, unsigned n,
	    const struct gsnap_scan *s, snapshot_sink sink, void *ctx,
	    struct error *err)
{
	struct gsnap_decoder d;
	struct snapshot snap;
	unsigned k, best = 0;
	int ret;

	for (k = 1; k < n; k++)
		if (recs[k].time_ns >= recs[best].time_ns)
			best = k;
	gsnap_decoder_init(&d, in);
	snapshot_init(&snap, in);
	ret = gsnap_decode(&d, &recs[best], &snap, err);
	gsnap_decoder_release(&d);
	if (ret == 0) {
		scan_warnings(s, &snap);
		snap.pos = best;
		snap.held = n;
		snap.record = recs[best].payload - GSNAP_RECORD_HEADER_SIZE;
		snap.record_len = GSNAP_RECORD_HEADER_SIZE + recs[best].len;
		ret = sink(&snap, ctx);
	}
	snapshot_release(&snap);
	return ret;
}

/*
 * Reading a series with two threads: a reader prepares records (CRC,
 * inflate, columns) into a ring of slots while the caller's thread interns
 * tables, maps the goroutines and hands each snapshot to the sink, which
 * groups it. The two halves cost about the same.
 */
#define RING  32 /* slots */
#define BATCH 8	 /* wake the other side every this many records */

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gsnap_prepared slot[RING];
	int ready[RING]; /* 1: prepared (or failed), 0: free */
	int failed[RING];
	struct error err[RING];
	const struct gsnap_record *recs;
	unsigned n;
	int stop;
	/* Changes the other side has not been woken for: each side wakes
	 * the other every BATCH changes, and always before it sleeps, so a
	 * wake-up is never lost and a thread switch costs little. */
	unsigned unsignalled;
	struct gsnap_prev prev; /* the reader's */
};

/* Note a change under q->mu; wake the other side every BATCH (or now). */
static void
note_change(struct ring *q, int now)
{
	if (++q->unsignalled >= BATCH || now) {
		pthread_cond_broadcast(&q->cv);
		q->unsignalled = 0;
	}
}

/* Sleep under q->mu, waking the other side first for what it missed. */
static void
sleep_on(struct ring *q)
{
	if (q->unsignalled) {
		pthread_cond_broadcast(&q->cv);
		q->unsignalled = 0;
	}
	pthread_cond_wait(&q->cv, &q->mu);
}

static void *
reader(void *arg)
{
	struct ring *q = arg;
	unsigned k;

	for (k = 0; k < q->n; k++) {
		unsigned i = k % RING;
		int fail;

		pthread_mutex_lock(&q->mu);
		while (q->ready[i] && !q->stop)
			sleep_on(q);
		if (q->stop) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		pthread_mutex_unlock(&q->mu);
		error_clear(&q->err[i]);
		fail = gsnap_prepare(&q->slot[i], &q->recs[k], 0, &q->prev,
				     &q->err[i]) < 0;
		pthread_mutex_lock(&q->mu);
		q->failed[i] = fail;
		q->ready[i] = 1;
		note_change(q, fail || k + 1 == q->n);
		pthread_mutex_unlock(&q->mu);
		if (fail)
			break;
	}
	return NULL;
}

/*
 * The order records are handed over in, unless the file's is asked for:
 * latest first. A sink that groups them describes each group by its latest
 * snapshot; given that first, it only counts in the earlier ones (the
 * place of each says which is which): trend on 1,000 records of 1,000
 * groups takes 0.07 s instead of 0.09 s (bench/run-gsnap.sh).
 */
enum order {
	FILE_ORDER,
	LATEST_FIRST,
};

/* Hand the snapshot at position pos (of n) to the sink, with the
 * torn-tail warning on the file's last. */
static int
deliver(struct gsnap_decoder *d, const struct gsnap_prepared *p,
	const struct gsnap_scan *torn, unsigned pos, unsigned n,
	snapshot_sink sink, void *ctx, struct error *err)
{
	struct snapshot snap;
	int ret;

	snapshot_init(&snap, d->in);
	/* The records' array goes from snapshot to snapshot: a fresh one
	 * each time cost a page fault per 4 KiB. */
	snap.g = d->gbuf;
	snap.cap = d->gcap;
	d->gbuf = NULL;
	d->gcap = 0;
	ret = gsnap_apply(d, p, &snap, err);
	if (ret == 0 && pos + 1 == n)
		scan_warnings(torn, &snap);
	snap.pos = pos;
	snap.held = n;
	snap.record = p->r.payload - GSNAP_RECORD_HEADER_SIZE;
	snap.record_len = GSNAP_RECORD_HEADER_SIZE + p->r.len;
	if (ret == 0)
		ret = sink(&snap, ctx);
	d->gbuf = snap.g;
	d->gcap = snap.cap;
	snap.g = NULL;
	snap.n = snap.cap = 0;
	snapshot_release(&snap);
	return ret;
}

/* Position of the k-th record delivered, of n. */
static unsigned
position(enum order order, unsigned k, unsigned n)
{
	return order == LATEST_FIRST ? n - 1 - k : k;
}

/* recs are in the order of delivery. */
static int
read_threaded(struct gsnap_decoder *d, const struct gsnap_record *recs,
	      unsigned n, const struct gsnap_scan *torn, enum order order,
	      snapshot_sink sink, void *ctx, struct error *err)
{
	struct ring *q = xcalloc(1, sizeof(*q));
	pthread_t th;
	unsigned k, i;
	int ret = 0;

	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->recs = recs;
	q->n = n;
	if (pthread_create(&th, NULL, reader, q) != 0) {
		ret = 1; /* no thread: the caller reads in this one */
		goto out;
	}
	for (k = 0; k < n && ret == 0; k++) {
		i = k % RING;
		pthread_mutex_lock(&q->mu);
		while (!q->ready[i])
			sleep_on(q);
		pthread_mutex_unlock(&q->mu);
		if (q->failed[i]) {
			*err = q->err[i];
			forget_all(d);
			ret = -1;
			break;
		}
		ret = deliver(d, &q->slot[i], torn, position(order, k, n), n,
			      sink, ctx, err);
		pthread_mutex_lock(&q->mu);
		q->ready[i] = 0;
		note_change(q, 0);
		pthread_mutex_unlock(&q->mu);
	}
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(th, NULL);
out:
	for (i = 0; i < RING; i++)
		gsnap_prepared_release(&q->slot[i]);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return ret;
}

int
gsnap_read(struct intern *in, const unsigned char *buf, size_t len,
	   const struct read_opts *o, snapshot_sink sink, void *ctx,
	   struct error *err)
{
	struct gsnap_scan s;
	struct gsnap_record r, *recs = NULL;
	struct gsnap_decoder d;
	struct gsnap_prev prev;
	size_t n = 0, cap = 0, k;
	enum order order = o->file_order ? FILE_ORDER : LATEST_FIRST;
	int ret = 0;

	memset(&prev, 0, sizeof(prev));
	/* The framing and every CRC first (a pass at memory speed), so that
	 * damage and a torn tail are known before a snapshot goes out, and
	 * skipped: each costs its own bytes only. Records of other types
	 * are skipped too. */
	if (gsnap_scan_init(&s, buf, len, err) < 0)
		return -1;
	while ((ret = gsnap_scan_next(&s, &r, 1, err)) > 0) {
		if (r.type != GSNAP_REC_SNAPSHOT)
			continue;
		recs = xgrow(recs, sizeof(*recs), n + 1, &cap);
		recs[n++] = r;
	}
	if (ret == 0 && n == 0) {
		char why[512];

		gsnap_damage_warning(&s, why, sizeof(why));
		if (s.ndamage)
			ret = error_set_offset(
				err, s.damage[0].offset,
				"no intact snapshot in the file: "
				"%s",
				why);
		else if (s.torn)
			ret = error_set_offset(err, s.torn_offset,
					       "the only record is cut short "
					       "(%zu bytes): no snapshot",
					       s.torn_bytes);
		else
			ret = error_set_offset(err, s.off,
					       "no snapshot in the file");
	}
	if (ret < 0) {
		free(recs);
		return -1;
	}
	if (o->latest_only) {
		ret = read_latest(in, recs, (unsigned)n, &s, sink, ctx, err);
		free(recs);
		return ret;
	}
	if (order == LATEST_FIRST)
		for (k = 0; k < n / 2; k++) {
			r = recs[k];
			recs[k] = recs[n - 1 - k];
			recs[n - 1 - k] = r;
		}
	gsnap_decoder_init(&d, in);
	ret = 1;
	if (n >= RING && o->threads != 1)
		ret = read_threaded(&d, recs, (unsigned)n, &s, order, sink, ctx,
				    err);
	if (ret == 1) {
		/* One thread: few records, or as asked. */
		for (k = 0, ret = 0; k < n && ret == 0; k++) {
			ret = gsnap_prepare(&d.prep, &recs[k], 0, &prev, err);
			if (ret == 0)
				ret = deliver(&d, &d.prep, &s,
					      position(order, (unsigned)k,
						       (unsigned)n),
					      (unsigned)n, sink, ctx, err);
			else
				forget_all(&d);
		}
	}
	gsnap_decoder_release(&d);
	free(recs);
	return ret;
}

/* --- encoding ------------------------------------------------------------- */

void
gsnap_encoder_init(struct gsnap_encoder *e, const struct intern *in)
{
	memset(e, 0, sizeof(*e));
	e->in = in;
	buf_init(&e->sec);
	buf_init(&e->z);
	/* Level 6, raw deflate: a record carries its own CRC-32. A section
	 * is compressed whole, so libdeflate does it: convert took three
	 * quarters of the time, its output within 2 % of zlib's. */
	e->deflater = libdeflate_alloc_compressor(6);
	if (e->deflater == NULL)
		xalloc_die("a deflate compressor", 0);
}

void
gsnap_encoder_release(struct gsnap_encoder *e)
{
	free(e->str_local);
	free(e->frame_local);
	free(e->stack_local);
	free(e->label_local);
	free(e->strs);
	free(e->frames);
	free(e->stacks);
	free(e->labels);
	free(e->col);
	buf_release(&e->sec);
	buf_release(&e->z);
	libdeflate_free_compressor(e->deflater);
	memset(e, 0, sizeof(*e));
}

/* Note id as used: local[id] is 1 until the tables are numbered. */
static void
use(uint32_t **local, size_t *cap, uint32_t **list, size_t *n, size_t *listcap,
    size_t tabsize, uint32_t id)
{
	if (*cap < tabsize)
		*local = xgrow_zero(*local, sizeof(**local), tabsize, cap);
	if ((*local)[id])
		return;
	(*local)[id] = 1;
	*list = xgrow(*list, sizeof(**list), *n + 1, listcap);
	(*list)[(*n)++] = id;
}

static int
str_order(const void *a, const void *b, void *ctx)
{
	const struct intern *in = ctx;

	return strtab_cmp(&in->strings, *(const uint32_t *)a,
			  *(const uint32_t *)b);
}

static int
frame_order(const void *a, const void *b, void *ctx)
{
	const struct gsnap_encoder *e = ctx;
	const struct frame *fa = intern_frame_get(e->in, *(const uint32_t *)a);
	const struct frame *fb = intern_frame_get(e->in, *(const uint32_t *)b);
	uint32_t x = e->str_local[fa->func], y = e->str_local[fb->func];

	if (x != y)
		return x < y ? -1 : 1;
	x = e->str_local[fa->file];
	y = e->str_local[fb->file];
	if (x != y)
		return x < y ? -1 : 1;
	return fa->line < fb->line ? -1 : fa->line > fb->line;
}

struct seq_order_ctx {
	const struct seqtab *tab;
	const uint32_t *local;
};

static int
seq_order(const void *a, const void *b, void *ctx)
{
	const struct seq_order_ctx *o = ctx;
	uint32_t na = 0, nb = 0, i;
	const uint32_t *va = seqtab_items(o->tab, *(const uint32_t *)a, &na);
	const uint32_t *vb = seqtab_items(o->tab, *(const uint32_t *)b, &nb);

	for (i = 0; i < na && i < nb; i++)
		if (o->local[va[i]] != o->local[vb[i]])
			return o->local[va[i]] < o->local[vb[i]] ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

/* Number the used ids in list by their order: local[id] = index. */
static void
number(uint32_t *local, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		local[list[i]] = (uint32_t)i;
}

/* Forget the marks, ready for the next record. */
static void
unmark(uint32_t *local, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		local[list[i]] = 0;
}

/* Append e->sec to out as section tag, compressed when that is smaller. */
static void
put_section(struct gsnap_encoder *e, unsigned tag, struct buf *out)
{
	size_t n = 0;

	buf_put_uvarint(out, tag);
	if (e->sec.len >= 64) {
		/* Room for less than the section only: 0 when it is not
		 * smaller compressed. */
		e->z.p = xgrow(e->z.p, 1, e->sec.len, &e->z.cap);
		n = libdeflate_deflate_compress(e->deflater, e->sec.p,
						e->sec.len, e->z.p,
						e->sec.len - 1);
	}
	if (n > 0) {
		buf_put_uvarint(out, ENC_DEFLATE);
		buf_put_uvarint(out, e->sec.len);
		buf_put_uvarint(out, n);
		buf_put(out, e->z.p, n);
	} else {
		buf_put_uvarint(out, ENC_RAW);
		buf_put_uvarint(out, e->sec.len);
		buf_put_uvarint(out, e->sec.len);
		buf_put(out, e->sec.p, e->sec.len);
	}
	e->sec.len = 0;
}

static void
put_cstr(struct buf *b, const struct intern *in, strid id)
{
	buf_put_str(b, intern_str(in, id), strtab_len(&in->strings, id));
}

static void
put_meta(struct gsnap_encoder *e, const struct snapshot *s, struct buf *out)
{
	const struct intern *in = e->in;
	struct buf *b = &e->sec;
	uint32_t n = 0, i;
	const uint32_t *pairs = seqtab_items(&in->labelsets, s->user_meta, &n);

	buf_put_svarint(b, s->time_ns);
	put_cstr(b, in, s->source);
	put_cstr(b, in, s->format);
	put_cstr(b, in, s->go_version);
	buf_put_uvarint(b, (uint64_t)s->kind);
	buf_put_uvarint(b, s->provides);
	buf_put_svarint(b, s->declared_total);
	buf_put_uvarint(b, n / 2);
	for (i = 0; i < n; i++)
		put_cstr(b, in, pairs[i]);
	buf_put_svarint(b, s->offset_ns); /* 1.1 */
	put_cstr(b, in, s->instance);	  /* 1.2 */
	put_cstr(b, in, s->message);	  /* 1.3 */
	put_section(e, SEC_META, out);
}

/* Collect every id the snapshot uses, then number them in content order. */
static void
collect(struct gsnap_encoder *e, const struct snapshot *s)
{
	const struct intern *in = e->in;
	size_t i, k;
	struct seq_order_ctx so;

	e->nstrs = e->nframes = e->nstacks = e->nlabels = 0;
	for (i = 0; i < s->n; i++) {
		const struct goroutine *g = &s->g[i];

		use(&e->str_local, &e->str_cap, &e->strs, &e->nstrs,
		    &e->strs_cap, in->strings.n, g->state);
		use(&e->stack_local, &e->stack_cap, &e->stacks, &e->nstacks,
		    &e->stacks_cap, in->stacks.n, g->stack);
		if (g->creation_stack)
			use(&e->stack_local, &e->stack_cap, &e->stacks,
			    &e->nstacks, &e->stacks_cap, in->stacks.n,
			    g->creation_stack);
		if (g->creator)
			use(&e->frame_local, &e->frame_cap, &e->frames,
			    &e->nframes, &e->frames_cap, in->frames.n,
			    g->creator);
		if (g->labels)
			use(&e->label_local, &e->label_cap, &e->labels,
			    &e->nlabels, &e->labels_cap, in->labelsets.n,
			    g->labels);
	}
	for (k = 0; k < e->nstacks; k++) {
		uint32_t n = 0, j;
		const uint32_t *v = seqtab_items(&in->stacks, e->stacks[k], &n);

		for (j = 0; j < n; j++)
			use(&e->frame_local, &e->frame_cap, &e->frames,
			    &e->nframes, &e->frames_cap, in->frames.n, v[j]);
	}
	for (k = 0; k < e->nframes; k++) {
		const struct frame *f = intern_frame_get(in, e->frames[k]);

		use(&e->str_local, &e->str_cap, &e->strs, &e->nstrs,
		    &e->strs_cap, in->strings.n, f->func);
		use(&e->str_local, &e->str_cap, &e->strs, &e->nstrs,
		    &e->strs_cap, in->strings.n, f->file);
	}
	for (k = 0; k < e->nlabels; k++) {
		uint32_t n = 0, j;
		const uint32_t *v =
			seqtab_items(&in->labelsets, e->labels[k], &n);

		for (j = 0; j < n; j++)
			use(&e->str_local, &e->str_cap, &e->strs, &e->nstrs,
			    &e->strs_cap, in->strings.n, v[j]);
	}
	/* Content order, so that equal tables are equal bytes: a reader
	 * then recognises a table the previous record had. */
	sort_stable(e->strs, e->nstrs, sizeof(*e->strs), str_order, (void *)in);
	number(e->str_local, e->strs, e->nstrs);
	sort_stable(e->frames, e->nframes, sizeof(*e->frames), frame_order, e);
	number(e->frame_local, e->frames, e->nframes);
	so.tab = &in->stacks;
	so.local = e->frame_local;
	sort_stable(e->stacks, e->nstacks, sizeof(*e->stacks), seq_order, &so);
	number(e->stack_local, e->stacks, e->nstacks);
	so.tab = &in->labelsets;
	so.local = e->str_local;
	sort_stable(e->labels, e->nlabels, sizeof(*e->labels), seq_order, &so);
	number(e->label_local, e->labels, e->nlabels);
}

static void
put_seqs(struct gsnap_encoder *e, const struct seqtab *tab,
	 const uint32_t *list, size_t n, const uint32_t *local, unsigned per)
{
	size_t k;

	buf_put_uvarint(&e->sec, n);
	for (k = 0; k < n; k++) {
		uint32_t m = 0, j;
		const uint32_t *v = seqtab_items(tab, list[k], &m);

		buf_put_uvarint(&e->sec, m / per);
		for (j = 0; j < m; j++)
			buf_put_uvarint(&e->sec, local[v[j]]);
	}
}

/* A column of values: one value when they are all equal. */
static void
put_column(struct buf *b, const uint64_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n && v[i] == v[0]; i++)
		;
	if (i >= n) {
		buf_put_uvarint(b, COL_CONST);
		buf_put_uvarint(b, n ? v[0] : 0);
		return;
	}
	buf_put_uvarint(b, COL_VALUES);
	for (i = 0; i < n; i++)
		buf_put_uvarint(b, v[i]);
}

/* Column k's value for goroutine g, over every record (the id, creator id
 * and wait columns, over some records only, are put_goroutines()'s). */
static uint64_t
field(const struct gsnap_encoder *e, const struct goroutine *g,
      enum gsnap_column k)
{
	switch (k) {
	case COLUMN_FLAGS:
		return g->flags & KNOWN_FLAGS;
	case COLUMN_STATE:
		return e->str_local[g->state];
	case COLUMN_STACK:
		return e->stack_local[g->stack];
	case COLUMN_CREATOR:
		return g->creator ? e->frame_local[g->creator] + 1 : 0;
	case COLUMN_LABELS:
		return g->labels ? e->label_local[g->labels] + 1 : 0;
	case COLUMN_WEIGHT:
		return g->weight > 0 ? (uint64_t)g->weight : 1;
	case COLUMN_BUBBLE:
		return g->bubble;
	case COLUMN_WAIT_NS:
		return (g->flags & G_HAS_WAIT_NS) && g->wait_ns >= 0
			       ? (uint64_t)g->wait_ns + 1
			       : 0;
	case COLUMN_CREATION:
		return g->creation_stack ? e->stack_local[g->creation_stack] + 1
					 : 0;
	case COLUMN_IN_TRACE:
		return (g->flags & G_CREATED_IN_TRACE) != 0;
	default:
		return 0;
	}
}

/* Put column k over every record. */
static void
put_field(struct gsnap_encoder *e, const struct snapshot *s,
	  enum gsnap_column k)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		e->col[i] = field(e, &s->g[i], k);
	put_column(&e->sec, e->col, s->n);
}

static void
put_goroutines(struct gsnap_encoder *e, const struct snapshot *s)
{
	struct buf *b = &e->sec;
	uint64_t *col = NULL, prev = 0;
	size_t i, k;
	int f;

	e->col = xgrow(e->col, sizeof(*e->col), s->n + 1, &e->colcap);
	col = e->col;
	buf_put_uvarint(b, s->n);
	for (f = COLUMN_FLAGS; f <= COLUMN_BUBBLE; f++)
		put_field(e, s, (enum gsnap_column)f);
	/* Ids as deltas from the previous id: dumps list them nearly in
	 * order, so most deltas are one byte. */
	for (i = 0, k = 0; i < s->n; i++) {
		if (!(s->g[i].flags & G_HAS_ID))
			continue;
		col[k++] = zigzag((int64_t)(s->g[i].id - prev));
		prev = s->g[i].id;
	}
	put_column(b, col, k);
	for (i = 0, k = 0; i < s->n; i++)
		if (s->g[i].flags & G_HAS_CREATOR_ID)
			col[k++] = s->g[i].creator_id;
	put_column(b, col, k);
	for (i = 0, k = 0; i < s->n; i++)
		if (s->g[i].flags & G_HAS_WAIT)
			col[k++] = s->g[i].wait_minutes;
	put_column(b, col, k);
	for (f = COLUMN_WAIT_NS; f < GSNAP_COLUMNS; f++) /* 1.1 */
		put_field(e, s, (enum gsnap_column)f);
}

void
gsnap_encode(struct gsnap_encoder *e, const struct snapshot *s, struct buf *out)
{
	const struct intern *in = e->in;
	size_t at = out->len, i, plen;
	struct buf *b = &e->sec;

	collect(e, s);
	/* The record header; length and CRC are filled in at the end. */
	buf_put(out, record_magic, sizeof(record_magic));
	buf_put_u8(out, GSNAP_REC_SNAPSHOT);
	buf_put_u8(out, 0);
	buf_put_u16le(out, 0);
	buf_put_u64le(out, (uint64_t)s->time_ns);
	buf_put_u32le(out, 0);
	buf_put_u32le(out, 0);
	put_meta(e, s, out);
	buf_put_uvarint(b, e->nstrs);
	for (i = 0; i < e->nstrs; i++)
		put_cstr(b, in, e->strs[i]);
	put_section(e, SEC_STRINGS, out);
	buf_put_uvarint(b, e->nframes);
	for (i = 0; i < e->nframes; i++) {
		const struct frame *f = intern_frame_get(in, e->frames[i]);

		buf_put_uvarint(b, e->str_local[f->func]);
		buf_put_uvarint(b, e->str_local[f->file]);
		buf_put_uvarint(b, f->line);
	}
	put_section(e, SEC_FRAMES, out);
	put_seqs(e, &in->stacks, e->stacks, e->nstacks, e->frame_local, 1);
	put_section(e, SEC_STACKS, out);
	if (e->nlabels > 0) {
		put_seqs(e, &in->labelsets, e->labels, e->nlabels, e->str_local,
			 2);
		put_section(e, SEC_LABELSETS, out);
	}
	put_goroutines(e, s);
	put_section(e, SEC_GOROUTINES, out);
	unmark(e->str_local, e->strs, e->nstrs);
	unmark(e->frame_local, e->frames, e->nframes);
	unmark(e->stack_local, e->stacks, e->nstacks);
	unmark(e->label_local, e->labels, e->nlabels);
	/* Length, then the CRC over it. */
	plen = out->len - at - GSNAP_RECORD_HEADER_SIZE;
	set_u32le(out->p + at + 16, (uint32_t)plen);
	set_u32le(out->p + at + 20, gsnap_record_crc(out->p + at, plen));
}
