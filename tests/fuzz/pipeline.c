/* The downstream half of every fuzz target: series, grouping, report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

static int
add(struct snapshot *s, void *ctx)
{
	return series_add(ctx, s);
}

void
fuzz_pipeline(fuzz_reader reader, const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct intern in;
	struct error err;
	struct series s;
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct read_opts o;
	int by;
	size_t k;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	memset(&o, 0, sizeof(o));
	o.threads = 1;
	for (by = GROUP_BY_STACK; by <= GROUP_BY_CREATOR; by++) {
		intern_init(&in);
		key.by = (enum group_by)by;
		key.top = 2;
		series_init(&s, &in, &key, NULL, 1, SERIES_BY_INSTANCE);
		error_clear(&err);
		(void)reader(&in, data, size, &o, add, &s, &err);
		series_finish(&s);
		for (k = 0; k < s.n; k++) {
			struct series_inst *si = &s.v[k];
			struct analysis an;
			struct analysis_opts ao;
			size_t *shown = calloc(si->gr.n + 1, sizeof(*shown));
			struct json_part part = { 0 };
			struct json_doc doc = { 0 };

			memset(&ao, 0, sizeof(ao));
			suspect_rules_default(&ao.rules);
			ao.ignore_known = 1;
			ao.times_ns = si->by_time ? si->times : NULL;
			analysis_run(&an, &si->gr, &ao);
			part.gr = &si->gr;
			part.meta = si->meta;
			part.order = series_order_name(&s, si);
			part.shown = shown;
			part.nshown =
				grouping_select(&si->gr, NULL, 0, 0, shown);
			part.an = &an;
			doc.command = "fuzz";
			doc.parts = &part;
			doc.nparts = 1;
			(void)json_write(devnull, &doc, &err);
			analysis_release(&an);
			free(shown);
		}
		series_release(&s);
		intern_release(&in);
	}
}
