/* The format table. */
#include <stddef.h>

#include "formats/debug1.h"
#include "formats/format.h"
#include "formats/gsnap.h"
#include "formats/pprof.h"
#include "formats/textdump.h"
#include "formats/trace.h"
#include "lib/banned.h"

const struct format formats[] = {
	{
		.name = "gsnap",
		.description = "goroscope dump (.gsnap)",
		.sniff = gsnap_sniff,
		.read = gsnap_read,
		.read_series = gsnap_read_series,
	},
	{
		.name = "debug=1",
		.description = "goroutine profile, debug=1 text",
		.sniff = debug1_sniff,
		.read = debug1_read,
	},
	{
		.name = "debug=2",
		.description = "goroutine dump (debug=2, runtime.Stack, panic, "
			       "SIGQUIT)",
		.sniff = textdump_sniff,
		.read = textdump_read,
	},
	{
		.name = "pprof",
		.description = "goroutine profile, pprof protobuf",
		.sniff = pprof_sniff,
		.read = pprof_read,
	},
	{
		.name = "trace",
		.description = "Go execution trace (runtime/trace, go test "
			       "-trace, flight recorder)",
		.sniff = trace_sniff,
		.read = trace_read,
		.read_points = trace_read_points,
	},
	{ .name = NULL },
};

const struct format *
format_sniff(const unsigned char *buf, size_t len)
{
	const struct format *f;

	for (f = formats; f->name; f++)
		if (f->sniff(buf, len))
			return f;
	return NULL;
}
