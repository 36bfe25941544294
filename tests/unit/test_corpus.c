/*
 * Every capture of the shared conformance corpus (../shared/corpus, or
 * $GOROSCOPE_CORPUS) reads through the loader as a user's file would:
 * goroutine dumps and debug=1 profiles read without error, and a debug=1
 * profile's goroutines add up to the total its header states. The files
 * that are not goroutine captures must be refused with a clear message.
 * Skips (saying so) when the corpus is absent: it is not part of the project.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/input.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "tests/tap.h"

/* Files that must be refused, and a part of the message they get. */
static const struct {
	const char *file;
	const char *message;
} refused[] = {
	{ "gostackparse__empty_input.txt", "empty input" },
	{ "NEARMISS__google-pprof__go.godoc.thread",
	  "'threadcreate' profile is not a goroutine profile" },
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

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	intern_init(&in);
	snapshot_init(&s, &in);
	error_clear(&err);
	rc = input_load(&s, path, &err);
	if (refusal != NULL) {
		ok(rc < 0 && strstr(err.text, refusal) != NULL,
		   "%s is refused: %s", name, err.text);
	} else if (ok(rc == 0, "%s reads", name)) {
		ok(s.n > 0 || s.declared_total == 0, "%s has goroutines", name);
		if (s.declared_total >= 0)
			is_int(snapshot_total(&s), s.declared_total,
			       "%s: goroutines add up to the header's total",
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
	DIR *d = NULL;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (root == NULL)
		root = "../shared/corpus";
	snprintf(dir, sizeof(dir), "%s/text", root);
	d = opendir(dir);
	if (d == NULL)
		return tap_skip_all("no corpus at ../shared/corpus (set "
				    "GOROSCOPE_CORPUS)");
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	ok(n >= 30, "the text corpus has its files (%zu)", n);
	for (i = 0; i < n; i++) {
		check_file(dir, names[i]);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
