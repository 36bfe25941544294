/* Byte buffers and bounds-checked cursors for binary formats. */
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_release(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
buf_put(struct buf *b, const void *bytes, size_t len)
{
	if (len == 0)
		return;
	b->p = xgrow(b->p, 1, b->len + len, &b->cap);
	memcpy(b->p + b->len, bytes, len);
	b->len += len;
}

void
buf_put_u8(struct buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	buf_put(b, &c, 1);
}

void
buf_put_u16le(struct buf *b, uint16_t v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	buf_put(b, c, 2);
}

void
set_u32le(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void
buf_put_u32le(struct buf *b, uint32_t v)
{
	unsigned char c[4];

	set_u32le(c, v);
	buf_put(b, c, 4);
}

void
buf_put_u64le(struct buf *b, uint64_t v)
{
	unsigned char c[8];
	int i;

	for (i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	buf_put(b, c, 8);
}

void
buf_put_uvarint(struct buf *b, uint64_t v)
{
	unsigned char c[10];
	size_t n = 0;

	while (v >= 0x80) {
		c[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	c[n++] = (unsigned char)v;
	buf_put(b, c, n);
}

void
buf_put_svarint(struct buf *b, int64_t v)
{
	buf_put_uvarint(b, zigzag(v));
}

void
buf_put_str(struct buf *b, const void *bytes, size_t len)
{
	buf_put_uvarint(b, len);
	buf_put(b, bytes, len);
}

void
cursor_init(struct cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
	c->bad = 0;
}

uint64_t
cursor_uvarint_slow(struct cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (!c->bad) {
		unsigned char byte;

		if (c->off >= c->len || shift > 63) {
			c->bad = 1;
			break;
		}
		byte = c->p[c->off++];
		if (shift == 63 && byte > 1) {
			c->bad = 1; /* more than 64 bits */
			break;
		}
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
		shift += 7;
	}
	return 0;
}

int64_t
cursor_svarint(struct cursor *c)
{
	return unzigzag(cursor_uvarint(c));
}

const unsigned char *
cursor_bytes(struct cursor *c, size_t n)
{
	const unsigned char *p = NULL;

	if (c->bad || n > c->len - c->off) {
		c->bad = 1;
		return NULL;
	}
	p = c->p + c->off;
	c->off += n;
	return p;
}

const unsigned char *
cursor_str(struct cursor *c, size_t *len)
{
	uint64_t n = cursor_uvarint(c);

	if (c->bad || n > c->len - c->off) {
		c->bad = 1;
		*len = 0;
		return NULL;
	}
	*len = (size_t)n;
	return cursor_bytes(c, (size_t)n);
}

uint16_t
get_u16le(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
get_u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t
get_u64le(const unsigned char *p)
{
	return (uint64_t)get_u32le(p) | (uint64_t)get_u32le(p + 4) << 32;
}
