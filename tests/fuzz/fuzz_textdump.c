/* libFuzzer target: the goroutine dump reader. */
#include "formats/textdump.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pipeline(textdump_read, data, size);
	return 0;
}
