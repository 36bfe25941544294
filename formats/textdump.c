/*
 * Goroutine dump reader. One pass over the lines; frames are looked up in
 * the frame table by the names as the input gives them (frames_hash), so a
 * frame seen before costs a hash of a few words and two memcmps with the
 * string table's copies.
 */
#define _GNU_SOURCE /* memmem, memrchr */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/lines.h"
#include "formats/textdump.h"
#include "lib/error.h"
#include "lib/gostr.h"
#include "lib/hash.h"
#include "lib/idmap.h"
#include "lib/u64map.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define SNIFF_WINDOW (1u << 20)
#define ELIDED_TAIL  " frames elided..." /* after "...N" (Go 1.21+) */

/*
 * A frame whose function the string table keeps under another name than
 * the input's (a generic function's "F[go.shape.int]" is "F[...]", "panic"
 * is "runtime.gopanic"), or whose names are longer than it keeps: the frame
 * table cannot be probed by the input's bytes, so the reader keeps these
 * by those bytes.
 */
struct raw_frame {
	const char *func, *file; /* in the input */
	uint32_t funclen, filelen;
	uint32_t line;
	frameid id;
};

/*
 * A frame read but not looked up yet. A goroutine's frames are looked up
 * together when its block ends (lookup_pending), in the order they were
 * read, so every table gets the same ids; meanwhile the index slot each
 * needs was asked for as its lines were parsed, and the lookups find it
 * fetched instead of waiting on memory one frame at a time. With 600,000
 * distinct frames the frame table and its index are far larger than the
 * processor's caches.
 */
struct pending {
	struct line func, file;
	uint32_t line, hash;	/* hash: frames_hash() of the names read */
	uint32_t at;		/* index into r->frames, or PENDING_CREATOR */
	strid func_id, file_id; /* when known before the lookup, else NO_ID */
	int raw;		/* looked up among the raw frames */
};

#define PENDING_MAX	64u
#define PENDING_CREATOR UINT32_MAX
#define PENDING_DROPPED (UINT32_MAX - 1) /* past TEXTDUMP_MAX_FRAMES */
#define NO_ID		INTERN_NO_STR

/*
 * The string ids of names met lately (functions and files), by a hash of
 * their length and last bytes, one entry a slot: a new frame's function is
 * mostly one whose other frames came before, and finding it here is one
 * load of memory used lately, where the string table hashes the whole name
 * and probes an index, an array of pointers and the bytes.
 */
struct name_memo {
	const char *p; /* the string table's copy */
	uint32_t n;
	strid id;
};

#define NAME_MEMO 16384u

/* A traceback's message, by where its first marker line is. */
struct msg {
	size_t rec;	  /* the first goroutine after it */
	size_t off;	  /* of the marker line, or MSG_NONE */
	size_t prefixlen; /* of the prefix its lines carry */
};

#define MSG_NONE SIZE_MAX

struct reader {
	struct snapshot *s;
	struct intern *in;
	struct lines l;
	const char *prefix; /* constant prefix of the current block */
	size_t prefixlen;
	uint32_t *frames;
	size_t nframes, capframes;
	int cut;    /* this goroutine has more than TEXTDUMP_MAX_FRAMES */
	int system; /* the goroutine finished last is the runtime's own */
	size_t nframes_last; /* frames of the goroutine last finished */
	struct raw_frame *raw;
	size_t nraw, capraw;
	struct idmap raw_index;
	struct goroutine *g; /* the goroutine being read */
	struct pending pend[PENDING_MAX];
	unsigned npend;
	struct name_memo *names; /* NAME_MEMO of them */
	char *scratch;		 /* unquoted label text */
	size_t scratchcap;
	uint32_t pairs[2 * INTERN_MAX_LABELS];
	uint32_t npairs;
	/* Where a new capture may start (see split_captures). */
	struct hints *hints;
	unsigned pending;      /* hint flags for the next goroutine */
	uint64_t pending_line; /* of the marker line */
	/* A traceback's message: the first marker line of the latest text
	 * between goroutines that has one, until a goroutine takes it. */
	const char *base;   /* the input's first byte */
	const char *region; /* where the text since the last block began */
	int region_msg;	    /* that text has a marker line */
	struct msg msg;	    /* the message pending (off MSG_NONE: none) */
};

/*
 * What a capture's start looks like, noted per goroutine as the lines are
 * read, so that several dumps appended to one file can be told apart.
 */
enum hint_flag {
	HINT_MARKER = 1 << 0,  /* "panic: ", "fatal error: ", "SIGQUIT: "...
				  before it, since the last goroutine */
	HINT_NOBLANK = 1 << 1, /* its header follows the previous
				  goroutine's lines without a blank line */
	HINT_RUNNING = 1 << 2, /* "[running]" with a stack of its own: the
				  goroutine a traceback prints first */
};

struct hint {
	size_t rec;	/* index of the goroutine record */
	uint64_t line;	/* of its header, or of the marker line */
	unsigned flags; /* enum hint_flag */
};

struct hints {
	struct hint *v;
	size_t n, cap;
	struct msg *m; /* messages, in the order of their goroutines */
	size_t nm, capm;
};

struct mark {
	const char *cur;
	uint64_t lineno;
};

static struct mark
mark(const struct reader *r)
{
	struct mark m = { r->l.cur, r->l.lineno };

	return m;
}

static void
rewind_to(struct reader *r, struct mark m)
{
	r->l.cur = m.cur;
	r->l.lineno = m.lineno;
}

static int
ends(const char *p, size_t n, const char *lit, size_t litlen)
{
	return n >= litlen && memcmp(p + n - litlen, lit, litlen) == 0;
}

#define ENDS(p, n, lit) ends((p), (n), (lit), sizeof(lit) - 1)

/* Whether the line just read is the input's last and has no newline: Go
 * ends every line of a dump with one, so the capture was cut there. */
static int
at_cut(const struct reader *r)
{
	return r->l.unterminated && r->l.cur >= r->l.end;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
skip(struct reader *r, const struct line *ln)
{
	snapshot_skip_line(r->s, r->l.lineno, ln->p, ln->n);
}

/* --- frames ------------------------------------------------------------- */

/*
 * Parse a location line ("\t/path/file.go:123 +0x1d fp=... sp=... pc=...").
 * Sets *loc to the raw "file:line" text. Returns 0 when it is not one.
 */
static int
parse_location(const struct line *ln, struct line *file, uint32_t *lineno,
	       struct line *loc)
{
	const char *p = ln->p, *e = ln->p + ln->n, *colon = NULL;
	uint64_t v = 0;
	size_t d;

	if (ln->n == 0 || (p[0] != '\t' && p[0] != ' '))
		return 0;
	while (p < e && (*p == '\t' || *p == ' '))
		p++;
	colon = memrchr(p, ':', (size_t)(e - p));
	if (colon == NULL || colon == p) {
		/* A C frame from a cgo symbolizer: "\tpc=0x...". */
		if (e - p >= 3 && memcmp(p, "pc=", 3) == 0) {
			file->p = loc->p = p;
			file->n = loc->n = 0;
			*lineno = 0;
			return 1;
		}
		return 0;
	}
	d = parse_u64(colon + 1, (size_t)(e - colon - 1), &v);
	if (d == 0 || v > UINT32_MAX)
		return 0;
	if (colon + 1 + d < e && colon[1 + d] != ' ')
		return 0;
	file->p = loc->p = p;
	file->n = (size_t)(colon - p);
	loc->n = (size_t)(colon + 1 + d - p);
	*lineno = (uint32_t)v;
	return 1;
}

static uint64_t
tail64(const struct line *l, size_t back)
{
	return frames_tail64(l->p, l->n, back);
}

/* The id of the string ln if the table has it, else NO_ID. */
static strid
find_name(struct reader *r, const struct line *ln)
{
	const struct strtab *st = &r->in->strings;
	uint64_t h = (tail64(ln, 0) * 0x9e3779b97f4a7c15ULL) ^
		     (tail64(ln, 8) * 0xc2b2ae3d27d4eb4fULL) ^
		     ((uint64_t)ln->n * 0xff51afd7ed558ccdULL);
	struct name_memo *m = &r->names[hash_fold(h) & (NAME_MEMO - 1)];
	int64_t id;

	if (m->p != NULL && m->n == ln->n && memcmp(m->p, ln->p, ln->n) == 0)
		return m->id;
	id = strtab_find(st, ln->p, ln->n);
	if (id < 0)
		return NO_ID;
	m->id = (strid)id;
	m->p = strtab_str(st, m->id);
	m->n = (uint32_t)ln->n;
	return m->id;
}

/* Whether the frame table may keep func under another name, or the
 * names cut short (see struct raw_frame). */
static int
is_raw(const struct line *func, const struct line *file)
{
	return memchr(func->p, '[', func->n) != NULL ||
	       (func->n == 5 && memcmp(func->p, "panic", 5) == 0) ||
	       func->n > STRTAB_MAX_LEN || file->n > STRTAB_MAX_LEN;
}

/* A raw frame (struct raw_frame), from the reader's own table or interned
 * and kept there. */
static frameid
raw_frame(struct reader *r, const struct pending *p)
{
	uint32_t pos = 0, i;
	struct raw_frame *c = NULL;
	const char *name = p->func.p;
	size_t namelen = p->func.n;

	for (i = idmap_first(&r->raw_index, p->hash, &pos); i != IDMAP_NONE;
	     i = idmap_next(&r->raw_index, p->hash, &pos)) {
		c = &r->raw[i];
		if (c->line == p->line && c->funclen == p->func.n &&
		    c->filelen == p->file.n &&
		    memcmp(c->func, p->func.p, p->func.n) == 0 &&
		    memcmp(c->file, p->file.p, p->file.n) == 0)
			return c->id;
	}
	if (namelen == 5 && memcmp(name, "panic", 5) == 0) {
		/* The runtime prints runtime.gopanic as plain "panic". */
		name = "runtime.gopanic";
		namelen = 15;
	}
	r->raw = xgrow(r->raw, sizeof(*r->raw), r->nraw + 1, &r->capraw);
	c = &r->raw[r->nraw];
	c->func = p->func.p;
	c->funclen = (uint32_t)p->func.n;
	c->file = p->file.p;
	c->filelen = (uint32_t)p->file.n;
	c->line = p->line;
	c->id = intern_frame(r->in, name, namelen, p->file.p, p->file.n,
			     p->line);
	idmap_insert_after_miss(&r->raw_index, p->hash, pos, (uint32_t)r->nraw);
	r->nraw++;
	return c->id;
}

/* The frame of a pending frame, looked up by its names or interned. */
static frameid
lookup_frame(struct reader *r, const struct pending *p)
{
	if (p->raw)
		return raw_frame(r, p);
	return intern_frame_bytes(r->in, p->hash, p->func.p, p->func.n,
				  p->file.p, p->file.n, p->line, p->func_id,
				  p->file_id);
}

/*
 * Before the lookups: fetch the frame a pending frame likely is, or when
 * no frame has its hash (a frame new to the table), find its names.
 */
static void
prepare_pending(struct reader *r, struct pending *p)
{
	strid f, fl;

	p->func_id = p->file_id = NO_ID;
	if (p->raw || frames_prefetch_match(&r->in->frames, p->hash))
		return;
	f = find_name(r, &p->func);
	fl = f == NO_ID ? NO_ID : find_name(r, &p->file);
	if (fl == NO_ID)
		return;
	p->func_id = f;
	p->file_id = fl;
}

/* Look the pending frames up, in the order they were read. */
static void
lookup_pending(struct reader *r)
{
	unsigned k;

	for (k = 0; k < r->npend; k++)
		prepare_pending(r, &r->pend[k]);
	for (k = 0; k < r->npend; k++) {
		const struct pending *p = &r->pend[k];
		frameid id = lookup_frame(r, p);

		if (p->at == PENDING_CREATOR)
			r->g->creator = id;
		else if (p->at != PENDING_DROPPED)
			r->frames[p->at] = id;
	}
	r->npend = 0;
}

/* A frame to look up with the others of its goroutine, into r->frames[at]
 * or the goroutine's creator; its index slot is fetched meanwhile. */
static void
add_pending(struct reader *r, const struct line *func, const struct line *file,
	    uint32_t lineno, uint32_t at)
{
	struct pending *p = NULL;

	if (r->npend == PENDING_MAX)
		lookup_pending(r);
	p = &r->pend[r->npend++];
	p->func = *func;
	p->file = *file;
	p->line = lineno;
	p->hash = frames_hash(func->p, func->n, file->p, file->n, lineno);
	p->at = at;
	p->raw = is_raw(func, file);
	if (!p->raw)
		frames_prefetch(&r->in->frames, p->hash);
}

static void
push_frame(struct reader *r, frameid f)
{
	if (r->nframes >= TEXTDUMP_MAX_FRAMES) {
		/* Deeper than kept: the last frame kept becomes the mark of
		 * frames left out, as Go's own "...additional frames
		 * elided..." is (finish() sets G_ELIDED). */
		if (!r->cut)
			r->frames[TEXTDUMP_MAX_FRAMES - 1] = intern_frame(
				r->in, FRAME_ELIDED_NAME,
				strlen(FRAME_ELIDED_NAME), "", 0, 0);
		r->cut = 1;
		return;
	}
	if (r->nframes == r->capframes)
		r->frames = xgrow(r->frames, sizeof(*r->frames), r->nframes + 1,
				  &r->capframes);
	r->frames[r->nframes++] = f;
}

static void
push_named(struct reader *r, const char *name)
{
	lookup_pending(r); /* interned in the order read */
	push_frame(r, intern_frame(r->in, name, strlen(name), "", 0, 0));
}

/* A frame of the stack, looked up with the others of its goroutine; past
 * TEXTDUMP_MAX_FRAMES, at once (push_frame interns the elision mark). */
static void
push_read(struct reader *r, const struct line *func, const struct line *file,
	  uint32_t lineno)
{
	if (r->nframes >= TEXTDUMP_MAX_FRAMES) {
		/* Looked up at once, before push_frame() interns the mark. */
		add_pending(r, func, file, lineno, PENDING_DROPPED);
		lookup_pending(r);
		push_frame(r, 0);
		return;
	}
	push_frame(r, 0);
	add_pending(r, func, file, lineno, (uint32_t)(r->nframes - 1));
}

/*
 * The function name of a function line: the text before the last '(' when
 * the line ends with ')'; a whole line without parentheses is accepted as a
 * C function name (cgo symbolizer) by the caller. Returns 0 if malformed.
 */
static int
func_name(const struct line *ln, struct line *name)
{
	const char *open = NULL;

	if (ln->n == 0 || ln->p[ln->n - 1] != ')')
		return 0;
	open = memrchr(ln->p, '(', ln->n);
	if (open == NULL || open == ln->p)
		return 0;
	name->p = ln->p;
	name->n = (size_t)(open - ln->p);
	return 1;
}

/* --- lines of a block ------------------------------------------------- */

/*
 * Strip the block's prefix. Returns 0 for a line that does not carry it
 * (the block has ended); a line that is the prefix alone, or the prefix
 * without its trailing blanks, becomes empty.
 */
static int
strip_prefix_of(const char *prefix, size_t pl, struct line *ln)
{
	if (pl == 0)
		return 1;
	if (ln->n >= pl && memcmp(ln->p, prefix, pl) == 0) {
		ln->p += pl;
		ln->n -= pl;
		return 1;
	}
	while (pl > 0 && (prefix[pl - 1] == ' ' || prefix[pl - 1] == '\t'))
		pl--;
	if (ln->n <= pl && memcmp(ln->p, prefix, ln->n) == 0) {
		ln->n = 0;
		return 1;
	}
	return 0;
}

static int
strip_prefix(const struct reader *r, struct line *ln)
{
	return strip_prefix_of(r->prefix, r->prefixlen, ln);
}

/*
 * Read the next line of the block into ln, prefix stripped. Returns 0 at the
 * end of the input or when the line does not belong to the block (it is then
 * left unread).
 */
static int
block_line(struct reader *r, struct line *ln)
{
	struct mark m = mark(r);

	if (!lines_next(&r->l, ln))
		return 0;
	if (!strip_prefix(r, ln)) {
		rewind_to(r, m);
		return 0;
	}
	return 1;
}

/* A register dump line after a SIGQUIT dump: "rax    0x1c", "rflags 0x246". */
static int
is_register(const struct line *ln)
{
	size_t i = 0, j;

	while (i < ln->n && i < 8 &&
	       ((ln->p[i] >= 'a' && ln->p[i] <= 'z') ||
		(ln->p[i] >= '0' && ln->p[i] <= '9')))
		i++;
	if (i < 2 || i >= ln->n || ln->p[i] != ' ')
		return 0;
	while (i < ln->n && ln->p[i] == ' ')
		i++;
	if (ln->n - i < 3 || ln->p[i] != '0' || ln->p[i + 1] != 'x')
		return 0;
	for (j = i + 2; j < ln->n; j++)
		if (!((ln->p[j] >= '0' && ln->p[j] <= '9') ||
		      (ln->p[j] >= 'a' && ln->p[j] <= 'f')))
			return 0;
	return 1;
}

/* Lines Go prints after a dump, which end a block without a blank line. */
static int
is_trailer(const struct line *ln)
{
	static const char *const trailers[] = {
		"exit status ", "panic: ", "fatal error: ",  "[signal ",
		"SIGQUIT",	"PC=",	   "runtime stack:", "-----",
		"FAIL",		"ok  ",	   "--- FAIL",	     NULL,
	};
	size_t i;

	for (i = 0; trailers[i]; i++)
		if (line_starts(ln, trailers[i], strlen(trailers[i])))
			return 1;
	return is_register(ln);
}

/* --- header ------------------------------------------------------------ */

struct header {
	uint64_t id;
	struct line status; /* with suffixes */
	struct line items;  /* ", "-separated annotations after status */
	struct line labels; /* "{...}" of either label form, or empty */
};

/* The first ", " in [p, e), or NULL. */
static const char *
find_sep(const char *p, const char *e)
{
	while (p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));

		if (c == NULL || c + 1 >= e)
			return NULL;
		if (c[1] == ' ')
			return c;
		p = c + 1;
	}
	return NULL;
}

/* The first ']' or '}' (close) at nesting 0 outside quoted strings. */
static const char *
scan_close(const char *p, const char *e, char close)
{
	int q = 0;

	for (; p < e; p++) {
		if (q) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				q = 0;
		} else if (*p == '"') {
			q = 1;
		} else if (*p == close) {
			return p;
		}
	}
	return NULL;
}

/* Parse "goroutine N [gp=...] [status...]{labels}:" at ln. */
static int
parse_header(const struct line *ln, struct header *h)
{
	const char *p = ln->p + 10, *e = ln->p + ln->n, *close = NULL, *lab;
	size_t d;

	memset(h, 0, sizeof(*h));
	if (ln->n < 14 || memcmp(ln->p, "goroutine ", 10) != 0 || e[-1] != ':')
		return 0;
	d = parse_u64(p, (size_t)(e - p), &h->id);
	if (d == 0)
		return 0;
	p += d;
	if (e - p >= 4 && memcmp(p, " gp=", 4) == 0) {
		const char *b = memmem(p, (size_t)(e - p), " [", 2);

		if (b == NULL)
			return 0;
		p = b;
	}
	if (e - p < 4 || p[0] != ' ' || p[1] != '[')
		return 0;
	p += 2;
	close = scan_close(p, e - 1, ']');
	if (close == NULL)
		return 0;
	/* Go 1.26 GODEBUG=tracebacklabels=1: " labels:{...}" inside. */
	lab = memchr(p, '{', (size_t)(close - p)) == NULL
		      ? NULL
		      : memmem(p, (size_t)(close - p), " labels:{", 9);
	if (lab != NULL) {
		h->labels.p = lab + 8;
		h->labels.n = (size_t)(close - lab - 8);
	} else {
		lab = close;
	}
	h->status.p = p;
	h->status.n = (size_t)(lab - p);
	{
		const char *comma = find_sep(p, lab);

		if (comma != NULL) {
			h->status.n = (size_t)(comma - p);
			h->items.p = comma + 2;
			h->items.n = (size_t)(lab - comma - 2);
		}
	}
	/* Go 1.27: " {k: v}" after the bracket. */
	p = close + 1;
	if (p < e - 1) {
		if (e - 1 - p < 3 || p[0] != ' ' || p[1] != '{' || e[-2] != '}')
			return 0;
		h->labels.p = p + 1;
		h->labels.n = (size_t)(e - 1 - p - 1);
	}
	return 1;
}

/* Does ln start with a goroutine header? */
static int
header_at_start(const struct line *ln, struct header *h)
{
	/* Most lines are frames, and many start "github.com/": reject
	 * them before any parsing. */
	return ln->n >= 14 && memcmp(ln->p, "goroutine ", 10) == 0 &&
	       parse_header(ln, h);
}

/* Is there a goroutine header in ln? Sets *at to its offset. */
static int
find_header(const struct line *ln, size_t *at, struct header *h)
{
	struct line sub;
	const char *p = ln->p;

	if (ln->n >= 10 && memcmp(ln->p, "goroutine ", 10) == 0) {
		*at = 0;
		return parse_header(ln, h);
	}
	for (;;) {
		size_t left = ln->n - (size_t)(p - ln->p);

		p = memmem(p, left, "goroutine ", 10);
		if (p == NULL)
			return 0;
		sub.p = p;
		sub.n = ln->n - (size_t)(p - ln->p);
		if (parse_header(&sub, h)) {
			*at = (size_t)(p - ln->p);
			return 1;
		}
		p += 10;
	}
}

/* A label token: quoted, or bare up to ':' / ',' / end. */
static const char *
label_token(struct reader *r, const char *p, const char *e, strid *id)
{
	size_t outlen = 0, used;

	if (p < e && *p == '"') {
		used = gostr_unquote(p, (size_t)(e - p), r->scratch, &outlen);
		if (used == 0)
			return NULL;
		*id = strtab_intern(&r->in->strings, r->scratch, outlen);
		return p + used;
	}
	{
		const char *q = p;

		while (q < e && *q != ':' && *q != ',')
			q++;
		*id = strtab_intern(&r->in->strings, p, (size_t)(q - p));
		return q;
	}
}

/*
 * Parse "{k: v, "k 2": "v"}" (header labels of Go 1.26 and 1.27) into a
 * label set. Returns 0 when malformed.
 */
static int
parse_labels(struct reader *r, const struct line *lab, seqid *out)
{
	const char *p = lab->p + 1, *e = lab->p + lab->n - 1;

	r->npairs = 0;
	if (lab->n < 2 || lab->p[0] != '{' || e[0] != '}')
		return 0;
	if (lab->n > r->scratchcap) {
		r->scratch = xrealloc(r->scratch, lab->n);
		r->scratchcap = lab->n;
	}
	while (p < e) {
		strid k = 0, v = 0;

		p = label_token(r, p, e, &k);
		if (p == NULL || e - p < 2 || p[0] != ':' || p[1] != ' ')
			return 0;
		p = label_token(r, p + 2, e, &v);
		if (p == NULL)
			return 0;
		if (r->npairs < INTERN_MAX_LABELS) {
			r->pairs[2 * r->npairs] = k;
			r->pairs[2 * r->npairs + 1] = v;
			r->npairs++;
		}
		if (p == e)
			break;
		if (e - p < 2 || p[0] != ',' || p[1] != ' ')
			return 0;
		p += 2;
	}
	*out = intern_labels(r->in, r->pairs, r->npairs);
	return 1;
}

/* Split " (leaked)", " (scan)", " (durable)" off the status word. */
static void
parse_status(struct reader *r, struct line st, struct goroutine *g)
{
	for (;;) {
		if (ENDS(st.p, st.n, " (scan)")) {
			g->flags |= G_SCAN;
			st.n -= 7;
		} else if (ENDS(st.p, st.n, " (leaked)")) {
			g->flags |= G_LEAKED;
			st.n -= 9;
		} else if (ENDS(st.p, st.n, " (durable)")) {
			g->flags |= G_DURABLE;
			/* "chan receive (durable)" is a wait reason of its
			 * own (Go 1.25+); "sleep (durable)" is a suffix. */
			if (wait_classify(st.p, st.n) != WAIT_UNKNOWN)
				break;
			st.n -= 10;
		} else {
			break;
		}
	}
	g->state = find_name(r, &st); /* a few states, over and over */
	if (g->state == NO_ID)
		g->state = strtab_intern(&r->in->strings, st.p, st.n);
}

static void
parse_items(struct line it, struct goroutine *g)
{
	const char *p = it.p, *e = NULL;

	if (it.n == 0)
		return;
	e = it.p + it.n;

	while (p < e) {
		const char *comma = find_sep(p, e);
		const char *ie = comma ? comma : e;
		struct line item = { p, (size_t)(ie - p) };
		uint64_t v = 0;
		size_t d = parse_u64(item.p, item.n, &v);

		if (d > 0 && item.n == d + 8 &&
		    memcmp(item.p + d, " minutes", 8) == 0) {
			g->flags |= G_HAS_WAIT;
			g->wait_minutes =
				v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		} else if (LINE_STARTS(&item, "locked to thread")) {
			g->flags |= G_LOCKED;
		} else if (LINE_STARTS(&item, "synctest bubble ") ||
			   LINE_STARTS(&item, "synctest group ")) {
			const char *sp = memrchr(item.p, ' ', item.n);

			if (parse_u64(sp + 1, (size_t)(ie - sp - 1), &v) > 0)
				g->bubble = v > UINT32_MAX ? UINT32_MAX
							   : (uint32_t)v;
		}
		p = comma ? comma + 2 : e;
	}
}

/* --- blocks -------------------------------------------------------------- */

/* "created by F[ in goroutine N]" and its location line. */
static void
parse_creator(struct reader *r, const struct line *ln, struct goroutine *g)
{
	static const char in_g[] = " in goroutine ";
	struct line name = { ln->p + 11, ln->n - 11 }, next, file, loc;
	uint32_t lineno = 0;
	struct mark m = mark(r);
	size_t d = 0, il = sizeof(in_g) - 1;
	int cut = 0;

	/* "created by F in goroutine N" (Go 1.21+) */
	while (d < name.n && is_digit(name.p[name.n - 1 - d]))
		d++;
	if (d > 0 && name.n > d + il &&
	    memcmp(name.p + name.n - d - il, in_g, il) == 0) {
		uint64_t v = 0;

		if (parse_u64(name.p + name.n - d, d, &v) == d) {
			g->creator_id = v;
			g->flags |= G_HAS_CREATOR_ID;
		}
		name.n -= d + il;
	}
	if (block_line(r, &next)) {
		if (parse_location(&next, &file, &lineno, &loc) &&
		    !(at_cut(r) && loc.p + loc.n == next.p + next.n)) {
			add_pending(r, &name, &file, lineno, PENDING_CREATOR);
			return;
		}
		cut = at_cut(r) || r->l.cur >= r->l.end;
	} else {
		cut = r->l.cur >= r->l.end;
	}
	if (cut) {
		/* The capture ends inside the creator's location line (or
		 * right before it): the goroutine is cut, its creator's
		 * function is known. */
		g->flags |= G_TRUNCATED;
	} else {
		/* A creator without its location line: keep the function. */
		rewind_to(r, m);
		skip(r, ln);
	}
	lookup_pending(r); /* interned in the order read */
	g->creator = intern_frame(r->in, name.p, name.n, "", 0, 0);
}

/* Skip ancestor blocks (GODEBUG=tracebackancestors) up to the blank line. */
static void
skip_ancestors(struct reader *r)
{
	struct line ln;
	struct header h;

	for (;;) {
		struct mark m = mark(r);

		if (!block_line(r, &ln) || ln.n == 0)
			return;
		if (header_at_start(&ln, &h)) {
			rewind_to(r, m);
			return;
		}
	}
}

static int
is_elision(const struct line *ln)
{
	uint64_t v;
	size_t d;

	if (ln->n < 6 || memcmp(ln->p, "...", 3) != 0)
		return 0;
	if (LINE_STARTS(ln, "...additional frames elided..."))
		return 1;
	d = parse_u64(ln->p + 3, ln->n - 3, &v);
	return d > 0 && ln->n == 3 + d + sizeof(ELIDED_TAIL) - 1 &&
	       memcmp(ln->p + 3 + d, ELIDED_TAIL, sizeof(ELIDED_TAIL) - 1) == 0;
}

/*
 * One function line and its location line. Returns 1 when a frame was
 * added, 0 when the capture ends inside the frame, -1 when the line was
 * skipped, -2 when it is what Go prints after a dump (the block ends
 * before it; the caller leaves it unread).
 */
static int
read_frame(struct reader *r, const struct line *ln, struct goroutine *g)
{
	struct line name, next, file, loc;
	uint32_t lineno = 0;
	struct mark m = mark(r);
	int named = func_name(ln, &name);
	int located = 0;

	if (!named && is_trailer(ln))
		return -2; /* register dump, "exit status 2", ... */
	if (block_line(r, &next)) {
		located = parse_location(&next, &file, &lineno, &loc);
		if (!located && at_cut(r))
			g->flags |= G_TRUNCATED; /* cut inside the location */
	} else if (r->l.cur >= r->l.end) {
		g->flags |= G_TRUNCATED; /* the capture ends mid-frame */
	}
	if (located && !named && memchr(ln->p, '(', ln->n) == NULL &&
	    memmem(next.p, next.n, "pc=", 3) != NULL) {
		/* A C function from a cgo symbolizer: a name without
		 * arguments, then "\t[file:line ]pc=0x...". */
		name = *ln;
		named = 1;
	}
	if (named && located) {
		if (at_cut(r) && loc.p + loc.n == next.p + next.n) {
			/* The input's last line, without a newline, ends
			 * right after the line number: the capture may have
			 * been cut inside the number. Drop the frame. (With
			 * a " +0x.." after it, the number is whole.) */
			g->flags |= G_TRUNCATED;
			return 0;
		}
		push_read(r, &name, &file, lineno);
		return 1;
	}
	if (!located)
		rewind_to(r, m);
	if (g->flags & G_TRUNCATED)
		return 0;
	snapshot_skip_line(r->s, m.lineno, ln->p, ln->n);
	if (located) /* a malformed function line with its location */
		skip(r, &next);
	return -1;
}

/*
 * Whether the frames read are those of one of the runtime's own
 * goroutines, which Go's profiles and level-1 dumps leave out
 * (isSystemGoroutine): it starts in package runtime (not runtime.main)
 * and runs nothing outside it (a finalizer goroutine running finalizers
 * is the program's). Only a whole stack tells.
 */
static int
system_goroutine(const struct reader *r, const struct goroutine *g)
{
	const struct frame *fv = r->in->frames.v;
	size_t i, n = r->nframes;

	if (g->flags & (G_ELIDED | G_TRUNCATED))
		return 0;
	while (n > 0 && (fv[r->frames[n - 1]].flags & FRAME_GOEXIT))
		n--;
	if (n == 0 || !(fv[r->frames[n - 1]].flags & FRAME_SYSTEM_START))
		return 0;
	for (i = 0; i < n; i++)
		if (!(fv[r->frames[i]].flags & FRAME_LEAF_HIDDEN))
			return 0;
	return 1;
}

static void
finish(struct reader *r, struct goroutine *g)
{
	lookup_pending(r);
	if (r->cut)
		g->flags |= G_ELIDED;
	r->cut = 0;
	r->system = system_goroutine(r, g);
	g->stack = intern_stack(r->in, r->frames, (uint32_t)r->nframes);
	r->nframes_last = r->nframes;
	r->nframes = 0;
}

/* Whether ln, between goroutines, starts a traceback: a panic, a fatal
 * error, a signal ("SIGQUIT: quit", "SIGSEGV: segmentation violation"). */
static int
is_marker(const struct line *ln)
{
	size_t i;

	if (LINE_STARTS(ln, "panic: ") || LINE_STARTS(ln, "fatal error: "))
		return 1;
	if (!LINE_STARTS(ln, "SIG"))
		return 0;
	for (i = 3; i < ln->n && ln->p[i] >= 'A' && ln->p[i] <= 'Z'; i++)
		;
	return i > 3 && i + 1 < ln->n && ln->p[i] == ':' && ln->p[i + 1] == ' ';
}

static void
add_hint(struct hints *h, size_t rec, uint64_t line, unsigned flags)
{
	h->v = xgrow(h->v, sizeof(*h->v), h->n + 1, &h->cap);
	h->v[h->n].rec = rec;
	h->v[h->n].line = line;
	h->v[h->n].flags = flags;
	h->n++;
}

static void
add_msg(struct hints *h, size_t rec, size_t off, size_t prefixlen)
{
	h->m = xgrow(h->m, sizeof(*h->m), h->nm + 1, &h->capm);
	h->m[h->nm].rec = rec;
	h->m[h->nm].off = off;
	h->m[h->nm].prefixlen = prefixlen;
	h->nm++;
}

/* A marker line at p, its lines' prefix prefixlen bytes: the message of
 * the next goroutine, unless the text it is in has one already. */
static void
note_message(struct reader *r, const char *p, size_t prefixlen)
{
	if (r->region_msg)
		return;
	r->region_msg = 1;
	r->msg.off = (size_t)(p - r->base);
	r->msg.prefixlen = prefixlen;
}

/*
 * The text between goroutines, [from, to), of a dump whose lines carry a
 * prefix (the header's first prefixlen bytes at to): a marker line after
 * that prefix, which the line-by-line look (no prefix known yet) missed.
 */
static void
prefixed_marker(struct reader *r, const char *from, const char *to,
		size_t prefixlen)
{
	struct lines l;
	struct line ln;

	lines_init(&l, from, (size_t)(to - from), TEXTDUMP_MAX_LINE);
	while (lines_next(&l, &ln)) {
		struct line rest = { ln.p + prefixlen, ln.n - prefixlen };

		if (ln.n > prefixlen && memcmp(ln.p, to, prefixlen) == 0 &&
		    is_marker(&rest)) {
			note_message(r, ln.p, prefixlen);
			return;
		}
	}
}

static void
read_block(struct reader *r, const struct header *h)
{
	struct goroutine *g = snapshot_add(r->s);
	struct line ln;
	struct header h2;
	uint64_t line = r->l.lineno;
	int noblank = 0, rc;

	r->g = g;
	g->id = h->id;
	g->flags |= G_HAS_ID;
	parse_status(r, h->status, g);
	parse_items(h->items, g);
	if (h->labels.n > 0 && !parse_labels(r, &h->labels, &g->labels))
		skip(r, &(struct line){ h->labels.p, h->labels.n });
	r->nframes = 0;
	r->cut = 0;
	for (;;) {
		struct mark m = mark(r);

		if (!block_line(r, &ln) || ln.n == 0)
			break;
		if (header_at_start(&ln, &h2)) {
			rewind_to(r, m);
			noblank = 1;
			break;
		}
		if (ln.p[0] == '\t' || ln.p[0] == ' ') {
			if (memmem(ln.p, ln.n, "stack unavailable", 17))
				g->flags |= G_UNAVAILABLE;
			else if (at_cut(r))
				g->flags |= G_TRUNCATED;
			else
				skip(r, &ln);
			continue;
		}
		if (LINE_STARTS(&ln, "created by ")) {
			parse_creator(r, &ln, g);
			continue;
		}
		if (LINE_STARTS(&ln, "[originating from goroutine ")) {
			skip_ancestors(r);
			break;
		}
		if (is_elision(&ln)) {
			g->flags |= G_ELIDED;
			push_named(r, FRAME_ELIDED_NAME);
			continue;
		}
		if (LINE_STARTS(&ln, "non-Go function at pc=")) {
			push_named(r, "non-Go function");
			continue;
		}
		rc = read_frame(r, &ln, g);
		if (rc == -2) {
			/* What Go prints after a dump ends the block, and may
			 * start the next dump ("panic: ", "SIGQUIT: "). */
			rewind_to(r, m);
			break;
		}
		if (rc == 0)
			break;
	}
	finish(r, g);
	if (h->id == 0) {
		/* "goroutine 0 [idle]", "goroutine 0 gp=... m=3 ...": a
		 * thread's own stack (GOTRACEBACK=system|crash), not a
		 * goroutine. */
		r->s->n--;
		r->s->thread_stacks++;
		return;
	}
	if (r->system) {
		r->s->n--;
		r->s->system_goroutines++;
		return;
	}
	if (r->msg.off != MSG_NONE && r->hints != NULL) {
		add_msg(r->hints, r->s->n - 1, r->msg.off, r->msg.prefixlen);
		r->msg.off = MSG_NONE;
	}
	if (r->hints != NULL) {
		unsigned f = r->pending;

		if (h->status.n == 7 &&
		    memcmp(h->status.p, "running", 7) == 0 &&
		    !(g->flags & G_UNAVAILABLE) && r->nframes_last > 0)
			f |= HINT_RUNNING;
		if (f)
			add_hint(r->hints, r->s->n - 1,
				 (r->pending & HINT_MARKER) ? r->pending_line
							    : line,
				 f);
		r->pending = noblank ? HINT_NOBLANK : 0;
	}
}

int
textdump_sniff(const unsigned char *buf, size_t len)
{
	struct reader r;
	struct line ln;
	struct header h;
	size_t at;

	if (len > SNIFF_WINDOW)
		len = SNIFF_WINDOW;
	/* No header without these bytes: binary input (pprof) is refused
	 * without splitting a megabyte of it into lines. */
	if (memmem(buf, len, "goroutine ", 10) == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	lines_init(&r.l, buf, len, TEXTDUMP_MAX_LINE);
	while (lines_next(&r.l, &ln))
		if (find_header(&ln, &at, &h))
			return 1;
	return 0;
}

/* A run of chunks of the input (reading in parallel, below): the next one
 * its owner reads (lo) and the end (hi), which other threads lower as they
 * take chunks from it, in one word so that one compare-and-swap claims. */
struct run {
	uint64_t lohi;
};

static int
claim(struct run *run, int front, uint32_t *chunk)
{
	uint64_t old = __atomic_load_n(&run->lohi, __ATOMIC_ACQUIRE), want;

	for (;;) {
		uint32_t lo = (uint32_t)(old >> 32), hi = (uint32_t)old;

		if (lo >= hi)
			return 0;
		*chunk = front ? lo : hi - 1;
		want = front ? (uint64_t)(lo + 1) << 32 | hi
			     : (uint64_t)lo << 32 | (hi - 1);
		if (__atomic_compare_exchange_n(&run->lohi, &old, want, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 1;
	}
}

/* The owner's side of a run, for read_range(): it reads chunk after chunk
 * from the run's front while they are left. */
struct owner {
	struct run *run;
	const size_t *cut; /* chunk k is [cut[k], cut[k + 1]) of the input */
	const char *input;
	size_t end; /* of the chunk claimed last */
};

/* Where read_range() gives back the pages it has read, as it goes
 * (read_opts.drop_behind): what is left of them in the records is read
 * again from the file when touched. */
struct behind {
	void (*fn)(void *ctx, size_t from, size_t to);
	void *ctx;
	size_t off; /* of the range read, in the input */
};

/* Pages are given back in steps of this many bytes, between goroutines. */
#define BEHIND_STEP (4u << 20)

/* Where o gives back the pages of a range read from offset off of the
 * input (in *bh), or NULL: it does not. */
static const struct behind *
behind_of(const struct read_opts *o, size_t off, struct behind *bh)
{
	if (o == NULL || o->drop_behind == NULL)
		return NULL;
	bh->fn = o->drop_behind;
	bh->ctx = o->drop_ctx;
	bh->off = off;
	return bh;
}

/*
 * Read the goroutines in buf[0..len) into out, noting in hints (when not
 * NULL) where captures may start and where their messages are (offsets
 * into buf); *lines: lines read; *pending: hint flags left for a goroutine
 * after the end (a marker line at its end); *left: a message left so.
 * With an owner, buf starts at a chunk of its run and the reading stops at
 * the end of the last chunk it could claim. With bh, the bytes read are
 * given back as the reading goes.
 */
static void
read_range(struct snapshot *out, const unsigned char *buf, size_t len,
	   struct owner *own, const struct behind *bh, struct hints *hints,
	   uint64_t *lines, unsigned *pending, struct msg *left)
{
	struct reader r;
	struct line ln;
	struct header h;
	size_t at, given = 0;
	uint32_t c = 0;

	memset(&r, 0, sizeof(r));
	r.s = out;
	r.in = out->in;
	r.hints = hints;
	r.base = r.region = (const char *)buf;
	r.msg.off = MSG_NONE;
	lines_init(&r.l, buf, len, TEXTDUMP_MAX_LINE);
	idmap_init(&r.raw_index);
	r.names = xcalloc(NAME_MEMO, sizeof(*r.names));
	if (own != NULL) {
		own->end = 0;
		if (claim(own->run, 1, &c))
			own->end = own->cut[c + 1];
	}
	for (;;) {
		/* Chunks start with a goroutine after a blank line, where the
		 * reading is between blocks. */
		if (own != NULL && r.l.cur >= own->input + own->end) {
			if (!claim(own->run, 1, &c))
				break;
			own->end = own->cut[c + 1];
		}
		if (!lines_next(&r.l, &ln))
			break;
		if (!find_header(&ln, &at, &h)) {
			/* Preamble, logs, register dumps: a new traceback
			 * may start here. */
			if (is_marker(&ln)) {
				if (!(r.pending & HINT_MARKER)) {
					r.pending |= HINT_MARKER;
					r.pending_line = r.l.lineno;
				}
				note_message(&r, ln.p, 0);
			}
			continue;
		}
		if (at > 0 && !r.region_msg)
			prefixed_marker(&r, r.region, ln.p, at);
		r.prefix = ln.p;
		r.prefixlen = at;
		read_block(&r, &h);
		r.region = r.l.cur;
		r.region_msg = 0;
		if (bh != NULL &&
		    (size_t)(r.l.cur - r.base) - given >= BEHIND_STEP) {
			size_t now = (size_t)(r.l.cur - r.base);

			bh->fn(bh->ctx, bh->off + given, bh->off + now);
			given = now;
		}
	}
	if (bh != NULL)
		bh->fn(bh->ctx, bh->off + given,
		       bh->off + (size_t)(r.l.cur - r.base));
	*lines = r.l.lineno;
	*pending = r.pending & HINT_MARKER;
	*left = r.msg;
	free(r.frames);
	free(r.raw);
	free(r.names);
	free(r.scratch);
	idmap_release(&r.raw_index);
}

/* --- reading in parallel ------------------------------------------------ */

/*
 * A large dump is cut at goroutine boundaries into chunks, and each thread
 * reads a run of them in order into tables of its own (the first thread
 * into the output's); a thread done with its run takes chunks from the end
 * of the run with the most left, each into tables of its own. The parts'
 * tables and records are then merged in the input's order, which costs
 * only the unique strings, frames and stacks and gives the ids one thread
 * reading it all would give. So where the work is does not decide when the
 * reading ends: a program's goroutines of every kind tend to start first,
 * and a frame not seen before costs more than one seen (in the many-stacks
 * dump the first half has all 601,077 distinct frames).
 */
struct part {
	struct intern in;
	struct snapshot s;
	struct hints hints;
	const unsigned char *buf;
	size_t len;
	uint64_t lines;
	unsigned pending;
	struct msg left;
	struct owner own; /* a run's part; own.run NULL: one chunk taken */
	struct shared *sh;
	pthread_t thread;
	int started, used;
};

#define CHUNKS_PER_THREAD 16u
#define CHUNK_MIN	  (4u << 20)
#define MAX_CHUNKS	  (TEXTDUMP_MAX_THREADS * CHUNKS_PER_THREAD)

struct shared {
	const unsigned char *buf;
	const struct read_opts *o; /* its drop_behind, or NULL */
	size_t cut[MAX_CHUNKS + 1], nchunks;
	struct run runs[TEXTDUMP_MAX_THREADS];
	unsigned nruns;
	struct part taken[MAX_CHUNKS]; /* by chunk, when another took it */
};

static void
part_init(struct part *p, struct shared *sh, const unsigned char *buf,
	  size_t len)
{
	intern_init(&p->in);
	snapshot_init(&p->s, &p->in);
	memset(&p->hints, 0, sizeof(p->hints));
	p->pending = 0;
	p->lines = 0;
	p->left.off = MSG_NONE;
	p->buf = buf;
	p->len = len;
	p->sh = sh;
	p->used = 1;
}

/* Take chunks from the ends of the runs with the most left, until none is
 * left, each read into a part of its own. */
static void
take_chunks(struct shared *sh)
{
	for (;;) {
		unsigned t, best = 0;
		uint32_t most = 0, c = 0;
		struct part *p = NULL;
		struct behind bh;

		for (t = 0; t < sh->nruns; t++) {
			uint64_t v = __atomic_load_n(&sh->runs[t].lohi,
						     __ATOMIC_ACQUIRE);
			uint32_t lo = (uint32_t)(v >> 32), hi = (uint32_t)v;

			if (hi > lo && hi - lo > most) {
				most = hi - lo;
				best = t;
			}
		}
		if (most == 0)
			return;
		if (!claim(&sh->runs[best], 0, &c))
			continue;
		p = &sh->taken[c];
		part_init(p, sh, sh->buf + sh->cut[c],
			  sh->cut[c + 1] - sh->cut[c]);
		read_range(&p->s, p->buf, p->len, NULL,
			   behind_of(sh->o, sh->cut[c], &bh), &p->hints,
			   &p->lines, &p->pending, &p->left);
	}
}

static void *
read_part(void *arg)
{
	struct part *p = arg;
	struct behind bh;

	read_range(&p->s, p->buf, p->len, &p->own,
		   behind_of(p->sh->o, (size_t)(p->buf - p->sh->buf), &bh),
		   &p->hints, &p->lines, &p->pending, &p->left);
	take_chunks(p->sh);
	return NULL;
}

/*
 * The first offset at or after from where a goroutine header starts a line
 * after an empty line, or 0: a safe place to cut.
 */
static size_t
split_point(const unsigned char *buf, size_t len, size_t from)
{
	const char *b = (const char *)buf, *p = b + from, *e = b + len;

	while (p < e) {
		const char *nl = memmem(p, (size_t)(e - p), "\ngoroutine ", 11);
		struct line ln;
		struct header h;
		const char *q = NULL, *end = NULL;

		if (nl == NULL)
			return 0;
		q = nl - 1;
		if (q >= b && *q == '\r')
			q--;
		ln.p = nl + 1;
		end = memchr(ln.p, '\n', (size_t)(e - ln.p));
		ln.n = (size_t)((end ? end : e) - ln.p);
		if (ln.n > 0 && ln.p[ln.n - 1] == '\r')
			ln.n--;
		if (q >= b && *q == '\n' && parse_header(&ln, &h))
			return (size_t)(ln.p - b);
		p = nl + 1;
	}
	return 0;
}

static unsigned
thread_count(unsigned threads, size_t len)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = len / TEXTDUMP_PART_MIN;

	if (threads == 1 || n < 2)
		return 1;
	if (threads > 0 && n > threads)
		n = threads;
	if (cpus > 0 && n > (size_t)cpus)
		n = (size_t)cpus;
	return n > TEXTDUMP_MAX_THREADS ? TEXTDUMP_MAX_THREADS : (unsigned)n;
}

/* Fold the skipped-line counts of a part whose lines start at base. */
static void
merge_skipped(struct snapshot *out, const struct snapshot *part, uint64_t base)
{
	if (part->skipped.count == 0)
		return;
	if (out->skipped.count == 0) {
		out->skipped = part->skipped;
		out->skipped.first_line += base;
	} else {
		out->skipped.count += part->skipped.count;
	}
}

/* Append a part's hints, its records starting at rec and its lines
 * after line; a marker left pending by the part before goes to its first
 * goroutine. */
static void
merge_hints(struct hints *out, const struct part *p, size_t rec, uint64_t line,
	    unsigned *pending, uint64_t *pending_line)
{
	size_t i = 0;

	if (*pending && p->s.n > 0) {
		if (p->hints.n > 0 && p->hints.v[0].rec == 0) {
			add_hint(out, rec, *pending_line,
				 p->hints.v[0].flags | *pending);
			i = 1;
		} else {
			add_hint(out, rec, *pending_line, *pending);
		}
		*pending = 0;
	}
	for (; i < p->hints.n; i++)
		add_hint(out, rec + p->hints.v[i].rec,
			 line + p->hints.v[i].line, p->hints.v[i].flags);
	if (p->pending && !*pending) {
		*pending = p->pending;
		*pending_line = line + p->lines;
	}
}

/*
 * Append a part's messages, its records starting at rec and its bytes at
 * off; a message left pending by the parts before goes to its first
 * goroutine, unless text of its own before that goroutine has one.
 */
static void
merge_msgs(struct hints *out, const struct part *p, size_t rec, size_t off,
	   struct msg *pending)
{
	size_t i;

	if (pending->off != MSG_NONE && p->s.n > 0) {
		if (p->hints.nm == 0 || p->hints.m[0].rec != 0)
			add_msg(out, rec, pending->off, pending->prefixlen);
		pending->off = MSG_NONE;
	}
	for (i = 0; i < p->hints.nm; i++)
		add_msg(out, rec + p->hints.m[i].rec, off + p->hints.m[i].off,
			p->hints.m[i].prefixlen);
	if (p->left.off != MSG_NONE) {
		*pending = p->left;
		pending->off += off;
	}
}

/* Merge part p, which starts at offset off of the input, into out. */
static void
merge_part(struct snapshot *out, struct part *p, size_t off,
	   struct hints *hints, uint64_t *base, unsigned *pending,
	   uint64_t *pending_line, struct msg *msg)
{
	struct intern_remap map;

	intern_import(out->in, &p->in, &map);
	merge_hints(hints, p, out->n, *base, pending, pending_line);
	merge_msgs(hints, p, out->n, off, msg);
	snapshot_import(out, &p->s, &map);
	out->thread_stacks += p->s.thread_stacks;
	out->system_goroutines += p->s.system_goroutines;
	merge_skipped(out, &p->s, *base);
	*base += p->lines;
	free(p->hints.v);
	free(p->hints.m);
	intern_remap_release(&map);
	snapshot_release(&p->s);
	intern_release(&p->in);
}

static int
read_parallel(struct snapshot *out, const unsigned char *buf, size_t len,
	      unsigned nthreads, const struct read_opts *o, struct hints *hints,
	      uint64_t *lines)
{
	unsigned pending = 0, t;
	uint64_t pending_line = 0, base = 0;
	struct msg msg = { 0, MSG_NONE, 0 };
	struct part runs[TEXTDUMP_MAX_THREADS];
	struct shared *sh = xcalloc(1, sizeof(*sh));
	struct owner own0;
	struct behind bh;
	size_t i, k, want = nthreads * CHUNKS_PER_THREAD;

	if (want > len / CHUNK_MIN)
		want = len / CHUNK_MIN;
	if (want < nthreads)
		want = nthreads;
	sh->buf = buf;
	sh->o = o;
	sh->nchunks = 1;
	for (i = 1; i < want; i++) {
		size_t at = split_point(buf, len, len / want * i);

		if (at > sh->cut[sh->nchunks - 1])
			sh->cut[sh->nchunks++] = at;
	}
	sh->cut[sh->nchunks] = len;
	if (sh->nchunks < 2) {
		free(sh);
		return -1;
	}
	sh->nruns = nthreads < sh->nchunks ? nthreads : (unsigned)sh->nchunks;
	for (t = 0; t < sh->nruns; t++) {
		size_t lo = sh->nchunks * t / sh->nruns;
		size_t hi = sh->nchunks * (t + 1) / sh->nruns;

		sh->runs[t].lohi = (uint64_t)lo << 32 | hi;
	}
	memset(runs, 0, sizeof(runs));
	for (t = 1; t < sh->nruns; t++) {
		struct part *p = &runs[t];
		size_t lo = sh->nchunks * t / sh->nruns;

		part_init(p, sh, buf + sh->cut[lo], len - sh->cut[lo]);
		p->own.run = &sh->runs[t];
		p->own.cut = sh->cut;
		p->own.input = (const char *)buf;
		p->started =
			pthread_create(&p->thread, NULL, read_part, p) == 0;
		/* Not started: its chunks are taken by the others. */
	}
	/* The first run goes straight into out (empty so far): its tables
	 * and records come out as importing them would make them. */
	own0.run = &sh->runs[0];
	own0.cut = sh->cut;
	own0.input = (const char *)buf;
	read_range(out, buf, len, &own0, behind_of(o, 0, &bh), hints, &base,
		   &pending, &msg);
	if (pending)
		pending_line = base;
	take_chunks(sh);
	for (t = 1; t < sh->nruns; t++)
		if (runs[t].started)
			pthread_join(runs[t].thread, NULL);
	/*
	 * The parse is done; what the parts point at is read again from the
	 * file when the merges touch it. The readers gave back what the
	 * toucher had passed; the rest goes now, the toucher stopped.
	 */
	if (o != NULL && o->drop != NULL)
		o->drop(o->drop_ctx, 0, len);
	/* In the input's order: each run's own part, then the chunks taken
	 * from its end. */
	for (t = 0; t < sh->nruns; t++) {
		size_t lo = sh->nchunks * t / sh->nruns;
		size_t hi = sh->nchunks * (t + 1) / sh->nruns;
		size_t mid = (size_t)(uint32_t)sh->runs[t].lohi;

		if (t > 0 && runs[t].used)
			merge_part(out, &runs[t], sh->cut[lo], hints, &base,
				   &pending, &pending_line, &msg);
		for (k = mid; k < hi; k++)
			if (sh->taken[k].used)
				merge_part(out, &sh->taken[k], sh->cut[k],
					   hints, &base, &pending,
					   &pending_line, &msg);
	}
	*lines = base;
	free(sh);
	return 0;
}

/* --- a traceback's message --------------------------------------------- */

/* Lines looked at after a message for the header of the goroutine that
 * follows it (a fatal error's "runtime stack:" block comes between). */
#define MSG_HEADER_LINES 64u

/* The message as it is built: at most TEXTDUMP_MESSAGE_MAX bytes. */
struct msgbuf {
	char text[TEXTDUMP_MESSAGE_MAX];
	size_t n;
	unsigned lines;
	int cut;
};

/*
 * Add a line to m (after a '\n'); 0 when it was not added whole: past the
 * lines or bytes kept, the message ends in "..." (never inside a UTF-8
 * sequence, whatever the bytes are).
 */
static int
msg_line(struct msgbuf *m, const char *p, size_t n)
{
	const size_t limit = sizeof(m->text) - 4; /* "\n..." always fits */

	if (m->cut)
		return 0;
	if (m->lines >= TEXTDUMP_MESSAGE_LINES || m->n + 1 >= limit) {
		memcpy(m->text + m->n, "\n...", 4);
		m->n += 4;
		m->cut = 1;
		return 0;
	}
	if (m->lines > 0)
		m->text[m->n++] = '\n';
	m->lines++;
	if (m->n + n > limit) {
		n = limit - m->n;
		while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
			n--;
		memcpy(m->text + m->n, p, n);
		memcpy(m->text + m->n + n, "...", 3);
		m->n += n + 3;
		m->cut = 1;
		return 0;
	}
	memcpy(m->text + m->n, p, n);
	m->n += n;
	return 1;
}

/*
 * The message whose marker line is at buf + mk->off, as a string of in:
 * the "runtime: " lines right above it (a stack overflow names its limit
 * there), that line and those after it up to an empty line or a goroutine
 * header, and the header of the first goroutine printed after it when
 * that one is running (the one that panicked or threw); lines carry the
 * prefix of mk->prefixlen bytes the marker line starts with, stripped.
 */
static strid
message_text(struct intern *in, const unsigned char *buf, size_t len,
	     const struct msg *mk)
{
	const char *b = (const char *)buf, *pre = b + mk->off, *start = pre;
	size_t pl = mk->prefixlen;
	struct msgbuf m;
	struct lines l;
	struct line ln;
	struct header h;
	unsigned k, after = 0;
	int in_msg = 1;

	for (k = 0; k < 4 && start > b; k++) {
		const char *e = start - 1; /* the '\n' ending the line above */
		const char *q = memrchr(b, '\n', (size_t)(e - b));
		struct line up;

		up.p = q ? q + 1 : b;
		up.n = (size_t)(e - up.p);
		if (up.n > 0 && up.p[up.n - 1] == '\r')
			up.n--;
		if (!strip_prefix_of(pre, pl, &up) ||
		    !LINE_STARTS(&up, "runtime: "))
			break;
		start = up.p - pl; /* the line with its prefix */
	}
	memset(&m, 0, sizeof(m));
	lines_init(&l, start, len - (size_t)(start - b), TEXTDUMP_MAX_LINE);
	while (lines_next(&l, &ln)) {
		int kept = strip_prefix_of(pre, pl, &ln);
		int header = kept && header_at_start(&ln, &h);

		if (in_msg &&
		    (!kept || ln.n == 0 || header || !msg_line(&m, ln.p, ln.n)))
			in_msg = 0;
		if (header && h.id != 0) {
			if (h.status.n == 7 &&
			    memcmp(h.status.p, "running", 7) == 0 && !m.cut &&
			    m.n + 1 + ln.n <= sizeof(m.text)) {
				m.text[m.n++] = '\n';
				memcpy(m.text + m.n, ln.p, ln.n);
				m.n += ln.n;
			}
			break;
		}
		if (!in_msg && ++after > MSG_HEADER_LINES)
			break;
	}
	return strtab_intern(&in->strings, m.text, m.n);
}

/* The message of a capture (NULL: none) and so its format. */
static void
set_message(struct snapshot *s, const unsigned char *buf, size_t len,
	    const struct msg *m)
{
	s->message = m ? message_text(s->in, buf, len, m) : 0;
	s->format = strtab_intern_cstr(&s->in->strings,
				       s->message ? "traceback" : "debug=2");
}

/* Read the whole of buf into out as one snapshot, with the hints. */
static int
parse_all(struct snapshot *out, const unsigned char *buf, size_t len,
	  unsigned threads, const struct read_opts *o, struct hints *hints,
	  struct error *err)
{
	unsigned nthreads = thread_count(threads, len), pending = 0;
	uint64_t lines = 0;
	struct msg left;
	struct behind bh;

	out->provides = HAS_STATE | HAS_WAIT | HAS_CREATOR | HAS_IDS;
	if (nthreads < 2 ||
	    read_parallel(out, buf, len, nthreads, o, hints, &lines) < 0)
		read_range(out, buf, len, NULL, behind_of(o, 0, &bh), hints,
			   &lines, &pending, &left);
	set_message(out, buf, len, hints->nm > 0 ? &hints->m[0] : NULL);
	if (out->n == 0 && out->thread_stacks > 0)
		return error_set(err,
				 "no goroutine found, only %llu thread "
				 "stack%s ('goroutine 0')",
				 (unsigned long long)out->thread_stacks,
				 out->thread_stacks == 1 ? "" : "s");
	if (out->n == 0 && out->system_goroutines > 0)
		return error_set(err,
				 "no goroutine of the program found, only "
				 "%llu of the runtime's own",
				 (unsigned long long)out->system_goroutines);
	if (out->n == 0)
		return error_set(err, "no goroutine found (expected a line "
				      "'goroutine N [state]:')");
	if (out->g[out->n - 1].flags & G_TRUNCATED)
		snprintf(out->warning, sizeof(out->warning),
			 "the dump ends inside goroutine %llu (line %llu): it "
			 "was cut short, so that goroutine's stack is partial",
			 (unsigned long long)out->g[out->n - 1].id,
			 (unsigned long long)lines);
	return 0;
}

int
textdump_parse(struct snapshot *out, const unsigned char *buf, size_t len,
	       unsigned threads, struct error *err)
{
	struct hints hints;
	int ret;

	memset(&hints, 0, sizeof(hints));
	ret = parse_all(out, buf, len, threads, NULL, &hints, err);
	free(hints.v);
	free(hints.m);
	return ret;
}

/*
 * Where the captures of a dump start (indices into s's records, the first
 * 0), as several dumps appended to one file leave them:
 *  - a traceback's first line ("panic: ", "SIGQUIT: "...) before a
 *    goroutine, unless only thread stacks follow it (GOTRACEBACK=crash
 *    prints one such section per thread, within one dump);
 *  - a "[running]" goroutine with a stack whose header follows the
 *    previous goroutine without a blank line: runtime.Stack() output
 *    written after another;
 *  - a goroutine id seen twice: the capture then starts at the latest
 *    such header before it (a header after no blank line, else a
 *    "[running]" one with a stack), or at that goroutine.
 * Sets *starts (the caller frees it) and *lines (the header line of each
 * start, 0 when unknown); returns how many.
 */
static size_t
split_captures(const struct snapshot *s, const struct hints *h, size_t **starts,
	       uint64_t **lines)
{
	struct u64map ids;
	size_t n = 0, cap = 0, lcap = 0, i, j = 0, from = 0;

	*starts = xgrow(NULL, sizeof(**starts), 1, &cap);
	*lines = xgrow(NULL, sizeof(**lines), 1, &lcap);
	(*starts)[n] = 0;
	(*lines)[n++] = h->n > 0 && h->v[0].rec == 0 ? h->v[0].line : 0;
	u64map_init(&ids);
	for (i = 0; i < s->n; i++) {
		unsigned f = 0;
		size_t cut = SIZE_MAX, k, hint_at = 0;
		uint64_t line = 0;

		while (j < h->n && h->v[j].rec < i)
			j++;
		if (j < h->n && h->v[j].rec == i) {
			f = h->v[j].flags;
			line = h->v[j].line;
			hint_at = j;
		}
		if (i > from && ((f & HINT_MARKER) ||
				 (f & (HINT_NOBLANK | HINT_RUNNING)) ==
					 (HINT_NOBLANK | HINT_RUNNING))) {
			cut = i;
		} else if (u64map_get(&ids, s->g[i].id) != U64MAP_NONE) {
			/* The latest good start in (from, i]. */
			size_t best = SIZE_MAX, run = SIZE_MAX;

			for (k = (j < h->n && h->v[j].rec == i) ? j + 1 : j;
			     k > 0 && h->v[k - 1].rec > from; k--) {
				if (best == SIZE_MAX &&
				    (h->v[k - 1].flags & HINT_NOBLANK))
					best = k - 1;
				if (run == SIZE_MAX &&
				    (h->v[k - 1].flags & HINT_RUNNING))
					run = k - 1;
			}
			if (best == SIZE_MAX)
				best = run;
			if (best != SIZE_MAX) {
				cut = h->v[best].rec;
				line = h->v[best].line;
			} else {
				cut = i;
				line = 0;
			}
		}
		(void)hint_at;
		if (cut != SIZE_MAX) {
			for (k = from; k < i; k++)
				u64map_remove(&ids, s->g[k].id);
			*starts = xgrow(*starts, sizeof(**starts), n + 1, &cap);
			*lines = xgrow(*lines, sizeof(**lines), n + 1, &lcap);
			(*starts)[n] = cut;
			(*lines)[n++] = line;
			from = cut;
			for (k = cut; k < i; k++)
				u64map_put(&ids, s->g[k].id, 1);
		}
		u64map_put(&ids, s->g[i].id, 1);
	}
	u64map_release(&ids);
	return n;
}

int
textdump_read(struct intern *in, const unsigned char *buf, size_t len,
	      const struct read_opts *o, snapshot_sink sink, void *ctx,
	      struct error *err)
{
	struct snapshot all, part;
	struct hints hints;
	size_t *starts = NULL, n = 0, k, skipped_in = 0, m = 0;
	uint64_t *lines = NULL;
	int ret;

	memset(&hints, 0, sizeof(hints));
	snapshot_init(&all, in);
	ret = parse_all(&all, buf, len, o->threads, o, &hints, err);
	if (ret < 0)
		goto out;
	n = split_captures(&all, &hints, &starts, &lines);
	if (n == 1) {
		ret = sink(&all, ctx);
		goto out;
	}
	/* Lines skipped go with the capture they are in (as far as the
	 * starts' lines tell), the cut-short warning with the last. */
	for (k = 1; k < n; k++)
		if (lines[k] != 0 && lines[k] <= all.skipped.first_line)
			skipped_in = k;
	for (k = 0; k < n && ret == 0; k++) {
		size_t to = k + 1 < n ? starts[k + 1] : all.n;

		snapshot_view(&part, &all, starts[k], to);
		part.pos = (uint32_t)k;
		part.parts = (uint32_t)n;
		part.held = (uint32_t)n;
		part.line = lines[k];
		/* Its message: the first of its goroutines'. */
		while (m < hints.nm && hints.m[m].rec < starts[k])
			m++;
		set_message(&part, buf, len,
			    m < hints.nm && hints.m[m].rec < to ? &hints.m[m]
								: NULL);
		if (k != skipped_in)
			memset(&part.skipped, 0, sizeof(part.skipped));
		if (k + 1 < n)
			part.warning[0] = '\0';
		ret = sink(&part, ctx);
		snapshot_release(&part);
	}
out:
	free(starts);
	free(lines);
	free(hints.v);
	free(hints.m);
	snapshot_release(&all);
	return ret;
}
