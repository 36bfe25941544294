/*
 * Small pieces: line splitting, Go string unquoting, UTF-8 escaping, times,
 * gzip, sort, the hash index.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jansson.h>
#include <math.h>
#include <zlib.h>

#include "formats/input.h"
#include "formats/json.h"
#include "formats/jsonutil.h"
#include "formats/lines.h"
#include "formats/source.h"
#include "formats/textdump.h"
#include "lib/snapshot.h"
#include "lib/error.h"
#include "lib/gostr.h"
#include "lib/idmap.h"
#include "lib/par.h"
#include "lib/sort.h"
#include "lib/textsafe.h"
#include "lib/xalloc.h"
#include "tests/tap.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* The reference: the next line of b[*at..len) as lines_next() defines it. */
static int
ref_line(const char *b, size_t len, size_t *at, size_t max, struct line *ln)
{
	const char *nl = NULL;

	if (*at >= len)
		return 0;
	nl = memchr(b + *at, '\n', len - *at);
	ln->p = b + *at;
	ln->n = nl ? (size_t)(nl - ln->p) : len - *at;
	*at = nl ? (size_t)(nl - b) + 1 : len;
	if (ln->n > 0 && ln->p[ln->n - 1] == '\r')
		ln->n--;
	if (ln->n > max)
		ln->n = max;
	return 1;
}

/*
 * lines_next() finds each '\n' 64 bytes at a time and leaves the last 63
 * bytes to memchr: on random texts ending just before an unreadable page
 * (so that a read past the end faults), with lines of 0 to 200 bytes, '\r's,
 * and the reader moving back to a line it read before (as the dump reader
 * does), it gives the lines memchr finds.
 */
static void
test_lines(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t span = 4 * (size_t)page, bad = 0, lines = 0;
	char *map = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned seed = 12345, round;

	if (!ok(map != MAP_FAILED, "map a text with a guard page after it"))
		return;
	ok(mprotect(map + span, (size_t)page, PROT_NONE) == 0,
	   "the page after the text is unreadable");
	for (round = 0; round < 3000 && bad == 0; round++) {
		size_t len = (size_t)rand_r(&seed) % span, i, at = 0, gap;
		char *b = map + span - len;
		struct lines l;
		struct line a, r;
		size_t max = round % 7 == 0 ? 40 : 1u << 20;

		/* Lines of up to 200 bytes, mostly short, as in a dump. */
		gap = 1 + (size_t)rand_r(&seed) % (round % 3 == 0 ? 200 : 60);
		for (i = 0; i < len; i++) {
			unsigned x = (unsigned)rand_r(&seed);

			b[i] = x % gap == 0 ? '\n' : x % 97 == 0 ? '\r' : 'a';
		}
		lines_init(&l, b, len, max);
		for (;;) {
			int got = lines_next(&l, &a), want;

			if (got && (unsigned)rand_r(&seed) % 5 == 0) {
				/* Back to the start of this line, read again. */
				l.cur = a.p;
				got = lines_next(&l, &a);
			}
			want = ref_line(b, len, &at, max, &r);
			if (got != want ||
			    (got && (a.p != r.p || a.n != r.n)) ||
			    l.cur != b + at) {
				bad++;
				diag("round %u, %zu bytes: line at %zu differs",
				     round, len, got ? (size_t)(a.p - b) : len);
				break;
			}
			if (!got)
				break;
			lines++;
		}
	}
	ok(bad == 0 && lines > 100000,
	   "%zu lines of 3,000 texts split as memchr splits them", lines);
	munmap(map, span + (size_t)page);
}

static void
test_unquote(void)
{
	char out[64];
	size_t n = 0, used;

	const char *lit = "\"a\\\"b\\\\c\\n\\t\\x41\\u00e9\\U0001F600\"x";

	used = gostr_unquote(lit, strlen(lit), out, &n);
	ok(used == strlen(lit) - 1, "consumed through the closing quote");
	out[n] = '\0';
	is_str(out, "a\"b\\c\n\tA\xc3\xa9\xf0\x9f\x98\x80", "escapes decoded");
	ok(gostr_unquote("\"abc", 4, out, &n) == 0, "unterminated refused");
	ok(gostr_unquote("\"\\q\"", 4, out, &n) == 0, "bad escape refused");
	ok(gostr_unquote("\"\\x4\"", 5, out, &n) == 0, "short \\x refused");
	ok(gostr_unquote("abc", 3, out, &n) == 0, "must start with a quote");
	used = gostr_unquote("\"\\101\"", 6, out, &n);
	ok(used == 6 && n == 1 && out[0] == 'A', "octal escape");
}

static void
test_utf8(void)
{
	char out[64];

	json_utf8_escape("ok \xc3\xa9", 5, out);
	is_str(out, "ok \xc3\xa9", "valid UTF-8 kept");
	json_utf8_escape("a\xff"
			 "b\xc3",
			 4, out);
	is_str(out, "a\\xffb\\xc3", "invalid bytes escaped");
	json_utf8_escape("\xed\xa0\x80", 3, out);
	is_str(out, "\\xed\\xa0\\x80", "surrogates are not UTF-8");
	json_utf8_escape("\xe0\x80\x80", 3, out);
	is_str(out, "\\xe0\\x80\\x80", "overlong forms are not UTF-8");
}

/* The text output's rule: control characters and bytes of no UTF-8 as
 * \xHH, the rest as is. */
static void
test_text_escape(void)
{
	char out[128];

	ok(text_plain("main.(*T).f", 11) && text_plain("caf\xc3\xa9", 5),
	   "names and UTF-8 print as they are");
	ok(!text_plain("a\0b", 3) && !text_plain("\x1b[2J", 4) &&
		   !text_plain("\x7f", 1) && !text_plain("\xc2\x9b", 2) &&
		   !text_plain("\xff", 1) && !text_plain("\xe2\x82", 2),
	   "NUL, ESC, DEL, C1, invalid and cut-short UTF-8 do not");
	text_escape("f\x1b]0;t\x07\x1b[2J", 11, out);
	is_str(out, "f\\x1b]0;t\\x07\\x1b[2J", "a title and a clear screen");
	text_escape("a\0b\xc2\x9b\xc2\xa0\xffz", 9, out);
	is_str(out, "a\\x00b\\xc2\\x9b\xc2\xa0\\xffz",
	       "NUL, CSI (both bytes), no-break space kept, 0xff");
}

static void
test_time(void)
{
	char buf[64];

	json_time(1700000000000000000LL, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20Z", "whole seconds");
	json_time(1700000000123400000LL, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20.1234Z", "fraction trimmed");
}

static size_t
gz(const char *text, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(uintptr_t)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void
test_gunzip(void)
{
	unsigned char buf[512], *out = NULL;
	size_t n, m, outlen = 0;
	struct error err;

	n = gz("hello ", buf, sizeof(buf));
	m = gz("world", buf + n, sizeof(buf) - n);
	error_clear(&err);
	ok(input_gunzip(&out, &outlen, buf, n + m, &err) == 0,
	   "two gzip members");
	ok(outlen == 11 && memcmp(out, "hello world", 11) == 0,
	   "members concatenated");
	free(out);
	out = NULL;
	ok(input_gunzip(&out, &outlen, buf, n - 4, &err) < 0,
	   "a truncated member fails");
	ok(strstr(err.text, "ends early") != NULL, "and says so");
	buf[n + 2] ^= 0xff;
	ok(input_gunzip(&out, &outlen, buf, n, &err) == 0,
	   "a corrupt second member is not read when only the first is");
	free(out);
	out = NULL;
	buf[12] ^= 0x55;
	ok(input_gunzip(&out, &outlen, buf, n, &err) < 0, "corrupt data fails");
	ok(strstr(err.text, "gzip") != NULL && err.where == ERROR_OFFSET,
	   "with an offset");
	free(out);
	n = gz("x", buf, sizeof(buf));
	memcpy(buf + n, "junk", 4);
	ok(input_gunzip(&out, &outlen, buf, n + 4, &err) < 0,
	   "trailing bytes fail");
	free(out);
	out = NULL;
	/* One member, whole: read in one libdeflate call. Zero padding
	 * after it, or a size in the trailer that is not the data's, sends
	 * it to zlib, which reads the first and refuses the second. */
	n = gz("goroutine 1 [running]:", buf, sizeof(buf));
	ok(input_gunzip(&out, &outlen, buf, n, &err) == 0 && outlen == 22 &&
		   memcmp(out, "goroutine 1 [running]:", 22) == 0,
	   "one member");
	free(out);
	out = NULL;
	memset(buf + n, 0, 8);
	ok(input_gunzip(&out, &outlen, buf, n + 8, &err) == 0 && outlen == 22,
	   "zero padding after the member");
	free(out);
	out = NULL;
	buf[n - 4] ^= 0x40; /* ISIZE 22 -> 86 */
	error_clear(&err);
	ok(input_gunzip(&out, &outlen, buf, n, &err) < 0 &&
		   strstr(err.text, "gzip: corrupt data") != NULL,
	   "a trailer whose size is not the data's: %s", err.text);
	free(out);
}

static int
cmp_int(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return ((const int *)a)[0] - ((const int *)b)[0];
}

static void
test_sort(void)
{
	int v[1000][2], i, sorted = 1, stable = 1;

	for (i = 0; i < 1000; i++) {
		v[i][0] = (i * 7919) % 13;
		v[i][1] = i;
	}
	sort_stable(v, 1000, sizeof(v[0]), cmp_int, NULL);
	for (i = 1; i < 1000; i++) {
		if (v[i - 1][0] > v[i][0])
			sorted = 0;
		if (v[i - 1][0] == v[i][0] && v[i - 1][1] > v[i][1])
			stable = 0;
	}
	ok(sorted, "sorted");
	ok(stable, "stable");
}

/*
 * xalloc_setup() advises the heap step that blocks under the mmap
 * threshold come from, even when the heap was started before it (by the
 * libraries, by stdio): a block of 8 MiB then lies in a mapping whose
 * VmFlags in /proc/self/smaps say "hg" (MADV_HUGEPAGE). Linux and glibc
 * only.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void
test_heap_advice(void)
{
#if defined(UNDER_ASAN)
	/* The sanitizer's allocator takes every block: no glibc heap. */
	ok(1, "# SKIP AddressSanitizer build: blocks are not glibc's");
#elif defined(__linux__) && defined(__GLIBC__)
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	char *block = NULL;
	uintptr_t p, lo = 0, hi = 0;
	int in = 0, advised = 0;

	free(malloc(100)); /* the heap is started */
	xalloc_setup();
	block = xmalloc(8 << 20);
	p = (uintptr_t)block + (8 << 20) - 1; /* its end, well past the start */
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
			in = p >= a && p < b;
			lo = in ? a : lo;
			hi = in ? b : hi;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			advised = strstr(line, " hg") != NULL;
		}
	}
	if (f == NULL) {
		ok(1, "# SKIP no /proc/self/smaps");
	} else if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0) {
		ok(1, "# SKIP a kernel without transparent huge pages");
		fclose(f);
	} else {
		ok(advised,
		   "a heap block is advised for huge pages (%#lx-%#lx)",
		   (unsigned long)lo, (unsigned long)hi);
		fclose(f);
	}
	free(block);
#else
	ok(1, "# SKIP Linux and glibc only");
#endif
}

/* sort_u64 against qsort, with keys of a few bits and of all 64, and by
 * the bits above a payload (which keeps the order it had). */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64_high(const void *a, const void *b, void *ctx)
{
	uint64_t x = *(const uint64_t *)a >> *(unsigned *)ctx;
	uint64_t y = *(const uint64_t *)b >> *(unsigned *)ctx;

	return x < y ? -1 : x > y;
}

static void
test_sort_u64(void)
{
	static uint64_t v[5000], w[5000];
	unsigned bits[] = { 1, 11, 12, 33, 64 }, b, lo = 20;
	uint64_t x = 88172645463325252ULL;
	size_t i;

	for (b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
		for (i = 0; i < 5000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v[i] = bits[b] < 64 ? x & (((uint64_t)1 << bits[b]) - 1)
					    : x;
			w[i] = v[i];
		}
		sort_u64(v, 5000, 0, bits[b]);
		qsort(w, 5000, sizeof(w[0]), cmp_u64);
		ok(memcmp(v, w, sizeof(v)) == 0, "sort_u64 of %u-bit keys",
		   bits[b]);
	}
	for (i = 0; i < 5000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Few distinct values above the payload: many ties. */
		v[i] = (x % 37) << lo | (x >> 44);
		w[i] = v[i];
	}
	sort_u64(v, 5000, lo, 26);
	sort_stable(w, 5000, sizeof(w[0]), cmp_u64_high, &lo);
	ok(memcmp(v, w, sizeof(v)) == 0,
	   "sort_u64 above a payload, which keeps its order");
	sort_u64(v, 0, 0, 64);
	sort_u64(v, 1, 0, 64);
	ok(1, "sort_u64 of nothing and of one key");
}

/* Reserving keeps every entry findable, and room for n needs no growing. */
static void
test_idmap_reserve(void)
{
	struct idmap m;
	uint32_t i, pos = 0, id, mask;
	int found = 1;

	idmap_init(&m);
	for (i = 0; i < 100; i++)
		idmap_insert(&m, i % 37, i);
	idmap_reserve(&m, 5000);
	mask = m.mask;
	for (i = 100; i < 5000; i++)
		idmap_insert(&m, i % 37, i);
	ok(m.mask == mask && (m.mask + 1) * 3 >= 4 * 5000,
	   "room for 5000 reserved once (%u slots)", m.mask + 1);
	for (i = 0; i < 5000 && found; i++) {
		found = 0;
		for (id = idmap_first(&m, i % 37, &pos); id != IDMAP_NONE;
		     id = idmap_next(&m, i % 37, &pos))
			if (id == i)
				found = 1;
	}
	ok(found, "entries from before and after reserving found");
	/* A miss, then the id put where the probe stopped. */
	for (id = idmap_first(&m, 77777, &pos); id != IDMAP_NONE;
	     id = idmap_next(&m, 77777, &pos))
		;
	idmap_insert_after_miss(&m, 77777, pos, 4242);
	found = 0;
	for (id = idmap_first(&m, 77777, &pos); id != IDMAP_NONE;
	     id = idmap_next(&m, 77777, &pos))
		found |= id == 4242;
	ok(found && m.count == 5001, "inserted after a miss, found again");
	idmap_reserve(&m, 10);
	ok(m.mask == mask, "reserving less never shrinks");
	idmap_release(&m);
}

static void
count_part(void *ctx, unsigned k)
{
	unsigned *ran = ctx;

	ran[k]++;
}

/* Parts cover the items once, in order; every part runs once. */
static void
test_par(void)
{
	size_t n, lo, hi, next;
	unsigned parts, k, ran[PAR_MAX] = { 0 };
	int covered = 1, once = 1;

	for (n = 0; n < 40; n++)
		for (parts = 1; parts <= PAR_MAX; parts++) {
			next = 0;
			for (k = 0; k < parts; k++) {
				par_range(n, k, parts, &lo, &hi);
				covered &= lo == next && hi >= lo &&
					   hi - lo <= n / parts + 1;
				next = hi;
			}
			covered &= next == n;
		}
	ok(covered, "par_range: the parts cover every item once, in order");
	par_run(PAR_MAX, count_part, ran);
	for (k = 0; k < PAR_MAX; k++)
		once &= ran[k] == 1;
	ok(once, "par_run: each of %u parts ran once", PAR_MAX);
	ok(par_parts(1, 1000000, 10) == 1, "one thread asked: one part");
	ok(par_parts(4, 25, 10) == 2, "parts of at least min items");
	ok(par_parts(0, 0, 10) == 1, "nothing to split: one part");
}

/*
 * A file that shrinks while it is mapped (its writer truncated it): the
 * pages past its new end read as zeros instead of a SIGBUS, and the read
 * is refused as changed.
 */
static void
test_shrinking_file(void)
{
	char path[] = "/tmp/goroscope-shrink-XXXXXX";
	struct input in;
	struct error err;
	struct intern tab;
	struct snapshot s;
	FILE *fp = NULL;
	int fd = mkstemp(path), i, ok_open;
	volatile unsigned sum = 0;
	size_t k;

	if (fd < 0)
		BAIL_OUT("mkstemp");
	fp = fdopen(fd, "w");
	for (i = 0; i < 4000; i++)
		fprintf(fp,
			"goroutine %d [chan receive]:\nmain.f()\n\t/m.go:3 "
			"+0x1\n\n",
			i + 1);
	fclose(fp);
	error_clear(&err);
	ok_open = input_open(&in, path, &err) == 0;
	ok(ok_open && in.map != NULL && in.len > 100000,
	   "a dump of %zu bytes, mapped", in.len);
	if (!ok_open)
		return;
	ok(truncate(path, 4096) == 0, "cut to 4096 bytes while mapped");
	for (k = 0; k < in.len; k += 4096)
		sum += in.data[k];
	ok(input_changed(&in) && in.data[in.len - 1] == 0,
	   "reading past the new end: zeros, no SIGBUS, and said so");
	input_release(&in);
	/* Through the read path: the read is refused. */
	fp = fopen(path, "w");
	for (i = 0; i < 4000; i++)
		fprintf(fp,
			"goroutine %d [chan receive]:\nmain.f()\n\t/m.go:3 "
			"+0x1\n\n",
			i + 1);
	fclose(fp);
	ok(input_open(&in, path, &err) == 0 && !input_changed(&in),
	   "a whole file is not changed");
	intern_init(&tab);
	snapshot_init(&s, &tab);
	ok(truncate(path, 8192) == 0 &&
		   textdump_parse(&s, in.data, in.len, 1, &err) == 0,
	   "the reader runs over the zeros");
	ok(input_changed(&in), "and the input says it changed");
	snapshot_release(&s);
	intern_release(&tab);
	input_release(&in);
	(void)sum;
	unlink(path);
}

/* jansson's text of the string s[0..n) as the report made it before:
 * invalid UTF-8 first escaped as \xNN, then dumped by jansson. */
static char *
jansson_quote(const char *s, size_t n)
{
	char *tmp = malloc(n * 4 + 1), *out = NULL;
	size_t m = json_utf8_escape(s, n, tmp);
	json_t *j = json_stringn_nocheck(tmp, m);

	out = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	free(tmp);
	return out;
}

/* The groups' own JSON writer agrees with jansson byte for byte: every
 * byte alone, then random strings (bytes of every kind, UTF-8 valid and
 * not), and reals. */
static void
test_json_writer(void)
{
	unsigned seed = 12345, i, k, bad = 0;
	char s[64];

	for (i = 0; i < 256; i++) {
		size_t len = 0;
		char *mine = NULL, *theirs = NULL;

		s[0] = 'a';
		s[1] = (char)i;
		s[2] = 'z';
		mine = json_quote(s, 3, &len);
		theirs = jansson_quote(s, 3);
		if (strcmp(mine, theirs) != 0 || len != strlen(theirs)) {
			if (bad++ < 5)
				diag("byte 0x%02x: %s, jansson %s", i, mine,
				     theirs);
		}
		free(mine);
		free(theirs);
	}
	ok(bad == 0, "json_quote agrees with jansson on every byte");
	bad = 0;
	for (i = 0; i < 20000; i++) {
		size_t n = (seed = seed * 1103515245u + 12345u) % 40, len = 0;
		char *mine = NULL, *theirs = NULL;
		static const char pool[] = "ab\"\\/\n\t\x01\x1f\x7f"
					   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98"
					   "\x80\xff\xc0\xed\xa0\x80";

		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			s[k] = pool[(seed >> 16) % (sizeof(pool) - 1)];
		}
		mine = json_quote(s, n, &len);
		theirs = jansson_quote(s, n);
		if (strcmp(mine, theirs) != 0) {
			if (bad++ < 5)
				diag("%s, jansson %s", mine, theirs);
		}
		free(mine);
		free(theirs);
	}
	ok(bad == 0, "json_quote agrees with jansson on 20,000 random strings");
	{
		static const double v[] = {
			0, 1, -1, 0.5, 1.0 / 3, 123456, 1234567, 1e-5, 1e20,
			-2.5e-7, 100.25, 4.4e15, 1e6, 0.000123456789,
			/* whole numbers under a million print without
			 * snprintf; -0 and the million with it */
			1352, 999999, -999999, -1e6, -0.0, 999999.5, 42, -7,
			1e5, 2e9
		};
		char mine[64], *theirs = NULL;

		bad = 0;
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			json_t *j = json_real(v[i]);

			theirs = json_dumps(j, JSON_ENCODE_ANY |
						       JSON_REAL_PRECISION(6));
			json_real_text(mine, sizeof(mine), v[i]);
			if (strcmp(mine, theirs) != 0 && bad++ < 5)
				diag("%g: %s, jansson %s", v[i], mine, theirs);
			free(theirs);
			json_decref(j);
		}
		ok(bad == 0, "json_real_text agrees with jansson");
	}
}

int
main(void)
{
	test_heap_advice();
	test_lines();
	test_unquote();
	test_utf8();
	test_text_escape();
	test_time();
	test_gunzip();
	test_sort();
	test_sort_u64();
	test_idmap_reserve();
	test_par();
	test_shrinking_file();
	test_json_writer();
	return tap_done();
}
