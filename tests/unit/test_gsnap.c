/*
 * The .gsnap codec: a series written and read back record for record, the
 * tables of a steady series interned once, a torn tail cut at every byte,
 * every byte flipped, version and section rules, and the version-1 file
 * committed in testdata/gsnap that must stay readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/gsnap.h"
#include "formats/input.h"
#include "formats/source.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/tap.h"

#define MAXSNAP 40

static struct intern in;
static struct snapshot orig[MAXSNAP];
static unsigned norig;

struct got {
	struct snapshot s[MAXSNAP]; /* by position */
	unsigned n;		    /* delivered */
	unsigned held;		    /* what the first said its file holds */
	unsigned order[MAXSNAP];    /* positions as delivered */
	unsigned wrong_n;	/* deliveries whose held was not the first's */
	char last_warning[256]; /* of the file's last snapshot */
};

static int
keep(struct snapshot *s, void *ctx)
{
	struct got *g = ctx;
	struct snapshot *d = NULL;
	unsigned pos = s->pos;

	if (s->held > MAXSNAP || pos >= s->held || g->n == MAXSNAP)
		return -1;
	if (g->n == 0)
		g->held = s->held;
	g->wrong_n += s->held != g->held;
	g->order[g->n++] = pos;
	d = &g->s[pos];
	/* Take the records over; s is released by the reader. */
	*d = *s;
	d->record = NULL;
	s->g = NULL;
	s->n = s->cap = 0;
	if (pos + 1 == s->held)
		snprintf(g->last_warning, sizeof(g->last_warning), "%s",
			 s->warning);
	return 0;
}

/* Read the series in p with these options into g. */
static int
read_with(const unsigned char *p, size_t len, unsigned threads, int file_order,
	  struct got *g, struct error *err)
{
	struct read_opts o;

	memset(&o, 0, sizeof(o));
	o.threads = threads;
	o.file_order = file_order;
	memset(g, 0, sizeof(*g));
	error_clear(err);
	return gsnap_read(&in, p, len, &o, keep, g, err);
}

static void
got_release(struct got *g)
{
	unsigned k;

	for (k = 0; k < MAXSNAP; k++)
		snapshot_release(&g->s[k]);
	memset(g, 0, sizeof(*g));
}

/* Same records and metadata, id for id (one intern holds both). */
static int
same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	return a->n == b->n && memcmp(a->g, b->g, a->n * sizeof(*a->g)) == 0 &&
	       a->source == b->source && a->format == b->format &&
	       a->go_version == b->go_version && a->kind == b->kind &&
	       a->provides == b->provides && a->time_ns == b->time_ns &&
	       a->declared_total == b->declared_total &&
	       a->user_meta == b->user_meta && a->message == b->message;
}

static void
encode_all(struct buf *out, unsigned n)
{
	struct gsnap_encoder e;
	unsigned k;

	gsnap_encoder_init(&e, &in);
	gsnap_put_header(out);
	for (k = 0; k < n; k++)
		gsnap_encode(&e, &orig[k], out);
	gsnap_encoder_release(&e);
}

static int
read_all(const unsigned char *p, size_t len, struct got *g, struct error *err)
{
	return read_with(p, len, 0, 1, g, err);
}

static void
load_originals(void)
{
	static const char *const files[] = {
		"testdata/captures/leaky/00.debug2.txt",
		"testdata/captures/leaky/01.pb.gz",
		"testdata/captures/leaky/02.debug1.txt",
		"testdata/captures/dumps/labels_go126.txt",
		"testdata/captures/dumps/minutes.txt",
		"testdata/captures/dumps/panic_all.txt",
		"testdata/captures/goroutineleak/05.leak.pb.gz",
	};
	struct error err;
	unsigned k;

	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		snapshot_init(&orig[k], &in);
		error_clear(&err);
		if (source_load(&orig[k], files[k], NULL, &err) < 0)
			BAIL_OUT("cannot load %s: %s", files[k], err.text);
	}
	norig = k;
	/* User metadata travels too. */
	{
		uint32_t pairs[4] = {
			strtab_intern_cstr(&in.strings, "service"),
			strtab_intern_cstr(&in.strings, "api"),
			strtab_intern_cstr(&in.strings, "host"),
			strtab_intern_cstr(&in.strings, "a\xff"),
		};

		orig[0].user_meta = intern_labels(&in, pairs, 2);
	}
}

static void
test_round_trip(void)
{
	struct buf b;
	struct got g;
	struct error err;
	unsigned k;
	int same = 1;

	buf_init(&b);
	encode_all(&b, norig);
	ok(read_all(b.p, b.len, &g, &err) == 0, "series reads back (%s)",
	   err.text);
	ok(g.n == norig, "%u snapshots of %u", g.n, norig);
	for (k = 0; k < g.n && k < norig; k++)
		same &= same_snapshot(&orig[k], &g.s[k]);
	ok(same, "every record, flag, id and table entry as written");
	ok(g.last_warning[0] == '\0', "no warning on a whole file");
	got_release(&g);

	/* Asked for the latest only, the reader decodes just that one. */
	{
		struct snapshot s;
		struct read_opts o;

		memset(&o, 0, sizeof(o));
		o.latest_only = 1;
		snapshot_init(&s, &in);
		error_clear(&err);
		ok(format_read_last(format_find("gsnap"), &s, b.p, b.len, &o,
				    &err) == 0,
		   "latest only");
		ok(s.time_ns == orig[norig - 1].time_ns &&
			   s.n == orig[norig - 1].n && s.pos == norig - 1,
		   "it is the latest capture, record %u", norig);
		ok(s.held == norig, "and it says the file holds %u: %u", norig,
		   s.held);
		snapshot_release(&s);
	}
	buf_release(&b);
}

/*
 * Latest first, on one thread and on two (a ring of 32 slots: the series
 * is longer): every snapshot at its position, delivered last to first,
 * and the torn-tail warning on the file's last whole snapshot.
 */
static void
test_latest_first(void)
{
	enum { N = 36 };
	struct buf b;
	struct gsnap_encoder e;
	struct gsnap_scan sc;
	struct gsnap_record r;
	struct error err;
	size_t last_end = 0;
	unsigned k, threads;

	buf_init(&b);
	gsnap_encoder_init(&e, &in);
	gsnap_put_header(&b);
	for (k = 0; k < N; k++)
		gsnap_encode(&e, &orig[k % norig], &b);
	gsnap_encoder_release(&e);
	for (threads = 0; threads <= 1; threads++) {
		struct got g;
		int ret, reversed = 1, same = 1;

		memset(&g, 0, sizeof(g));
		error_clear(&err);
		ret = read_with(b.p, b.len, threads, 0, &g, &err);
		for (k = 0; k < g.n; k++) {
			reversed &= g.order[k] == N - 1 - k;
			same &= same_snapshot(&orig[k % norig], &g.s[k]);
		}
		ok(ret == 0 && g.n == N && g.held == N && g.wrong_n == 0,
		   "latest first, %s: %u of %u snapshots (%s)",
		   threads ? "one thread" : "two threads", g.n, N, err.text);
		ok(reversed, "delivered from position %u down to 0", N - 1);
		ok(same, "each snapshot at its position in the file");
		got_release(&g);
	}
	/* Cut into the last record: the one before it comes first and
	 * carries the warning. */
	error_clear(&err);
	gsnap_scan_init(&sc, b.p, b.len, &err);
	for (k = 0; k + 1 < N && gsnap_scan_next(&sc, &r, 1, &err) > 0; k++)
		last_end = r.offset + GSNAP_RECORD_HEADER_SIZE + r.len;
	{
		struct got g;
		int ret;

		ret = read_with(b.p, last_end + 30, 0, 0, &g, &err);
		ok(ret == 0 && g.n == N - 1 && g.order[0] == N - 2 &&
			   strstr(g.last_warning, "cut short") != NULL,
		   "torn tail: %u snapshots, position %u first, warned: %s",
		   g.n, g.order[0], g.last_warning);
		got_release(&g);
	}
	buf_release(&b);
}

static void
test_steady_series_reuses_tables(void)
{
	struct buf b;
	struct gsnap_scan s;
	struct gsnap_record r;
	struct gsnap_decoder d;
	struct error err;
	unsigned k;
	int ret = 0;

	/* The same capture four times: one table each, the rest reused. */
	buf_init(&b);
	{
		struct gsnap_encoder e;

		gsnap_encoder_init(&e, &in);
		gsnap_put_header(&b);
		for (k = 0; k < 4; k++)
			gsnap_encode(&e, &orig[3], &b);
		gsnap_encoder_release(&e);
	}
	error_clear(&err);
	gsnap_decoder_init(&d, &in);
	ok(gsnap_scan_init(&s, b.p, b.len, &err) == 0, "scan");
	while (ret == 0 && gsnap_scan_next(&s, &r, 1, &err) > 0) {
		struct snapshot snap;

		snapshot_init(&snap, &in);
		ret = gsnap_decode(&d, &r, &snap, &err);
		snapshot_release(&snap);
	}
	ok(ret == 0, "decoded");
	ok(d.reused == 3 * 4,
	   "string, frame, stack and label tables of "
	   "records 2-4 reused (%u)",
	   d.reused);
	gsnap_decoder_release(&d);
	buf_release(&b);
}

/* Cut the file at every length: what is complete is read, the rest is a
 * torn record (a warning) or, with no whole record, an error. */
static void
test_torn_everywhere(void)
{
	struct buf b;
	size_t cut, ends[4];
	unsigned nends = 0, bad = 0, k;
	struct gsnap_scan s;
	struct gsnap_record r;
	struct error err;

	buf_init(&b);
	encode_all(&b, 3);
	gsnap_scan_init(&s, b.p, b.len, &err);
	while (gsnap_scan_next(&s, &r, 1, &err) > 0)
		ends[nends++] = r.offset + GSNAP_RECORD_HEADER_SIZE + r.len;
	for (cut = 0; cut < b.len; cut++) {
		struct got g;
		unsigned whole = 0;
		int ret = read_all(b.p, cut, &g, &err);

		for (k = 0; k < nends; k++)
			whole += ends[k] <= cut;
		if (whole == 0) {
			bad += ret == 0;
		} else {
			int at_end = ends[whole - 1] == cut;

			bad += ret != 0 || g.n != whole;
			bad += at_end != (g.last_warning[0] == '\0');
			for (k = 0; k < g.n; k++)
				bad += !same_snapshot(&orig[k], &g.s[k]);
		}
		got_release(&g);
	}
	ok(bad == 0,
	   "%zu cut points: complete records kept, torn tail "
	   "warned, nothing wrong read (%u bad)",
	   b.len, bad);
	error_clear(&err);
	{
		struct got g;

		read_all(b.p, ends[0] + 10, &g, &err);
		ok(strstr(g.last_warning, "cut short") &&
			   strstr(g.last_warning, "offset"),
		   "torn warning names the offset: %s", g.last_warning);
		got_release(&g);
	}
	buf_release(&b);
}

/*
 * Flip each byte of a series of three records: the file header's bytes
 * make it an error; any other flip costs the record it is in and nothing
 * else (the reader resyncs to the next intact one), with a warning naming
 * the damage; never a wrong snapshot.
 */
static void
test_flips_everywhere(void)
{
	struct buf b;
	size_t i;
	unsigned bad = 0, header_errors = 0, other_errors = 0, lost_more = 0;
	unsigned unwarned = 0, warned_crc = 0;
	unsigned char *copy = NULL;

	buf_init(&b);
	encode_all(&b, 3);
	copy = malloc(b.len);
	for (i = 0; i < b.len; i++) {
		struct got g;
		struct error err;
		unsigned k, o = 0;
		int ret;

		memcpy(copy, b.p, b.len);
		copy[i] ^= 0x5a;
		ret = read_all(copy, b.len, &g, &err);
		if (ret != 0) {
			if (i < GSNAP_HEADER_SIZE)
				header_errors++;
			else
				other_errors++;
			got_release(&g);
			continue;
		}
		/* What was read is the originals in order, one missing at
		 * most (positions count the intact records). */
		for (k = 0; k < g.n; k++) {
			while (o < 3 && !same_snapshot(&orig[o], &g.s[k]))
				o++;
			bad += o == 3;
			o++;
		}
		lost_more += g.n + 1 < 3;
		if (g.n < 3) {
			unwarned += g.last_warning[0] == '\0';
			warned_crc +=
				strstr(g.last_warning, "damaged span") !=
					NULL ||
				strstr(g.last_warning, "cut short") != NULL;
		}
		got_release(&g);
	}
	ok(bad == 0, "%zu flipped bytes: no wrong snapshot read (%u bad)",
	   b.len, bad);
	ok(header_errors == GSNAP_HEADER_SIZE && other_errors == 0,
	   "an error only for the file header's %u bytes (%u, and %u others)",
	   GSNAP_HEADER_SIZE, header_errors, other_errors);
	ok(lost_more == 0, "a flip costs one record at most (%u cost more)",
	   lost_more);
	ok(unwarned == 0 && warned_crc > 0,
	   "a lost record is always warned about (%u not; %u named)", unwarned,
	   warned_crc);
	free(copy);
	buf_release(&b);
}

static void
set_header_crc(unsigned char *p)
{
	uint32_t crc = (uint32_t)crc32(0, p, 12);

	p[12] = (unsigned char)crc;
	p[13] = (unsigned char)(crc >> 8);
	p[14] = (unsigned char)(crc >> 16);
	p[15] = (unsigned char)(crc >> 24);
}

static void
test_versions(void)
{
	struct buf b;
	struct got g;
	struct error err;

	buf_init(&b);
	encode_all(&b, 1);
	ok(get_u16le(b.p + 8) == 1 && get_u16le(b.p + 10) == 3,
	   "written as version 1.3, the layout man/goroscope-gsnap.5 gives");
	b.p[8] = 2; /* version 2.0 */
	b.p[10] = 0;
	set_header_crc(b.p);
	ok(read_all(b.p, b.len, &g, &err) < 0 &&
		   strstr(err.text, "version 2.0 is not supported") &&
		   strstr(err.text, "newer"),
	   "a newer major version is refused: %s", err.text);
	got_release(&g);
	b.p[8] = 1;
	b.p[10] = 7; /* minor 7: later additions are skippable */
	set_header_crc(b.p);
	ok(read_all(b.p, b.len, &g, &err) == 0 && g.n == 1 &&
		   same_snapshot(&orig[0], &g.s[0]),
	   "a newer minor version is read");
	got_release(&g);
	b.p[12] ^= 1;
	ok(read_all(b.p, b.len, &g, &err) < 0 &&
		   strstr(err.text, "file header CRC"),
	   "a damaged file header is refused: %s", err.text);
	got_release(&g);
	ok(read_all(b.p, 10, &g, &err) < 0 && strstr(err.text, "cut short"),
	   "a cut file header: %s", err.text);
	got_release(&g);
	buf_release(&b);
}

/* Wrap payload into a record with a correct CRC. */
static void
put_record(struct buf *b, const struct buf *payload, int64_t t)
{
	size_t at = b->len;
	uint32_t crc;

	buf_put(b, "GREC", 4);
	buf_put_u8(b, GSNAP_REC_SNAPSHOT);
	buf_put_u8(b, 0);
	buf_put_u16le(b, 0);
	buf_put_u64le(b, (uint64_t)t);
	buf_put_u32le(b, (uint32_t)payload->len);
	crc = (uint32_t)crc32(0, b->p + at + 4, 16);
	crc = (uint32_t)crc32(crc, payload->p, (uInt)payload->len);
	buf_put_u32le(b, crc);
	buf_put(b, payload->p, payload->len);
}

static void
raw_section(struct buf *p, unsigned tag, const struct buf *body)
{
	buf_put_uvarint(p, tag);
	buf_put_uvarint(p, 0); /* raw */
	buf_put_uvarint(p, body->len);
	buf_put_uvarint(p, body->len);
	buf_put(p, body->p, body->len);
}

/* A record written by hand from the man page's layout. */
static void
test_hand_made(void)
{
	struct buf f, p, s;
	struct got g;
	struct error err;
	const struct frame *fr = NULL;
	uint32_t n = 0;
	const uint32_t *stack = NULL;

	buf_init(&f);
	buf_init(&p);
	buf_init(&s);
	gsnap_put_header(&f);
	/* meta */
	buf_put_svarint(&s, 1700000000000000000LL);
	buf_put_str(&s, "hand.txt", 8);
	buf_put_str(&s, "debug=2", 7);
	buf_put_str(&s, "go1.26.0", 8);
	buf_put_uvarint(&s, 0);
	buf_put_uvarint(&s, 1 | 4 | 8);
	buf_put_svarint(&s, -1);
	buf_put_uvarint(&s, 0);
	buf_put_svarint(&s, -1);	    /* 1.1: not a trace */
	buf_put_str(&s, "web-1", 5);	    /* 1.2: the instance */
	buf_put_str(&s, "panic: boom", 11); /* 1.3: the message */
	buf_put_uvarint(&s, 99); /* a field of a later minor version */
	raw_section(&p, 1, &s);
	s.len = 0;
	/* strings */
	buf_put_uvarint(&s, 3);
	buf_put_str(&s, "chan receive", 12);
	buf_put_str(&s, "main.f", 6);
	buf_put_str(&s, "/m.go", 5);
	raw_section(&p, 2, &s);
	s.len = 0;
	/* frames: main.f /m.go:7 */
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 2);
	buf_put_uvarint(&s, 7);
	raw_section(&p, 3, &s);
	s.len = 0;
	/* stacks: [frame 0] */
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 0);
	raw_section(&p, 4, &s);
	s.len = 0;
	/* label sets: one, empty */
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 0);
	raw_section(&p, 5, &s);
	s.len = 0;
	/* goroutines: one, id 42, creator frame 0, waiting 3 minutes; as
	 * columns, each constant (0, value) or listed (1, values...) */
	buf_put_uvarint(&s, 1);
	buf_put(&s, "\x00\x07", 2); /* flags: has id, wait, creator id */
	buf_put(&s, "\x01\x00", 2); /* state "chan receive", listed */
	buf_put(&s, "\x00\x00", 2); /* stack 0 */
	buf_put(&s, "\x00\x01", 2); /* creator frame 0 + 1 */
	buf_put(&s, "\x00\x00", 2); /* no labels */
	buf_put(&s, "\x00\x01", 2); /* weight */
	buf_put(&s, "\x00\x00", 2); /* bubble */
	buf_put(&s, "\x01\x54", 2); /* ids: zigzag(42 - 0) = 84 */
	buf_put(&s, "\x00\x01", 2); /* creator goroutine 1 */
	buf_put(&s, "\x00\x03", 2); /* 3 minutes */
	raw_section(&p, 6, &s);
	s.len = 0;
	buf_put_uvarint(&s, 1);
	raw_section(&p, 9, &s); /* a section of a later minor version */
	put_record(&f, &p, 1700000000000000000LL);
	ok(read_all(f.p, f.len, &g, &err) == 0 && g.n == 1,
	   "a record made from the man page reads (%s)", err.text);
	if (g.n == 1) {
		const struct goroutine *x = &g.s[0].g[0];

		stack = seqtab_items(&in.stacks, x->stack, &n);
		fr = intern_frame_get(&in, x->creator);
		ok(g.s[0].n == 1 && x->id == 42 && x->creator_id == 1 &&
			   x->wait_minutes == 3 &&
			   strcmp(intern_str(&in, x->state), "chan receive") ==
				   0,
		   "its goroutine: id, creator id, wait, state");
		ok(n == 1 && stack[0] == x->creator && fr->line == 7 &&
			   strcmp(intern_str(&in, fr->func), "main.f") == 0,
		   "its stack and creator frame");
		ok(strcmp(intern_str(&in, g.s[0].go_version), "go1.26.0") ==
				   0 &&
			   g.s[0].declared_total == -1 &&
			   strcmp(intern_str(&in, g.s[0].instance), "web-1") ==
				   0 &&
			   strcmp(intern_str(&in, g.s[0].message),
				  "panic: boom") == 0,
		   "its metadata, instance and message");
	}
	got_release(&g);

	/* Sections out of order are refused, naming the record. */
	f.len = 0;
	gsnap_put_header(&f);
	s.len = 0;
	buf_put_uvarint(&s, 0);
	p.len = 0;
	raw_section(&p, 2, &s);
	raw_section(&p, 1, &s);
	put_record(&f, &p, 0);
	ok(read_all(f.p, f.len, &g, &err) < 0 && strstr(err.text, "record 1") &&
		   strstr(err.text, "out of order"),
	   "sections out of order: %s", err.text);
	got_release(&g);
	/* An index past its table. */
	f.len = 0;
	p.len = 0;
	gsnap_put_header(&f);
	s.len = 0;
	buf_put_svarint(&s, 0);
	buf_put_str(&s, "", 0);
	buf_put_str(&s, "", 0);
	buf_put_str(&s, "", 0);
	buf_put_uvarint(&s, 0);
	buf_put_uvarint(&s, 0);
	buf_put_svarint(&s, -1);
	buf_put_uvarint(&s, 0);
	raw_section(&p, 1, &s);
	s.len = 0;
	buf_put_uvarint(&s, 0);
	raw_section(&p, 2, &s);
	s.len = 0;
	buf_put_uvarint(&s, 1);
	buf_put_uvarint(&s, 5); /* string 5 of 0 */
	buf_put_uvarint(&s, 0);
	buf_put_uvarint(&s, 1);
	raw_section(&p, 3, &s);
	s.len = 0;
	buf_put_uvarint(&s, 0); /* no stacks */
	raw_section(&p, 4, &s);
	s.len = 0;
	buf_put_uvarint(&s, 0); /* no goroutines: ten empty columns */
	buf_put(&s, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	raw_section(&p, 6, &s);
	put_record(&f, &p, 0);
	ok(read_all(f.p, f.len, &g, &err) < 0 &&
		   strstr(err.text, "frames section") &&
		   strstr(err.text, "out of range") && err.offset == 16,
	   "an index out of range names the section and record offset: %s",
	   err.text);
	got_release(&g);
	/* A compressed section that claims 8 GiB: refused, not allocated
	 * (found by fuzz_gsnap). */
	f.len = 0;
	p.len = 0;
	gsnap_put_header(&f);
	buf_put_uvarint(&p, 1);			/* meta */
	buf_put_uvarint(&p, 1);			/* deflate */
	buf_put_uvarint(&p, (uint64_t)1 << 33); /* declared size */
	buf_put_uvarint(&p, 4);
	buf_put(&p, "\x03\x00\x00\x00", 4);
	put_record(&f, &p, 0);
	ok(read_all(f.p, f.len, &g, &err) < 0 &&
		   strstr(err.text, "declared size"),
	   "a section's declared size is bounded by its data: %s", err.text);
	got_release(&g);
	buf_release(&s);
	buf_release(&p);
	buf_release(&f);
}

/* testdata/gsnap/v1-leaky.gsnap was written by goroscope 0.1.0 (format
 * 1.0) from the six testdata/captures/leaky pprof captures; it must stay
 * readable. */

/*
 * Columns of one value for every record take two bytes whatever the
 * count: a snapshot of many identical goroutines (ids 1, 2, 3, ...: one
 * delta) writes a section far shorter than its count, and must read back;
 * a forged count past the limit is refused, not allocated.
 */
static void
test_constant_columns(void)
{
	static const unsigned counts[] = { 27, 1000, 200000 };
	struct buf b, f, pl, sec;
	struct got g;
	struct error err;
	unsigned k, i;
	uint32_t fr = intern_frame(&in, "main.f", 6, "/m.go", 5, 3);
	seqid stack = intern_stack(&in, &fr, 1);
	strid st = strtab_intern_cstr(&in.strings, "chan receive");

	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct snapshot s;
		struct gsnap_encoder e;
		int ids, same = 1;

		for (ids = 0; ids <= 1; ids++) {
			snapshot_init(&s, &in);
			s.format = strtab_intern_cstr(&in.strings, "debug=2");
			for (i = 0; i < counts[k]; i++) {
				struct goroutine *x = snapshot_add(&s);

				x->stack = stack;
				x->state = st;
				if (ids) {
					x->id = i + 1;
					x->flags |= G_HAS_ID;
				}
			}
			buf_init(&b);
			gsnap_encoder_init(&e, &in);
			gsnap_put_header(&b);
			gsnap_encode(&e, &s, &b);
			gsnap_encoder_release(&e);
			ok(read_all(b.p, b.len, &g, &err) == 0 && g.n == 1 &&
				   g.s[0].n == counts[k],
			   "%u identical goroutines%s (%zu bytes) read back: "
			   "%s",
			   counts[k], ids ? ", ids 1 to N" : ", no ids", b.len,
			   err.text);
			for (i = 0; g.n == 1 && i < g.s[0].n; i++)
				same &= g.s[0].g[i].stack == stack &&
					g.s[0].g[i].id == (ids ? i + 1 : 0);
			ok(g.n == 1 && same, "record for record");
			got_release(&g);
			buf_release(&b);
			snapshot_release(&s);
		}
	}

	/* A count of 2^40 over constant columns: refused by its bound. */
	buf_init(&f);
	buf_init(&pl);
	buf_init(&sec);
	gsnap_put_header(&f);
	buf_put_svarint(&sec, 0);
	buf_put_str(&sec, "x", 1);
	buf_put_str(&sec, "debug=2", 7);
	buf_put_str(&sec, "", 0);
	buf_put_uvarint(&sec, 0);
	buf_put_uvarint(&sec, 0);
	buf_put_svarint(&sec, -1);
	buf_put_uvarint(&sec, 0);
	raw_section(&pl, 1, &sec);
	sec.len = 0;
	buf_put_uvarint(&sec, 1);
	buf_put_str(&sec, "s", 1);
	raw_section(&pl, 2, &sec);
	sec.len = 0;
	buf_put_uvarint(&sec, 0);
	raw_section(&pl, 3, &sec);
	sec.len = 0;
	buf_put_uvarint(&sec, 1);
	buf_put_uvarint(&sec, 0);
	raw_section(&pl, 4, &sec);
	sec.len = 0;
	buf_put_uvarint(&sec, (uint64_t)1 << 40);
	for (i = 0; i < 10; i++)
		buf_put(&sec, i == 5 ? "\x00\x01" : "\x00\x00", 2);
	raw_section(&pl, 6, &sec);
	put_record(&f, &pl, 0);
	ok(read_all(f.p, f.len, &g, &err) < 0 &&
		   strstr(err.text, "bad goroutine count") != NULL,
	   "a forged count of 2^40 is refused: %s", err.text);
	got_release(&g);
	buf_release(&f);
	buf_release(&pl);
	buf_release(&sec);
}

static void
test_version1_file(void)
{
	struct input f;
	struct got g;
	struct error err;
	static const int64_t totals[] = { 142, 153, 194, 235, 206, 197 };
	unsigned k, right = 0;

	error_clear(&err);
	if (input_open(&f, "testdata/gsnap/v1-leaky.gsnap", &err) < 0)
		BAIL_OUT("%s", err.text);
	ok(read_all(f.data, f.len, &g, &err) == 0 && g.n == 6,
	   "version 1.0 file: 6 snapshots (%s)", err.text);
	for (k = 0; k < g.n; k++)
		right += snapshot_total(&g.s[k]) == totals[k] &&
			 g.s[k].time_ns > 0 &&
			 strcmp(intern_str(&in, g.s[k].format), "pprof") == 0;
	ok(right == 6, "with their totals, times and format");
	got_release(&g);
	input_release(&f);
}

int
main(void)
{
	unsigned k;

	intern_init(&in);
	load_originals();
	test_round_trip();
	test_latest_first();
	test_steady_series_reuses_tables();
	test_torn_everywhere();
	test_flips_everywhere();
	test_versions();
	test_hand_made();
	test_constant_columns();
	test_version1_file();
	for (k = 0; k < norig; k++)
		snapshot_release(&orig[k]);
	intern_release(&in);
	return tap_done();
}
