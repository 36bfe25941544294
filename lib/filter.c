/* Goroutine filters with per-stack memoisation. */
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
	if (spec->nlabels) {
		f->label_keys = xcalloc(spec->nlabels, sizeof(uint32_t));
		f->label_values = xcalloc(spec->nlabels, sizeof(uint32_t));
	}
	for (i = 0; i < spec->nlabels; i++) {
		const char *t = spec->labels[i], *eq = strchr(t, '=');
		size_t kl = eq ? (size_t)(eq - t) : strlen(t);

		if (kl == 0) {
			error_set(err,
				  "--label: expected KEY=VALUE or KEY, "
				  "got '%s'",
				  t);
			goto fail;
		}
		f->label_keys[i] = strtab_intern(&in->strings, t, kl);
		f->label_values[i] =
			eq ? strtab_intern_cstr(&in->strings, eq + 1)
			   : UINT32_MAX;
		f->nlabels++;
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
	free(f->label_keys);
	free(f->label_values);
	free(f->func_memo);
	free(f->stack_memo);
	free(f->label_memo);
	memset(f, 0, sizeof(*f));
}

int
filter_is_empty(const struct filter *f)
{
	return !f->has_focus && !f->has_ignore && f->nstate_words == 0 &&
	       f->nlabels == 0;
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
		uint32_t n = 0, i, j, ok = 1;
		const uint32_t *p = seqtab_items(&f->in->labelsets, set, &n);

		for (j = 0; j < f->nlabels && ok; j++) {
			ok = 0;
			for (i = 0; i + 1 < n; i += 2)
				if (p[i] == f->label_keys[j] &&
				    (f->label_values[j] == UINT32_MAX ||
				     p[i + 1] == f->label_values[j]))
					ok = 1;
		}
		*m = ok ? 1 : 2;
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
	if (f->nlabels && !labels_pass(f, g->labels))
		return 0;
	return 1;
}
