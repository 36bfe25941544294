/* Opening inputs: mmap, stdin, gzip, sniffing. */
#define _GNU_SOURCE /* madvise, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "formats/format.h"
#include "formats/input.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Below this, faulting pages in as the reader goes costs nothing much. */
#define PREFAULT_MIN (8u << 20)
/* How often the toucher says how far it got (a power of two). */
#define TOUCHED_STEP (1u << 20)
#define PAGE	     4096u

static void
input_reset(struct input *in)
{
	memset(in, 0, sizeof(*in));
	in->guard = -1;
}

/*
 * Mappings being read, for the SIGBUS handler. A file that shrinks while
 * it is mapped (truncated by its writer) faults on the pages past its new
 * end: the handler maps zeros there instead, notes it, and the read path
 * then refuses what was read (input_changed) rather than the process
 * dying of SIGBUS.
 */
#define MAX_GUARDED 64

static struct guarded {
	volatile uintptr_t lo, hi; /* hi 0: the slot is free */
	volatile sig_atomic_t hit;
} guarded[MAX_GUARDED];
static pthread_mutex_t guard_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction old_bus;
static int bus_installed;

static void
on_bus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	size_t k;

	(void)uc;
	for (k = 0; k < MAX_GUARDED; k++) {
		uintptr_t lo = guarded[k].lo, hi = guarded[k].hi;

		if (hi != 0 && a >= lo && a < hi) {
			uintptr_t page = a & ~(uintptr_t)(PAGE - 1);

			/* Zeros from here to the end of the mapping. */
			if (mmap((void *)page, hi - page, PROT_READ,
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
				 0) != MAP_FAILED) {
				guarded[k].hit = 1;
				return;
			}
		}
	}
	/* Not a mapping of ours: what SIGBUS would have done. */
	(void)sigaction(sig, &old_bus, NULL);
}

static int
guard(const void *p, size_t len)
{
	int k, slot = -1;

	pthread_mutex_lock(&guard_mu);
	if (!bus_installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_bus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &old_bus) == 0)
			bus_installed = 1;
	}
	for (k = 0; k < MAX_GUARDED && bus_installed; k++)
		if (guarded[k].hi == 0) {
			guarded[k].hit = 0;
			guarded[k].lo = (uintptr_t)p;
			__atomic_store_n(&guarded[k].hi, (uintptr_t)p + len,
					 __ATOMIC_RELEASE);
			slot = k;
			break;
		}
	pthread_mutex_unlock(&guard_mu);
	return slot;
}

static void
unguard(int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&guard_mu);
	__atomic_store_n(&guarded[slot].hi, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&guard_mu);
}

int
input_changed(const struct input *in)
{
	return in->guard >= 0 && guarded[in->guard].hit;
}

/*
 * Touch one byte per page of the mapping, ahead of the reader, on the other
 * core: the kernel's work of mapping the page cache (a fifth of the time of
 * a 100 MB dump) then overlaps the parsing instead of adding to it.
 */
static void *
prefault(void *arg)
{
	struct input *in = arg;
	const volatile unsigned char *p = in->map;
	unsigned sum = 0;
	size_t off;

	for (off = 0; off < in->maplen; off += PAGE) {
		if (__atomic_load_n(&in->stop, __ATOMIC_RELAXED))
			break;
		sum += p[off];
		if ((off & (TOUCHED_STEP - 1)) == 0)
			__atomic_store_n(&in->touched, off, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&in->touched, in->maplen, __ATOMIC_RELEASE);
	return (void *)(uintptr_t)sum;
}

static void
start_prefault(struct input *in)
{
	in->touched = 0;
	if (pthread_create(&in->toucher, NULL, prefault, in) == 0)
		in->prefaulting = 1;
	else
		in->touched = in->maplen;
}

static void
stop_prefault(struct input *in)
{
	if (!in->prefaulting)
		return;
	__atomic_store_n(&in->stop, 1, __ATOMIC_RELAXED);
	pthread_join(in->toucher, NULL);
	in->prefaulting = 0;
	__atomic_store_n(&in->touched, in->maplen, __ATOMIC_RELEASE);
}

void
input_release(struct input *in)
{
	stop_prefault(in);
	unguard(in->guard);
	if (in->map)
		munmap(in->map, in->maplen);
	free(in->owned);
	free(in->members);
	input_reset(in);
}

/*
 * Whether the first bytes of an input (inflated, when they are gzip) are
 * of a format goroscope reads: asked before a stream is read whole, or a
 * compressed file inflated whole, so that `show - </dev/zero` or a gzip
 * bomb of zeros stops after INPUT_SNIFF_BYTES. -1, with err saying what
 * the bytes look like, when not.
 *
 * Compressed bytes are inflated INPUT_SNIFF_FIRST first, which tells every
 * capture goroscope knows (a header, or a profile's first fields); only
 * when those are not enough does the inflating go on to INPUT_SNIFF_BYTES.
 * A profile of 60,000 stacks spent a tenth of its reading inflating 1 MiB
 * here with zlib before libdeflate inflated it all again.
 */
static int
sniff_prefix(const unsigned char *data, size_t len, struct error *err)
{
	unsigned char *out = NULL;
	z_stream z;
	size_t n = 0;
	int ret, zr;

	if (!(len >= 2 && data[0] == 0x1f && data[1] == 0x8b))
		return input_sniff(data, len, err) ? 0 : -1;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return 0; /* the whole read will say */
	out = xmalloc(INPUT_SNIFF_BYTES);
	z.next_in = (unsigned char *)data;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	z.next_out = out;
	z.avail_out = INPUT_SNIFF_FIRST;
	zr = inflate(&z, Z_SYNC_FLUSH);
	n = (size_t)(z.next_out - out);
	if (zr == Z_OK && z.avail_out == 0 &&
	    (n == 0 || input_sniff(out, n, err) == NULL)) {
		/* Not told yet, and there is more: the rest of the window. */
		z.avail_out = INPUT_SNIFF_BYTES - INPUT_SNIFF_FIRST;
		(void)inflate(&z, Z_SYNC_FLUSH);
		n = (size_t)(z.next_out - out);
	}
	inflateEnd(&z);
	/* Damage or nothing inflated: the whole read says what is wrong. */
	ret = n == 0 || input_sniff(out, n, err) != NULL ? 0 : -1;
	free(out);
	if (ret < 0) {
		size_t l = strlen(err->text);

		snprintf(err->text + l, sizeof(err->text) - l,
			 " (after gunzip)");
	}
	return ret;
}

/* What a pipe read from is asked to hold (Linux lets anyone ask for up
 * to /proc/sys/fs/pipe-max-size, 1 MiB by default). */
#define PIPE_BYTES (1 << 20)

static int
read_all(int fd, unsigned char **out, size_t *outlen, struct error *err)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int sniffed = 0;
#ifdef F_SETPIPE_SZ
	struct stat st;

	/*
	 * A pipe holds 64 KiB: the writer (cat, zcat, curl) and this reader
	 * woke each other some 16 times a megabyte, and `cat dump | goroscope
	 * show -` of a 100 MB dump took three to six times as long as the
	 * file. A hint only: it may be refused.
	 */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES);
#endif
	for (;;) {
		ssize_t got;

		if (!sniffed && len >= INPUT_SNIFF_BYTES) {
			/* Enough to know the format: stop a stream that is
			 * none before reading it all. */
			sniffed = 1;
			if (sniff_prefix(buf, len, err) < 0) {
				free(buf);
				return -1;
			}
		}

		if (len == cap) {
			if (cap >= INPUT_MAX_BYTES) {
				free(buf);
				return error_set(
					err,
					"input is larger than "
					"%llu bytes",
					(unsigned long long)INPUT_MAX_BYTES);
			}
			buf = xgrow(buf, 1, cap ? cap * 2 : 1 << 16, &cap);
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return error_set(err, "read failed: %s",
					 strerror(errno));
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * The most a compressed input of len bytes may inflate to: captures
 * compress 20 to 40 times (a dump of a million goroutines of one stack,
 * 22), so 250 times, or 64 MiB for small ones, leaves room; a gzip bomb
 * (1032 to 1) is refused long before memory runs out.
 */
static size_t
inflate_bound(size_t len)
{
	uint64_t b = (uint64_t)len * INPUT_MAX_RATIO;

	if (b < INPUT_MIN_INFLATE)
		b = INPUT_MIN_INFLATE;
	return b > INPUT_MAX_BYTES ? (size_t)INPUT_MAX_BYTES : (size_t)b;
}

/*
 * The common case at libdeflate's speed: one gzip member, nothing after
 * it, inflating to the size its trailer gives (ISIZE, the size mod 2^32),
 * max bytes at most. Returns 0, or -1 for zlib to read the file (more
 * members, padding, a wrong or forged size, damage), which also says what
 * is wrong.
 */
static int
gunzip_whole(unsigned char **out, size_t *outlen, const unsigned char *buf,
	     size_t len, size_t max)
{
	struct libdeflate_decompressor *d = NULL;
	enum libdeflate_result r;
	unsigned char *dst = NULL;
	size_t isize, in_used = 0, n = 0;

	if (len < 18)
		return -1;
	isize = (size_t)buf[len - 4] | (size_t)buf[len - 3] << 8 |
		(size_t)buf[len - 2] << 16 | (size_t)buf[len - 1] << 24;
	/* Deflate expands at most 1032 to 1; captures far less. */
	if (isize > max || isize > inflate_bound(len) || isize / 1032 > len)
		return -1;
	d = libdeflate_alloc_decompressor();
	if (d == NULL)
		return -1;
	dst = xtry_reallocarray(NULL, isize ? isize : 1, 1);
	if (dst == NULL) {
		libdeflate_free_decompressor(d);
		return -1; /* zlib's way says it, growing as it goes */
	}
	r = libdeflate_gzip_decompress_ex(d, buf, len, dst, isize, &in_used,
					  &n);
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || in_used != len || n != isize) {
		free(dst);
		return -1;
	}
	*out = dst;
	*outlen = n;
	return 0;
}

/* Note that a gzip member ends at offset n of the output. */
static void
member_end(size_t **ends, size_t *nends, size_t *cap, size_t n)
{
	if (ends == NULL)
		return;
	*ends = xgrow(*ends, sizeof(**ends), *nends + 1, cap);
	(*ends)[(*nends)++] = n;
}

/*
 * input_gunzip(), saying in *ends (when not NULL; the caller frees it)
 * where each member ends in the output; then a last member cut short
 * leaves the members before it, and says so in warning (160 bytes).
 */
static int
gunzip_members(unsigned char **out, size_t *outlen, const unsigned char *buf,
	       size_t len, size_t **ends, size_t *nends, char *warning,
	       struct error *err)
{
	z_stream z;
	unsigned char *dst = NULL;
	size_t cap = 0, n = 0, hint = len * 4, ecap = 0;
	size_t bound = inflate_bound(len);
	int zr = Z_OK, ret = -1;

	if (ends != NULL) {
		*ends = NULL;
		*nends = 0;
	}
	if (gunzip_whole(out, outlen, buf, len, SIZE_MAX) == 0) {
		member_end(ends, nends, &ecap, *outlen);
		return 0;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return error_set(err, "cannot initialise zlib");
	if (hint < (1 << 16))
		hint = 1 << 16;
	if (hint > bound)
		hint = bound;
	dst = xgrow(NULL, 1, hint, &cap);
	z.next_in = (unsigned char *)buf;
	for (;;) {
		size_t in_left =
			len - (size_t)((const unsigned char *)z.next_in - buf);

		if (n == cap) {
			unsigned char *more = NULL;

			if (cap >= bound) {
				error_set(err,
					  "gzip: inflates to more than %zu "
					  "bytes from %zu (%llu to 1, past "
					  "any capture: a gzip bomb?)",
					  bound, len,
					  (unsigned long long)(bound / len));
				goto out;
			}
			/* The size is the input's: out of memory is an
			 * error, not an abort. */
			more = xtry_reallocarray(
				dst, cap * 2 < bound ? cap * 2 : bound, 1);
			if (more == NULL) {
				error_set(err,
					  "gzip: out of memory inflating to "
					  "%zu bytes",
					  cap * 2);
				goto out;
			}
			dst = more;
			cap = cap * 2 < bound ? cap * 2 : bound;
		}
		z.avail_in = in_left > UINT32_MAX ? UINT32_MAX : (uInt)in_left;
		z.next_out = dst + n;
		z.avail_out =
			cap - n > UINT32_MAX ? UINT32_MAX : (uInt)(cap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = (size_t)(z.next_out - dst);
		if (zr == Z_STREAM_END) {
			const unsigned char *rest = z.next_in;
			size_t left = len - (size_t)(rest - buf);

			member_end(ends, nends, &ecap, n);
			/* Another member follows, or only padding. */
			if (left >= 2 && rest[0] == 0x1f && rest[1] == 0x8b) {
				inflateReset(&z);
				continue;
			}
			while (left > 0 && *rest == 0) {
				rest++;
				left--;
			}
			if (left > 0) {
				error_set_offset(err, (uint64_t)(rest - buf),
						 "gzip: unexpected bytes after "
						 "the compressed data");
				goto out;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && ends != NULL &&
		    *nends > 0) {
			/* The last of several members cut short: an append
			 * (`curl ... >> FILE.gz`) that did not finish. The
			 * whole members before it stand. */
			snprintf(warning, 160,
				 "gzip member %zu is cut short (an append that "
				 "did not finish?): read the %zu before it",
				 *nends + 1, *nends);
			n = (*ends)[*nends - 1];
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			error_set_offset(err, len,
					 "gzip: the compressed data ends early "
					 "(truncated file?)");
			goto out;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			error_set_offset(
				err,
				(uint64_t)((const unsigned char *)z.next_in -
					   buf),
				"gzip: corrupt data (%s)",
				z.msg ? z.msg : "inflate failed");
			goto out;
		}
	}
	*out = dst;
	*outlen = n;
	dst = NULL;
	ret = 0;
out:
	inflateEnd(&z);
	free(dst);
	if (ret < 0 && ends != NULL) {
		free(*ends);
		*ends = NULL;
		*nends = 0;
	}
	return ret;
}

int
input_gunzip(unsigned char **out, size_t *outlen, const unsigned char *buf,
	     size_t len, struct error *err)
{
	return gunzip_members(out, outlen, buf, len, NULL, NULL, NULL, err);
}

static int
open_file(struct input *in, const char *path, struct error *err)
{
	struct stat st;
	int fd = -1, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		error_set(err, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set(err, "is a directory");
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = NULL;

		if ((unsigned long long)st.st_size > INPUT_MAX_BYTES) {
			error_set(err, "input is larger than %llu bytes",
				  (unsigned long long)INPUT_MAX_BYTES);
			goto out;
		}
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			 0);
		if (p != MAP_FAILED) {
			(void)posix_madvise(p, (size_t)st.st_size,
					    POSIX_MADV_SEQUENTIAL);
			in->map = p;
			in->maplen = (size_t)st.st_size;
			in->data = p;
			in->len = in->maplen;
			in->guard = guard(p, in->maplen);
			/* Not for gzip: the mapping is dropped once inflated. */
			if (in->maplen >= PREFAULT_MIN &&
			    !(in->data[0] == 0x1f && in->data[1] == 0x8b))
				start_prefault(in);
			else
				in->touched = in->maplen;
			ret = 0;
			goto out;
		}
	}
	ret = read_all(fd, &in->owned, &in->len, err);
	in->data = in->owned;
out:
	close(fd);
	return ret;
}

/*
 * A gzip file of one member that inflates to the sniff's megabyte or less
 * (a profile, mostly), inflated whole by libdeflate into *out, then
 * sniffed as sniff_prefix() sniffs: its first 64 KiB, and when they do not
 * tell, all of it. Saves inflating its start twice (zlib for the sniff,
 * then libdeflate), a tenth of reading a series of profiles. Returns 1
 * when inflated and known, -1 (err set) when inflated and refused, 0 when
 * it is not such a file (sniff_prefix() and gunzip_members() then say).
 */
static int
gunzip_small(const unsigned char *buf, size_t len, unsigned char **out,
	     size_t *outlen, struct error *err)
{
	size_t first, l;

	if (gunzip_whole(out, outlen, buf, len, INPUT_SNIFF_BYTES) < 0)
		return 0;
	first = *outlen < INPUT_SNIFF_FIRST ? *outlen : INPUT_SNIFF_FIRST;
	if (*outlen == 0 || input_sniff(*out, first, err) != NULL)
		return 1;
	if (*outlen > first && input_sniff(*out, *outlen, err) != NULL)
		return 1;
	free(*out);
	*out = NULL;
	l = strlen(err->text);
	snprintf(err->text + l, sizeof(err->text) - l, " (after gunzip)");
	return -1;
}

/* What every input goes through once its bytes are in: gzip inflated,
 * emptiness refused. */
static int
prepare(struct input *in, const char *name, struct error *err)
{
	if (in->len >= 2 && in->data[0] == 0x1f && in->data[1] == 0x8b) {
		unsigned char *raw = NULL;
		size_t rawlen = 0, ecap = 0;
		int small = gunzip_small(in->data, in->len, &raw, &rawlen, err);

		if (small < 0)
			goto fail;
		if (small > 0)
			member_end(&in->members, &in->nmembers, &ecap, rawlen);
		if (small == 0 && sniff_prefix(in->data, in->len, err) < 0)
			goto fail;
		if (small == 0 &&
		    gunzip_members(&raw, &rawlen, in->data, in->len,
				   &in->members, &in->nmembers, in->warning,
				   err) < 0)
			goto fail;
		stop_prefault(in);
		if (input_changed(in)) {
			free(raw);
			error_set(err, "the file changed (it shrank) while it "
				       "was read: read it again once its "
				       "writer is done");
			goto fail;
		}
		unguard(in->guard);
		in->guard = -1;
		if (in->map)
			munmap(in->map, in->maplen);
		free(in->owned);
		in->map = NULL;
		in->owned = raw;
		in->data = raw;
		in->len = rawlen;
		in->gzipped = 1;
	}
	if (in->len == 0) {
		error_set(err, in->gzipped ? "empty input (after gunzip)"
					   : "empty input");
		goto fail;
	}
	return 0;
fail:
	error_set_file(err, name);
	input_release(in);
	return -1;
}

int
input_open(struct input *in, const char *path, struct error *err)
{
	int ret;

	input_reset(in);
	if (strcmp(path, "-") == 0) {
		ret = read_all(0, &in->owned, &in->len, err);
		in->data = in->owned;
	} else {
		ret = open_file(in, path, err);
	}
	if (ret < 0) {
		error_set_file(err, path);
		input_release(in);
		return -1;
	}
	return prepare(in, path, err);
}

int
input_take(struct input *in, unsigned char *buf, size_t len, const char *name,
	   struct error *err)
{
	input_reset(in);
	in->owned = buf;
	in->data = buf;
	in->len = len;
	return prepare(in, name, err);
}

/* Whether the first bytes look like text: UTF-8 without control bytes
 * other than blanks. */
static int
looks_like_text(const unsigned char *data, size_t len)
{
	size_t i = 0, n = len < 512 ? len : 512;

	while (i < n) {
		unsigned char c = data[i++];
		unsigned k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;

		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			return 0;
		if (c >= 0x80 && (k == 0 || c > 0xf4))
			return 0;
		for (; k > 0 && i < n; k--)
			if ((data[i++] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

const struct format *
input_sniff(const unsigned char *data, size_t len, struct error *err)
{
	const struct format *f = format_sniff(data, len);
	char shown[3 * 8 + 1] = "";
	size_t i, o = 0;

	if (f != NULL)
		return f;
	if (looks_like_text(data, len)) {
		for (i = 0;
		     i < len && i < 40 && data[i] != '\n' && data[i] != '\r';
		     i++)
			;
		error_set(err,
			  "text without goroutines: no line 'goroutine N "
			  "[state]:' and no 'goroutine profile: total N' "
			  "(it starts '%.*s')",
			  (int)i, (const char *)data);
		return NULL;
	}
	for (i = 0; i < len && i < 8; i++)
		o += (size_t)snprintf(shown + o, sizeof(shown) - o, "%s%02x",
				      i ? " " : "", data[i]);
	error_set(err,
		  "not a goroutine profile, goroutine dump or trace "
		  "(first bytes: %s)",
		  shown);
	return NULL;
}

/* Give the pages of [from, to) of in's mapping back (rounded inward). */
static void
unmap_pages(const struct input *in, size_t from, size_t to)
{
	uintptr_t base = (uintptr_t)in->map, a, b;

	a = (base + from + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	b = (base + to) & ~(uintptr_t)(PAGE - 1);
	if (b > a)
		/* posix_madvise's DONTNEED does nothing on Linux; this does
		 * (safe: a private mapping never written, read again from the
		 * file when touched). */
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

void
input_drop(void *arg, size_t from, size_t to)
{
	struct input *in = arg;

	if (in->map == NULL || in->data != in->map || to > in->maplen)
		return;
	/* The toucher would bring the pages back. */
	stop_prefault(in);
	unmap_pages(in, from, to);
}

void
input_drop_behind(void *arg, size_t from, size_t to)
{
	struct input *in = arg;
	size_t passed;

	if (in->map == NULL || in->data != in->map || to > in->maplen)
		return;
	passed = __atomic_load_n(&in->touched, __ATOMIC_ACQUIRE);
	unmap_pages(in, from, to < passed ? to : passed);
}
