/* Checking protobuf messages against a schema of field kinds. */
#include <string.h>

#include "formats/pbwire.h"
#include "lib/banned.h"

int
pbwire_packed_valid(const unsigned char *buf, size_t pos, size_t end)
{
	uint64_t v;

	while (pos < end)
		if (!pbwire_varint(buf, &pos, end, &v))
			return 0;
	return 1;
}

int
pbwire_valid(const unsigned char *buf, size_t pos, size_t end,
	     const struct pbwire_msg *m)
{
	struct pbwire w = { buf, pos, end };
	struct pbwire_field f;
	int rc;

	memset(&f, 0, sizeof(f));
	/* The schema is not recursive, so neither is this very deep. */
	while ((rc = pbwire_next(&w, &f)) > 0) {
		const struct pbwire_def *d = pbwire_find(m, f.num);

		if (d == NULL)
			continue;
		if (!pbwire_fits(d->kind, f.wt))
			return 0;
		if (d->kind == PBWIRE_MSG &&
		    !pbwire_valid(buf, f.off, f.off + f.len, d->msg))
			return 0;
		if (d->kind == PBWIRE_REPEATED && f.wt == 2 &&
		    !pbwire_packed_valid(buf, f.off, f.off + f.len))
			return 0;
	}
	return rc == 0;
}
