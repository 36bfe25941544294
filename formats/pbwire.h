/*
 * The protobuf wire format, walked field by field over bytes in memory, with
 * the rules of libprotobuf-c 1.4.1's unpack (the pprof reader's decoder
 * before this one): what it accepted is accepted, what it refused is
 * refused. A small schema of field kinds says what each known field must be.
 */
#ifndef PBWIRE_H
#define PBWIRE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* How a field of a message is encoded (the kinds profile.proto uses). */
enum pbwire_kind {
	PBWIRE_VARINT,	 /* int64 or uint64: wire type 0 */
	PBWIRE_BOOL,	 /* bool: wire type 0, but libprotobuf-c takes any */
	PBWIRE_REPEATED, /* repeated varints: unpacked (0) or packed (2) */
	PBWIRE_BYTES,	 /* string: wire type 2 */
	PBWIRE_MSG,	 /* a message: wire type 2 */
};

struct pbwire_msg;

/* One field of a message's schema. */
struct pbwire_def {
	uint32_t num;
	enum pbwire_kind kind;
	const struct pbwire_msg *msg; /* with PBWIRE_MSG */
	const char *name;
};

struct pbwire_msg {
	const char *name;
	const struct pbwire_def *fields;
	size_t n;
};

/* The field numbered num of m, or NULL when m has none. */
static inline const struct pbwire_def *
pbwire_find(const struct pbwire_msg *m, uint64_t num)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

/* Whether libprotobuf-c decodes a field of kind k sent with wire type wt. */
static inline int
pbwire_fits(enum pbwire_kind k, unsigned wt)
{
	switch (k) {
	case PBWIRE_VARINT:
		return wt == 0;
	case PBWIRE_BOOL:
		return 1; /* libprotobuf-c reads a bool from any bytes */
	case PBWIRE_REPEATED:
		return wt == 0 || wt == 2;
	case PBWIRE_BYTES:
	case PBWIRE_MSG:
		return wt == 2;
	}
	return 0;
}

/*
 * Whether buf[pos..end) is a message m that libprotobuf-c unpacks: sound
 * framing, every known field of a wire type its kind allows, packed
 * varints whole, known sub-messages likewise (unknown fields are skipped).
 */
int pbwire_valid(const unsigned char *buf, size_t pos, size_t end,
		 const struct pbwire_msg *m);

/* Whether buf[pos..end) is a whole run of packed varints. */
int pbwire_packed_valid(const unsigned char *buf, size_t pos, size_t end);

/* The bytes buf[pos..end) of one message, read front to back. */
struct pbwire {
	const unsigned char *buf;
	size_t pos, end;
};

/* One field as pbwire_next() read it. */
struct pbwire_field {
	size_t at;	 /* offset of its key in buf */
	uint32_t num;	 /* field number */
	unsigned wt;	 /* wire type */
	uint64_t v;	 /* the value of a varint (wire type 0) */
	size_t off, len; /* the bytes of a length-delimited field (2) */
};

/*
 * Read a varint of at most 10 bytes at buf[*pos..end) into *v and move *pos
 * past it; bits beyond 64 are dropped, as libprotobuf-c drops them. Returns
 * 0 when the varint does not end within 10 bytes or before end.
 */
static inline int
pbwire_varint(const unsigned char *buf, size_t *pos, size_t end, uint64_t *v)
{
	size_t i = *pos, max = end - i < 10 ? end - i : 10, k;
	uint64_t x = 0;

	if (max > 0 && buf[i] < 0x80) {
		/* Most varints of a profile are one byte. */
		*v = buf[i];
		*pos = i + 1;
		return 1;
	}
	for (k = 0; k < max; k++) {
		unsigned char b = buf[i + k];

		x |= (uint64_t)(b & 0x7f) << (7 * k);
		if (!(b & 0x80)) {
			*v = x;
			*pos = i + k + 1;
			return 1;
		}
	}
	return 0;
}

/*
 * Read the key of a field: at most 5 bytes, field number bits beyond 32
 * dropped, and the first byte must carry some of the field number (all as
 * libprotobuf-c reads keys). Returns 0 when that fails.
 */
static inline int
pbwire_key(const unsigned char *buf, size_t *pos, size_t end, uint32_t *num,
	   unsigned *wt)
{
	size_t i = *pos, max = end - i < 5 ? end - i : 5, k;
	uint32_t tag = (uint32_t)(buf[i] & 0x7f) >> 3;
	unsigned shift = 4;

	if ((buf[i] & 0xf8) == 0)
		return 0;
	*wt = buf[i] & 7;
	if (!(buf[i] & 0x80)) {
		*num = tag;
		*pos = i + 1;
		return 1;
	}
	for (k = 1; k < max; k++) {
		tag |= (uint32_t)(buf[i + k] & 0x7f) << shift;
		shift += 7;
		if (!(buf[i + k] & 0x80)) {
			*num = tag;
			*pos = i + k + 1;
			return 1;
		}
	}
	return 0;
}

/*
 * The next field of w into f: 1, or 0 at the end of the message, or -1
 * when the bytes are not protobuf (a bad key, a wire type other than 0, 1,
 * 2 and 5, a value cut short, a length over INT_MAX or past the end).
 */
static inline int
pbwire_next(struct pbwire *w, struct pbwire_field *f)
{
	const unsigned char *b = w->buf;
	size_t i = w->pos, end = w->end, max, k;
	uint64_t n = 0;

	if (i >= end)
		return 0;
	f->at = i;
	if (!pbwire_key(b, &i, end, &f->num, &f->wt))
		return -1;
	switch (f->wt) {
	case 0:
		if (!pbwire_varint(b, &i, end, &f->v))
			return -1;
		break;
	case 1:
	case 5:
		if (end - i < (f->wt == 1 ? 8u : 4u))
			return -1;
		i += f->wt == 1 ? 8 : 4;
		break;
	case 2:
		/* The length: at most 5 bytes, as libprotobuf-c reads it. */
		max = end - i < 5 ? end - i : 5;
		for (k = 0; k < max; k++) {
			n |= (uint64_t)(b[i + k] & 0x7f) << (7 * k);
			if (!(b[i + k] & 0x80))
				break;
		}
		if (k == max)
			return -1;
		i += k + 1;
		if (n > INT_MAX || n > end - i)
			return -1;
		f->off = i;
		f->len = (size_t)n;
		i += (size_t)n;
		break;
	default:
		return -1;
	}
	w->pos = i;
	return 1;
}

#endif
