/*
 * Every capture of the shared conformance corpus (../shared/corpus, or
 * $GOROSCOPE_CORPUS) reads through the loader as a user's file would:
 * goroutine dumps, debug=1 and pprof profiles read without error, a debug=1
 * profile's goroutines add up to the total its header states, and a pprof
 * profile's to the sum of its sample values; every execution trace (old
 * and new formats) reads whole, without a warning. The files
 * that are not goroutine captures must be refused with a clear message.
 * Skips (saying so) when the corpus is absent: it is not part of the project.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/input.h"
#include "formats/source.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/tap.h"
#include "tests/testutil.h"

/* Files that must be refused, and a part of the message they get. */
static const struct {
	const char *file;
	const char *message;
} refused[] = {
	{ "gostackparse__empty_input.txt", "empty input" },
	{ "NEARMISS__google-pprof__go.godoc.thread",
	  "'threadcreate' profile is not a goroutine profile" },
	{ "NEGATIVE__sqlprof__go1.23.3.cpu.pprof",
	  "not a goroutine profile: its sample types are samples/count, "
	  "cpu/nanoseconds" },
};

static const char *
expected_refusal(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(refused[i].file, name) == 0)
			return refused[i].message;
	return NULL;
}

/*
 * The sum of the goroutine column of a pprof profile's samples, decoded by
 * a walk independent of the reader (-1 if not a pprof file): the reader's
 * total must equal it.
 */
static int64_t
pprof_total(const char *path)
{
	struct input in;
	struct error err;
	int64_t total = -1;
	size_t pos = 0;

	if (input_open(&in, path, &err) < 0)
		return -1;
	if (!in.gzipped || in.len == 0 || in.data[0] == 'g') {
		input_release(&in);
		return -1;
	}
	total = 0;
	while (pos < in.len) {
		uint64_t key = 0, len = 0;
		unsigned shift = 0;

		while (pos < in.len) {
			key |= (uint64_t)(in.data[pos] & 0x7f) << shift;
			shift += 7;
			if (!(in.data[pos++] & 0x80))
				break;
		}
		if ((key & 7) == 0) {
			while (pos < in.len && (in.data[pos++] & 0x80))
				;
			continue;
		}
		shift = 0;
		while (pos < in.len) {
			len |= (uint64_t)(in.data[pos] & 0x7f) << shift;
			shift += 7;
			if (!(in.data[pos++] & 0x80))
				break;
		}
		if (key >> 3 == 2) {
			/* Sample: field 2 (value) unpacked, one value per
			 * sample in a goroutine profile. */
			size_t p = pos, e = pos + len;

			while (p < e) {
				uint64_t k = in.data[p++], v = 0;

				shift = 0;
				while (p < e) {
					v |= (uint64_t)(in.data[p] & 0x7f)
					     << shift;
					shift += 7;
					if (!(in.data[p++] & 0x80))
						break;
				}
				if (k == 0x10)
					total += (int64_t)v;
				else if ((k & 7) == 2)
					p += v;
			}
		}
		pos += len;
	}
	input_release(&in);
	return total;
}

static void
check_file(const char *dir, const char *name)
{
	char path[8192];
	struct intern in;
	struct snapshot s;
	struct error err;
	const char *refusal = expected_refusal(name);
	int rc;

	int64_t pb_total;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pb_total = refusal ? -1 : pprof_total(path);
	intern_init(&in);
	snapshot_init(&s, &in);
	error_clear(&err);
	rc = source_load(&s, path, NULL, &err);
	if (refusal != NULL) {
		ok(rc < 0 && strstr(err.text, refusal) != NULL,
		   "%s is refused: %s", name, err.text);
	} else if (ok(rc == 0, "%s reads", name)) {
		ok(s.n > 0 || s.declared_total == 0, "%s has goroutines", name);
		if (s.offset_ns >= 0)
			is_str(s.warning, "", "%s: a trace read whole", name);
		if (s.declared_total >= 0)
			is_int(snapshot_total(&s), s.declared_total,
			       "%s: goroutines add up to the header's total",
			       name);
		if (pb_total >= 0)
			is_int(snapshot_total(&s), pb_total,
			       "%s: goroutines add up to the sample values",
			       name);
	} else {
		printf("#   %s\n", err.text);
	}
	snapshot_release(&s);
	intern_release(&in);
}

int
main(void)
{
	const char *root = getenv("GOROSCOPE_CORPUS");
	char dir[4096];
	char **names = NULL;
	size_t n = 0, i, k;
	static const struct {
		const char *sub;
		size_t min;
	} kinds[] = { { "text", 30 },
		      { "pprof", 14 },
		      { "trace-new", 11 },
		      { "trace-old", 39 } };

	if (root == NULL)
		root = "../shared/corpus";
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, kinds[k].sub);
		names = tu_list_dir(dir, &n);
		if (names == NULL) {
			if (k == 0)
				return tap_skip_all(
					"no corpus at ../shared/corpus (set "
					"GOROSCOPE_CORPUS)");
			ok(0, "%s is missing", dir);
			continue;
		}
		ok(n >= kinds[k].min, "the %s corpus has its files (%zu)",
		   kinds[k].sub, n);
		for (i = 0; i < n; i++) {
			check_file(dir, names[i]);
			free(names[i]);
		}
		free(names);
		names = NULL;
	}
	return tap_done();
}
