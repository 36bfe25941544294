/*
 * The one loader: a file (mapped, not copied) or stdin ("-"), gzip inflated
 * (every member), the format sniffed from the bytes and its reader called.
 */
#ifndef INPUT_H
#define INPUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct snapshot;
struct error;
struct format;

/* Largest input accepted, after decompression. */
#define INPUT_MAX_BYTES (16ULL << 30)

struct input {
	const unsigned char *data; /* the bytes to parse */
	size_t len;
	void *map; /* mmap'ed file, or NULL */
	size_t maplen;
	unsigned char *owned; /* read or inflated buffer, or NULL */
	int gzipped;	      /* the file was gzip */
	pthread_t toucher;    /* faults the mapping in ahead of us */
	int prefaulting, stop;
};

/*
 * Open path ("-" is stdin), map or read it, inflate gzip. On failure err
 * names the file and says why (empty, a directory, corrupt gzip, ...).
 */
int input_open(struct input *in, const char *path, struct error *err);
void input_release(struct input *in);

/*
 * Inflate the gzip stream buf[0..len) (all members) into a new buffer that
 * the caller frees. Exposed for tests and fuzzing.
 */
int input_gunzip(unsigned char **out, size_t *outlen, const unsigned char *buf,
		 size_t len, struct error *err);

/*
 * Load the snapshot in path into out (initialised with its tables): open,
 * sniff, read, and record the source path and format. err names the file.
 */
int input_load(struct snapshot *out, const char *path, struct error *err);

/* Name the snapshot read from path: its source, or, when the reader set
 * the source (a .gsnap record), its container. */
void input_name(struct snapshot *s, const char *path);

/*
 * The files a command-line operand names: a directory stands for the
 * regular files in it (not hidden ones), sorted by name; anything else for
 * itself. Appends xstrdup'ed paths to *paths (caller frees each and the
 * array). Fails when a directory cannot be read.
 */
int input_expand(const char *operand, char ***paths, size_t *n,
		 struct error *err);

/*
 * A reader is done with bytes [from, to) of in (a struct input) for now:
 * when they are a mapping of the file, their pages leave memory (the
 * kernel reads them again if they are touched). For trace_opts.drop.
 */
void input_drop(void *in, size_t from, size_t to);

/* Whether the operand is a directory. */
int input_is_dir(const char *operand);

/* The format of data, or NULL with err saying what the bytes look like. */
const struct format *input_sniff(const unsigned char *data, size_t len,
				 struct error *err);

#endif
