/* Goroutine filters with per-stack memoisation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/filter.h"
#include "lib/intern.h"
#include "lib/snapshot.h"
#include "lib/waitreason.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static int
compile(regex_t *re, const char *pat, const char *opt, struct error *err)
{
	int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	char msg[128];

	if (rc == 0)
		return 0;
	regerror(rc, re, msg, sizeof(msg));
	return error_set(err, "%s: bad regular expression '%s': %s", opt, pat,
			 msg);
}

static void
add_states(struct filter *f, const char *list)
{
	const char *p = list;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0) {
			f->state_words = xreallocarray(f->state_words,
						       f->nstate_words + 1,
						       sizeof(char *));
			f->state_words[f->nstate_words++] = xmemdup(p, n);
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

/* Words --state takes besides the states and their classes. */
static const char *const state_keywords[] = { "blocked", "leaked", "locked" };

const char *const *
filter_state_words(size_t *n)
{
	static const char **words;
	static size_t nwords;
	size_t i, k;

	if (words == NULL) {
		size_t nr = 0;

		while (wait_reasons[nr].text != NULL)
			nr++;
		words = xcalloc(nr + 16, sizeof(*words));
		for (i = 0;
		     i < sizeof(state_keywords) / sizeof(*state_keywords); i++)
			words[nwords++] = state_keywords[i];
		for (k = WAIT_UNKNOWN; k <= STATE_ACTIVE; k++)
			words[nwords++] = wait_class_name((enum wait_class)k);
		for (i = 0; i < nr; i++) {
			for (k = 0; k < nwords; k++)
				if (strcmp(words[k], wait_reasons[i].text) == 0)
					break;
			if (k == nwords)
				words[nwords++] = wait_reasons[i].text;
		}
	}
	*n = nwords;
	return words;
}

int
filter_state_known(const char *word, size_t len)
{
	size_t n = 0, i;
	const char *const *w = filter_state_words(&n);

	for (i = 0; i < n; i++)
		if (strlen(w[i]) == len && memcmp(w[i], word, len) == 0)
			return 1;
	return 0;
}

/* Parse KEY or KEY=VALUE into t; VALUE is also tried as a regular
 * expression the whole value must match (as pprof's -tagfocus). */
static int
label_term(struct label_term *t, struct intern *in, const char *text,
	   const char *opt, struct error *err)
{
	const char *eq = strchr(text, '=');
	size_t kl = eq ? (size_t)(eq - text) : strlen(text);

	memset(t, 0, sizeof(*t));
	if (kl == 0)
		return error_set(err, "%s: expected KEY=VALUE or KEY, got '%s'",
				 opt, text);
	t->key = strtab_intern(&in->strings, text, kl);
	t->value = UINT32_MAX;
	if (eq != NULL) {
		size_t n = strlen(eq + 1);
		char *pat = xmalloc(n + 5);

		t->value = strtab_intern_cstr(&in->strings, eq + 1);
		snprintf(pat, n + 5, "^(%s)$", eq + 1);
		/* A value that is no regular expression is matched exactly. */
		t->has_re = regcomp(&t->re, pat, REG_EXTENDED | REG_NOSUB) == 0;
		free(pat);
	}
	return 0;
}

static void
label_terms_release(struct label_term *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].has_re)
			regfree(&v[i].re);
	free(v);
}

/* Whether the label k=v satisfies term t. */
static int
term_match(const struct intern *in, const struct label_term *t, uint32_t k,
	   uint32_t v)
{
	if (k != t->key)
		return 0;
	if (t->value == UINT32_MAX || v == t->value)
		return 1;
	return t->has_re && regexec(&t->re, intern_str(in, v), 0, NULL, 0) == 0;
}

int
filter_init(struct filter *f, struct intern *in, const struct filter_spec *spec,
	    struct error *err)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->in = in;
	if (spec->focus) {
		if (compile(&f->focus, spec->focus, "--focus", err) < 0)
			goto fail;
		f->has_focus = 1;
	}
	if (spec->ignore) {
		if (compile(&f->ignore, spec->ignore, "--ignore", err) < 0)
			goto fail;
		f->has_ignore = 1;
	}
	for (i = 0; i < spec->nstates; i++)
		add_states(f, spec->states[i]);
	if (spec->ignore_top) {
		if (compile(&f->ignore_top, spec->ignore_top, "--ignore-top",
			    err) < 0)
			goto fail;
		f->has_ignore_top = 1;
	}
	f->labels = xcalloc(spec->nlabels + 1, sizeof(*f->labels));
	for (i = 0; i < spec->nlabels; i++) {
		if (label_term(&f->labels[i], in, spec->labels[i], "--label",
			       err) < 0)
			goto fail;
		f->nlabels++;
	}
	f->label_ignores =
		xcalloc(spec->nlabel_ignores + 1, sizeof(*f->label_ignores));
	for (i = 0; i < spec->nlabel_ignores; i++) {
		if (label_term(&f->label_ignores[i], in, spec->label_ignores[i],
			       "--label-ignore", err) < 0)
			goto fail;
		f->nlabel_ignores++;
	}
	return 0;
fail:
	filter_release(f);
	return -1;
}

void
filter_release(struct filter *f)
{
	size_t i;

	if (f->has_focus)
		regfree(&f->focus);
	if (f->has_ignore)
		regfree(&f->ignore);
	for (i = 0; i < f->nstate_words; i++)
		free(f->state_words[i]);
	free(f->state_words);
	label_terms_release(f->labels, f->nlabels);
	label_terms_release(f->label_ignores, f->nlabel_ignores);
	if (f->has_ignore_top)
		regfree(&f->ignore_top);
	free(f->top_memo);
	free(f->func_memo);
	free(f->stack_memo);
	free(f->label_memo);
	memset(f, 0, sizeof(*f));
}

int
filter_is_empty(const struct filter *f)
{
	return !f->has_focus && !f->has_ignore && f->nstate_words == 0 &&
	       f->nlabels == 0 && f->nlabel_ignores == 0 && !f->has_ignore_top;
}

static unsigned char *
memo_slot(unsigned char **memo, size_t *cap, size_t id)
{
	*memo = xgrow_zero(*memo, 1, id + 1, cap);
	return &(*memo)[id];
}

/* Bits for a function name: 1 matches --focus, 2 matches --ignore. */
static unsigned
func_bits(struct filter *f, strid func)
{
	unsigned char *m = memo_slot(&f->func_memo, &f->func_cap, func);

	if (*m == 0) {
		const char *name = intern_str(f->in, func);
		unsigned bits = 4;

		if (f->has_focus && regexec(&f->focus, name, 0, NULL, 0) == 0)
			bits |= 1;
		if (f->has_ignore && regexec(&f->ignore, name, 0, NULL, 0) == 0)
			bits |= 2;
		*m = (unsigned char)bits;
	}
	return *m;
}

static int
frames_pass(struct filter *f, const struct goroutine *g)
{
	unsigned char *m = memo_slot(&f->stack_memo, &f->stack_cap, g->stack);
	unsigned any = 0;

	if (*m == 0) {
		uint32_t n = 0, i;
		const uint32_t *v = seqtab_items(&f->in->stacks, g->stack, &n);

		for (i = 0; i < n; i++)
			any |= func_bits(f,
					 intern_frame_get(f->in, v[i])->func);
		*m = (unsigned char)(any | 8);
	}
	any = *m;
	if (g->creator)
		any |= func_bits(f, intern_frame_get(f->in, g->creator)->func);
	if (f->has_focus && !(any & 1))
		return 0;
	if (f->has_ignore && (any & 2))
		return 0;
	return 1;
}

static int
state_pass(const struct filter *f, const struct goroutine *g)
{
	const char *state = intern_str(f->in, g->state);
	enum wait_class c = intern_state_class(f->in, g->state);
	size_t i;

	for (i = 0; i < f->nstate_words; i++) {
		const char *w = f->state_words[i];

		if (strcmp(w, state) == 0 || strcmp(w, wait_class_name(c)) == 0)
			return 1;
		if (strcmp(w, "blocked") == 0 && wait_class_blocked(c))
			return 1;
		if (strcmp(w, "leaked") == 0 && (g->flags & G_LEAKED))
			return 1;
		if (strcmp(w, "locked") == 0 && (g->flags & G_LOCKED))
			return 1;
	}
	return 0;
}

static int
labels_pass(struct filter *f, seqid set)
{
	unsigned char *m = memo_slot(&f->label_memo, &f->label_cap, set);

	if (*m == 0) {
		uint32_t n = 0, i, ok = 1;
		size_t j;
		const uint32_t *p = seqtab_items(&f->in->labelsets, set, &n);

		for (j = 0; j < f->nlabels && ok; j++) {
			ok = 0;
			for (i = 0; i + 1 < n && !ok; i += 2)
				ok = term_match(f->in, &f->labels[j], p[i],
						p[i + 1]);
		}
		for (j = 0; j < f->nlabel_ignores && ok; j++)
			for (i = 0; i + 1 < n && ok; i += 2)
				if (term_match(f->in, &f->label_ignores[j],
					       p[i], p[i + 1]))
					ok = 0;
		*m = ok ? 1 : 2;
	}
	return *m == 1;
}

/* --ignore-top: whether a frame from the top of the stack down to the
 * blocking frame (the first outside the runtime) matches; goleak's
 * IgnoreTopFunction names either ("internal/poll.runtime_pollWait"). */
static int
top_pass(struct filter *f, seqid stack)
{
	unsigned char *m = memo_slot(&f->top_memo, &f->top_cap, stack);

	if (*m == 0) {
		uint32_t n = 0, i;
		const uint32_t *v = seqtab_items(&f->in->stacks, stack, &n);
		int drop = 0;

		for (i = 0; i < n && !drop; i++) {
			const struct frame *fr = intern_frame_get(f->in, v[i]);

			drop = regexec(&f->ignore_top,
				       intern_str(f->in, fr->func), 0, NULL,
				       0) == 0;
			if (!(fr->flags & FRAME_MACHINERY))
				break;
		}
		*m = drop ? 2 : 1;
	}
	return *m == 1;
}

int
filter_match(struct filter *f, const struct goroutine *g)
{
	if ((f->has_focus || f->has_ignore) && !frames_pass(f, g))
		return 0;
	if (f->nstate_words && !state_pass(f, g))
		return 0;
	if ((f->nlabels || f->nlabel_ignores) && !labels_pass(f, g->labels))
		return 0;
	if (f->has_ignore_top && !top_pass(f, g->stack))
		return 0;
	return 1;
}
