/* The format table. */
#include <stddef.h>
#include <string.h>

#include "formats/debug1.h"
#include "formats/format.h"
#include "formats/gsnap.h"
#include "formats/pprof.h"
#include "formats/textdump.h"
#include "formats/trace.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

const struct format formats[] = {
	{
		.name = "gsnap",
		.description = "goroscope dump (.gsnap)",
		.sniff = gsnap_sniff,
		.read = gsnap_read,
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
		.one_per_member = 1,
	},
	{
		.name = "trace",
		.description = "Go execution trace (runtime/trace, go test "
			       "-trace, flight recorder)",
		.sniff = trace_sniff,
		.read = trace_read,
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

const struct format *
format_find(const char *name)
{
	const struct format *f;

	for (f = formats; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static int
keep_last(struct snapshot *s, void *ctx)
{
	snapshot_take(ctx, s);
	return 0;
}

int
format_read_last(const struct format *f, struct snapshot *out,
		 const unsigned char *buf, size_t len,
		 const struct read_opts *o, struct error *err)
{
	static const struct read_opts none;

	return f->read(out->in, buf, len, o ? o : &none, keep_last, out, err);
}
