/*
 * Opening an input for the read path (formats/source.h): a file (mapped,
 * not copied) or stdin ("-"), gzip inflated (every member), the format
 * sniffed from the bytes.
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
/* Bytes of a stream (stdin) or of a compressed input's inflated start read
 * before its format must be known. */
#define INPUT_SNIFF_BYTES (1u << 20)
/* Of those, inflated first: enough for any capture that starts as one. */
#define INPUT_SNIFF_FIRST (64u << 10)
/* A compressed input inflates to at most INPUT_MAX_RATIO times its size,
 * or INPUT_MIN_INFLATE for a small one. */
#define INPUT_MAX_RATIO	  250u
#define INPUT_MIN_INFLATE (64u << 20)

struct input {
	const unsigned char *data; /* the bytes to parse */
	size_t len;
	void *map; /* mmap'ed file, or NULL */
	size_t maplen;
	unsigned char *owned; /* read or inflated buffer, or NULL */
	int gzipped;	      /* the file was gzip */
	size_t *members;      /* where each gzip member ends in data */
	size_t nmembers;
	char warning[160]; /* about the bytes, or "": a torn member */
	pthread_t toucher; /* faults the mapping in ahead of us */
	int prefaulting, stop;
	size_t touched; /* the toucher never comes back below this offset */
	int guard;	/* its slot among the mappings SIGBUS is caught for */
};

/*
 * Open path ("-" is stdin), map or read it, inflate gzip. On failure err
 * names the file and says why (empty, a directory, corrupt gzip, ...).
 */
int input_open(struct input *in, const char *path, struct error *err);

/*
 * The same over bytes already read (a response fetched from a URL): in
 * takes buf over (malloc'ed; freed by input_release, also on failure);
 * name is for messages.
 */
int input_take(struct input *in, unsigned char *buf, size_t len,
	       const char *name, struct error *err);
void input_release(struct input *in);

/*
 * Whether the mapped file shrank while it was read (its writer truncated
 * it): the pages past its new end read as zeros instead of killing the
 * process with SIGBUS, and what was read from them must not be trusted.
 */
int input_changed(const struct input *in);

/*
 * Inflate the gzip stream buf[0..len) (all members) into a new buffer that
 * the caller frees. Exposed for tests and fuzzing.
 */
int input_gunzip(unsigned char **out, size_t *outlen, const unsigned char *buf,
		 size_t len, struct error *err);

/*
 * A reader is done with bytes [from, to) of in (a struct input) for now:
 * when they are a mapping of the file, their pages leave memory (the
 * kernel reads them again if they are touched). For read_opts.drop.
 */
void input_drop(void *in, size_t from, size_t to);

/*
 * The same while the reading goes on elsewhere in the input, from any
 * thread: the toucher is left running, so only the pages it has already
 * passed leave memory (it would fault the others in again). For
 * read_opts.drop_behind.
 */
void input_drop_behind(void *in, size_t from, size_t to);

/* The format of data, or NULL with err saying what the bytes look like. */
const struct format *input_sniff(const unsigned char *data, size_t len,
				 struct error *err);

#endif
