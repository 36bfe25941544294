/* libFuzzer target: the debug=1 count profile reader. */
#include "formats/debug1.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pipeline(debug1_read, data, size);
	return 0;
}
