/*
 * The table of input formats, and the contract of their readers. Formats
 * are recognised from the bytes, never from the file name.
 *
 * Every reader is a pure function over bytes that feeds a sink: it hands
 * each snapshot it finds to the sink in turn (a single-capture format calls
 * it once), with what it knows of the snapshot's place: capture time,
 * instance (a .gsnap record's), and its position in the bytes. Opening,
 * inflating, sniffing and naming are the read path's (formats/source.h).
 *
 * Adding a format:
 *  1. formats/NAME.{c,h} with NAME_sniff() and NAME_read() of the shapes
 *     below, pure functions over bytes (see textdump.h);
 *  2. a row in formats[] (format.c), more specific sniffers first;
 *  3. a fuzz target tests/fuzz/fuzz_NAME.c with a seed corpus, replayed by
 *     `make check`;
 *  4. golden cases under testdata/cases/ and a line in man/goroscope.1.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>
#include <stdint.h>

struct snapshot;
struct intern;
struct error;

/*
 * Receives each snapshot in turn; the snapshot is the reader's, valid
 * during the call (the sink may take its records by swapping them out). A
 * non-zero return stops the reading and is returned.
 */
typedef int (*snapshot_sink)(struct snapshot *s, void *ctx);

/* Where to sample an execution trace. */
enum trace_sampling {
	SAMPLE_END = 0, /* one snapshot, at the end */
	SAMPLE_AT,	/* one snapshot, at `at` ns after the start */
	SAMPLE_EVENLY,	/* `count` points evenly spaced, the first at the
			   start (unless count is 1), the last at the end */
	SAMPLE_EVERY,	/* every `every` ns from the start, and the end */
};

/*
 * How to read: one struct for every reader and every command. Zero is the
 * default for every field.
 */
struct read_opts {
	unsigned threads; /* at most this many (0: one per core) */
	/* Execution traces: the points to sample (SAMPLE_END: the end). */
	enum trace_sampling sampling;
	int64_t at, every; /* ns */
	unsigned count;	   /* SAMPLE_EVENLY's points, 0: the default */
	/* Each input's snapshots in the order of its bytes, for a sink that
	 * writes them as they come; otherwise a reader of many may hand them
	 * over in the order it reads fastest, each with its place. */
	int file_order;
	/* Only the latest snapshot of each source is wanted (show): a reader
	 * of many may skip the others (the delivered snapshot's `held` still
	 * says how many there are). */
	int latest_only;
	/* Readers of large inputs report progress here (done of total
	 * bytes) when set. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* URL sources (formats/fetch.h): the request's timeout in ms (0: the
	 * default) and extra headers ("Key: value"); the path of a URL that
	 * names none (NULL: the goroutine profile) and a query for one
	 * without ("debug=2", or NULL); the instance of their snapshots
	 * (NULL: the URL's host:port). */
	long timeout_ms;
	const char *const *headers;
	unsigned nheaders;
	const char *url_path, *url_query, *instance;
	/* Set by the read path: a reader may say it is done with bytes
	 * [from, to) of its input for now (their pages leave memory). */
	void (*drop)(void *ctx, size_t from, size_t to);
	void *drop_ctx;
	/* The same while the reading goes on elsewhere, from any thread
	 * (with drop_ctx): a reader of a dump in parallel says so of each
	 * part it is done with. */
	void (*drop_behind)(void *ctx, size_t from, size_t to);
};

struct format {
	const char *name;	 /* as shown and stored: "debug=2" */
	const char *description; /* for messages and --help */
	int (*sniff)(const unsigned char *buf, size_t len);
	/*
	 * Every snapshot in buf[0..len), over the tables in, to sink, each
	 * with its position (in the order of the bytes unless the reader has
	 * a faster one and o->file_order is not set). Fails (err says where)
	 * when the bytes hold no snapshot or are damaged beyond what the
	 * format tolerates.
	 */
	int (*read)(struct intern *in, const unsigned char *buf, size_t len,
		    const struct read_opts *o, snapshot_sink sink, void *ctx,
		    struct error *err);
	/* Each member of a gzip file of several is a whole capture of its
	 * own (`curl .../goroutine >> profiles.pb.gz`): the read path reads
	 * them one by one. */
	int one_per_member;
};

/* The formats, in sniffing order; ends with a row whose name is NULL. */
extern const struct format formats[];

/* The format of buf, or NULL when none recognises it. */
const struct format *format_sniff(const unsigned char *buf, size_t len);

/* The format called name ("pprof", "debug=2", ...), or NULL. */
const struct format *format_find(const char *name);

/*
 * Read buf with f and keep the last snapshot it gives in out (initialised
 * over its tables by the caller): for tests and fuzzing, and for readers
 * built on others.
 */
int format_read_last(const struct format *f, struct snapshot *out,
		     const unsigned char *buf, size_t len,
		     const struct read_opts *o, struct error *err);

#endif
