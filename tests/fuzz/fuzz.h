/*
 * Shared by the fuzz targets: read a buffer with a reader, then group it and
 * write the JSON report to /dev/null, so that what a reader accepts is also
 * safe for everything after it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct snapshot;
struct error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*fuzz_reader)(struct snapshot *out, const unsigned char *buf,
			   size_t len, struct error *err);

/* Run reader over data and everything downstream of it. */
void fuzz_pipeline(fuzz_reader reader, const uint8_t *data, size_t size);

#endif
