/*
 * libFuzzer target: the .gsnap reader. Every input is read twice: as it
 * is, and with its header and record CRCs recomputed, so that mutations
 * reach the section decoders instead of stopping at the checksum.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/gsnap.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

/* Recompute the CRCs of every record whose framing holds. */
static void
fix_crcs(unsigned char *p, size_t len)
{
	size_t off = GSNAP_HEADER_SIZE;

	if (len < GSNAP_HEADER_SIZE)
		return;
	set_u32le(p + 12, (uint32_t)crc32(0, p, 12));
	while (len - off >= GSNAP_RECORD_HEADER_SIZE) {
		unsigned char *h = p + off;
		size_t plen = get_u32le(h + 16);

		if (plen > len - off - GSNAP_RECORD_HEADER_SIZE)
			break;
		set_u32le(h + 20, gsnap_record_crc(h, plen));
		off += GSNAP_RECORD_HEADER_SIZE + plen;
	}
}

static int
count(struct snapshot *s, void *ctx)
{
	(void)ctx;
	if (s->pos >= s->held)
		__builtin_trap();
	(void)snapshot_total(s);
	return 0;
}

/* Every record on one thread, latest first; the latest alone. */
static void
series(const unsigned char *p, size_t len)
{
	struct intern in;
	struct error err;
	struct read_opts o;

	intern_init(&in);
	memset(&o, 0, sizeof(o));
	o.threads = 1;
	error_clear(&err);
	(void)gsnap_read(&in, p, len, &o, count, NULL, &err);
	o.latest_only = 1;
	error_clear(&err);
	(void)gsnap_read(&in, p, len, &o, count, NULL, &err);
	intern_release(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);

	fuzz_pipeline(gsnap_read, data, size);
	series(data, size);
	memcpy(copy, data, size);
	fix_crcs(copy, size);
	fuzz_pipeline(gsnap_read, copy, size);
	series(copy, size);
	free(copy);
	return 0;
}
