/* Checking protobuf messages against a schema of field kinds. */
#include <string.h>

#include "formats/pbwire.h"
#include "lib/banned.h"

const struct pbwire_def *
pbwire_find(const struct pbwire_msg *m, uint64_t num)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->fields[i].num == num)
			return &m->fields[i];
	return NULL;
}

int
pbwire_fits(enum pbwire_kind k, unsigned wt)
{
	switch (k) {
	case PBWIRE_VARINT:
		return wt == 0;
	case PBWIRE_BOOL:
		return 1; /* libprotobuf-c reads a bool from any bytes */
	case PBWIRE_REPEATED:
		return wt == 0 || wt == 2;
	case PBWIRE_BYTES:
	case PBWIRE_MSG:
		return wt == 2;
	}
	return 0;
}

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
