/*
 * goroscope's native dump (.gsnap, DESIGN.md section 5; the byte layout is
 * man/goroscope-gsnap.5): a file header, then self-contained records, each
 * with its length and a CRC-32, one snapshot each, its tables and
 * goroutine records in raw-deflate sections.
 *
 * Reading is in two layers: a scan over the record framing (cheap: no
 * decompression), and a decoder that turns records into snapshots and
 * remembers the tables of the previous record, so that a series whose
 * records share their tables (the common case: one process captured again
 * and again) interns them once.
 */
#ifndef GSNAP_H
#define GSNAP_H

#include <stddef.h>
#include <stdint.h>

struct libdeflate_compressor;
struct libdeflate_decompressor;

#include "formats/format.h"
#include "lib/buf.h"

struct snapshot;
struct goroutine;
struct intern;
struct error;

#define GSNAP_MAJOR		 1
#define GSNAP_MINOR		 3
#define GSNAP_HEADER_SIZE	 16
#define GSNAP_RECORD_HEADER_SIZE 24
/* Largest record payload accepted (a record is one snapshot). */
#define GSNAP_MAX_RECORD (1ULL << 31)
/* Most goroutine records of one snapshot (a dump of 100 million
 * goroutines is more than any process holds). */
#define GSNAP_MAX_GOROUTINES (100000000ULL)

enum gsnap_record_type {
	GSNAP_REC_SNAPSHOT = 1,
};

int gsnap_sniff(const unsigned char *buf, size_t len);

/*
 * The format table's reader: every snapshot of the file to sink, each with
 * its record's position, instance and capture time (in an order of the
 * reader's choosing: the place of each says where it stands); with
 * o->latest_only, only the latest (by capture time, then position). A
 * torn last record is left out, and said in a snapshot's warning.
 */
int gsnap_read(struct intern *in, const unsigned char *buf, size_t len,
	       const struct read_opts *o, snapshot_sink sink, void *ctx,
	       struct error *err);

/* One record as framed in the file. */
struct gsnap_record {
	uint64_t offset; /* of its header in the file */
	unsigned index;	 /* 0-based position among the records */
	unsigned type;
	int64_t time_ns; /* capture time copied from the snapshot; 0 unknown */
	const unsigned char *payload;
	size_t len; /* of the payload */
	uint32_t crc;
};

/* Bytes of a series lost to damage, skipped to the next intact record. */
struct gsnap_damage {
	uint64_t offset;
	size_t bytes;
	const char *why; /* "CRC mismatch", "bad record magic", ... */
};

/* Damaged spans a scan remembers (it counts them all). */
#define GSNAP_MAX_DAMAGE 8

struct gsnap_scan {
	const unsigned char *buf;
	size_t len, off;
	unsigned major, minor;
	unsigned index; /* intact records so far */
	/* After the last record: a record cut short by the end of the file
	 * (a torn append) at torn_offset, torn_bytes long; not an error.
	 * Only bytes that are provably the start of an incomplete last
	 * record: a header cut short, or a length past the end of the file
	 * with no intact record after it. */
	int torn;
	uint64_t torn_offset;
	size_t torn_bytes;
	/* Damage skipped over (a CRC that does not hold, a flipped length
	 * or magic): the reader resyncs to the next intact record. */
	unsigned ndamage;
	size_t damaged_bytes;
	struct gsnap_damage damage[GSNAP_MAX_DAMAGE];
};

/* Check the file header. Fails on another file or a newer major version. */
int gsnap_scan_init(struct gsnap_scan *s, const unsigned char *buf, size_t len,
		    struct error *err);

/*
 * The next record into r: 1, or 0 at the end (see torn). With check_crc,
 * a record whose CRC does not hold is skipped as damage, as are bytes that
 * are no record (a flipped magic or length): the scan resyncs to the next
 * intact record (its magic, and a CRC that holds) and counts the loss in
 * s->damage; without, only the framing is looked at. Never fails: err is
 * unused (kept for the callers' shape).
 */
int gsnap_scan_next(struct gsnap_scan *s, struct gsnap_record *r, int check_crc,
		    struct error *err);

/* Say in buf what damage a scan skipped ("" when none). */
void gsnap_damage_warning(const struct gsnap_scan *s, char *buf, size_t size);

/* Verify r's CRC-32 (err names the record). */
int gsnap_check_crc(const struct gsnap_record *r, struct error *err);

/* The CRC-32 a record must carry: over bytes 4 to 19 of its header, then
 * its len payload bytes that follow the header. */
uint32_t gsnap_record_crc(const unsigned char *header, size_t len);

/* Say in buf that the scan found a torn last record (s->torn). */
void gsnap_torn_warning(const struct gsnap_scan *s, char *buf, size_t size);

struct gsnap_section_memo {
	const unsigned char *bytes; /* the stored section, borrowed */
	size_t len;
	uint32_t *map; /* local index -> id in the tables */
	size_t n, cap;
};

#define GSNAP_MAX_SECTIONS 8 /* the known ones: 1 to 6 */

/* A section of a record: where it is stored, and its bytes. */
struct gsnap_section {
	unsigned tag, enc;
	const unsigned char *stored; /* tag byte onwards, for reuse */
	size_t stored_len;
	const unsigned char *data; /* stored, or inflated */
	size_t len, raw_len;
	int deferred; /* left compressed: the previous record's table */
	const unsigned char *prev_stored; /* which, when deferred */
};

/*
 * What the previous record held, by section tag, so that gsnap_prepare()
 * need not inflate a table the decoder will reuse.
 */
struct gsnap_prev {
	const unsigned char *stored[GSNAP_MAX_SECTIONS];
	size_t len[GSNAP_MAX_SECTIONS];
};

/* The columns of the goroutines section, in file order. */
enum gsnap_column {
	COLUMN_FLAGS,
	COLUMN_STATE,
	COLUMN_STACK,
	COLUMN_CREATOR,
	COLUMN_LABELS,
	COLUMN_WEIGHT,
	COLUMN_BUBBLE,
	COLUMN_ID,
	COLUMN_CREATOR_ID,
	COLUMN_WAIT,
	/* 1.1: from execution traces; absent from 1.0 files */
	COLUMN_WAIT_NS,	 /* exact wait + 1, 0 unknown */
	COLUMN_CREATION, /* creation stack + 1, 0 unknown */
	COLUMN_IN_TRACE, /* 1: created during the trace */
	GSNAP_COLUMNS,
};
#define GSNAP_COLUMNS_1_0 (COLUMN_WAIT + 1)

/*
 * A record taken apart as far as it can be without the tables: CRC
 * checked, sections inflated, goroutine columns parsed. Independent of the
 * decoder, so a reader thread can prepare the next record while the
 * caller uses this one.
 */
struct gsnap_prepared {
	struct gsnap_record r;
	struct gsnap_section sec[GSNAP_MAX_SECTIONS];
	unsigned nsec;
	struct buf inflated[GSNAP_MAX_SECTIONS];
	uint64_t *col[GSNAP_COLUMNS]; /* local indices and values, when
					 listed (not constant) */
	size_t colcap[GSNAP_COLUMNS];
	size_t n, nid, ncr, nwait; /* records; with an id, creator id, wait */
	/* Columns stored as one value for every record (or absent, 0). */
	unsigned char constant[GSNAP_COLUMNS];
	uint64_t cval[GSNAP_COLUMNS];
	struct libdeflate_decompressor *inflater; /* made on first use */
};

struct gsnap_decoder {
	struct intern *in;
	struct gsnap_section_memo strings, frames, stacks, labelsets;
	uint32_t *tmp;
	size_t tmpcap;
	unsigned reused; /* table sections taken from the previous record */
	struct gsnap_prepared prep; /* for gsnap_decode() */
	struct goroutine *gbuf; /* records, reused from snapshot to snapshot */
	size_t gcap;
};

void gsnap_decoder_init(struct gsnap_decoder *d, struct intern *in);
void gsnap_decoder_release(struct gsnap_decoder *d);

/*
 * Decode record r into out (initialised over d->in): gsnap_prepare() and
 * gsnap_apply(). The caller checks the CRC (gsnap_scan_next). err names
 * the record, its offset and, for a bad section, the section and the
 * offset in its uncompressed bytes.
 */
int gsnap_decode(struct gsnap_decoder *d, const struct gsnap_record *r,
		 struct snapshot *out, struct error *err);

/*
 * The first half of decoding, needing no tables (thread-safe on its own
 * p); checks the CRC when check_crc. With prev (the record before, in the
 * order the decoder sees them; updated here), a table section equal to
 * the previous one is left compressed.
 */
int gsnap_prepare(struct gsnap_prepared *p, const struct gsnap_record *r,
		  int check_crc, struct gsnap_prev *prev, struct error *err);

/* The second half: tables interned (or reused), goroutines mapped. */
int gsnap_apply(struct gsnap_decoder *d, const struct gsnap_prepared *p,
		struct snapshot *out, struct error *err);

void gsnap_prepared_release(struct gsnap_prepared *p);

/* Writing. The encoder keeps its index arrays from record to record. */
struct gsnap_encoder {
	const struct intern *in;
	uint32_t *str_local, *frame_local, *stack_local, *label_local;
	size_t str_cap, frame_cap, stack_cap, label_cap;
	uint32_t *strs, *frames, *stacks, *labels; /* used ids */
	size_t nstrs, nframes, nstacks, nlabels;
	size_t strs_cap, frames_cap, stacks_cap, labels_cap;
	struct buf sec, z;
	struct libdeflate_compressor *deflater; /* level 6 */
	uint64_t *col;
	size_t colcap;
};

void gsnap_encoder_init(struct gsnap_encoder *e, const struct intern *in);
void gsnap_encoder_release(struct gsnap_encoder *e);

/* Append the file header to out. */
void gsnap_put_header(struct buf *out);

/* Append one record holding s (whose tables are e->in) to out. */
void gsnap_encode(struct gsnap_encoder *e, const struct snapshot *s,
		  struct buf *out);

#endif
