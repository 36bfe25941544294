/*
 * The pprof reader and writer: the byte-exact worked example of
 * goroutine-formats.md 2.6, packed and unpacked repeated fields, framing
 * errors with offsets, refusal of other profile types, and a round trip of
 * a text dump through the writer and back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/input.h"
#include "formats/pprof.h"
#include "formats/textdump.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "tests/tap.h"
#include "tests/testutil.h"

static struct intern in;
static struct snapshot snap;
static struct error err;

/* A growable byte buffer to build protobuf by hand. */
struct pb {
	unsigned char b[4096];
	size_t n;
};

static void
put(struct pb *p, const void *v, size_t n)
{
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void
put_varint(struct pb *p, uint64_t v)
{
	while (v >= 0x80) {
		p->b[p->n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p->b[p->n++] = (unsigned char)v;
}

static void
put_key(struct pb *p, unsigned field, unsigned wt)
{
	put_varint(p, (uint64_t)field << 3 | wt);
}

static void
put_bytes(struct pb *p, unsigned field, const void *v, size_t n)
{
	put_key(p, field, 2);
	put_varint(p, n);
	put(p, v, n);
}

static void
put_msg(struct pb *p, unsigned field, const struct pb *m)
{
	put_bytes(p, field, m->b, m->n);
}

static void
put_int(struct pb *p, unsigned field, uint64_t v)
{
	put_key(p, field, 0);
	put_varint(p, v);
}

static int
parse(const unsigned char *b, size_t n)
{
	snapshot_release(&snap);
	snapshot_init(&snap, &in);
	error_clear(&err);
	return pprof_parse(&snap, b, n, &err);
}

static const char *
frame(size_t i, uint32_t k)
{
	return tu_frame(&in, &snap.g[i], k);
}

/* The worked example of section 2.6, byte for byte. */
static const unsigned char example[] = {
	0x5a,
	0x04,
	0x08,
	0x01,
	0x10,
	0x02,
	0x60,
	0x01,
	0x0a,
	0x04,
	0x08,
	0x01,
	0x10,
	0x02,
	0x22,
	0x10,
	0x08,
	0x01,
	0x18,
	0xc4,
	0xc5,
	0x8e,
	0x02,
	0x22,
	0x05,
	0x08,
	0x01,
	0x10,
	0x92,
	0x03,
	0x10,
	0x01,
	0x2a,
	0x0b,
	0x08,
	0x01,
	0x10,
	0x03,
	0x18,
	0x03,
	0x20,
	0x04,
	0x28,
	0xfd,
	0x02,
	0x22,
	0x0f,
	0x08,
	0x02,
	0x18,
	0xaf,
	0xb6,
	0xa8,
	0x02,
	0x22,
	0x04,
	0x08,
	0x02,
	0x10,
	0x11,
	0x10,
	0x01,
	0x2a,
	0x0a,
	0x08,
	0x02,
	0x10,
	0x05,
	0x18,
	0x05,
	0x20,
	0x06,
	0x28,
	0x0c,
	0x12,
	0x0c,
	0x10,
	0x07,
	0x08,
	0x01,
	0x08,
	0x02,
	0x1a,
	0x04,
	0x08,
	0x07,
	0x10,
	0x08,
	0x48,
	0x80,
	0x80,
	0xa8,
	0xb1,
	0xe3,
	0x9f,
	0xe7,
	0xcb,
	0x17,
	0x1a,
	0x10,
	0x08,
	0x01,
	0x10,
	0x80,
	0x80,
	0x80,
	0x02,
	0x18,
	0x80,
	0x80,
	0x80,
	0x03,
	0x28,
	0x09,
	0x38,
	0x01,
	/* string table */
	0x32,
	0x00,
	0x32,
	0x09,
	'g',
	'o',
	'r',
	'o',
	'u',
	't',
	'i',
	'n',
	'e',
	0x32,
	0x05,
	'c',
	'o',
	'u',
	'n',
	't',
	0x32,
	0x0e,
	'r',
	'u',
	'n',
	't',
	'i',
	'm',
	'e',
	'.',
	'g',
	'o',
	'p',
	'a',
	'r',
	'k',
	0x32,
	0x21,
	'/',
	'u',
	's',
	'r',
	'/',
	'l',
	'o',
	'c',
	'a',
	'l',
	'/',
	'g',
	'o',
	'/',
	's',
	'r',
	'c',
	'/',
	'r',
	'u',
	'n',
	't',
	'i',
	'm',
	'e',
	'/',
	'p',
	'r',
	'o',
	'c',
	'.',
	'g',
	'o',
	0x32,
	0x0b,
	'm',
	'a',
	'i',
	'n',
	'.',
	'w',
	'o',
	'r',
	'k',
	'e',
	'r',
	0x32,
	0x0c,
	'/',
	'a',
	'p',
	'p',
	'/',
	'm',
	'a',
	'i',
	'n',
	'.',
	'g',
	'o',
	0x32,
	0x05,
	's',
	't',
	'a',
	't',
	'e',
	0x32,
	0x04,
	'i',
	'd',
	'l',
	'e',
	0x32,
	0x08,
	'/',
	'a',
	'p',
	'p',
	'/',
	'b',
	'i',
	'n',
};

static void
test_example(void)
{
	uint32_t n = 0;
	const uint32_t *p = NULL;

	ok(pprof_sniff(example, sizeof(example)), "sniffed as pprof");
	{
		/* Lines of 51 bytes starting '2' frame as protobuf: field
		 * 6 of 48 bytes ('0'), then at each '\n' field 1 of 50
		 * ('2'). Text has no control byte; every profile does. */
		static const char line[] = "2026-12-02T10:00:00Z INFO "
					   "serving request 00000000\n";
		unsigned char logs[20 * 51];
		size_t i;

		for (i = 0; i < 20; i++)
			memcpy(logs + 51 * i, line, 51);
		ok(sizeof(line) == 52, "log lines of 51 bytes");
		ok(!pprof_sniff(logs, sizeof(logs)),
		   "log lines that frame as protobuf are not a profile");
	}
	ok(parse(example, sizeof(example)) == 0, "the worked example reads");
	is_int(snap.n, 1, "one sample");
	is_int(snap.g[0].weight, 7, "of 7 goroutines");
	is_int(snap.time_ns, 1700000000000000000LL, "time_nanos");
	is_str(frame(0, 0), "main.worker /app/main.go:17",
	       "runtime.gopark normalised away");
	is_str(intern_str(&in, snap.g[0].state), "waiting",
	       "parked with no telling frame");
	p = seqtab_items(&in.labelsets, snap.g[0].labels, &n);
	ok(n == 2 && strcmp(intern_str(&in, p[0]), "state") == 0 &&
		   strcmp(intern_str(&in, p[1]), "idle") == 0,
	   "label state=idle");
}

/* Strings for the hand-built profiles below. */
static const char *const strs[] = {
	"",
	"goroutine",
	"count",
	"runtime.gopark",
	"proc.go",
	"runtime.chanrecv1",
	"chan.go",
	"main.a",
	"a.go",
	"main.b",
	"main.c",
	"bytes",
	"size",
	"cpu",
	"nanoseconds",
};

static void
put_strings(struct pb *p)
{
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		put_bytes(p, 6, strs[i], strlen(strs[i]));
}

/* A profile with 5 functions/locations and one sample over ids. */
static size_t
build(unsigned char *out, int packed, int type, int unit)
{
	struct pb p = { .n = 0 }, m;
	static const unsigned fn_name[] = { 3, 5, 7, 9, 10 };
	static const unsigned fn_file[] = { 4, 6, 8, 8, 8 };
	unsigned i;

	m.n = 0;
	put_int(&m, 1, (uint64_t)type);
	put_int(&m, 2, (uint64_t)unit);
	put_msg(&p, 1, &m);
	for (i = 0; i < 5; i++) {
		struct pb f = { .n = 0 }, loc = { .n = 0 }, ln = { .n = 0 };

		put_int(&f, 1, 100 + i);
		put_int(&f, 2, fn_name[i]);
		put_int(&f, 4, fn_file[i]);
		put_msg(&p, 5, &f);
		put_int(&ln, 1, 100 + i);
		put_int(&ln, 2, 10 + i);
		put_int(&loc, 1, 1000 + i);
		put_msg(&loc, 4, &ln);
		put_msg(&p, 4, &loc);
	}
	m.n = 0;
	/* value first, as Go writes it */
	put_int(&m, 2, 3);
	if (packed) {
		unsigned char ids[16];
		struct pb q = { .n = 0 };

		for (i = 0; i < 5; i++)
			put_varint(&q, 1000 + i);
		memcpy(ids, q.b, q.n);
		put_bytes(&m, 1, ids, q.n);
	} else {
		/* unpacked, and mixed: two singles then a packed rest */
		struct pb q = { .n = 0 };

		put_int(&m, 1, 1000);
		put_int(&m, 1, 1001);
		for (i = 2; i < 5; i++)
			put_varint(&q, 1000 + i);
		put_bytes(&m, 1, q.b, q.n);
	}
	{
		struct pb lb = { .n = 0 };

		put_int(&lb, 1, 12);
		put_int(&lb, 3, 4096);
		put_int(&lb, 4, 11);
		put_msg(&m, 3, &lb);
	}
	put_msg(&p, 2, &m);
	put_strings(&p);
	memcpy(out, p.b, p.n);
	return p.n;
}

static void
test_encodings(void)
{
	unsigned char a[4096], b[4096];
	size_t na = build(a, 1, 1, 2), nb = build(b, 0, 1, 2);
	seqid sa;
	uint32_t n = 0;
	const uint32_t *p = NULL;

	ok(parse(a, na) == 0, "packed location ids");
	sa = snap.g[0].stack;
	is_int(snap.g[0].weight, 3, "value");
	is_str(frame(0, 0), "main.a a.go:12", "leaf after runtime frames");
	is_str(intern_str(&in, snap.g[0].state), "chan receive",
	       "chan receive inferred from runtime.chanrecv1");
	p = seqtab_items(&in.labelsets, snap.g[0].labels, &n);
	ok(n == 2 && strcmp(intern_str(&in, p[1]), "4096 bytes") == 0,
	   "numeric label with its unit");
	ok(parse(b, nb) == 0, "unpacked and mixed location ids");
	ok(snap.g[0].stack == sa, "same stack either way");

	na = build(a, 1, 13, 14);
	ok(parse(a, na) < 0, "a CPU profile is refused");
	is_str(err.text,
	       "not a goroutine profile: its sample types are cpu/nanoseconds "
	       "(expected goroutine/count or goroutineleak/count)",
	       "naming its sample types");
}

/*
 * Inlining (several Lines in one Location, innermost first), a location
 * without lines in a mapping (a stripped binary), a line without function.
 */
static void
test_inline_and_addresses(void)
{
	struct pb p = { .n = 0 }, m = { .n = 0 };
	static const char *const s[] = { "",	       "goroutine",  "count",
					 "main.inner", "main.outer", "m.go",
					 "/bin/app" };
	unsigned i;

	put_int(&m, 1, 1);
	put_int(&m, 2, 2);
	put_msg(&p, 1, &m);
	for (i = 0; i < 2; i++) {
		struct pb f = { .n = 0 };

		put_int(&f, 1, 10 + i);
		put_int(&f, 2, 3 + i);
		put_int(&f, 4, 5);
		put_msg(&p, 5, &f);
	}
	{
		/* location 1: inner (line 7) inlined into outer (line 9) */
		struct pb loc = { .n = 0 }, l1 = { .n = 0 }, l2 = { .n = 0 };

		put_int(&l1, 1, 10);
		put_int(&l1, 2, 7);
		put_int(&l2, 1, 11);
		put_int(&l2, 2, 9);
		put_int(&loc, 1, 1);
		put_msg(&loc, 4, &l1);
		put_msg(&loc, 4, &l2);
		put_msg(&p, 4, &loc);
	}
	{
		/* location 2: no lines, address 0x401234 in mapping 5 */
		struct pb loc = { .n = 0 }, mp = { .n = 0 };

		put_int(&loc, 1, 2);
		put_int(&loc, 2, 5);
		put_int(&loc, 3, 0x401234);
		put_msg(&p, 4, &loc);
		put_int(&mp, 1, 5);
		put_int(&mp, 2, 0x400000);
		put_int(&mp, 3, 0x500000);
		put_int(&mp, 5, 6);
		put_msg(&p, 3, &mp);
	}
	m.n = 0;
	put_int(&m, 2, 4);
	put_int(&m, 1, 1);
	put_int(&m, 1, 2);
	put_msg(&p, 2, &m);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		put_bytes(&p, 6, s[i], strlen(s[i]));
	ok(parse(p.b, p.n) == 0, "inlined and unsymbolised locations read");
	is_str(frame(0, 0), "main.inner m.go:7", "inlined callee first");
	is_str(frame(0, 1), "main.outer m.go:9", "then its caller");
	is_str(frame(0, 2), "0x1234 /bin/app:0",
	       "an address in its mapping, never dropped");
}

static void
test_damage(void)
{
	unsigned char a[4096];
	size_t n = build(a, 1, 1, 2), cut;
	int all_failed = 1;

	/* The last 18 bytes are the strings "cpu" and "nanoseconds", which
	 * a goroutine profile never refers to: a cut between them or before
	 * them leaves a valid, complete message. Every earlier cut fails. */
	for (cut = 1; cut < n - 18; cut++) {
		struct error e;

		snapshot_release(&snap);
		snapshot_init(&snap, &in);
		error_clear(&e);
		if (pprof_parse(&snap, a, cut, &e) == 0) {
			all_failed = 0;
			printf("# accepted a cut at %zu of %zu\n", cut, n);
		}
	}
	ok(all_failed, "every truncation of the profile is refused");
	ok(parse(a, n - 18) == 0 && snap.g[0].weight == 3,
	   "a cut that drops only unused trailing strings is a whole "
	   "profile");
	ok(parse(a, n - 3) < 0, "a truncated string");
	ok(strstr(err.text, "string_table") != NULL &&
		   err.where == ERROR_OFFSET,
	   "names the field and the offset: %s", err.text);
	a[0] = 0x0b; /* field 1, wire type 3 (group) */
	ok(parse(a, n) < 0 && strstr(err.text, "wire type 3") != NULL,
	   "groups are refused: %s", err.text);
	ok(err.offset == 0, "at offset 0");
	{
		struct pb p = { .n = 0 };

		put_strings(&p);
		put_int(&p, 9, 1);
		put_int(&p, 9, 2);
		ok(parse(p.b, p.n) < 0 && strstr(err.text, "concatenated"),
		   "two time_nanos: concatenated profiles");
	}
	{
		struct pb p = { .n = 0 }, s = { .n = 0 }, vt = { .n = 0 };

		put_int(&vt, 1, 1);
		put_int(&vt, 2, 2);
		put_msg(&p, 1, &vt);
		put_int(&s, 1, 77);
		put_int(&s, 2, 1);
		put_msg(&p, 2, &s);
		put_strings(&p);
		ok(parse(p.b, p.n) < 0 &&
			   strstr(err.text, "location 77, which is not "
					    "defined"),
		   "an undefined location: %s", err.text);
	}
}

static void
test_round_trip(void)
{
	static const char dump[] =
		"goroutine 1 [running]:\n"
		"main.main()\n\t/a/m.go:5 +0x1\n\n"
		"goroutine 7 [chan receive, 3 minutes] {job: a}:\n"
		"main.worker(0x1)\n\t/a/m.go:9 +0x1\n"
		"main.pool[...](...)\n\t/a/m.go:20\n"
		"created by main.main in goroutine 1\n\t/a/m.go:6 +0x1\n\n"
		"goroutine 8 [chan receive]:\n"
		"main.worker(0x2)\n\t/a/m.go:9 +0x1\n"
		"main.pool[...](...)\n\t/a/m.go:20\n"
		"created by main.main in goroutine 1\n\t/a/m.go:6 +0x1\n\n"
		"goroutine 9 [chan receive] {job: a}:\n"
		"main.worker(0x3)\n\t/a/m.go:9 +0x1\n"
		"main.pool[...](...)\n\t/a/m.go:20\n"
		"created by main.main in goroutine 1\n\t/a/m.go:6 +0x1\n";
	struct snapshot s2;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *fp = open_memstream(&mem, &memlen);
	unsigned char *raw = NULL;
	size_t rawlen = 0, i;
	int same = 1;

	snapshot_release(&snap);
	snapshot_init(&snap, &in);
	ok(textdump_parse(&snap, (const unsigned char *)dump, strlen(dump), 0,
			  &err) == 0,
	   "dump reads");
	ok(pprof_write(fp, &snap, &err) == 0, "written as pprof");
	fclose(fp);
	ok(input_gunzip(&raw, &rawlen, (unsigned char *)mem, memlen, &err) == 0,
	   "the output is gzip");
	snapshot_init(&s2, &in);
	ok(pprof_parse(&s2, raw, rawlen, &err) == 0, "and reads back");
	is_int(s2.n, 3, "one sample per stack, labels and state");
	is_int(snapshot_total(&s2), 4, "all goroutines");
	for (i = 0; i < s2.n; i++) {
		size_t j;
		int64_t w = 0;

		for (j = 0; j < snap.n; j++)
			if (snap.g[j].stack == s2.g[i].stack &&
			    snap.g[j].labels == s2.g[i].labels &&
			    snap.g[j].state == s2.g[i].state)
				w += snap.g[j].weight;
		if (w != s2.g[i].weight)
			same = 0;
		if (s2.g[i].flags & G_STATE_INFERRED)
			same = 0;
	}
	ok(same, "stacks, labels, states and counts survive the trip");
	snapshot_release(&s2);
	free(raw);
	free(mem);
}

/* The profile s written and read back into out. */
static int
write_and_read(const struct snapshot *s, struct snapshot *out)
{
	char *mem = NULL;
	size_t memlen = 0, rawlen = 0;
	unsigned char *raw = NULL;
	FILE *fp = open_memstream(&mem, &memlen);
	int ret = -1;

	if (pprof_write(fp, s, &err) == 0 && fclose(fp) == 0 &&
	    input_gunzip(&raw, &rawlen, (unsigned char *)mem, memlen, &err) ==
		    0)
		ret = pprof_parse(out, raw, rawlen, &err);
	free(raw);
	free(mem);
	return ret;
}

static int
mapping_is(const struct snapshot_mapping *m, const char *file, const char *id)
{
	return strcmp(intern_str(&in, m->filename), file) == 0 &&
	       strcmp(intern_str(&in, m->build_id), id) == 0;
}

/* The program's own mapping: a file named base (in whatever directory
 * the generator built it) and a build id of 40 hex digits. */
static int
program_mapping_is(const struct snapshot_mapping *m, const char *base)
{
	const char *f = intern_str(&in, m->filename);
	const char *slash = strrchr(f, '/');
	const char *id = intern_str(&in, m->build_id);

	return slash != NULL && strcmp(slash + 1, base) == 0 &&
	       strlen(id) == 40 && strspn(id, "0123456789abcdef") == 40;
}

/*
 * A profile's mappings survive convert --to pprof, so `go tool pprof`
 * names the program and its build id (not "goroscope"); a snapshot of
 * another format has none, and the profile written from it one named
 * "goroscope"; a snapshot keeps at most SNAPSHOT_MAX_MAPPINGS.
 */
static void
test_mappings(void)
{
	static const char dump[] =
		"goroutine 1 [running]:\nmain.main()\n\t/a/m.go:5 +0x1\n";
	static struct pb p;
	struct input inp;
	struct snapshot a, b;
	uint32_t i, same = 1;
	int rc;

	snapshot_init(&a, &in);
	snapshot_init(&b, &in);
	if (!ok(input_open(&inp, "testdata/captures/leaky/05.pb.gz", &err) == 0,
		"read leaky/05.pb.gz"))
		return;
	rc = pprof_parse(&a, inp.data, inp.len, &err);
	ok(rc == 0 && a.nmappings == 5 &&
		   program_mapping_is(&a.mappings[0], "leaky") &&
		   a.mappings[0].memory_start == 0x400000 &&
		   a.mappings[0].memory_limit > 0x400000 &&
		   a.mappings[0].flags == MAPPING_FUNCTIONS &&
		   mapping_is(&a.mappings[1],
			      "/usr/lib/x86_64-linux-gnu/libc.so.6",
			      "93ac61ec5a8eb1396f9fbd350e3169a558528a40") &&
		   a.mappings[1].file_offset == 0x26000,
	   "the profile's 5 mappings are read: the program first (%u)",
	   a.nmappings);
	input_release(&inp);
	rc = write_and_read(&a, &b);
	ok(rc == 0 && b.nmappings == a.nmappings,
	   "written and read back: %u mappings", b.nmappings);
	for (i = 0; i < a.nmappings && i < b.nmappings; i++)
		if (a.mappings[i].memory_start != b.mappings[i].memory_start ||
		    a.mappings[i].memory_limit != b.mappings[i].memory_limit ||
		    a.mappings[i].file_offset != b.mappings[i].file_offset ||
		    a.mappings[i].filename != b.mappings[i].filename ||
		    a.mappings[i].build_id != b.mappings[i].build_id ||
		    a.mappings[i].flags != b.mappings[i].flags)
			same = 0;
	ok(same && b.nmappings == 5,
	   "each with its file, build id, range, offset and flags");
	snapshot_release(&b);
	snapshot_init(&b, &in);
	snapshot_take(&b, &a);
	ok(b.nmappings == 5 && a.nmappings == 0 && a.mappings == NULL,
	   "snapshot_take moves them");
	snapshot_release(&a);
	snapshot_release(&b);

	/* A dump has none: the profile names goroscope, as before. */
	snapshot_init(&a, &in);
	snapshot_init(&b, &in);
	ok(textdump_parse(&a, (const unsigned char *)dump, strlen(dump), 0,
			  &err) == 0 &&
		   a.nmappings == 0 && write_and_read(&a, &b) == 0 &&
		   b.nmappings == 1 &&
		   mapping_is(&b.mappings[0], "goroscope", "") &&
		   b.mappings[0].flags == MAPPING_FUNCTIONS,
	   "a dump has no mapping; its profile one, named goroscope");
	snapshot_release(&a);
	snapshot_release(&b);

	/* Bounded: 300 mappings, the first SNAPSHOT_MAX_MAPPINGS kept. */
	{
		static const char *const str[] = { "", "goroutine", "count",
						   "/bin/app" };
		struct pb m = { .n = 0 };
		unsigned k;

		put_int(&m, 1, 1);
		put_int(&m, 2, 2);
		put_msg(&p, 1, &m);
		for (k = 0; k < 300; k++) {
			m.n = 0;
			put_int(&m, 1, k + 1);
			put_int(&m, 5,
				k == 0 ? 3 : 99); /* 99: no such string */
			put_msg(&p, 3, &m);
		}
		for (k = 0; k < 4; k++)
			put_bytes(&p, 6, str[k], strlen(str[k]));
		rc = parse(p.b, p.n);
		ok(rc == 0 && snap.nmappings == SNAPSHOT_MAX_MAPPINGS &&
			   mapping_is(&snap.mappings[0], "/bin/app", "") &&
			   snap.mappings[1].filename == 0,
		   "300 mappings: %u kept, a name not in the table empty",
		   snap.nmappings);
	}
}

int
main(void)
{
	intern_init(&in);
	snapshot_init(&snap, &in);
	test_example();
	test_encodings();
	test_inline_and_addresses();
	test_damage();
	test_round_trip();
	test_mappings();
	snapshot_release(&snap);
	intern_release(&in);
	return tap_done();
}
