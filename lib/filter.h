/*
 * Which goroutines a command looks at: --focus, --ignore (regular
 * expressions on any frame's function), --state and --label.
 */
#ifndef FILTER_H
#define FILTER_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

struct intern;
struct goroutine;
struct error;

/* Most --state words and --label pairs. */
#define FILTER_MAX_TERMS 64

struct filter_spec {
	const char *focus; /* POSIX extended regex, or NULL */
	const char *ignore;
	const char *states[FILTER_MAX_TERMS]; /* each a comma-separated list */
	size_t nstates;
	const char *labels[FILTER_MAX_TERMS]; /* KEY=VALUE or KEY */
	size_t nlabels;
	/* --label-ignore: KEY=VALUE or KEY; a goroutine with one is dropped */
	const char *label_ignores[FILTER_MAX_TERMS];
	size_t nlabel_ignores;
	const char *ignore_top; /* --ignore-top RE, or NULL */
};

/* A label term: KEY, or KEY=VALUE where VALUE is the value itself or a
 * regular expression the whole value matches. */
struct label_term {
	uint32_t key;	/* strid */
	uint32_t value; /* strid of VALUE as given; UINT32_MAX: any value */
	regex_t re;	/* VALUE anchored, when it compiled */
	int has_re;
};

struct filter {
	struct intern *in; /* borrowed */
	regex_t focus, ignore;
	int has_focus, has_ignore;
	char **state_words;
	size_t nstate_words;
	struct label_term *labels, *label_ignores;
	size_t nlabels, nlabel_ignores;
	regex_t ignore_top;
	int has_ignore_top;
	unsigned char *top_memo; /* seqid -> 1 keep, 2 drop (--ignore-top) */
	size_t top_cap;
	unsigned char *func_memo; /* strid -> 1 focus, 2 ignore bits + 4 */
	size_t func_cap;
	unsigned char *stack_memo; /* seqid -> 1 keep, 2 drop */
	size_t stack_cap;
	unsigned char *label_memo; /* label set -> 1 keep, 2 drop */
	size_t label_cap;
};

/*
 * Compile spec. Fails with a message naming the bad regular expression or
 * --label term. An empty spec keeps every goroutine.
 */
int filter_init(struct filter *f, struct intern *in,
		const struct filter_spec *spec, struct error *err);
void filter_release(struct filter *f);

/* Whether g passes; memoised per stack and label set. */
int filter_match(struct filter *f, const struct goroutine *g);

/*
 * Whether a --state word names something: a wait reason or state Go
 * prints, a class ("peer", "forever", ...) or "blocked", "leaked",
 * "locked". The known words, in the order a usage error lists them, are
 * filter_state_words[0..n) (n set).
 */
int filter_state_known(const char *word, size_t len);
const char *const *filter_state_words(size_t *n);

/* Whether the filter keeps everything (nothing was asked). */
int filter_is_empty(const struct filter *f);

#endif
