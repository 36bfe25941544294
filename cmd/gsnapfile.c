/* Appending to a .gsnap series under a lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/gsnapfile.h"
#include "formats/gsnap.h"
#include "lib/buf.h"
#include "lib/error.h"
#include "lib/banned.h"

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
gsnapfile_append(const char *path, const struct gsnapfile_span *v, size_t n,
		 struct error *err)
{
	struct flock lk;
	struct stat st;
	struct gsnap_scan s;
	struct gsnap_record r;
	void *map = NULL;
	off_t end = 0;
	int fd, ret = -1, rc = 0;
	size_t i;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_set(err, "cannot open for appending: %s",
			  strerror(errno));
		error_set_file(err, path);
		return -1;
	}
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	while ((rc = fcntl(fd, F_SETLKW, &lk)) < 0 && errno == EINTR)
		;
	if (rc < 0 || fstat(fd, &st) < 0) {
		error_set(err, "cannot lock for appending: %s",
			  strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, "not a regular file: not appending to it");
		goto out;
	}
	if (st.st_size == 0) {
		/* New (or created empty by another that is about to write):
		 * the header first, under the lock. */
		struct buf head;

		buf_init(&head);
		gsnap_put_header(&head);
		rc = write_all(fd, head.p, head.len);
		buf_release(&head);
		if (rc < 0)
			goto fail;
		st.st_size = GSNAP_HEADER_SIZE;
	}
	if (st.st_size < GSNAP_HEADER_SIZE) {
		error_set(err,
			  "not a goroscope dump (%lld bytes): "
			  "cannot append to it",
			  (long long)st.st_size);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		error_set(err, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (gsnap_scan_init(&s, map, (size_t)st.st_size, err) < 0)
		goto out;
	/* Every record's framing and CRC: damage is said now (and left as
	 * it is: readers skip it, and nothing but a provably torn tail is
	 * ever cut), not after days of appending. */
	while (gsnap_scan_next(&s, &r, 1, err) > 0)
		;
	if (s.ndamage) {
		char why[600];

		gsnap_damage_warning(&s, why, sizeof(why));
		fprintf(stderr,
			"goroscope: %s: warning: %s; appending after "
			"it\n",
			path, why);
	}
	end = (off_t)(s.torn ? s.torn_offset : s.len);
	if (s.torn) {
		fprintf(stderr,
			"goroscope: %s: warning: dropping a torn record at "
			"offset 0x%llx (%zu bytes) left by an append that did "
			"not finish\n",
			path, (unsigned long long)s.torn_offset, s.torn_bytes);
		if (ftruncate(fd, end) < 0) {
			error_set(err, "cannot drop the torn record: %s",
				  strerror(errno));
			goto out;
		}
	}
	if (lseek(fd, end, SEEK_SET) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (write_all(fd, v[i].p, v[i].len) < 0)
			goto fail;
	if (fsync(fd) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	error_set(err, "cannot append: %s", strerror(errno));
	/* Leave the series as it was. */
	if (ftruncate(fd, end) == 0)
		(void)fsync(fd);
out:
	if (map)
		munmap(map, (size_t)st.st_size);
	close(fd); /* releases the lock */
	if (ret < 0)
		error_set_file(err, path);
	return ret;
}
