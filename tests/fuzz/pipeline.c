/* The downstream half of every fuzz target: group and report. */
#include <stdio.h>
#include <stdlib.h>

#include "formats/json.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "tests/fuzz/fuzz.h"

void
fuzz_pipeline(fuzz_reader reader, const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct intern in;
	struct snapshot s;
	struct error err;
	struct grouping gr;
	struct group_key key = { GROUP_BY_STACK, 0 };
	struct snapshot_meta meta;
	size_t *shown = NULL;
	int by;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	intern_init(&in);
	snapshot_init(&s, &in);
	error_clear(&err);
	if (reader(&s, data, size, &err) == 0) {
		for (by = GROUP_BY_STACK; by <= GROUP_BY_CREATOR; by++) {
			struct json_doc doc = { 0 };

			key.by = (enum group_by)by;
			key.top = 2;
			grouping_init(&gr, &in, &key, 1);
			grouping_add(&gr, &s, 0, NULL);
			grouping_finish(&gr);
			shown = calloc(gr.n + 1, sizeof(*shown));
			doc.command = "fuzz";
			doc.gr = &gr;
			snapshot_meta(&s, &meta);
			doc.meta = &meta;
			doc.shown = shown;
			doc.nshown = grouping_select(&gr, NULL, 0, 0, shown);
			(void)json_write(devnull, &doc, &err);
			free(shown);
			grouping_release(&gr);
		}
	}
	snapshot_release(&s);
	intern_release(&in);
}
