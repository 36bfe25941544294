/*
 * Byte buffers for binary formats: a growable output buffer with
 * little-endian and LEB128 varint writers, and a bounds-checked reader
 * over borrowed bytes. Readers never read past their end: a short input
 * sets `bad` and every later read returns 0.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	unsigned char *p;
	size_t len, cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_put(struct buf *b, const void *bytes, size_t len);
void buf_put_u8(struct buf *b, unsigned v);
void buf_put_u16le(struct buf *b, uint16_t v);
void buf_put_u32le(struct buf *b, uint32_t v);
void buf_put_u64le(struct buf *b, uint64_t v);
void buf_put_uvarint(struct buf *b, uint64_t v);
/* Zigzag: small negative numbers stay short. */
void buf_put_svarint(struct buf *b, int64_t v);
/* A varint length, then the bytes. */
void buf_put_str(struct buf *b, const void *bytes, size_t len);

struct cursor {
	const unsigned char *p;
	size_t len, off;
	int bad; /* a read ran past the end, or a varint was malformed */
};

void cursor_init(struct cursor *c, const void *p, size_t len);
uint64_t cursor_uvarint_slow(struct cursor *c);

/* A varint; most are one byte, read here without a call. */
static inline uint64_t
cursor_uvarint(struct cursor *c)
{
	if (c->off < c->len && c->p[c->off] < 0x80 && !c->bad)
		return c->p[c->off++];
	return cursor_uvarint_slow(c);
}

int64_t cursor_svarint(struct cursor *c);
/* A varint length and that many bytes (borrowed); NULL when bad. */
const unsigned char *cursor_str(struct cursor *c, size_t *len);
/* n bytes (borrowed); NULL when fewer are left. */
const unsigned char *cursor_bytes(struct cursor *c, size_t n);

uint16_t get_u16le(const unsigned char *p);
uint32_t get_u32le(const unsigned char *p);
uint64_t get_u64le(const unsigned char *p);
/* Overwrite 4 bytes at p (a length or checksum filled in afterwards). */
void set_u32le(unsigned char *p, uint32_t v);

/* Zigzag: signed numbers as unsigned, small magnitudes staying small. */
static inline uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (v < 0 ? ~(uint64_t)0 : 0);
}

static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

#endif
