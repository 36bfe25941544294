/* Atomic report files: write to a temporary, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/output.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

int
output_open(struct output *o, const char *path, struct error *err)
{
	int fd = -1;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->is_stdout = 1;
		return 0;
	}
	o->path = xstrdup(path);
	n = strlen(path) + sizeof(".tmp.XXXXXX");
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		error_clear(err);
		error_set(err, "cannot create: %s", strerror(errno));
		error_set_file(err, path);
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	{
		/* mkstemp makes 0600; a report is an ordinary file. */
		mode_t mask = umask(0);

		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	o->fp = fdopen(fd, "w");
	if (o->fp == NULL) {
		error_clear(err);
		error_set(err, "cannot open: %s", strerror(errno));
		error_set_file(err, path);
		close(fd);
		unlink(o->tmp);
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	return 0;
}

void
output_abort(struct output *o)
{
	if (!o->is_stdout && o->fp != NULL) {
		fclose(o->fp);
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

/* Make the rename itself durable: fsync the directory (best effort). */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else {
		dir = xstrdup(path);
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
output_commit(struct output *o, struct error *err)
{
	int ret = 0;

	if (o->is_stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			ret = error_set(err,
					"cannot write to standard output: "
					"%s",
					strerror(errno));
		}
		memset(o, 0, sizeof(*o));
		return ret;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0) {
		ret = error_set(err, "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (fclose(o->fp) != 0) {
		o->fp = NULL;
		unlink(o->tmp);
		ret = error_set(err, "cannot write: %s", strerror(errno));
		goto fail;
	}
	o->fp = NULL;
	if (rename(o->tmp, o->path) != 0) {
		unlink(o->tmp);
		ret = error_set(err, "cannot rename into place: %s",
				strerror(errno));
		goto fail;
	}
	sync_dir(o->path);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return 0;
fail:
	snprintf(err->file, sizeof(err->file), "%s", o->path);
	output_abort(o);
	return ret;
}
