/*
 * Shared by the fuzz targets: read a buffer with a reader, then group what it
 * gives into series and write their JSON report to /dev/null, so that what
 * a reader accepts is also safe for everything after it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"

struct snapshot;
struct error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A format table's reader (formats/format.h). */
typedef int (*fuzz_reader)(struct intern *in, const unsigned char *buf,
			   size_t len, const struct read_opts *o,
			   snapshot_sink sink, void *ctx, struct error *err);

/*
 * Run reader over data and everything downstream of it: every snapshot it
 * gives into the series of its instance, under each --group-by, then the
 * JSON report of each instance.
 */
void fuzz_pipeline(fuzz_reader reader, const uint8_t *data, size_t size);

#endif
