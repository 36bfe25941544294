/*
 * Atomic report files: write to a temporary beside the target, fsync,
 * rename. Only regular files are written (DESIGN.md section 5): a device,
 * a FIFO, a directory or a symbolic link to one is refused; a symbolic link
 * to a regular file is followed, so that the link stays. A temporary left
 * by a run that was killed is removed by the next run that writes there.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/output.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The temporary being written, for the exit and signal handlers. */
static char *pending;

static void
remove_pending(void)
{
	if (pending != NULL)
		(void)unlink(pending);
}

/* A signal that ends the run: the temporary goes, then the signal does
 * what it would have done. */
static void
on_fatal_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
watch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static int done;
	size_t k;

	if (done)
		return;
	done = 1;
	atexit(remove_pending);
	for (k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++) {
		struct sigaction old, sa;

		/* A command that handles the signal itself keeps it. */
		if (sigaction(sigs[k], NULL, &old) != 0 ||
		    old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(sigs[k], &sa, NULL);
	}
}

static const char *
kind_of(mode_t m)
{
	return S_ISCHR(m)    ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISDIR(m)  ? "a directory"
			     : "not a regular file";
}

/*
 * The file -o path writes: path, or the regular file a symbolic link
 * names. NULL, with err set, for anything but a regular file or a name
 * that does not exist yet.
 */
static char *
target_of(const char *path, struct error *err)
{
	struct stat st;
	char *real = NULL;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return xstrdup(path);
		error_set(err, "cannot write: %s", strerror(errno));
		return NULL;
	}
	if (S_ISREG(st.st_mode))
		return xstrdup(path);
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st) != 0) {
			/* A dangling link: its target is made. */
			char buf[PATH_MAX];
			ssize_t n = readlink(path, buf, sizeof(buf) - 1);

			if (n <= 0 || errno != ENOENT) {
				error_set(err, "cannot follow the link: %s",
					  strerror(errno));
				return NULL;
			}
			buf[n] = '\0';
			if (buf[0] != '/' && strrchr(path, '/') != NULL) {
				size_t d = (size_t)(strrchr(path, '/') - path);
				size_t len = d + 1 + (size_t)n + 1;

				real = xmalloc(len);
				snprintf(real, len, "%.*s/%s", (int)d, path,
					 buf);
				return real;
			}
			return xstrdup(buf);
		}
		if (!S_ISREG(st.st_mode)) {
			error_set(err,
				  "is a symbolic link to %s: -o writes only "
				  "regular files (-o - writes to standard "
				  "output)",
				  kind_of(st.st_mode));
			return NULL;
		}
		real = realpath(path, NULL);
		if (real == NULL) {
			error_set(err, "cannot follow the link: %s",
				  strerror(errno));
			return NULL;
		}
		return real;
	}
	error_set(err,
		  "is %s: -o writes only regular files (-o - writes to "
		  "standard output)",
		  kind_of(st.st_mode));
	return NULL;
}

/*
 * Remove the temporaries of target left by runs that were killed: names
 * "BASE.tmp.PID.XXXXXX" whose process is gone.
 */
static void
clean_stale(const char *target)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	size_t bl = strlen(base);
	char *dir = slash ? xmemdup(target, (size_t)(slash - target)) : NULL;
	DIR *d = opendir(dir ? (dir[0] ? dir : "/") : ".");
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		const char *p = e->d_name;
		char *end = NULL;
		long pid;

		if (strncmp(p, base, bl) != 0 || strncmp(p + bl, ".tmp.", 5))
			continue;
		pid = strtol(p + bl + 5, &end, 10);
		if (pid <= 0 || end == NULL || *end != '.' ||
		    strlen(end + 1) != 6 ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		{
			size_t len = (dir ? strlen(dir) : 1) + strlen(p) + 2;
			char *full = xmalloc(len);

			snprintf(full, len, "%s/%s", dir ? dir : ".", p);
			(void)unlink(full);
			free(full);
		}
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

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
	error_clear(err);
	o->path = target_of(path, err);
	if (o->path == NULL) {
		error_set_file(err, path);
		return -1;
	}
	clean_stale(o->path);
	n = strlen(o->path) + sizeof(".tmp..XXXXXX") + 24;
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%s.tmp.%ld.XXXXXX", o->path, (long)getpid());
	watch_signals();
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		error_set(err, "cannot create: %s", strerror(errno));
		error_set_file(err, path);
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	pending = o->tmp;
	{
		/* mkstemp makes 0600; a report is an ordinary file. */
		mode_t mask = umask(0);

		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	o->fp = fdopen(fd, "w");
	if (o->fp == NULL) {
		error_set(err, "cannot open: %s", strerror(errno));
		error_set_file(err, path);
		close(fd);
		unlink(o->tmp);
		pending = NULL;
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	return 0;
}

int
output_reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };

	/* The write end of a pipe whose readers are all gone polls as
	 * POLLERR; so does a socket the peer shut. */
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

void
output_abort(struct output *o)
{
	/* A failed write to a reader that stopped reading (`| head`): its
	 * choice, not a failure; end quietly. */
	if (o->is_stdout && ferror(stdout) && output_reader_gone())
		exit(0);
	if (!o->is_stdout && o->fp != NULL) {
		fclose(o->fp);
		unlink(o->tmp);
	}
	if (pending == o->tmp)
		pending = NULL;
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
			/* A reader that stopped reading (`| head`): its
			 * choice, not a failure. */
			if (errno == EPIPE)
				exit(0);
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
	pending = NULL;
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
