/* The old execution trace format (Go 1.5-1.21). */
#include <stddef.h>

#include "formats/trace.h"
#include "formats/tracev1.h"
#include "lib/error.h"
#include "lib/banned.h"

int
tracev1_read(struct trace_run *r, const unsigned char *buf, size_t len,
	     struct error *err)
{
	(void)r;
	(void)buf;
	(void)len;
	return error_set_offset(err, 0, "old execution traces: not yet");
}
