/*
 * One snapshot: the goroutines of a process at one moment, as read from one
 * capture, with their stacks interned in tables shared with the other
 * snapshots of the command.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/intern.h"

enum goroutine_flag {
	G_HAS_ID = 1 << 0,	   /* id is known */
	G_HAS_WAIT = 1 << 1,	   /* wait_minutes is known */
	G_HAS_CREATOR_ID = 1 << 2, /* creator_id is known */
	G_LEAKED = 1 << 3,  /* "(leaked)", or from a goroutineleak profile */
	G_DURABLE = 1 << 4, /* "(durable)": durably blocked in a bubble */
	G_LOCKED = 1 << 5,  /* "locked to thread" */
	G_SCAN = 1 << 6,    /* "(scan)": GC was scanning the stack */
	G_ELIDED = 1 << 7,  /* the traceback elided frames */
	G_UNAVAILABLE = 1 << 8, /* running elsewhere; stack unavailable */
	G_TRUNCATED = 1 << 9,	/* the capture ended inside this goroutine */
	G_STATE_INFERRED = 1 << 10,   /* state guessed from frames (pprof) */
	G_HAS_WAIT_NS = 1 << 11,      /* wait_ns is known (traces) */
	G_CREATED_IN_TRACE = 1 << 12, /* the trace saw it created */
};

struct goroutine {
	uint64_t id;	     /* goroutine id when G_HAS_ID */
	uint64_t creator_id; /* the creating goroutine when G_HAS_CREATOR_ID */
	int64_t weight;	     /* goroutines this record stands for (>= 1,
				  or a pprof sample's count) */
	seqid stack;	     /* normalised, innermost first */
	strid state;	     /* wait reason or status, flags split out */
	frameid creator;     /* the `go` statement, 0 when unknown */
	seqid labels;	     /* label set, 0 when none */
	uint32_t wait_minutes; /* lower bound, when G_HAS_WAIT */
	uint32_t bubble;       /* synctest bubble id, 0 when none */
	uint32_t flags;	       /* enum goroutine_flag */
	seqid creation_stack;  /* the creator's whole stack, 0 when unknown */
	int64_t wait_ns;       /* exact time in this wait, G_HAS_WAIT_NS */
};

enum snapshot_kind {
	SNAPSHOT_GOROUTINE = 0, /* every live goroutine */
	SNAPSHOT_LEAK,		/* a goroutineleak profile: proven leaks only */
};

/* What a capture format can tell; absent facts are not guessed at. */
enum snapshot_provides {
	HAS_STATE = 1 << 0,   /* real wait reasons (else inferred) */
	HAS_WAIT = 1 << 1,    /* wait minutes */
	HAS_CREATOR = 1 << 2, /* created-by frames */
	HAS_IDS = 1 << 3,     /* goroutine ids */
};

/*
 * A file mapped into the process, as a pprof profile's Mapping names it
 * (the program first, then its libraries): kept so that a profile written
 * from the snapshot says which binary, with which build id, it came from.
 * Other formats have none.
 */
enum mapping_flag {
	MAPPING_FUNCTIONS = 1 << 0, /* pprof's has_functions, ... */
	MAPPING_FILENAMES = 1 << 1,
	MAPPING_LINE_NUMBERS = 1 << 2,
	MAPPING_INLINE_FRAMES = 1 << 3,
};

struct snapshot_mapping {
	uint64_t memory_start, memory_limit, file_offset;
	strid filename, build_id;
	uint32_t flags; /* enum mapping_flag */
};

/* Most mappings a snapshot keeps; a profile's later ones are left out. */
#define SNAPSHOT_MAX_MAPPINGS 256u

/* Lines of a text capture skipped because they were not understood. */
struct snapshot_skipped {
	uint64_t count;
	uint64_t first_line;
	char first_text[96];
};

struct snapshot {
	struct intern *in; /* borrowed: shared by the command */
	struct goroutine *g;
	size_t n, cap;
	int view;	  /* g is borrowed (snapshot_view): not freed */
	strid source;	  /* the input as named by the user */
	strid container;  /* the .gsnap file that held it, or 0 */
	seqid user_meta;  /* --meta KEY=VALUE pairs (a label set), or 0 */
	strid format;	  /* e.g. "debug=2", "pprof" */
	strid go_version; /* 0 when unknown */
	/* What a traceback printed before its goroutines (a panic and its
	 * chain, a fatal error, a signal), its lines joined by '\n', as
	 * the input has them (shown escaped); 0 when none. */
	strid message;
	enum snapshot_kind kind;
	uint32_t provides;	/* enum snapshot_provides */
	int64_t time_ns;	/* capture time (Unix ns), 0 when unknown */
	int64_t declared_total; /* total the capture states, -1 if none */
	struct snapshot_skipped skipped;
	char warning[256]; /* another warning for the user, or "" */
	/*
	 * Its place (DESIGN.md section 2a): the instance it came from, and
	 * where it stands among the command's inputs. The readers set pos,
	 * parts, held and a .gsnap record's instance; the read path sets
	 * input and names the source.
	 */
	strid instance;		/* 0: the command's one instance */
	uint32_t input;		/* its input's index, in the order read */
	uint32_t pos;		/* 0-based position in its input */
	uint32_t parts;		/* text captures its file holds when several */
	uint64_t line;		/* the line its capture starts at in such a
			      file, 0 unknown */
	uint32_t held;		/* how many snapshots its input holds, when
			      the reader knows (0: not said) */
	uint64_t thread_stacks; /* goroutine 0 stacks left out */
	/* The runtime's own goroutines a level-2 dump shows (GC workers,
	 * the sweeper, ...), left out as Go's profiles leave them out. */
	uint64_t system_goroutines;
	/* Execution traces: the moment read, ns since the trace's start
	 * (-1: not a trace). */
	int64_t offset_ns;
	/* pprof profiles: the mapped files, in order (owned, unless a view;
	 * at most SNAPSHOT_MAX_MAPPINGS). */
	struct snapshot_mapping *mappings;
	uint32_t nmappings;
	/* A .gsnap record's bytes (header and payload) when it was read from
	 * one: borrowed from the input, valid while the sink has it. */
	const unsigned char *record;
	size_t record_len;
};

/* What reports say of a snapshot once its records are gone. */
struct snapshot_meta {
	strid source, format, go_version, container;
	strid message; /* a traceback's, 0 when none */
	seqid user_meta;
	enum snapshot_kind kind;
	uint32_t provides;
	int64_t time_ns;
	int64_t offset_ns; /* into an execution trace, -1 if not one */
	int64_t total;	   /* goroutines */
	strid instance;
	uint32_t input, pos;
	uint64_t thread_stacks;	    /* goroutine 0 stacks left out */
	uint64_t system_goroutines; /* the runtime's own, left out */
};

void snapshot_init(struct snapshot *s, struct intern *in);
void snapshot_release(struct snapshot *s);

/* A new zeroed record appended to s (weight 1); borrowed until the next
 * snapshot_add() or release. */
struct goroutine *snapshot_add(struct snapshot *s);

/* A new zeroed mapping appended to s, or NULL when s holds
 * SNAPSHOT_MAX_MAPPINGS already; borrowed like snapshot_add()'s. */
struct snapshot_mapping *snapshot_add_mapping(struct snapshot *s);

/* Sum of the weights: the number of goroutines the snapshot describes. */
int64_t snapshot_total(const struct snapshot *s);

/* Fill m with what describes s. */
void snapshot_meta(const struct snapshot *s, struct snapshot_meta *m);

/*
 * Append the records of src (over other tables) to dst, their ids mapped
 * by map (from intern_import of src's tables into dst's); not its
 * mappings.
 */
void snapshot_import(struct snapshot *dst, const struct snapshot *src,
		     const struct intern_remap *map);

/*
 * Move src's records, mappings and description into dst (over the same
 * tables), releasing what dst held; src is left empty. A view's records
 * and mappings are copied.
 */
void snapshot_take(struct snapshot *dst, struct snapshot *src);

/*
 * Make view a snapshot of the records [from, to) of s, borrowed (valid
 * while s is), with s's description; release it as any other.
 */
void snapshot_view(struct snapshot *view, const struct snapshot *s, size_t from,
		   size_t to);

/*
 * The instance a --meta label set names (DESIGN.md section 2a): the value
 * of its key "instance", else "pod", else "host"; 0 when none.
 */
strid snapshot_instance_of(struct intern *in, seqid user_meta);

/* Count one skipped line (1-based number, its text for the message). */
void snapshot_skip_line(struct snapshot *s, uint64_t line, const char *text,
			size_t len);

#endif
