/*
 * libFuzzer target: what the loader does with any bytes: gunzip when they
 * start like gzip, sniff the format, read it.
 */
#include <stdlib.h>

#include "formats/format.h"
#include "formats/input.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

static int
read_any(struct intern *in, const unsigned char *buf, size_t len,
	 const struct read_opts *o, snapshot_sink sink, void *ctx,
	 struct error *err)
{
	const struct format *f = format_sniff(buf, len);

	return f ? f->read(in, buf, len, o, sink, ctx, err) : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	struct error err;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (input_gunzip(&raw, &rawlen, data, size, &err) == 0)
			fuzz_pipeline(read_any, raw, rawlen);
		free(raw);
		return 0;
	}
	fuzz_pipeline(read_any, data, size);
	return 0;
}
