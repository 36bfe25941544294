/*
 * The goroutine dump reader on each variant of goroutine-formats.md section
 * 4: header forms of Go 1.17 to 1.27, frames, created-by, elision, cgo,
 * ancestors, prefixes, CRLF and dumps cut short.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/input.h"
#include "formats/textdump.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/tap.h"
#include "tests/testutil.h"

static struct intern in;
static struct snapshot snap;
static struct error err;

static int
parse(const char *text)
{
	snapshot_release(&snap);
	snapshot_init(&snap, &in);
	error_clear(&err);
	return textdump_parse(&snap, (const unsigned char *)text, strlen(text),
			      0, &err);
}

static const char *
state(size_t i)
{
	return intern_str(&in, snap.g[i].state);
}

/* Frame k of goroutine i's normalised stack: "func file:line". */
static const char *
frame(size_t i, uint32_t k)
{
	return tu_frame(&in, &snap.g[i], k);
}

static uint32_t
depth(size_t i)
{
	uint32_t n = 0;

	(void)seqtab_items(&in.stacks, snap.g[i].stack, &n);
	return n;
}

static const char *
creator(size_t i)
{
	static char buf[512];
	const struct frame *f = intern_frame_get(&in, snap.g[i].creator);

	snprintf(buf, sizeof(buf), "%s %s:%u", intern_str(&in, f->func),
		 intern_str(&in, f->file), f->line);
	return buf;
}

/* "k=v k2=v2" of goroutine i's labels. */
static const char *
labels(size_t i)
{
	static char buf[512];
	uint32_t n = 0, j;
	const uint32_t *p = seqtab_items(&in.labelsets, snap.g[i].labels, &n);
	size_t o = 0;

	buf[0] = '\0';
	for (j = 0; j + 1 < n; j += 2)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s=%s",
				      j ? " " : "", intern_str(&in, p[j]),
				      intern_str(&in, p[j + 1]));
	return buf;
}

static void
test_basic(void)
{
	ok(parse("goroutine 18 [running]:\n"
		 "main.printStack()\n"
		 "\t/src/x.go:23 +0x40\n"
		 "main.main.func1()\n"
		 "\t/src/x.go:16 +0x4c\n"
		 "created by main.main in goroutine 1\n"
		 "\t/src/x.go:14 +0x70\n"
		 "\n"
		 "goroutine 1 [semacquire]:\n"
		 "sync.runtime_Semacquire(0x140000021a0?)\n"
		 "\t/go/src/runtime/sema.go:62 +0x2c\n"
		 "sync.(*WaitGroup).Wait(0x1400011a010)\n"
		 "\t/go/src/sync/waitgroup.go:116 +0x74\n"
		 "main.main()\n"
		 "\t/src/x.go:18 +0x78\n") == 0,
	   "go 1.21 runtime.Stack dump parses");
	is_int(snap.n, 2, "two goroutines");
	is_int(snap.g[0].id, 18, "first id");
	is_str(state(0), "running", "first state");
	is_int(depth(0), 2, "two frames");
	is_str(frame(0, 0), "main.printStack /src/x.go:23", "leaf frame");
	is_str(creator(0), "main.main /src/x.go:14", "creator frame");
	is_int(snap.g[0].creator_id, 1, "creator goroutine id");
	ok(snap.g[0].flags & G_HAS_CREATOR_ID, "creator id flag");
	is_str(state(1), "semacquire", "second state");
	is_int(snap.g[1].creator, 0, "goroutine 1 has no creator");
	is_int(snap.skipped.count, 0, "nothing skipped");
	ok(snap.provides & HAS_CREATOR, "dumps provide creators");
}

static void
test_headers(void)
{
	ok(parse("goroutine 7 [chan receive, 3 minutes, locked to thread]:\n"
		 "main.f()\n\t/a.go:1 +0x1\n\n"
		 "goroutine 8 gp=0xc000007c00 m=3 mp=0xc000100008 [select, 1 "
		 "minutes]:\n"
		 "main.g()\n\t/a.go:2 +0x1 fp=0xc00 sp=0xc01 pc=0x4\n\n"
		 "goroutine 9 gp=0xc000008000 m=nil [IO wait]:\n"
		 "main.h()\n\t/a.go:3 +0x1\n\n"
		 "goroutine 10 [chan send (leaked)]:\n"
		 "main.i()\n\t/a.go:4 +0x1\n\n"
		 "goroutine 11 [select (scan)]:\n"
		 "main.j()\n\t/a.go:5 +0x1\n\n"
		 "goroutine 12 [chan receive (durable), synctest bubble 5]:\n"
		 "main.k()\n\t/a.go:6 +0x1\n\n"
		 "goroutine 13 [sleep (durable), synctest bubble 5]:\n"
		 "main.l()\n\t/a.go:7 +0x1\n\n"
		 "goroutine 14 [chan receive, 10000 minutes]:\n"
		 "main.m()\n\t/a.go:8 +0x1\n\n"
		 "goroutine 15 [sync.WaitGroup.Wait, synctest group 3]:\n"
		 "main.n()\n\t/a.go:9 +0x1\n\n"
		 "goroutine 16 [a reason from the future]:\n"
		 "main.o()\n\t/a.go:10 +0x1\n") == 0,
	   "header variants parse");
	is_int(snap.n, 10, "ten goroutines");
	is_str(state(0), "chan receive", "minutes split off");
	is_int(snap.g[0].wait_minutes, 3, "wait minutes");
	ok(snap.g[0].flags & G_LOCKED, "locked to thread");
	is_str(state(1), "select", "crash ids skipped");
	is_int(snap.g[1].id, 8, "id with crash ids");
	is_int(snap.g[1].wait_minutes, 1, "'1 minutes' is one minute");
	is_str(frame(1, 0), "main.g /a.go:2", "fp= sp= pc= stripped");
	is_str(state(2), "IO wait", "m=nil form");
	is_str(state(3), "chan send", "(leaked) split off");
	ok(snap.g[3].flags & G_LEAKED, "leaked flag");
	is_str(state(4), "select", "(scan) split off");
	ok(snap.g[4].flags & G_SCAN, "scan flag");
	is_str(state(5), "chan receive (durable)",
	       "'chan receive (durable)' is a wait reason of its own");
	ok(snap.g[5].flags & G_DURABLE, "durable reason sets the flag");
	is_int(snap.g[5].bubble, 5, "synctest bubble id");
	is_str(state(6), "sleep", "(durable) suffix split off");
	ok(snap.g[6].flags & G_DURABLE, "durable suffix flag");
	is_int(snap.g[7].wait_minutes, 10000, "no upper bound on minutes");
	is_int(snap.g[8].bubble, 3, "Go 1.24 synctest group");
	is_str(state(9), "a reason from the future", "unknown states kept");
	ok(!(snap.g[9].flags & G_HAS_WAIT), "no minutes, no wait");
}

static void
test_labels(void)
{
	ok(parse("goroutine 7 [chan receive labels:{\"job\": \"a], b: c\", "
		 "\"k\\\"q\": \"x\\ty\"}]:\n"
		 "main.f()\n\t/a.go:1 +0x1\n\n"
		 "goroutine 8 [select, 2 minutes] {job: resize, "
		 "\"a b\": \"c, d]\"}:\n"
		 "main.g()\n\t/a.go:2 +0x1\n\n"
		 "goroutine 9 [running] {k: v}:\n"
		 "main.h()\n\t/a.go:3 +0x1\n") == 0,
	   "label forms parse");
	is_int(snap.n, 3, "three goroutines");
	is_str(state(0), "chan receive", "Go 1.26 labels inside the brackets");
	is_str(labels(0), "job=a], b: c k\"q=x\ty",
	       "quoted labels with ], comma and escapes");
	is_str(state(1), "select", "Go 1.27 labels after the brackets");
	is_int(snap.g[1].wait_minutes, 2, "minutes before 1.27 labels");
	is_str(labels(1), "a b=c, d] job=resize",
	       "bare and quoted labels, sorted by key");
	is_str(labels(2), "k=v", "labels on a running goroutine");
}

static void
test_frames(void)
{
	ok(parse("goroutine 1 [running]:\n"
		 "main.(*T[...]).Run(...)\n"
		 "\t/app/x.go:12\n"
		 "panic({0x4c5e40?, 0x55f110?})\n"
		 "\t/go/src/runtime/panic.go:770 +0x132\n"
		 "main.main.func1({0x1, {0x2, 0x3}}, 0xffffffff?, _, ...)\n"
		 "\tC:/Users/me/my app/x.go:14 +0x25\n"
		 "main.wrapper()\n"
		 "\t<autogenerated>:1 +0x25\n"
		 "main.main()\n"
		 "        /app/x.go:20 +0x11\n") == 0,
	   "frame variants parse");
	is_str(frame(0, 0), "main.(*T[...]).Run /app/x.go:12",
	       "inlined frame without offset");
	is_str(frame(0, 1), "runtime.gopanic /go/src/runtime/panic.go:770",
	       "'panic' mid-stack is runtime.gopanic, and is kept");
	is_str(frame(0, 2), "main.main.func1 C:/Users/me/my app/x.go:14",
	       "args with braces; drive letter and space in path");
	is_str(frame(0, 3), "main.main /app/x.go:20",
	       "autogenerated wrapper dropped; spaces before the path");
	is_int(depth(0), 4, "four frames kept");
}

static void
test_runtime_frames(void)
{
	/* GOTRACEBACK=system shows runtime frames; they normalise away. */
	ok(parse("goroutine 5 gp=0xc0000061c0 m=nil [chan receive]:\n"
		 "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
		 "\t/go/src/runtime/proc.go:435 +0xce fp=0xc sp=0xc pc=0x4\n"
		 "runtime.chanrecv(0xc00002a0c0, 0x0, 0x1)\n"
		 "\t/go/src/runtime/chan.go:664 +0x445 fp=0xc sp=0xc pc=0x4\n"
		 "runtime.chanrecv1(0x0?, 0x0?)\n"
		 "\t/go/src/runtime/chan.go:506 +0x12 fp=0xc sp=0xc pc=0x4\n"
		 "main.worker()\n"
		 "\t/app/x.go:9 +0x25 fp=0xc sp=0xc pc=0x4\n"
		 "runtime.goexit({})\n"
		 "\t/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc sp=0xc "
		 "pc=0x4\n"
		 "created by main.main in goroutine 1\n"
		 "\t/app/x.go:5 +0x25\n\n"
		 "goroutine 6 [chan receive]:\n"
		 "main.worker()\n"
		 "\t/app/x.go:9 +0x25\n"
		 "created by main.main in goroutine 1\n"
		 "\t/app/x.go:5 +0x25\n\n"
		 "goroutine 2 gp=0xc000006700 m=nil [force gc (idle)]:\n"
		 "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
		 "\t/go/src/runtime/proc.go:435 +0xce fp=0xc sp=0xc pc=0x4\n"
		 "runtime.forcegchelper()\n"
		 "\t/go/src/runtime/proc.go:348 +0xb8 fp=0xc sp=0xc pc=0x4\n"
		 "runtime.goexit({})\n"
		 "\t/go/src/runtime/asm_amd64.s:1700 +0x1\n") == 0,
	   "level-2 dump parses");
	ok(snap.g[0].stack == snap.g[1].stack,
	   "level-2 and level-1 stacks of one goroutine are one stack");
	is_int(depth(2), 2, "an all-runtime stack is kept, without goexit");
	is_str(frame(2, 1), "runtime.forcegchelper /go/src/runtime/proc.go:348",
	       "runtime frames of a system goroutine");
}

static void
test_elision_and_ancestors(void)
{
	ok(parse("goroutine 1 [running]:\n"
		 "main.rec(0x1)\n\t/a.go:5 +0x1\n"
		 "...additional frames elided...\n"
		 "created by main.main\n\t/a.go:9 +0x1\n\n"
		 "goroutine 2 [running]:\n"
		 "main.rec(0x1)\n\t/a.go:5 +0x1\n"
		 "...102 frames elided...\n"
		 "main.rec(0x1)\n\t/a.go:5 +0x1\n"
		 "main.main()\n\t/a.go:10 +0x1\n\n"
		 "goroutine 3 [chan receive]:\n"
		 "main.f()\n\t/a.go:1 +0x1\n"
		 "created by main.g in goroutine 2\n\t/a.go:2 +0x1\n"
		 "[originating from goroutine 2]:\n"
		 "main.g(...)\n\t/a.go:2 +0x1\n"
		 "created by main.main\n\t/a.go:3 +0x1\n\n"
		 "goroutine 4 [running]:\n"
		 "\tgoroutine running on other thread; stack unavailable\n"
		 "created by main.main in goroutine 1\n\t/a.go:4 +0x1\n") == 0,
	   "elision, ancestors, unavailable stacks parse");
	is_int(snap.n, 4, "four goroutines");
	ok(snap.g[0].flags & G_ELIDED, "old elision form");
	is_str(frame(0, 1), "... :0", "elision marker frame");
	ok(snap.g[1].flags & G_ELIDED, "Go 1.21 elision form");
	is_int(depth(1), 4, "frames on both sides of the gap");
	is_str(creator(2), "main.g /a.go:2",
	       "ancestors do not replace the creator");
	is_int(depth(2), 1, "ancestor frames are not frames");
	ok(snap.g[3].flags & G_UNAVAILABLE, "stack unavailable");
	is_int(depth(3), 0, "no frames");
	is_int(snap.skipped.count, 0, "nothing skipped");
}

static void
test_cgo(void)
{
	ok(parse("goroutine 6 [syscall]:\n"
		 "non-Go function at pc=0x7f0000001234\n"
		 "non-Go function at pc=0x7f0000005678\n"
		 "runtime.cgocall(0x4a0000, 0xc000050f60)\n"
		 "\t/go/src/runtime/cgocall.go:167 +0x4b\n"
		 "main._Cfunc_sleep(0x1)\n"
		 "\t_cgo_gotypes.go:56 +0x45\n"
		 "main.cSleep()\n\t/app/c.go:4 +0x1\n\n"
		 "goroutine 7 [syscall]:\n"
		 "c_sleep\n\t/app/sleep.c:12 pc=0x7f0000001234\n"
		 "main._Cfunc_sleep(0x1)\n"
		 "\t_cgo_gotypes.go:56 +0x45\n") == 0,
	   "cgo frames parse");
	is_str(frame(0, 0), "main._Cfunc_sleep _cgo_gotypes.go:56",
	       "non-Go pcs and cgocall normalise away");
	is_str(frame(1, 0), "c_sleep /app/sleep.c:12",
	       "a C frame named by a cgo symbolizer is kept");
	is_int(snap.skipped.count, 0, "nothing skipped");
}

static void
test_preamble_prefix_crlf(void)
{
	ok(parse("2026/11/28 10:00:00 starting\n"
		 "panic: boom\n\tcontinued line\n"
		 "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 "
		 "pc=0x1]\n\n"
		 "goroutine 1 [running]:\r\n"
		 "main.main()\r\n\t/a.go:1 +0x1\r\n\r\n"
		 "goroutine 2 [sleep]:\r\n"
		 "time.Sleep(0x3b9aca00)\r\n\t/go/src/runtime/time.go:300 "
		 "+0xf\r\n"
		 "exit status 2\n") == 0,
	   "preamble, CRLF and trailer parse");
	is_int(snap.n, 2, "two goroutines");
	is_str(frame(1, 0), "time.Sleep /go/src/runtime/time.go:300",
	       "CR stripped");
	is_int(snap.skipped.count, 0, "preamble and trailer are not skipped");

	ok(parse("app[1]: goroutine 1 [running]:\n"
		 "app[1]: main.main()\n"
		 "app[1]: \t/a.go:1 +0x1\n"
		 "app[1]:\n"
		 "app[1]: goroutine 2 [select]:\n"
		 "app[1]: main.loop()\n"
		 "app[1]: \t/a.go:2 +0x1\n"
		 "other: unrelated\n") == 0,
	   "a constant prefix on every line");
	is_int(snap.n, 2, "both goroutines");
	is_str(frame(1, 0), "main.loop /a.go:2", "prefix stripped");
}

static void
test_truncation(void)
{
	ok(parse("goroutine 1 [running]:\n"
		 "main.main()\n\t/a.go:1 +0x1\n\n"
		 "goroutine 2 [select]:\n"
		 "main.loop()\n\t/a.go:2 +0x1\n"
		 "main.outer()\n\t/a.go:3") == 0,
	   "a dump cut after a line number parses");
	ok(snap.g[1].flags & G_TRUNCATED, "cut goroutine marked");
	is_int(depth(1), 1, "the possibly cut frame is dropped");
	ok(snap.warning[0] != '\0', "a warning says the dump was cut");

	ok(parse("goroutine 1 [running]:\n"
		 "main.main()\n\t/a.go:1 +0x1\n\n"
		 "goroutine 2 [select]:\n"
		 "main.loop()\n\t/a.go:2 +0x1\n"
		 "main.out") == 0,
	   "a dump cut inside a function line parses");
	ok(snap.g[1].flags & G_TRUNCATED, "cut goroutine marked");
	is_int(depth(1), 1, "complete frames kept");

	ok(parse("goroutine 1 [running]:\n"
		 "main.main()\n\t/a.go:1 +0x1") == 0,
	   "a last line with an offset and no newline");
	ok(!(snap.g[0].flags & G_TRUNCATED),
	   "is whole: the number is followed by +0x");
	is_int(depth(0), 1, "and its frame is kept");
}

static void
test_malformed(void)
{
	ok(parse("goroutine 1 [running]:\n"
		 "main.main)(\n\t/a.go:1 +0x1\n"
		 "main.ok()\n\t/a.go:2 +0x1\n"
		 "garbage line\n"
		 "\tstray location:3\n") == 0,
	   "malformed lines are skipped, not fatal");
	is_int(snap.skipped.count, 4, "four skipped lines counted");
	is_int(snap.skipped.first_line, 2, "first skipped line number");
	is_int(depth(0), 1, "the good frame is kept");

	ok(parse("no goroutines here\n") < 0, "no goroutine is an error");
	ok(strstr(err.text, "no goroutine found") != NULL, "error says so");
	ok(parse("goroutine 1 [running\n") < 0,
	   "an unterminated header is not a header");
	ok(parse("goroutine x [running]:\n") < 0, "an id must be a number");
	ok(parse("goroutine 99999999999999999999999 [running]:\n") < 0,
	   "an id beyond 64 bits is not a header");
}

/* --- several captures in one file ---------------------------------------- */

#define MAXCAP 16

/* The captures a read gave: per capture its goroutine count, first id, parts,
 * line, and its warning. */
struct caps {
	unsigned n;
	size_t count[MAXCAP];
	uint64_t first[MAXCAP];
	uint32_t pos[MAXCAP], parts[MAXCAP];
	uint64_t line[MAXCAP], threads[MAXCAP], system[MAXCAP];
	char warning[MAXCAP][256];
	char message[MAXCAP][TEXTDUMP_MESSAGE_MAX + 1];
	char format[MAXCAP][16];
};

static int
collect(struct snapshot *s, void *ctx)
{
	struct caps *c = ctx;

	if (c->n == MAXCAP)
		return -1;
	c->count[c->n] = s->n;
	c->first[c->n] = s->n ? s->g[0].id : 0;
	c->pos[c->n] = s->pos;
	c->parts[c->n] = s->parts;
	c->line[c->n] = s->line;
	c->threads[c->n] = s->thread_stacks;
	c->system[c->n] = s->system_goroutines;
	snprintf(c->warning[c->n], sizeof(c->warning[0]), "%s", s->warning);
	snprintf(c->message[c->n], sizeof(c->message[0]), "%s",
		 intern_str(&in, s->message));
	snprintf(c->format[c->n], sizeof(c->format[0]), "%s",
		 intern_str(&in, s->format));
	c->n++;
	return 0;
}

static int
split_threads(const char *text, size_t len, unsigned threads, struct caps *c)
{
	struct read_opts o;

	memset(&o, 0, sizeof(o));
	o.threads = threads;
	memset(c, 0, sizeof(*c));
	error_clear(&err);
	return textdump_read(&in, (const unsigned char *)text, len, &o, collect,
			     c, &err);
}

static int
split(const char *text, size_t len, struct caps *c)
{
	return split_threads(text, len, 1, c);
}

/* Two runtime.Stack(buf, true) outputs as written one after the other. */
#define DUMP_A                                                    \
	"goroutine 7 [running]:\nmain.dump()\n\t/m.go:5 +0x1\n\n" \
	"goroutine 1 [chan receive]:\nmain.main()\n\t/m.go:9 +0x2\n"
#define DUMP_B                                                         \
	"goroutine 8 [running]:\nmain.dump()\n\t/m.go:5 +0x1\n\n"      \
	"goroutine 1 [chan receive]:\nmain.main()\n\t/m.go:9 +0x2\n\n" \
	"goroutine 9 [select]:\nmain.w()\n\t/m.go:20 +0x3\n"

static void
test_split_appended(void)
{
	int r;
	struct caps c;
	static const char ab[] = DUMP_A DUMP_B;
	static const char blank[] = DUMP_A "\n" DUMP_B;
	static const char bare[] =
		"goroutine 1 [chan receive]:\nmain.main()\n\t/m.go:9 +0x2\n\n"
		"goroutine 2 [select]:\nmain.w()\n\t/m.go:20 +0x3\n\n"
		"goroutine 1 [chan receive]:\nmain.main()\n\t/m.go:9 +0x2\n";

	r = split(ab, sizeof(ab) - 1, &c);

	ok(r == 0 && c.n == 2,
	   "runtime.Stack output after another, no blank line: 2 captures "
	   "(%u)",
	   c.n);
	ok(c.count[0] == 2 && c.first[0] == 7 && c.count[1] == 3 &&
		   c.first[1] == 8,
	   "split where the second starts: goroutines 7,1 then 8,1,9");
	ok(c.pos[0] == 0 && c.pos[1] == 1 && c.parts[0] == 2 &&
		   c.parts[1] == 2 && c.line[1] == 8,
	   "each with its position, the count and its first line (%llu)",
	   (unsigned long long)c.line[1]);
	r = split(blank, sizeof(blank) - 1, &c);

	ok(r == 0 && c.n == 2 && c.count[0] == 2 && c.first[1] == 8 &&
		   c.count[1] == 3,
	   "with a blank line between: goroutine 1 seen twice, split at the "
	   "running goroutine before it");
	r = split(bare, sizeof(bare) - 1, &c);

	ok(r == 0 && c.n == 2 && c.count[0] == 2 && c.count[1] == 1 &&
		   c.first[1] == 1,
	   "no running goroutine to start at: split at the id seen twice");
	r = split(DUMP_B, sizeof(DUMP_B) - 1, &c);

	ok(r == 0 && c.n == 1 && c.parts[0] == 0,
	   "one dump is one capture, with no parts");
}

static void
test_split_tracebacks(void)
{
	int r;
	struct caps c;
	static const char two_panics[] =
		"panic: first\n\ngoroutine 5 [running]:\nmain.a()\n\t/m.go:1 "
		"+0x1\nexit status 2\n"
		"2026/11/28 10:00:00 restarted\n"
		"panic: second [recovered]\n\tpanic: again\n\n"
		"goroutine 12 [running]:\nmain.b()\n\t/m.go:2 +0x1\n\n"
		"goroutine 13 [select]:\nmain.c()\n\t/m.go:3 +0x1\n";
	static const char crash[] =
		"SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\n"
		"goroutine 4 gp=0x1 m=0 mp=0x2 [syscall]:\nmain.a()\n\t/m.go:1 "
		"+0x1\n\n"
		"goroutine 1 gp=0x3 m=nil [sleep]:\nmain.main()\n\t/m.go:2 "
		"+0x1\n\n"
		"-----\n\nSIGQUIT: quit\nPC=0x2 m=1 sigcode=0\n\n"
		"goroutine 0 gp=0x4 m=1 mp=0x5 "
		"[idle]:\nruntime.futex()\n\t/x.s:1 "
		"+0x1\n\n"
		"-----\n\nSIGQUIT: quit\nPC=0x3 m=2 sigcode=0\n\n"
		"goroutine 0 gp=0x6 m=2 mp=0x7 "
		"[idle]:\nruntime.futex()\n\t/x.s:1 "
		"+0x1\n";

	r = split(two_panics, sizeof(two_panics) - 1, &c);

	ok(r == 0 && c.n == 2 && c.count[0] == 1 && c.first[0] == 5 &&
		   c.count[1] == 2 && c.first[1] == 12,
	   "a log with two panics: two captures, ids not seen twice");
	is_int(c.line[1], 8, "the second starts at its 'panic:' line");
	r = split(crash, sizeof(crash) - 1, &c);

	ok(r == 0 && c.n == 1 && c.count[0] == 2 && c.threads[0] == 2,
	   "GOTRACEBACK=crash: one SIGQUIT section per thread is still one "
	   "dump, its 2 thread stacks left out (%u captures, %zu goroutines, "
	   "%llu threads)",
	   c.n, c.count[0], (unsigned long long)c.threads[0]);
}

/* Real captures: a GOTRACEBACK=crash dump is one capture; two dumps of
 * the leaky program appended give each one's goroutines. */
static void
test_split_real(void)
{
	int r;
	struct input a, b;
	struct caps c;
	char *both = NULL;
	int ok_open;

	ok_open = input_open(&a, "testdata/captures/dumps/sigquit_crash.txt",
			     &err) == 0;
	ok(ok_open, "sigquit_crash.txt opens");
	if (!ok_open)
		return;
	r = split((const char *)a.data, a.len, &c);

	ok(r == 0 && c.n == 1 && c.count[0] == 7 && c.system[0] == 5 &&
		   c.threads[0] == 6,
	   "sigquit_crash.txt: one capture, 7 goroutines of the program, the "
	   "runtime's 5 (force gc, sweeper, scavenger, GOMAXPROCS updater, "
	   "finalizer) and 6 thread stacks left out (%u, %zu, %llu, %llu)",
	   c.n, c.count[0], (unsigned long long)c.system[0],
	   (unsigned long long)c.threads[0]);
	input_release(&a);
	if (input_open(&a, "testdata/captures/leaky/00.debug2.txt", &err) < 0 ||
	    input_open(&b, "testdata/captures/leaky/05.debug2.txt", &err) < 0)
		BAIL_OUT("cannot open the leaky dumps: %s", err.text);
	both = malloc(a.len + b.len);
	memcpy(both, a.data, a.len);
	memcpy(both + a.len, b.data, b.len);
	r = split(both, a.len + b.len, &c);

	ok(r == 0 && c.n == 2 && c.count[0] == 142 && c.count[1] == 197,
	   "00 and 05 appended: 142 and 197 goroutines (%u captures)", c.n);
	free(both);
	input_release(&a);
	input_release(&b);
}

/* The message of a traceback: what it printed before its goroutines. */
static const char *
message(void)
{
	return intern_str(&in, snap.message);
}

static void
test_messages(void)
{
	int r;
	struct caps c;
	char big[4096], *p = big;
	unsigned k;
	static const char two[] =
		"panic: first\n\ngoroutine 5 [running]:\nmain.a()\n\t/m.go:1 "
		"+0x1\nexit status 2\n"
		"panic: second [recovered]\n\tpanic: again\n\n"
		"goroutine 12 [running]:\nmain.b()\n\t/m.go:2 +0x1\n";

	ok(parse("goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n") ==
			   0 &&
		   snap.message == 0 &&
		   strcmp(intern_str(&in, snap.format), "debug=2") == 0,
	   "runtime.Stack output: no message, format debug=2");
	ok(parse("2026/11/28 10:00:00 main.handler(0x1)\n"
		 "panic: boom [recovered]\n\tpanic: again\n\tline 2\n"
		 "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 "
		 "pc=0x1]\n\n"
		 "goroutine 1 [running, locked to thread]:\r\n"
		 "main.main()\n\t/a.go:1 +0x1\n\n"
		 "goroutine 2 [sleep]:\nmain.s()\n\t/a.go:2 +0x1\n") == 0,
	   "a panic after log lines parses");
	is_str(message(),
	       "panic: boom [recovered]\n\tpanic: again\n\tline 2\n"
	       "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 "
	       "pc=0x1]\ngoroutine 1 [running, locked to thread]:",
	       "its message: the chain, the signal line and the running "
	       "goroutine's header, not the log line");
	is_str(intern_str(&in, snap.format), "traceback",
	       "its format says traceback");
	ok(parse("fatal error: all goroutines are asleep - deadlock!\n\n"
		 "goroutine 1 [chan receive]:\nmain.main()\n\t/a.go:1 "
		 "+0x1\n") == 0,
	   "a deadlock parses");
	is_str(message(), "fatal error: all goroutines are asleep - deadlock!",
	       "a goroutine that is not running is not the message's");
	ok(parse("runtime: goroutine stack exceeds 1000-byte limit\n"
		 "runtime: sp=0x1 stack=[0x2, 0x3]\n"
		 "fatal error: stack overflow\n\nruntime stack:\n"
		 "runtime.throw({0x1, 0x2})\n\t/p.go:1 +0x1 fp=0x1 sp=0x2 "
		 "pc=0x3\n\n"
		 "goroutine 0 gp=0x1 m=0 mp=0x2 "
		 "[idle]:\nruntime.futex()\n\t/x.s:1 "
		 "+0x1\n\n"
		 "goroutine 1 gp=0x1 m=0 mp=0x2 "
		 "[running]:\nmain.f()\n\t/a.go:1 "
		 "+0x1\n") == 0,
	   "a stack overflow parses");
	is_str(message(),
	       "runtime: goroutine stack exceeds 1000-byte limit\n"
	       "runtime: sp=0x1 stack=[0x2, 0x3]\nfatal error: stack overflow\n"
	       "goroutine 1 gp=0x1 m=0 mp=0x2 [running]:",
	       "the runtime's lines above it, and the goroutine after the "
	       "runtime stack and a thread's");
	ok(parse("app[1]: x\napp[1]: panic: boom\napp[1]: \tmore\napp[1]:\n"
		 "app[1]: goroutine 1 [running]:\napp[1]: main.main()\n"
		 "app[1]: \t/a.go:1 +0x1\n") == 0 &&
		   strcmp(message(),
			  "panic: boom\n\tmore\ngoroutine 1 [running]:") == 0,
	   "a prefix on every line: the message without it");
	for (k = 0; k < 40; k++)
		p += snprintf(p, sizeof(big) - (size_t)(p - big),
			      "%spanic: %.60s\n", k ? "\t" : "",
			      "a value long enough that forty of them overflow "
			      "the message");
	snprintf(p, sizeof(big) - (size_t)(p - big),
		 "\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
	ok(parse(big) == 0 && snap.message != 0, "a long chain parses");
	ok(strtab_len(&in.strings, snap.message) <= TEXTDUMP_MESSAGE_MAX &&
		   strstr(message(), "\n...") != NULL &&
		   strstr(message(), "[running]") == NULL,
	   "the message is bounded (%u bytes), its cut marked",
	   strtab_len(&in.strings, snap.message));
	memset(big, 'x', 2000);
	memcpy(big, "panic: ", 7);
	memcpy(big + 2000,
	       "\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 "
	       "+0x1\n",
	       sizeof("\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 "
		      "+0x1\n"));
	ok(parse(big) == 0 &&
		   strtab_len(&in.strings, snap.message) <=
			   TEXTDUMP_MESSAGE_MAX &&
		   strcmp(message() + strtab_len(&in.strings, snap.message) - 3,
			  "...") == 0,
	   "a line longer than the message is cut, marked");
	r = split(two, sizeof(two) - 1, &c);
	ok(r == 0 && c.n == 2 &&
		   strcmp(c.message[0],
			  "panic: first\ngoroutine 5 [running]:") == 0 &&
		   strcmp(c.message[1],
			  "panic: second [recovered]\n\tpanic: "
			  "again\ngoroutine 12 [running]:") == 0 &&
		   strcmp(c.format[1], "traceback") == 0,
	   "two tracebacks in one file: each capture has its own message");
}

/* Goroutines ids from..., chan receive, until buf[*n..) reaches size. */
static void
fill_blocks(char *buf, size_t *n, size_t size, unsigned from)
{
	while (*n + 64 < size)
		*n += (size_t)snprintf(buf + *n, size - *n,
				       "goroutine %u [chan receive]:\nmain.w()"
				       "\n\t/m.go:1 +0x1\n\n",
				       from++);
}

/*
 * A large dump is read in parts by threads: a traceback whose message
 * ends one part and whose goroutines start the next keeps its message.
 */
static void
test_messages_parallel(void)
{
	size_t half = TEXTDUMP_PART_MIN + (1u << 20), na = 0, nb = 0;
	char *buf = malloc(2 * half);
	struct caps one, two;
	int r1, r2;

	na = (size_t)snprintf(buf, half, "panic: A\n\n");
	fill_blocks(buf, &na, half - 1024, 1);
	nb = na + (size_t)snprintf(buf + na, half,
				   "panic: B\n\ngoroutine 1 "
				   "[running]:\nmain.main()\n\t/"
				   "m.go:2 +0x1\n\n");
	fill_blocks(buf, &nb, 2 * na - 8, 2);
	/* Blank lines up to twice A, so that the cut falls at B's start. */
	while (nb < 2 * na)
		buf[nb++] = '\n';
	r1 = split_threads(buf, nb, 1, &one);
	r2 = split_threads(buf, nb, 2, &two);
	ok(r1 == 0 && r2 == 0 && one.n == 2 && two.n == 2 &&
		   one.count[1] == two.count[1],
	   "two large tracebacks: two captures, by one thread or two");
	ok(strcmp(one.message[0], "panic: A") == 0 &&
		   strcmp(two.message[0], "panic: A") == 0,
	   "the first one's message");
	ok(strcmp(one.message[1], "panic: B\ngoroutine 1 [running]:") == 0 &&
		   strcmp(two.message[1], one.message[1]) == 0,
	   "the second's, though its text ends the first thread's part");
	free(buf);
}

/*
 * A dump of many distinct frames, most of them in its first third, as a
 * program whose goroutines of every kind start first gives: read by one
 * thread or by two (its chunks shared out as each thread's work allows),
 * every table and record comes out the same, id for id, since the parts
 * are merged in the input's order.
 */
static size_t
many_frames_dump(char *buf, size_t cap)
{
	size_t n = 0, g = 1;
	unsigned k;

	while (n + 4096 < cap) {
		/* Goroutine g runs stack g while there are new ones to make
		 * (a third of the dump), then one of the first 500 again. */
		unsigned stack =
			n < cap / 3 ? (unsigned)g : (unsigned)(g % 500);

		n += (size_t)snprintf(buf + n, cap - n, "goroutine %zu [%s]:\n",
				      g, g % 3 ? "chan receive" : "select");
		if (g % 97 == 0) /* the runtime's own: left out */
			n += (size_t)snprintf(buf + n, cap - n,
					      "runtime.gopark()\n\t/p.go:1 "
					      "+0x1\nruntime.bgsweep()\n\t/"
					      "s.go:2 +0x1\n\n");
		for (k = 0; g % 97 != 0 && k < 6; k++)
			n += (size_t)snprintf(
				buf + n, cap - n,
				"mono/svc%u.%s%u%s(0x0?)\n\tmono/svc%u/"
				"f%u.go:%u "
				"+0x1\n",
				stack % 7, k == 2 ? "panic" : "h",
				(stack * 31 + k) % 2000, k == 4 ? "[...]" : "",
				stack % 7, k, 10 + (stack * 7 + k * 13) % 5000);
		if (g % 97 != 0)
			n += (size_t)snprintf(buf + n, cap - n,
					      "created by mono/core.Start in "
					      "goroutine 1\n\tmono/core/"
					      "s.go:%zu +0x1\n\n",
					      g % 16);
		g++;
	}
	return n;
}

static int
same_tables(const struct intern *a, const struct intern *b)
{
	size_t i;
	int same = a->strings.n == b->strings.n && a->frames.n == b->frames.n &&
		   a->stacks.n == b->stacks.n &&
		   a->stacks.nitems == b->stacks.nitems;

	for (i = 0; same && i < a->strings.n; i++)
		same = strtab_len(&a->strings, (strid)i) ==
			       strtab_len(&b->strings, (strid)i) &&
		       memcmp(intern_str(a, (strid)i), intern_str(b, (strid)i),
			      strtab_len(&a->strings, (strid)i)) == 0;
	for (i = 0; same && i < a->frames.n; i++)
		same = memcmp(&a->frames.v[i], &b->frames.v[i],
			      sizeof(a->frames.v[i])) == 0;
	for (i = 0; same && i < a->stacks.n; i++)
		same = a->stacks.len[i] == b->stacks.len[i] &&
		       memcmp(a->stacks.items + a->stacks.off[i],
			      b->stacks.items + b->stacks.off[i],
			      a->stacks.len[i] * sizeof(uint32_t)) == 0;
	return same;
}

/* Whether a and b hold the same records, more than 10,000 of them. */
static int
same_records(const struct snapshot *a, const struct snapshot *b)
{
	size_t i;
	int same = a->n == b->n && a->n > 10000;

	for (i = 0; same && i < a->n; i++)
		same = memcmp(&a->g[i], &b->g[i], sizeof(a->g[i])) == 0;
	return same;
}

static void
test_parallel_ids(void)
{
	size_t cap = 2 * TEXTDUMP_PART_MIN + (8u << 20), len;
	char *buf = malloc(cap);
	struct intern in1, in2;
	struct snapshot s1, s2;
	int r1, r2, same;

	len = many_frames_dump(buf, cap);
	intern_init(&in1);
	intern_init(&in2);
	snapshot_init(&s1, &in1);
	snapshot_init(&s2, &in2);
	r1 = textdump_parse(&s1, (const unsigned char *)buf, len, 1, &err);
	r2 = textdump_parse(&s2, (const unsigned char *)buf, len, 2, &err);
	same = r1 == 0 && r2 == 0 && same_records(&s1, &s2) &&
	       s1.system_goroutines == s2.system_goroutines &&
	       s1.system_goroutines > 0;
	ok(same && same_tables(&in1, &in2),
	   "%zu goroutines, %zu frames: the same tables and records, id for "
	   "id, on one thread and on two",
	   s1.n, in1.frames.n);
	snapshot_release(&s1);
	snapshot_release(&s2);
	intern_release(&in1);
	intern_release(&in2);
	free(buf);
}

/* A drop callback that counts its calls and passes them on. */
struct drops {
	struct input *inp;
	unsigned calls;
	size_t from, to;
	struct behinds *behind;
};

static void
count_drop(void *ctx, size_t from, size_t to)
{
	struct drops *d = ctx;

	d->calls++;
	d->from = from;
	d->to = to;
	input_drop(d->inp, from, to);
}

/* The ranges given back as the reading goes, from any thread. */
#define BEHIND_MAX 1024u
struct behinds {
	pthread_mutex_t mu;
	size_t n;
	struct range {
		size_t from, to;
	} r[BEHIND_MAX];
};

static void
count_behind(void *ctx, size_t from, size_t to)
{
	const struct drops *d = ctx;
	struct behinds *b = d->behind;

	pthread_mutex_lock(&b->mu);
	if (b->n < BEHIND_MAX) {
		b->r[b->n].from = from;
		b->r[b->n].to = to;
	}
	b->n++;
	pthread_mutex_unlock(&b->mu);
	input_drop_behind(d->inp, from, to);
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Whether the ranges given back, the empty ones left out, tile [0, len):
 * every byte once. */
static int
tiles(struct behinds *b, size_t len)
{
	size_t at = 0, i;

	if (b->n > BEHIND_MAX)
		return 0;
	qsort(b->r, b->n, sizeof(b->r[0]), range_cmp);
	for (i = 0; i < b->n; i++) {
		if (b->r[i].from == b->r[i].to)
			continue;
		if (b->r[i].from != at || b->r[i].to < at)
			return 0;
		at = b->r[i].to;
	}
	return at == len;
}

/* The reference of test_dropped_pages, and whether a snapshot matched it. */
static struct snapshot *ref_snap;
static int ref_same;

static int
same_as_ref(struct snapshot *s, void *ctx)
{
	(void)ctx;
	ref_same = same_records(s, ref_snap);
	return 0;
}

/*
 * Read from a file mapping on threads threads, with the drops counted:
 * whether the records and tables are those of the reference in1.
 */
static int
read_dropping(const char *path, unsigned threads, struct intern *in1,
	      struct drops *d, struct behinds *b)
{
	struct intern in2;
	struct input inp;
	struct read_opts o;
	int r = -1;

	intern_init(&in2);
	memset(d, 0, sizeof(*d));
	memset(&o, 0, sizeof(o));
	b->n = 0;
	d->behind = b;
	ref_same = 0;
	if (input_open(&inp, path, &err) == 0) {
		d->inp = &inp;
		o.threads = threads;
		o.drop = count_drop;
		o.drop_behind = count_behind;
		o.drop_ctx = d;
		r = textdump_read(&in2, inp.data, inp.len, &o, same_as_ref,
				  NULL, &err);
		input_release(&inp);
	}
	r = r == 0 && ref_same && same_tables(in1, &in2);
	intern_release(&in2);
	return r;
}

/*
 * Read on two threads from a file mapping, the parallel parse gives the
 * pages it has read back as it goes, and the whole input once more before
 * the parts are merged (the merges read them again from the file); one
 * thread gives them back as it goes. The records are those of one thread
 * reading from memory.
 */
static void
test_dropped_pages(void)
{
	size_t cap = 2 * TEXTDUMP_PART_MIN + (8u << 20), len;
	char *buf = malloc(cap), path[] = "/tmp/goroscope-drop-XXXXXX";
	int fd = mkstemp(path), r1, same;
	struct intern in1;
	struct snapshot s1;
	struct drops d;
	static struct behinds b;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	len = many_frames_dump(buf, cap);
	ok(fd >= 0 && write(fd, buf, len) == (ssize_t)len, "wrote %s", path);
	pthread_mutex_init(&b.mu, NULL);
	intern_init(&in1);
	snapshot_init(&s1, &in1);
	r1 = textdump_parse(&s1, (const unsigned char *)buf, len, 1, &err);
	ref_snap = &s1;
	same = read_dropping(path, 2, &in1, &d, &b);
	ok(r1 == 0 && same,
	   "pages dropped as the parse goes and after it: the records and "
	   "tables of one thread (%s)",
	   err.text);
	/* One core: one thread, nothing dropped. */
	ok(cpus < 2 ? d.calls == 0 : d.calls == 1 && d.from == 0 && d.to == len,
	   "the whole input dropped once after the parse on %ld cores (%u "
	   "calls, %zu-%zu)",
	   cpus, d.calls, d.from, d.to);
	ok(b.n >= 2 && tiles(&b, len),
	   "the pages given back as the parse went cover the input once (%zu "
	   "ranges)",
	   b.n);
	same = read_dropping(path, 1, &in1, &d, &b);
	ok(same && d.calls == 0 && b.n >= 2 && tiles(&b, len),
	   "one thread gives the pages back as it goes: the same records, "
	   "%zu ranges over the input once (%s)",
	   b.n, err.text);
	snapshot_release(&s1);
	intern_release(&in1);
	pthread_mutex_destroy(&b.mu);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(buf);
}

static void
test_threads_left_out(void)
{
	ok(parse("goroutine 0 [idle]:\nruntime.futex()\n\t/x.s:1 +0x1\n\n"
		 "goroutine 3 [select]:\nmain.w()\n\t/m.go:2 +0x1\n") == 0,
	   "a dump with a thread stack parses");
	ok(snap.n == 1 && snap.g[0].id == 3 && snap.thread_stacks == 1,
	   "goroutine 0 is not a goroutine: left out, counted");
	ok(parse("goroutine 0 [idle]:\nruntime.futex()\n\t/x.s:1 +0x1\n") < 0 &&
		   strstr(err.text, "only 1 thread stack") != NULL,
	   "only thread stacks: no goroutine, said so (%s)", err.text);
}

/*
 * A capture cut inside a creator's location line (runtime.Stack with a
 * small buffer ends anywhere): the goroutine is cut, its creator's
 * function kept, and no line counts as not understood.
 */
static void
test_cut_in_creator(void)
{
	static const char head[] =
		"goroutine 7 [chan receive]:\n"
		"main.waiter(0x0?)\n"
		"\tgoroscope.test/gen/dumps/truncated/main.go:20 +0x49\n"
		"created by main.main in goroutine 1\n";
	static const char *const tails[] = {
		"\tgoroscope.test/gen/",
		"\tgoroscope.test/gen/dumps/truncated/main.go:2",
		"",
	};
	char text[512];
	size_t k;

	for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
		int rc;

		snprintf(text, sizeof(text), "%s%s", head, tails[k]);
		rc = parse(text);
		ok(rc == 0 && snap.n == 1 && (snap.g[0].flags & G_TRUNCATED) &&
			   snap.g[0].creator != 0 &&
			   strcmp(intern_str(&in,
					     intern_frame_get(&in,
							      snap.g[0].creator)
						     ->func),
				  "main.main") == 0 &&
			   snap.skipped.count == 0,
		   "cut after 'created by' (%zu bytes of its location): "
		   "truncated, creator main.main, no line skipped (%llu)",
		   strlen(tails[k]), (unsigned long long)snap.skipped.count);
	}
}

int
main(void)
{
	intern_init(&in);
	snapshot_init(&snap, &in);
	test_basic();
	test_headers();
	test_labels();
	test_frames();
	test_runtime_frames();
	test_elision_and_ancestors();
	test_cgo();
	test_preamble_prefix_crlf();
	test_truncation();
	test_cut_in_creator();
	test_malformed();
	test_threads_left_out();
	test_messages();
	test_messages_parallel();
	test_parallel_ids();
	test_dropped_pages();
	test_split_appended();
	test_split_tracebacks();
	test_split_real();
	snapshot_release(&snap);
	intern_release(&in);
	return tap_done();
}
