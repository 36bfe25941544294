/* Printing errors and reader warnings. */
#include <stdio.h>

#include "cmd/diag.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

void
diag_error(const struct error *err)
{
	char msg[1200];

	error_format(err, msg, sizeof(msg));
	fprintf(stderr, "goroscope: %s\n", msg);
}

void
diag_warnings(const struct snapshot *s)
{
	/* Name the file the user gave: a .gsnap series, not the capture
	 * its record was made from. */
	const char *src =
		intern_shown(s->in, s->container ? s->container : s->source);

	if (s->skipped.count > 0)
		fprintf(stderr,
			"goroscope: %s: warning: skipped %llu line%s not "
			"understood (the first, line %llu: '%s')\n",
			src, (unsigned long long)s->skipped.count,
			s->skipped.count == 1 ? "" : "s",
			(unsigned long long)s->skipped.first_line,
			s->skipped.first_text);
	if (s->warning[0])
		fprintf(stderr, "goroscope: %s: warning: %s\n", src,
			s->warning);
}
