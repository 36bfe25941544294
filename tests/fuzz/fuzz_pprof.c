/* libFuzzer target: the pprof protobuf reader (raw, after gunzip). */
#include "formats/pprof.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pipeline(pprof_read, data, size);
	return 0;
}
