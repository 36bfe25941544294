/*
 * A plain main() for the fuzz targets (libgit2's standalone driver): replay
 * every file of tests/fuzz/corpus/NAME and tests/fuzz/crashers/NAME through
 * LLVMFuzzerTestOneInput, one TAP line per file. NAME comes from the
 * program's name, replay_NAME. A crash fails the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tests/tap.h"
#include "tests/testutil.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(fp);
	return buf;
}

static void
replay_dir(const char *dir)
{
	size_t n = 0, i;
	char **names = tu_list_dir(dir, &n);

	if (names == NULL)
		return;
	for (i = 0; i < n; i++) {
		char path[4096];
		size_t len = 0;
		unsigned char *buf = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		buf = slurp(path, &len);
		if (ok(buf != NULL, "read %s", path)) {
			LLVMFuzzerTestOneInput(buf, len);
			ok(1, "replayed %s (%zu bytes)", path, len);
		}
		free(buf);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *name = NULL;
	char dir[4096];

	(void)argc;
	base = base ? base + 1 : argv[0];
	name = strncmp(base, "replay_", 7) == 0 ? base + 7 : base;
	snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", name);
	replay_dir(dir);
	snprintf(dir, sizeof(dir), "tests/fuzz/crashers/%s", name);
	replay_dir(dir);
	if (tap_count == 0)
		return tap_skip_all("no corpus files");
	return tap_done();
}
