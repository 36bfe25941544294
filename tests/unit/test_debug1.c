/* The debug=1 count profile reader (goroutine-formats.md section 3). */
#include <stdlib.h>
#include <string.h>

#include "formats/debug1.h"
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
	return debug1_parse(&snap, (const unsigned char *)text, strlen(text),
			    &err);
}

static const char *
frame(size_t i, uint32_t k)
{
	return tu_frame(&in, &snap.g[i], k);
}

/* The real layout: TAB runs from text/tabwriter, labels from %q. */
static const char profile[] =
	"goroutine profile: total 9\n"
	"2 @ 0x103b125 0x106cd1f 0x13ac44a 0x106fd81\n"
	"# labels: {\"test_label\":\"test_value\"}\n"
	"#\t0x106cd1e\ttime.Sleep+0xbe\t\t\t/go/src/runtime/time.go:188\n"
	"#\t0x13ac449\tmain.shortSleepLoop+0x29\t/app/main.go:165\n"
	"\n"
	"1 @ 0x103b125 0x10083ef 0x100802b 0x13ac4ed 0x106fd81\n"
	"#\t0x13ac4ec\tmain.chanReceiveForever+0x4c\t/app/main.go:177\n"
	"\n"
	"1 @ 0x103b125 0x10083ef 0x13ac4ed 0x106fd81\n"
	"# labels: {\"a\\\"b\":\"c\\\\d\\n\", \"k\":\"v\"}\n"
	"#\t0x13ac4ec\tmain.chanReceiveForever+0x4c\t/app/main.go:177\n"
	"\n"
	"1 @ 0x1 0x2 0x3\n"
	"#\t0x1\tsync.runtime_SemacquireMutex+0x25\t/go/src/runtime/"
	"sema.go:95\n"
	"#\t0x2\tsync.(*Mutex).lockSlow+0x164\t/go/src/sync/mutex.go:173\n"
	"#\t0x3\tmain.lock+0x1\t/app/main.go:5\n"
	"\n"
	"3 @ 0x4 0x5 0x6\n"
	"#\t0x4\tmain.busy+0x1\t/app/main.go:7\n"
	"#\t0x5\tmain.Map[...]+0x1\t/app/main.go:8\n"
	"#\t0x6\truntime.main+0x1\t/go/src/runtime/proc.go:283\n"
	"\n"
	"1 @ 0x7 0x8\n"
	"#\t0x7\n"
	"#\t0x8\tmain.main+0x1\t/app/main.go:9\n"
	"\n";

static void
test_profile(void)
{
	ok(parse(profile) == 0, "a debug=1 profile parses");
	is_int(snap.n, 6, "one record per '@' line");
	is_int(snap.declared_total, 9, "header total");
	is_int(snapshot_total(&snap), 9, "weights add up to the total");
	is_int(snap.g[0].weight, 2, "record count is the weight");
	is_str(frame(0, 0), "time.Sleep /go/src/runtime/time.go:188",
	       "TAB runs split; +0x offset dropped");
	is_str(intern_str(&in, snap.g[0].state), "sleep", "sleep inferred");
	is_str(intern_str(&in, snap.g[1].state), "waiting",
	       "hidden runtime leaf frames mean parked");
	ok(snap.g[1].flags & G_STATE_INFERRED, "state marked inferred");
	ok(snap.g[1].stack == snap.g[2].stack,
	   "same '@' stack, different labels: one stack");
	ok(snap.g[1].labels != snap.g[2].labels, "but two label sets");
	is_str(intern_str(&in, snap.g[3].state), "sync.Mutex.Lock",
	       "mutex inferred from a visible frame");
	is_str(intern_str(&in, snap.g[4].state), "running",
	       "nothing hidden at the leaf: running");
	is_str(frame(4, 1), "main.Map[...] /app/main.go:8", "generic name");
	is_str(frame(4, 2), "(none)",
	       "runtime.main is hidden as a level-1 traceback hides it");
	is_str(frame(5, 0), "0x7 :0", "an unsymbolised address is a frame");
	is_int(snap.skipped.count, 0, "nothing skipped");
	is_str(snap.warning, "", "no warning");
}

static void
test_labels(void)
{
	uint32_t n = 0;
	const uint32_t *p = NULL;

	ok(parse(profile) == 0, "parses");
	p = seqtab_items(&in.labelsets, snap.g[2].labels, &n);
	is_int(n, 4, "two label pairs");
	is_str(intern_str(&in, p[0]), "a\"b", "escaped quote in a key");
	is_str(intern_str(&in, p[1]), "c\\d\n", "escapes in a value");
	is_str(intern_str(&in, p[2]), "k", "second key");
}

static void
test_edges(void)
{
	ok(parse("goroutineleak profile: total 2\n"
		 "2 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n") == 0,
	   "a goroutineleak profile parses");
	is_int(snap.kind, SNAPSHOT_LEAK, "leak kind");
	ok(snap.g[0].flags & G_LEAKED, "its goroutines are leaked");

	ok(parse("goroutine profile: total 1\r\n"
		 "1 @\r\n\r\n") == 0,
	   "an empty '@' record and CRLF");
	is_int(snap.n, 1, "one record");

	/* A goroutine not yet run: runtime.goexit alone, which Go never
	 * prints, and the same with a frame line for it. */
	ok(parse("goroutine profile: total 3\n2 @ 0x4919e1\n\n1 @ 0x4919e1\n"
		 "#\t0x4919e0\truntime.goexit+0x1\truntime/asm_amd64.s:1700\n"
		 "\n") == 0 &&
		   snap.n == 2,
	   "records of runtime.goexit alone parse");
	ok(strcmp(intern_str(&in, snap.g[0].state), "runnable") == 0 &&
		   strcmp(intern_str(&in, snap.g[1].state), "runnable") == 0,
	   "both are runnable, not running");
	ok(snap.g[0].stack == snap.g[1].stack &&
		   strcmp(frame(0, 0), "runtime.goexit :0") == 0,
	   "both have the one frame runtime.goexit (%s)", frame(0, 0));

	ok(parse("goroutine profile: total 5\n"
		 "2 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n") == 0,
	   "a total that does not match");
	ok(strstr(snap.warning, "total 5") != NULL, "is a warning");

	ok(parse("goroutine profile: total 1\n"
		 "1 @ 0x1\n#\tgarbage\n#\t0x1\tmain.f+0x1\n"
		 "what is this\n\n") == 0,
	   "bad lines are skipped");
	is_int(snap.skipped.count, 3, "and counted");

	/* Frame lines that cannot be read (spaces, not TABs): each record
	 * keys by its address list, not by an empty stack they share. */
	ok(parse("goroutine profile: total 4\n"
		 "2 @ 0x1 0x2 0x3\n# 0x1 main.a+0x1 /a.go:1\n\n"
		 "2 @ 0x1 0x5 0x6\n# 0x1 main.b+0x1 /a.go:2\n\n") == 0 &&
		   snap.n == 2 && snap.g[0].stack != snap.g[1].stack &&
		   snap.g[0].stack != 0,
	   "unreadable frames: the address lists tell records apart");

	ok(parse("threadcreate profile: total 7\n7 @\n") < 0,
	   "other profiles are refused");
	ok(strstr(err.text, "'threadcreate' profile is not a goroutine "
			    "profile") != NULL,
	   "the error names the profile");
	is_int(err.line, 1, "and the line");
}

/* --- profiles appended to one file ---------------------------------------- */

struct got {
	unsigned n;
	int64_t total[8];
	uint32_t pos[8], parts[8];
};

static int
collect(struct snapshot *s, void *ctx)
{
	struct got *g = ctx;

	if (g->n == 8)
		return -1;
	g->total[g->n] = snapshot_total(s);
	g->pos[g->n] = s->pos;
	g->parts[g->n] = s->parts;
	g->n++;
	return 0;
}

static int
read_all(const char *text, struct got *g)
{
	struct read_opts o;

	memset(&o, 0, sizeof(o));
	memset(g, 0, sizeof(*g));
	error_clear(&err);
	return debug1_read(&in, (const unsigned char *)text, strlen(text), &o,
			   collect, g, &err);
}

static void
test_appended(void)
{
	static const char two[] = "goroutine profile: total 3\n"
				  "3 @ 0x1 0x2\n#\t0x1\tmain.a+0x1\t/m.go:1\n\n"
				  "goroutine profile: total 5\n"
				  "4 @ 0x1 0x2\n#\t0x1\tmain.a+0x1\t/m.go:1\n\n"
				  "1 @ 0x3\n#\t0x3\tmain.b+0x1\t/m.go:2\n\n";
	static const char heap_after[] =
		"goroutine profile: total 1\n"
		"1 @ 0x1\n#\t0x1\tmain.a+0x1\t/m.go:1\n\n"
		"threadcreate profile: total 2\n2 @\n";
	static const char leak_after[] =
		"goroutine profile: total 1\n"
		"1 @ 0x1\n#\t0x1\tmain.a+0x1\t/m.go:1\n\n"
		"goroutineleak profile: total 1\n"
		"1 @ 0x1\n#\t0x1\tmain.a+0x1\t/m.go:1\n";
	struct got g;
	int r;

	r = read_all(two, &g);
	ok(r == 0 && g.n == 2 && g.total[0] == 3 && g.total[1] == 5,
	   "two profiles appended: two snapshots of 3 and 5 (%u)", g.n);
	ok(g.pos[0] == 0 && g.pos[1] == 1 && g.parts[0] == 2 && g.parts[1] == 2,
	   "with their positions and the count");
	r = read_all(leak_after, &g);
	ok(r == 0 && g.n == 2, "a goroutineleak profile after a goroutine "
			       "profile: two snapshots");
	r = read_all(heap_after, &g);
	ok(r < 0 && g.n == 0 && err.where == ERROR_LINE && err.line == 5,
	   "a threadcreate profile appended: an error at its line, 5 (%llu), "
	   "and no snapshot given (%u): %s",
	   (unsigned long long)err.line, g.n, err.text);
	r = read_all(profile, &g);
	ok(r == 0 && g.n == 1 && g.parts[0] == 0,
	   "one profile: one snapshot, no parts");
}

int
main(void)
{
	intern_init(&in);
	snapshot_init(&snap, &in);
	test_profile();
	test_labels();
	test_edges();
	test_appended();
	snapshot_release(&snap);
	intern_release(&in);
	return tap_done();
}
