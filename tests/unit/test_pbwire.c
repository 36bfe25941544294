/*
 * The protobuf walker accepts exactly what libprotobuf-c's unpack accepts
 * (the pprof reader's decoder before it): hand-made edge cases, and random
 * damage to real captures, each checked against libprotobuf-c itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.pb-c.h"

#include "formats/input.h"
#include "formats/pbwire.h"
#include "formats/pprof.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/tap.h"

static const struct pbwire_def label_fields[] = {
	{ 1, PBWIRE_VARINT, NULL, "key" },
	{ 2, PBWIRE_VARINT, NULL, "str" },
	{ 3, PBWIRE_VARINT, NULL, "num" },
	{ 4, PBWIRE_VARINT, NULL, "num_unit" },
};
static const struct pbwire_msg label = { "Label", label_fields, 4 };

static const struct pbwire_def sample_fields[] = {
	{ 1, PBWIRE_REPEATED, NULL, "location_id" },
	{ 2, PBWIRE_REPEATED, NULL, "value" },
	{ 3, PBWIRE_MSG, &label, "label" },
};
static const struct pbwire_msg sample = { "Sample", sample_fields, 3 };

static const struct pbwire_def mapping_fields[] = {
	{ 1, PBWIRE_VARINT, NULL, "id" },
	{ 7, PBWIRE_BOOL, NULL, "has_functions" },
};
static const struct pbwire_msg mapping = { "Mapping", mapping_fields, 2 };

/* Whether libprotobuf-c unpacks b as a Sample. */
static int
pbc_sample(const unsigned char *b, size_t n)
{
	Perftools__Profiles__Sample *m =
		perftools__profiles__sample__unpack(NULL, n, b);

	if (m == NULL)
		return 0;
	perftools__profiles__sample__free_unpacked(m, NULL);
	return 1;
}

static int
pbc_mapping(const unsigned char *b, size_t n)
{
	Perftools__Profiles__Mapping *m =
		perftools__profiles__mapping__unpack(NULL, n, b);

	if (m == NULL)
		return 0;
	perftools__profiles__mapping__free_unpacked(m, NULL);
	return 1;
}

static int
pbc_profile(const unsigned char *b, size_t n)
{
	Perftools__Profiles__Profile *m =
		perftools__profiles__profile__unpack(NULL, n, b);

	if (m == NULL)
		return 0;
	perftools__profiles__profile__free_unpacked(m, NULL);
	return 1;
}

struct edge {
	const char *what;
	const char *bytes;
	size_t n;
	int mapping; /* a Mapping, else a Sample */
};

#define EDGE(what, bytes, mapping)                      \
	{                                               \
		what, bytes, sizeof(bytes) - 1, mapping \
	}

static const struct edge edges[] = {
	EDGE("empty", "", 0),
	EDGE("one location id", "\x08\x05", 0),
	EDGE("packed location ids", "\x0a\x03\x01\x02\x03", 0),
	EDGE("10-byte varint, bits past 64",
	     "\x08\xff\xff\xff\xff\xff\xff\xff"
	     "\xff\xff\x7f",
	     0),
	EDGE("11-byte varint",
	     "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	     "\x01",
	     0),
	EDGE("packed varint cut short", "\x0a\x02\x01\x80", 0),
	EDGE("location ids as fixed64", "\x09\x01\x02\x03\x04\x05\x06\x07\x08",
	     0),
	EDGE("label as a varint", "\x18\x01", 0),
	EDGE("label key as bytes", "\x1a\x03\x0a\x01\x00", 0),
	EDGE("label with an unknown fixed32", "\x1a\x05\x2d\x01\x02\x03\x04",
	     0),
	EDGE("key 0", "\x00\x01", 0),
	EDGE("key of field 0 in two bytes", "\x80\x00\x01", 0),
	EDGE("key of 5 bytes", "\xf8\xff\xff\xff\x0f\x00", 0),
	EDGE("key of 6 bytes", "\x88\x80\x80\x80\x80\x00\x01", 0),
	EDGE("wire type 3", "\x0b", 0),
	EDGE("wire type 6", "\x0e\x00", 0),
	EDGE("length cut short", "\x1a\x05\x08", 0),
	EDGE("length of 6 bytes", "\x1a\x80\x80\x80\x80\x80\x00", 0),
	EDGE("length over INT_MAX", "\x1a\x80\x80\x80\x80\x08", 0),
	EDGE("bool as varint", "\x38\x01", 1),
	EDGE("bool as bytes", "\x3a\x02\x01\x02", 1),
	EDGE("bool as fixed64", "\x39\x01\x02\x03\x04\x05\x06\x07\x08", 1),
	EDGE("id as bytes", "\x0a\x01\x01", 1),
};

static void
test_edges(void)
{
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const struct edge *e = &edges[i];
		const unsigned char *b = (const unsigned char *)e->bytes;
		int want =
			e->mapping ? pbc_mapping(b, e->n) : pbc_sample(b, e->n);
		int got = pbwire_valid(b, 0, e->n,
				       e->mapping ? &mapping : &sample);

		ok(got == want, "%s: %s as libprotobuf-c", e->what,
		   want ? "accepted" : "refused");
	}
}

/*
 * Damage a real capture at random, a few bytes at a time: the reader may
 * accept a damaged profile only when libprotobuf-c unpacks it, and must
 * refuse it, saying so, whenever libprotobuf-c does not.
 */
static void
test_damage(const char *path, unsigned rounds)
{
	static const unsigned char odd[] = { 0x00, 0x01, 0x02, 0x05, 0x7f,
					     0x80, 0xff, 0x0b, 0x0e, 0x3a };
	struct input inp;
	struct error err;
	unsigned char *b = NULL;
	unsigned i, agree = 1, read_ok = 0, pbc_ok = 0;

	error_clear(&err);
	if (input_open(&inp, path, &err) < 0) {
		ok(0, "%s opens: %s", path, err.text);
		return;
	}
	b = malloc(inp.len);
	srand(1);
	for (i = 0; i < rounds && agree; i++) {
		struct intern in;
		struct snapshot s;
		size_t n = inp.len, k, edits = 1 + (unsigned)rand() % 3;
		int pbc = 0, got = 0;

		memcpy(b, inp.data, n);
		for (k = 0; k < edits; k++) {
			size_t at = (size_t)rand() % n;

			if (rand() % 4 == 0)
				n = at + 1; /* cut */
			else if (rand() % 2)
				b[at] = odd[(unsigned)rand() % sizeof(odd)];
			else
				b[at] = (unsigned char)rand();
		}
		pbc = pbc_profile(b, n);
		intern_init(&in);
		snapshot_init(&s, &in);
		error_clear(&err);
		got = pprof_parse(&s, b, n, &err) == 0;
		snapshot_release(&s);
		intern_release(&in);
		if (got && !pbc)
			agree = 0;
		read_ok += (unsigned)got;
		pbc_ok += (unsigned)pbc;
	}
	ok(agree,
	   "%s: %u damaged copies, %u unpacked by libprotobuf-c, %u "
	   "read, none read that libprotobuf-c refused",
	   path, i, pbc_ok, read_ok);
	free(b);
	input_release(&inp);
}

int
main(void)
{
	test_edges();
	test_damage("testdata/captures/leaky/05.pb.gz", 3000);
	test_damage("testdata/captures/goroutineleak/02.leak.pb.gz", 3000);
	return tap_done();
}
