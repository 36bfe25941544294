/*
 * One moment captured in several formats gives the same groups: the pprof
 * (debug=0) and debug=1 captures of each moment of testdata/captures/leaky
 * and noleak have the same group ids with the same counts under
 * --group-by stack; with the goroutine dump of that moment, which also has
 * creators, they agree under top:N. And a dump converted to pprof and read
 * back keeps its groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/input.h"
#include "formats/source.h"
#include "formats/pprof.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "tests/tap.h"

struct result {
	size_t n;
	uint64_t id[256];
	int64_t count[256];
};

static int
load_groups(const char *path, const char *key, struct result *r)
{
	struct intern in;
	struct snapshot s;
	struct grouping gr;
	struct group_key k;
	struct error err;
	size_t i;

	intern_init(&in);
	snapshot_init(&s, &in);
	error_clear(&err);
	if (group_key_parse(&k, key, &err) < 0 ||
	    source_load(&s, path, NULL, &err) < 0) {
		printf("# %s: %s\n", path, err.text);
		snapshot_release(&s);
		intern_release(&in);
		return -1;
	}
	grouping_init(&gr, &in, &k, 1);
	grouping_add(&gr, &s, 0, NULL);
	grouping_finish(&gr);
	r->n = gr.n < 256 ? gr.n : 256;
	for (i = 0; i < r->n; i++) {
		r->id[i] = gr.v[i].id;
		r->count[i] = group_count(&gr, &gr.v[i], 0);
	}
	grouping_release(&gr);
	snapshot_release(&s);
	intern_release(&in);
	return 0;
}

/* Groups of a found in b with the same count; unmatched ones listed. */
static size_t
matched(const struct result *a, const struct result *b)
{
	size_t i, j, m = 0;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (a->id[i] == b->id[j] && a->count[i] == b->count[j])
				break;
		if (j < b->n)
			m++;
		else
			printf("#   group %016llx (%lld) has no twin\n",
			       (unsigned long long)a->id[i],
			       (long long)a->count[i]);
	}
	return m;
}

static void
same_moment(const char *dir, int moment)
{
	char pb[256], d1[256], d2[256];
	struct result a, b, c;

	snprintf(pb, sizeof(pb), "testdata/captures/%s/%02d.pb.gz", dir,
		 moment);
	snprintf(d1, sizeof(d1), "testdata/captures/%s/%02d.debug1.txt", dir,
		 moment);
	snprintf(d2, sizeof(d2), "testdata/captures/%s/%02d.debug2.txt", dir,
		 moment);
	if (!ok(load_groups(pb, "stack", &a) == 0 &&
			load_groups(d1, "stack", &b) == 0,
		"%s %02d: pprof and debug=1 read", dir, moment))
		return;
	is_int(a.n, b.n, "%s %02d: as many groups in pprof and debug=1", dir,
	       moment);
	is_int(matched(&a, &b), a.n,
	       "%s %02d: every pprof group has a debug=1 twin, same id and "
	       "count",
	       dir, moment);
	/* One goroutine cannot agree: the one writing the profile (other
	 * functions write debug=2). The trace reader, whose state the dump
	 * names ("trace reader (blocked)", a runtime wait, not blocked),
	 * has it inferred from runtime.ReadTrace or its caller in pprof and
	 * debug=1. Every other group must agree. */
	if (!ok(load_groups(pb, "top:3", &a) == 0 &&
			load_groups(d2, "top:3", &c) == 0,
		"%s %02d: pprof and debug=2 read by top:3", dir, moment))
		return;
	is_int(matched(&a, &c), a.n - 1,
	       "%s %02d: all but the profile writer agree by top:3", dir,
	       moment);
}

static void
round_trip(const char *path)
{
	struct result a, b;
	char tmp[] = "/tmp/goroscope-agree-XXXXXX";
	struct intern in;
	struct snapshot s;
	struct error err;
	FILE *fp = NULL;
	int fd = mkstemp(tmp);

	intern_init(&in);
	snapshot_init(&s, &in);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	ok(fp != NULL && source_load(&s, path, NULL, &err) == 0 &&
		   pprof_write(fp, &s, &err) == 0,
	   "%s written as pprof", path);
	if (fp)
		fclose(fp);
	snapshot_release(&s);
	intern_release(&in);
	if (load_groups(path, "stack", &a) == 0 &&
	    load_groups(tmp, "stack", &b) == 0) {
		is_int(a.n, b.n, "%s: as many groups after the trip", path);
		is_int(matched(&a, &b), a.n,
		       "%s: same ids and counts after the trip", path);
	}
	unlink(tmp);
}

int
main(void)
{
	int m;

	for (m = 0; m < 6; m++)
		same_moment("leaky", m);
	for (m = 0; m < 6; m++)
		same_moment("noleak", m);
	round_trip("testdata/captures/leaky/03.debug2.txt");
	round_trip("testdata/captures/dumps/labels_go127.txt");
	round_trip("testdata/captures/goroutineleak/05.leak.pb.gz");
	return tap_done();
}
